"""`-f` given several times, a directory or a glob: the manifests it names, in a stable order."""
from __future__ import annotations

import glob
import os
from pathlib import Path

from ecsship.errors import UsageError

MANIFEST_NAME = "ecsship.yaml"
MANIFEST_SUFFIX = ".ecsship.yaml"
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".terraform"}


def is_fleet(files: list[str] | None, only: str | None = None) -> bool:
    """More than one manifest (or a directory, a glob, --only): the run goes through ecsship.app.fleet.
    Here, not there, so a one-manifest command decides without importing the fleet machinery."""
    if only:
        return True
    files = files or [MANIFEST_NAME]
    return len(files) > 1 or any(os.path.isdir(f) or any(c in f for c in "*?[") for f in files)


def is_manifest_name(name: str) -> bool:
    return name == MANIFEST_NAME or name.endswith(MANIFEST_SUFFIX)


def expand(paths: list[str]) -> list[str]:
    """Each path: `-` (standard input), a file, a directory (every ecsship.yaml and *.ecsship.yaml beneath
    it, hidden and vendored directories skipped) or a glob (`services/*/ecsship.yaml`, `**` recurses).
    Duplicates are dropped; the order is the order given, sorted within a directory or glob."""
    found: list[str] = []
    for path in paths:
        if path == "-" or (os.path.isfile(path) and not _is_glob(path)):
            found.append(path)
        elif os.path.isdir(path):
            beneath = _beneath(path)
            if not beneath:
                raise UsageError(f"{path}: no ecsship.yaml or *.ecsship.yaml beneath this directory",
                                 "pass the manifest files, or a directory that holds them")
            found += beneath
        elif _is_glob(path):
            matched = sorted(p for p in glob.glob(path, recursive=True) if os.path.isfile(p))
            if not matched:
                raise UsageError(f"{path}: no file matches this pattern", "quote the pattern so the shell does not expand it")
            found += matched
        else:
            found.append(path)  # loading says "no such file", as for one manifest
    return list(dict.fromkeys(found))


def _is_glob(path: str) -> bool:
    return any(ch in path for ch in "*?[")


def _beneath(directory: str) -> list[str]:
    out = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        out += [str(Path(root) / f) for f in sorted(files) if is_manifest_name(f)]
    return out
