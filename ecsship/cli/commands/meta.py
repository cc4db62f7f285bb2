"""`ecsship schema` and `ecsship version`."""
from __future__ import annotations

import typer

from ecsship.cli.guard import guarded


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Help")
    @guarded
    def schema(ctx: typer.Context) -> None:
        """Print the manifest's JSON schema (draft 2020-12), for editors and CI."""
        from ecsship.manifest.schema import schema_path

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
