"""Writing files that hold secrets or are trusted later (local state, saved plans, manifests):
owner-only permissions, never through a symlink, never over an existing file unless asked.

Standard library only: on the CLI start-up path.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ecsship.errors import UsageError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def private_dir(path: Path) -> Path:
    """Create the directory 0700 (parents as usual) and check it is a real directory owned by this user
    and not writable by others: a state file is only as private as the directory it lives in."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{path} is a symlink or not a directory", "remove it; ecsship keeps its state in a private directory")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise UsageError(f"{path} belongs to another user (uid {info.st_uid})", "remove it or set XDG_STATE_HOME to a directory you own")
    if info.st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


def write_private(path: Path, text: str, replace: bool = True) -> None:
    """Write text to path with mode 0600, atomically, never following a symlink at path.

    replace=False refuses an existing path (FileExistsError); replace=True swaps a regular file
    in with rename, which replaces a symlink itself rather than writing through it."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails with FileExistsError if path exists (as a file or a symlink)
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def write_new_file(path: Path, text: str, force: bool = False, mode: int = 0o600, what: str = "file") -> None:
    """Write an output file the user named (a saved plan, a new manifest): refuse a symlink always,
    an existing file unless force, and create it with `mode`. One clear UsageError otherwise."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise UsageError(f"{path} is a symlink; ecsship does not write a {what} through a symlink", "write to a plain path")
    if info is not None and not force:
        raise UsageError(f"{path} already exists", "pass --force to overwrite it, or pick another path")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{path} is not a regular file")
    flags = os.O_WRONLY | os.O_CREAT | _NOFOLLOW | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError:
        raise UsageError(f"{path} already exists", "pass --force to overwrite it, or pick another path") from None
    except OSError as exc:
        raise UsageError(f"cannot write {what} {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        if force:
            os.fchmod(handle.fileno(), mode)
        handle.write(text)


def read_private(path: Path) -> str | None:
    """The text of a state file this user owns, read without following a symlink; None when absent,
    a symlink, or owned by someone else (then it is not ours to trust)."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, encoding="utf-8") as handle:
        info = os.fstat(handle.fileno())
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        return handle.read()
