"""`ecsship secret set KEY` and `ecsship secret list`: manage the secrets the manifest references.

Values are read from stdin or a hidden prompt and never printed. `list` shows which referenced
secrets exist, never their values.
"""
from __future__ import annotations

from typing import Annotated

import typer

from ecsship.cli.guard import guarded
from ecsship.cli.options import EnvOpt, FileOpt, VarOpt


def register(app: typer.Typer) -> None:
    secret_app = typer.Typer(help="Set and list the secrets the manifest references (values are never shown).", no_args_is_help=True)
    app.add_typer(secret_app, name="secret", rich_help_panel="Infrastructure")

    @secret_app.command("set")
    @guarded
    def set_(ctx: typer.Context, key: Annotated[str, typer.Argument(help="The environment variable name under `secrets:`.")],
             file: FileOpt = "ecsship.yaml", env: EnvOpt = None, var: VarOpt = None) -> None:
        """Create or update the secret `secrets.KEY` names, from stdin or a hidden prompt."""
        import sys

        from ecsship.secrets_cli import read_value, reference_for, store

        options = ctx.obj
        manifest, ref = reference_for(file, env, var, key)
        value = read_value(sys.stdin, key)
        aws = options.aws(manifest.data.get("region"))
        what = store(aws, manifest, ref, value)
        out = options.out()
        if out.json_mode:
            out.emit_json({"ok": True, "key": key, "reference": ref.raw, "result": what})
        else:
            out.success(f"secret {key}: {what} {ref.ident} (value not shown)")

    @secret_app.command("list")
    @guarded
    def list_(ctx: typer.Context, file: FileOpt = "ecsship.yaml", env: EnvOpt = None, var: VarOpt = None) -> None:
        """Show every referenced secret and whether it exists. Exit 1 when one is missing."""
        from ecsship.desired.references import parse_secret
        from ecsship.manifest.document import load_manifest, parse_vars
        from ecsship.secrets_cli import status
        from ecsship.ui.plan_view import say

        options = ctx.obj
        manifest = load_manifest(file, env=env, variables=parse_vars(var))
        refs = [parse_secret(k, v) for k, v in sorted((manifest.data.get("secrets") or {}).items())]
        aws = options.aws(manifest.data.get("region")) if refs else None
        rows = [status(aws, ref) for ref in refs]
        out = options.out()
        if out.json_mode:
            out.emit_json({"secrets": rows})
        elif not rows:
            out.print("The manifest references no secrets.")
        else:
            width = max(len(r["key"]) for r in rows)
            for row in rows:
                state = "exists" if row["exists"] else "MISSING"
                changed = f"  (changed {row['last_changed']})" if row.get("last_changed") else ""
                say(out, f"{row['key']:<{width}}  {state:<7}  {row['reference']}{changed}", None if row["exists"] else "red")
        if any(not r["exists"] for r in rows):
            raise typer.Exit(1)
