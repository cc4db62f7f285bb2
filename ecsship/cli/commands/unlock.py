"""`ecsship unlock`: remove a stale lock left by a crashed apply or deploy."""
from __future__ import annotations

from typing import Annotated

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import EnvOpt, FileOpt, VarOpt


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Operations")
    @guarded
    def unlock(
        ctx: typer.Context,
        file: FileOpt = "ecsship.yaml",
        env: EnvOpt = None,
        var: VarOpt = None,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
        force: Annotated[bool, typer.Option("--force", help="Remove a lock whose holder may still be running (not expired).")] = False,
    ) -> None:
        """Remove the service's apply/deploy lock (only when the run that held it is gone)."""
        import sys
        import time

        from ecsship.errors import UsageError
        from ecsship.lock import ServiceLock
        from ecsship.manifest.document import load_manifest, parse_vars

        out = ctx.obj.out()
        manifest = load_manifest(file, env=env, variables=parse_vars(var))
        aws = ctx.obj.aws(manifest.get("region"))
        lock = ServiceLock(aws, manifest.data["cluster"], manifest.data["service"])
        held = lock.read()
        if held is None:
            out.success(f"service {manifest.data['service']} is not locked")
            return
        out.print(f"lock {held.describe(time.time())}")
        if held.is_live(time.time()) and not force:
            # --yes answers the prompt; it does not say the holder is gone.
            raise UsageError(f"the lock's holder may still be running ({held.owner}, `{held.command}`)",
                             "wait for it to finish or expire; if you know it is gone, pass --force")
        if not yes:
            if not sys.stdin.isatty():
                raise UsageError("refusing to remove a lock without confirmation", "pass --yes")
            typer.confirm("Remove it? Only do this if that run is no longer running", abort=True)
        lock.force_unlock()
        out.success("lock removed")
