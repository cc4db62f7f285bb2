"""`ecsship validate`: every problem at once, each at FILE:LINE:COL (the flow: ecsship/app/validate.py)."""
from __future__ import annotations

from typing import Annotated

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import EnvOpt, FilesOpt, VarOpt, one_file


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Manifest")
    @guarded
    def validate(
        ctx: typer.Context,
        file: FilesOpt = None,
        env: EnvOpt = None,
        var: VarOpt = None,
        strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    ) -> None:
        """Check a manifest against the schema and ecsship's rules. No AWS calls.

        Without --env, the base manifest and every environment overlay are checked.
        Many manifests (-f repeated, a directory, a glob): each, and their `after:` order.
        Exit 0 when valid (warnings allowed unless --strict), 2 when not.
        """
        from ecsship.fleet.files import is_fleet

        if is_fleet(file):
            from ecsship.app.fleet import validate as validate_fleet

            validate_fleet(ctx.obj, file, env, var, strict=strict)
            return
        from ecsship.app.validate import validate as validate_flow

        validate_flow(ctx.obj, one_file(file), env, var, strict=strict)
