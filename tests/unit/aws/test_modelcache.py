"""botocore's models in a marshal cache (issue #20 item 4): parsed once, then read from the cache
while the source file is unchanged; a changed source or a broken entry goes back to botocore."""
from __future__ import annotations

import json
import os
from collections import OrderedDict

from botocore.loaders import JSONFileLoader

from ecsship.aws.modelcache import CachingFileLoader


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
