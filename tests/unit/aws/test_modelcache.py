"""botocore's models in a marshal cache (issue #20 item 4): parsed once, then read from the cache
while the source file is unchanged; a changed source or a broken entry goes back to botocore."""
from __future__ import annotations

import gc
import json
import os
from collections import OrderedDict

import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import JSONFileLoader, Loader

from ecsship.aws.modelcache import CachingFileLoader, ServiceCheckingLoader
from ecsship.cachedir import private_directory


class CountingLoader(JSONFileLoader):
    def __init__(self):
        self.loads = 0

    def load_file(self, file_path):
        self.loads += 1
        return super().load_file(file_path)


def test_a_model_is_parsed_once_then_read_from_the_cache(tmp_path):
    source = tmp_path / "service-2"
    source.with_suffix(".json").write_text(json.dumps({"metadata": {"b": 1, "a": 2}, "shapes": [1, 2]}))
    inner = CountingLoader()
    loader = CachingFileLoader(inner, tmp_path / "cache")
    first = loader.load_file(str(source))
    assert isinstance(first, OrderedDict) and inner.loads == 1  # botocore's own answer the first time
    again = loader.load_file(str(source))
    assert again == {"metadata": {"b": 1, "a": 2}, "shapes": [1, 2]} and inner.loads == 1
    assert list(again["metadata"]) == ["b", "a"]  # the order botocore's OrderedDict kept
    assert loader.exists(str(source)) and not loader.exists(str(tmp_path / "missing"))
    assert loader.load_file(str(tmp_path / "missing")) is None


def test_a_changed_source_or_a_broken_entry_is_parsed_again(tmp_path):
    source = tmp_path / "service-2"
    path = source.with_suffix(".json")
    path.write_text(json.dumps({"v": 1}))
    inner = CountingLoader()
    loader = CachingFileLoader(inner, tmp_path / "cache")
    loader.load_file(str(source))
    path.write_text(json.dumps({"v": 22}))
    os.utime(path, ns=(1, 1))
    assert loader.load_file(str(source)) == {"v": 22} and inner.loads == 2
    for entry in (tmp_path / "cache").iterdir():
        entry.write_bytes(b"not marshal")
    assert loader.load_file(str(source)) == {"v": 22} and inner.loads == 3


def test_a_cache_directory_others_may_write_to_is_never_used(tmp_path):
    """A model holds the endpoint rules: a cache someone else could write would let them send the
    signed requests elsewhere. Group/world-writable: botocore's loader every time, nothing written."""
    source = tmp_path / "service-2"
    source.with_suffix(".json").write_text(json.dumps({"v": 1}))
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    inner = CountingLoader()
    loader = CachingFileLoader(inner, shared)
    assert loader.load_file(str(source)) == {"v": 1} and loader.load_file(str(source)) == {"v": 1}
    assert inner.loads == 2 and list(shared.iterdir()) == []
    assert not private_directory(shared)
    assert private_directory(tmp_path / "new" / "cache")  # created 0700 when missing
    assert (tmp_path / "new" / "cache").stat().st_mode & 0o777 == 0o700


def test_a_loaded_model_is_frozen_out_of_the_collectors_passes(tmp_path):
    """A parsed model lives as long as the process: frozen at once, it is not walked by every
    later pass of the cyclic garbage collector (`gc.freeze`)."""
    source = tmp_path / "service-2"
    source.with_suffix(".json").write_text(json.dumps({"shapes": {f"S{i}": {"type": "list"} for i in range(50)}}))
    loader = CachingFileLoader(CountingLoader(), tmp_path / "cache")
    try:
        for _ in range(2):  # botocore's parse, then the cache's
            gc.unfreeze()
            model = loader.load_file(str(source))
            assert gc.is_tracked(model) and gc.isenabled()
            assert all(o is not model for o in gc.get_objects())  # in no generation: frozen
    finally:
        gc.unfreeze()


def test_the_shared_loader_checks_only_the_services_own_directory():
    """botocore's Loader lists all ~400 service directories to tell whether a service exists; the
    shared loader asks the service's own directory and answers exactly as botocore does: the same
    model, and botocore's UnknownServiceError (which lists the known services) for an unknown one."""
    plain = Loader()
    loader = Loader()
    loader.__class__ = ServiceCheckingLoader
    listed: list[str] = []
    original = Loader.list_available_services

    def spy(self, type_name):
        listed.append(type_name)
        return original(self, type_name)

    Loader.list_available_services = spy
    try:
        for service, type_name in (("ecs", "service-2"), ("ecs", "endpoint-rule-set-1"), ("ec2", "paginators-1")):
            assert loader.load_service_model(service, type_name) == plain.load_service_model(service, type_name)
        assert listed == ["service-2", "endpoint-rule-set-1", "paginators-1"]  # plain's only
        listed.clear()
        with pytest.raises(UnknownServiceError):
            loader.load_service_model("no-such-service", "service-2")
    finally:
        Loader.list_available_services = original
