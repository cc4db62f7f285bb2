"""Schema verdicts remembered (issue #20 item 4, manifest/verdicts.py): a document the schema found
valid is not checked again (no jsonschema import) while the document, the schema, ecsship and
jsonschema are unchanged; anything else in the cache is ignored, rewritten, or never used."""
from __future__ import annotations

import datetime

import pytest

from ecsship.manifest import schema as schema_module
from ecsship.manifest import verdicts as verdicts_module
from ecsship.manifest.verdicts import Verdicts

DOCUMENT = {"service": "api", "cluster": "shop", "image": "nginx:1", "environment": {"DB_PASSWORD": "hunter2-s3cret"}}


class CountingValidator:
    def __init__(self):
        self.checks = 0

    def iter_errors(self, data):
        self.checks += 1
        return iter(())


@pytest.fixture
def checked(tmp_path, monkeypatch):
    """schema_problems against a private cache in tmp_path, counting the real checks."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("ECSSHIP_NO_MANIFEST_CACHE", raising=False)
    validator = CountingValidator()
    monkeypatch.setattr(schema_module, "_validator", lambda: validator)
    monkeypatch.setattr(verdicts_module, "_shared", None)
    return validator


def test_a_valid_document_is_checked_once_and_never_written_down(checked, tmp_path):
    assert schema_module.schema_problems(DOCUMENT, {}, "m.yaml") == []
    assert schema_module.schema_problems(dict(DOCUMENT), {}, "m.yaml") == [] and checked.checks == 1
    directory = tmp_path / "ecsship" / "manifest-verdicts"
    assert directory.stat().st_mode & 0o777 == 0o700
    for entry in directory.iterdir():
        assert entry.stat().st_mode & 0o077 == 0, entry  # key and verdicts: the user's only
        assert b"hunter2" not in entry.read_bytes() and b"api" not in entry.read_bytes()


@pytest.mark.parametrize("change", ["document", "value type", "schema", "ecsship", "jsonschema"])
def test_anything_the_verdict_depends_on_changed_means_a_new_check(checked, monkeypatch, change):
    schema_module.schema_problems(DOCUMENT, {}, "m.yaml")
    document = DOCUMENT
    if change == "document":
        document = {**DOCUMENT, "image": "nginx:2"}
    elif change == "value type":  # 1 and "1" (or 1.0, True) are different documents to the schema
        monkeypatch.setitem(DOCUMENT, "cpu", 1)
        schema_module.schema_problems(DOCUMENT, {}, "m.yaml")
        document = {**DOCUMENT, "cpu": "1"}
    elif change == "schema":
        monkeypatch.setattr(schema_module, "schema_bytes", lambda: b'{"type": "object"}')
    elif change == "ecsship":
        monkeypatch.setattr(verdicts_module, "__version__", "99.0")
    else:
        monkeypatch.setattr(verdicts_module, "_validator_identity", lambda: b"jsonschema 99")
    before = checked.checks
    schema_module.schema_problems(document, {}, "m.yaml")
    assert checked.checks == before + 1


def test_a_document_with_problems_is_checked_every_time(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(verdicts_module, "_shared", None)
    bad = {"service": "api", "cluster": "shop", "image": "nginx:1", "cpu": "lots"}
    first = schema_module.schema_problems(bad, {}, "m.yaml")
    assert first and schema_module.schema_problems(bad, {}, "m.yaml") == first


def test_a_broken_cache_is_ignored_and_rewritten(tmp_path):
    directory = tmp_path / "verdicts"
    first = Verdicts(directory)
    digest = first.digest(b"{}", DOCUMENT)
    first.remember_valid(digest)
    (directory / "valid").write_bytes(b"\x00\xffjunk\n" + b"f" * 63 + b"\n" + digest.encode()[:40])
    second = Verdicts(directory)
    assert second.digest(b"{}", DOCUMENT) == digest and not second.known_valid(digest)
    second.remember_valid(digest)
    assert (directory / "valid").read_bytes() == digest.encode() + b"\n"
    assert Verdicts(directory).known_valid(digest)
    (directory / "key").write_bytes(b"short")  # a broken key: a new one, every old verdict moot
    third = Verdicts(directory)
    assert third.digest(b"{}", DOCUMENT) != digest and len((directory / "key").read_bytes()) == 32


def test_only_a_private_directory_is_used_and_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # anyone could plant a verdict here
    assert Verdicts(shared).digest(b"{}", DOCUMENT) is None and list(shared.iterdir()) == []
    # YAML's timestamps: not plain data, not remembered
    assert Verdicts(tmp_path / "mine").digest(b"{}", {"at": datetime.date(2026, 12, 1)}) is None
    monkeypatch.setenv("ECSSHIP_NO_MANIFEST_CACHE", "1")
    assert verdicts_module.shared() is None


def test_the_verdicts_kept_are_the_most_recent(tmp_path, monkeypatch):
    monkeypatch.setattr(verdicts_module, "MAX_VERDICTS", 3)
    verdicts = Verdicts(tmp_path / "v")
    digests = [verdicts.digest(b"{}", {"n": n}) for n in range(5)]
    for digest in digests:
        verdicts.remember_valid(digest)
    fresh = Verdicts(tmp_path / "v")
    assert [fresh.known_valid(d) for d in digests] == [False, False, True, True, True]
