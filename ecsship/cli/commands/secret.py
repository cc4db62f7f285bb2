"""`ecsship secret set KEY` and `ecsship secret list` (the flows: ecsship/app/secret.py)."""
from __future__ import annotations

from typing import Annotated

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import manifest_options


def register(app: typer.Typer) -> None:
    secret_app = typer.Typer(help="Set and list the secrets the manifest references (values are never shown).", no_args_is_help=True)
    app.add_typer(secret_app, name="secret", rich_help_panel="Infrastructure")

    @secret_app.command("set")
    @guarded
    @manifest_options
    def set_(ctx: typer.Context, key: Annotated[str, typer.Argument(help="The environment variable name under `secrets:`.")], *, file, env, var) -> None:
        """Create or update the secret `secrets.KEY` names, from stdin or a hidden prompt."""
        from ecsship.app.secret import set_secret

        set_secret(ctx.obj, key, file, env, var)

    @secret_app.command("list")
    @guarded
    @manifest_options
    def list_(ctx: typer.Context, *, file, env, var) -> None:
        """Show every referenced secret and whether it exists. Exit 1 when one is missing."""
        from ecsship.app.secret import list_secrets

        code = list_secrets(ctx.obj, file, env, var)
        if code:
            raise typer.Exit(code)
