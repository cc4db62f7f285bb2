"""Where ecsship keeps what it can rebuild (issue #20 item 4): `$XDG_CACHE_HOME/ecsship/`, else
`~/.cache/ecsship/`. Standard library only: `validate` and `--help` import this, never boto3.

A cache is read and written only in a directory this user owns that neither group nor others may
write to: what is read back is trusted (a botocore model holds the endpoint rules; a manifest
verdict skips the schema check), so no one else may plant an entry.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path


def cache_root(environ=None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ecsship"


def private_directory(path: Path) -> bool:
    """Create `path` (0700) if missing; True when it is a real directory owned by this user that
    neither group nor others may write to, the only kind a cache is read from or written to."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = os.lstat(path)
    except OSError:
        return False
    getuid = getattr(os, "getuid", None)  # not on Windows, where the profile directory is private
    owned = getuid is None or info.st_uid == getuid()
    return stat.S_ISDIR(info.st_mode) and owned and not info.st_mode & 0o022
