"""`ecsship validate`: every problem at once, each at FILE:LINE:COL."""
from __future__ import annotations

from typing import Annotated

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import EnvOpt, FileOpt, VarOpt


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Manifest")
    @guarded
    def validate(
        ctx: typer.Context,
        file: FileOpt = "ecsship.yaml",
        env: EnvOpt = None,
        var: VarOpt = None,
        strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    ) -> None:
        """Check a manifest against the schema and ecsship's rules. No AWS calls.

        Without --env, the base manifest and every environment overlay are checked.
        Exit 0 when valid (warnings allowed unless --strict), 2 when not.
        """
        from ecsship.manifest.document import display_name, load_manifest, parse_vars

        out = ctx.obj.out()
        manifest = load_manifest(file, env=env, variables=parse_vars(var), strict=strict, all_environments=env is None)
        if out.json_mode:
            out.emit_json({"ok": True, "file": display_name(file), "environment": env, "warnings": [w.to_dict() for w in manifest.warnings]})
            return
        out.problems(manifest.warnings)
        suffix = f" (environment {env})" if env else ""
        note = f", {len(manifest.warnings)} warning{'s' if len(manifest.warnings) != 1 else ''}" if manifest.warnings else ""
        out.success(f"{display_name(file)}: valid{suffix}{note}")
