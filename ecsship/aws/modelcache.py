"""Start-up (issue #20 item 4): botocore's service models, read once and kept in a marshal cache.

Every command that calls AWS creates a client per service, and botocore parses each service's model
(`service-2.json.gz`, 3 MB of JSON for EC2) on every start: about a third of a converged `plan`'s own
time. The parsed model is kept under `$XDG_CACHE_HOME/ecsship/botocore-models/<botocore version>/`
in marshal form (plain data: marshal builds no objects but dicts, lists, strings and numbers here),
which loads about 5× faster. A cache entry is used only when the source file's size and mtime
still match; any failure to read or write the cache falls back to botocore's own loader, so the
cache can only make a start faster, never wrong. One loader is shared by every session of the
process (each `Aws`, each assumed role), so a model is never parsed twice in one run.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from collections import OrderedDict
from pathlib import Path

_EXTENSIONS = (".json", ".json.gz")  # what botocore's JSONFileLoader tries, in its order
_shared_loader = None


def cache_directory(environ=None) -> Path:
    import botocore

    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ecsship" / "botocore-models" / botocore.__version__


def _plain(value):
    """marshal takes dict, not OrderedDict (botocore's JSON hook); dicts keep their order anyway."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class CachingFileLoader:
    """botocore's JSONFileLoader (`exists`, `load_file`), answering from the marshal cache."""

    def __init__(self, inner, directory: Path):
        self.inner = inner
        self.directory = directory

    def exists(self, file_path: str) -> bool:
        return self.inner.exists(file_path)

    def load_file(self, file_path: str):
        source = next((file_path + ext for ext in _EXTENSIONS if os.path.isfile(file_path + ext)), None)
        if source is None:
            return self.inner.load_file(file_path)
        try:
            stat = os.stat(source)
            tag = f"{source}|{stat.st_size}|{stat.st_mtime_ns}"
            entry = self.directory / (hashlib.sha256(tag.encode()).hexdigest()[:32] + ".marshal")
            if entry.is_file():
                return marshal.loads(entry.read_bytes())
        except Exception:  # noqa: BLE001 - a broken cache entry: botocore's loader below
            entry = None
        data = self.inner.load_file(file_path)
        if entry is not None and data is not None:
            self._store(entry, data)
        return data

    def _store(self, entry: Path, data) -> None:
        try:
            entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            payload = marshal.dumps(_plain(data) if isinstance(data, (dict, OrderedDict, list)) else data)
            with tempfile.NamedTemporaryFile(dir=entry.parent, delete=False, suffix=".tmp") as tmp:
                tmp.write(payload)
            os.replace(tmp.name, entry)
        except Exception:  # noqa: BLE001 - a read-only home, a full disk: just no cache
            return


def share_loader(botocore_session) -> None:
    """Give `botocore_session` the process's one caching loader (made from the first session's)."""
    global _shared_loader
    if _shared_loader is None:
        loader = botocore_session.get_component("data_loader")
        if os.environ.get("ECSSHIP_NO_MODEL_CACHE") != "1":
            loader.file_loader = CachingFileLoader(loader.file_loader, cache_directory())
        _shared_loader = loader
    botocore_session.register_component("data_loader", _shared_loader)
