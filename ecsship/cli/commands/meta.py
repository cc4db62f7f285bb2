"""`ecsship schema` and `ecsship version`."""
from __future__ import annotations

from typing import Annotated

import typer

from ecsship.cli.errors_to_exit import guarded


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Help")
    @guarded
    def schema(ctx: typer.Context,
               path: Annotated[bool, typer.Option("--path", help="Print where the schema file shipped with ecsship is, for `$schema=`.")] = False) -> None:
        """Print the manifest's JSON schema (draft 2020-12), for editors and CI."""
        from ecsship.manifest.schema import schema_path

        if path:
            typer.echo(str(schema_path()))
            return
        typer.echo(schema_path().read_text(encoding="utf-8"), nl=False)

    @app.command(rich_help_panel="Help")
    @guarded
    def version(ctx: typer.Context) -> None:
        """Print ecsship's version."""
        from ecsship import __version__

        if ctx.obj.output == "json":
            ctx.obj.out().emit_json({"version": __version__})
        else:
            typer.echo(f"ecsship {__version__}")
