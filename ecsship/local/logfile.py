"""The local AWS's log: one private file per port, rotated by size while the server runs.

A server left up for weeks (`ecsship local up` on a laptop, a CI runner) logs every warning and, with
--verbose, every request: the file is rotated at LOG_MAX_BYTES into `.1` and `.2` (older ones dropped),
so it never holds more than (LOG_BACKUPS + 1) x LOG_MAX_BYTES (issue #22, files). Files are 0600 and
opened without following symlinks, in the private state directory.
"""
from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_MAX_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 2
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def private_opener(path, flags):
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0), 0o600)


class PrivateRotatingFileHandler(RotatingFileHandler):
    """RotatingFileHandler whose files (the live one and each reopened after a rollover) are 0600 and
    never opened through a symlink."""

    def _open(self):
        return open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=private_opener)


def log_to_file(path: Path, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS) -> logging.Handler:
    """Send every log record to `path`, rotated by size; returns the handler (the root logger's only one)."""
    handler = PrivateRotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    return handler


class LinesToLog:
    """A text stream whose lines become log records: what is printed (a thread's traceback, a library's
    warning) is rotated with the log instead of growing the file the server was started with."""

    def __init__(self, logger: logging.Logger, level: int):
        self.logger, self.level, self._partial, self._writing = logger, level, "", False

    def write(self, text: str) -> int:
        if self._writing:  # logging reporting its own failure to stderr: dropped, never a loop
            return len(text)
        self._writing = True
        try:
            lines = (self._partial + text).split("\n")
            self._partial = lines.pop()
            for line in lines:
                if line:
                    self.logger.log(self.level, line)
        finally:
            self._writing = False
        return len(text)

    def flush(self) -> None:
        if self._partial:
            self.logger.log(self.level, self._partial)
            self._partial = ""

    def isatty(self) -> bool:
        return False


def capture_output() -> None:
    """Python-level stdout/stderr into the log; the inherited descriptors 1 and 2 (the log file the
    server was started with, rotated away later) onto /dev/null."""
    sys.stdout = LinesToLog(logging.getLogger("ecsship.local.stdout"), logging.INFO)  # type: ignore[assignment]
    sys.stderr = LinesToLog(logging.getLogger("ecsship.local.stderr"), logging.WARNING)  # type: ignore[assignment]
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def rotate_before_start(log: Path, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS) -> None:
    """A log over `max_bytes` is rotated (.1, .2) before a new server appends to it."""
    try:
        if log.stat().st_size <= max_bytes:
            return
    except FileNotFoundError:
        return
    for index in range(backups, 0, -1):
        older = log.with_name(f"{log.name}.{index}")
        newer = log.with_name(f"{log.name}.{index - 1}") if index > 1 else log
        if newer.exists():
            os.replace(newer, older)
