"""Schema verdicts remembered (issue #20 item 4): a manifest document the JSON schema found valid once
is not checked again while nothing that decides the verdict has changed.

Checking the schema means importing jsonschema (about 40 ms, a tenth of a converged `plan`) for a
manifest that is, nearly always, the one checked the run before. A verdict is remembered only for a
document with no schema problem (a document with problems is checked every time, so its messages are
always fresh); it is keyed by everything the verdict depends on: the document itself after
interpolation and overlays (the values `${VAR}`s brought in included), the schema's bytes, ecsship's
version and the installed jsonschema (its files' size and mtime: an upgrade rewrites them). The
semantic rules (manifest/semantic.py) run every time: they are ecsship's own code, cheap to run.

Never a secret on disk: the key of a verdict is an HMAC-SHA256 with a random key of this cache
(created 0600 on first use), so a remembered digest cannot be tested against guesses of a value by
anyone without that key; the document itself is never written. Where the cache lives:
`$XDG_CACHE_HOME/ecsship/manifest-verdicts/`, used only when private (cachedir.private_directory).
Anything unreadable or malformed there is ignored and rewritten; any failure means "not known",
which only costs the check. `ECSSHIP_NO_MANIFEST_CACHE=1` turns it off.
"""
from __future__ import annotations

import hashlib
import hmac
import importlib.util
import marshal
import os
import tempfile
import threading
from pathlib import Path

from ecsship import __version__
from ecsship.cachedir import cache_root, private_directory

MAX_VERDICTS = 256  # the most recent; older ones are dropped when a new one is written
KEY_BYTES = 32
_FORMAT = b"ecsship-schema-verdict-1"


def _validator_identity() -> bytes:
    """The installed jsonschema's identity without importing it: its package file's path, size, mtime."""
    try:
        spec = importlib.util.find_spec("jsonschema")
        origin = spec.origin if spec else None
        info = os.stat(origin) if origin else None
    except (ImportError, ValueError, OSError):
        return b"jsonschema unknown"
    if info is None:
        return b"jsonschema unknown"
    return f"{origin}|{info.st_size}|{info.st_mtime_ns}".encode()


class Verdicts:
    """The remembered verdicts in one directory; safe to share between threads."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._lock = threading.Lock()
        self._key: bytes | None = None
        self._known: set[str] | None = None
        self._usable: bool | None = None

    # -- the key of a verdict ---------------------------------------------------------------------
    def digest(self, schema: bytes, document) -> str | None:
        """The verdict's key for `document` under `schema`; None when it cannot be remembered (a value
        marshal does not take, no private directory)."""
        try:
            # Exact (tells 1 from 1.0 from True, "1" from 1, as a key too) and, at version 2, the same
            # bytes for equal documents (later versions mark objects shared elsewhere in the process).
            body = marshal.dumps(document, 2)
        except ValueError:
            return None
        key = self._secret()
        if key is None:
            return None
        mac = hmac.new(key, digestmod=hashlib.sha256)
        for part in (_FORMAT, __version__.encode(), hashlib.sha256(schema).digest(), _validator_identity(), body):
            mac.update(len(part).to_bytes(8, "big"))
            mac.update(part)
        return mac.hexdigest()

    def _secret(self) -> bytes | None:
        with self._lock:
            if self._key is None and self._private():
                self._key = self._read_or_make_key()
            return self._key

    def _private(self) -> bool:
        if self._usable is None:
            self._usable = private_directory(self.directory)
        return self._usable

    def _read_or_make_key(self) -> bytes | None:
        path = self.directory / "key"
        try:
            key = path.read_bytes()
            if len(key) == KEY_BYTES:
                return key
        except OSError:
            pass
        key = os.urandom(KEY_BYTES)  # a new key: every verdict remembered under the old one is moot
        return key if self._write(path, key) else None

    # -- remembering ------------------------------------------------------------------------------
    def known_valid(self, digest: str) -> bool:
        with self._lock:
            return digest in self._load()

    def remember_valid(self, digest: str) -> None:
        with self._lock:
            if digest in self._load():
                return
            # Read again: another run may have added its own since this one loaded them.
            order = [d for d in self._lines() if d != digest][-(MAX_VERDICTS - 1):] + [digest]
            if self._write(self.directory / "valid", ("\n".join(order) + "\n").encode()):
                self._known = set(order)

    def _load(self) -> set[str]:
        if self._known is None:
            self._known = set(self._lines())
        return self._known

    def _lines(self) -> list[str]:
        """The digests in the file, oldest first; anything else in it (a torn write, junk) is skipped."""
        try:
            raw = (self.directory / "valid").read_bytes()
        except OSError:
            return []
        out = []
        for line in raw.split(b"\n"):
            text = line.strip().decode("ascii", "replace")
            if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
                out.append(text)
        return out

    def _write(self, path: Path, payload: bytes) -> bool:
        """Atomically (a reader sees the old file or the new one), 0600; False when it cannot."""
        if not self._private():
            return False
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")  # created 0600
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            os.replace(tmp, path)
            return True
        except OSError:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
            return False


_shared: Verdicts | None = None
_shared_lock = threading.Lock()


def shared() -> Verdicts | None:
    """The process's verdicts in the user's cache directory; None when turned off."""
    global _shared
    if os.environ.get("ECSSHIP_NO_MANIFEST_CACHE") == "1":
        return None
    with _shared_lock:
        directory = cache_root() / "manifest-verdicts"
        if _shared is None or _shared.directory != directory:
            _shared = Verdicts(directory)
        return _shared
