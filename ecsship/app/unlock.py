"""`ecsship unlock`: remove the service lock a crashed apply or deploy left behind (ecsship/lock.py)."""
from __future__ import annotations

import time

from ecsship.app.application import Quit
from ecsship.errors import UsageError
from ecsship.lock import ServiceLock
from ecsship.manifest.document import load_manifest, parse_vars


def unlock(app, file: str, env, var, *, yes: bool, force: bool) -> None:
    """Only when the run that held it is gone (expired), or with `force`; asks unless `yes`."""
    out = app.out()
    manifest = load_manifest(file, env=env, variables=parse_vars(var))
    aws = app.aws_for(manifest.data)
    lock = ServiceLock(aws, manifest.data["cluster"], manifest.data["service"])
    held = lock.read()
    if held is None:
        out.success(f"service {manifest.data['service']} is not locked")
        return
    now = time.time()  # the lock's expiry is wall-clock epoch seconds (ServiceLock's clock)
    out.print(f"lock {held.describe(now)}")
    if held.is_live(now) and not force:
        # --yes answers the prompt; it does not say the holder is gone.
        raise UsageError(f"the lock's holder may still be running ({held.owner}, `{held.command}`)",
                         "wait for it to finish or expire; if you know it is gone, pass --force")
    if not yes:
        if not app.stdin_is_terminal():
            raise UsageError("refusing to remove a lock without confirmation", "pass --yes")
        if not app.confirm("Remove it? Only do this if that run is no longer running"):
            out.print("Nothing changed.")
            raise Quit(1)
    lock.force_unlock()
    out.success("lock removed")
