"""Start-up (issue #20 item 4): botocore's service models, read once and kept in a marshal cache.

Every command that calls AWS creates a client per service, and botocore parses each service's model
(`service-2.json.gz`, 3 MB of JSON for EC2) on every start: about a third of a converged `plan`'s own
time. The parsed model is kept under `$XDG_CACHE_HOME/ecsship/botocore-models/<botocore version>/`
in marshal form (plain data: marshal builds no objects but dicts, lists, strings and numbers here),
which loads about 5× faster. A cache entry is used only when the source file's size and mtime
still match; any failure to read or write the cache falls back to botocore's own loader, so the
cache can only make a start faster, never wrong. One loader is shared by every session of the
process (each `Aws`, each assumed role), so a model is never parsed twice in one run.

The cache is read only from a directory this user owns that no one else may write to
(`cachedir.private_directory`): a model holds the endpoint rules, so whoever could write it could
send the signed requests elsewhere.

Two more costs of a client are cut here. botocore checks that a service exists by listing every
service directory it has (about 400, twice: the model and the endpoint rules), 30-50 ms; the
shared loader asks only the service's own directory (`list_api_versions`, which botocore calls next
anyway), and an unknown service still gets botocore's own error. And a parsed model is a few
hundred thousand dicts and lists that live as long as the process: the cyclic garbage collector
would walk them on every full pass (about 90 ms of a converged plan), so they are frozen
(`gc.freeze`: left out of every later pass) as soon as they are loaded.
"""
from __future__ import annotations

import gc
import hashlib
import marshal
import os
import tempfile
from collections import OrderedDict
from pathlib import Path

from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader, instance_cache

from ecsship.cachedir import cache_root, private_directory

_EXTENSIONS = (".json", ".json.gz")  # what botocore's JSONFileLoader tries, in its order
_shared_loader = None


def cache_directory(environ=None) -> Path:
    import botocore

    return cache_root(environ) / "botocore-models" / botocore.__version__


def _frozen_load(load, *args):
    """load(*args) without a collection pass in the middle, then every object alive frozen (see the
    module's docstring): what was just loaded stays for the process's life."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return load(*args)
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


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
        self._usable: bool | None = None  # private_directory(directory), checked once

    def _cache_usable(self) -> bool:
        if self._usable is None:
            self._usable = private_directory(self.directory)
        return self._usable

    def exists(self, file_path: str) -> bool:
        return self.inner.exists(file_path)

    def load_file(self, file_path: str):
        source = next((file_path + ext for ext in _EXTENSIONS if os.path.isfile(file_path + ext)), None)
        if source is None:
            return self.inner.load_file(file_path)
        entry = None
        try:
            if self._cache_usable():
                stat = os.stat(source)
                tag = f"{source}|{stat.st_size}|{stat.st_mtime_ns}"
                entry = self.directory / (hashlib.sha256(tag.encode()).hexdigest()[:32] + ".marshal")
                if entry.is_file():
                    return _frozen_load(marshal.loads, entry.read_bytes())
        except Exception:  # noqa: BLE001 - a broken cache entry: botocore's loader below
            pass
        data = _frozen_load(self.inner.load_file, file_path)
        if entry is not None and data is not None:
            self._store(entry, data)
        return data

    def _store(self, entry: Path, data) -> None:
        try:
            payload = marshal.dumps(_plain(data) if isinstance(data, (dict, OrderedDict, list)) else data)
            with tempfile.NamedTemporaryFile(dir=entry.parent, delete=False, suffix=".tmp") as tmp:
                tmp.write(payload)
            os.replace(tmp.name, entry)
        except Exception:  # noqa: BLE001 - a read-only home, a full disk: just no cache
            return


class ServiceCheckingLoader(Loader):
    """botocore's Loader, which checks a service exists in its own directories only (see the module's
    docstring); everything else, and every answer, is botocore's."""

    @instance_cache
    def load_service_model(self, service_name, type_name, api_version=None):
        try:
            self.list_api_versions(service_name, type_name)
        except DataNotFoundError:  # unknown: botocore's own UnknownServiceError, which lists the known
            return super().load_service_model(service_name, type_name, api_version)
        # From here on, botocore's Loader.load_service_model as it is after its membership check.
        if api_version is None:
            api_version = self.determine_latest_version(service_name, type_name)
        model = self.load_data(os.path.join(service_name, api_version, type_name))
        self._extras_processor.process(model, self._find_extras(service_name, type_name, api_version))
        return model


def share_loader(botocore_session) -> None:
    """Give `botocore_session` the process's one caching loader (made from the first session's)."""
    global _shared_loader
    if _shared_loader is None:
        loader = botocore_session.get_component("data_loader")
        if type(loader) is Loader and hasattr(loader, "_find_extras") and hasattr(loader, "_extras_processor"):
            loader.__class__ = ServiceCheckingLoader  # same object and state, one method replaced
        if os.environ.get("ECSSHIP_NO_MODEL_CACHE") != "1":
            loader.file_loader = CachingFileLoader(loader.file_loader, cache_directory())
        _shared_loader = loader
    botocore_session.register_component("data_loader", _shared_loader)
