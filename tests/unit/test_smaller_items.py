"""Issue 13 item 10, the smaller findings: each message says the truth once."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ecsship.cli.app import app
from ecsship.errors import ManifestError
from ecsship.manifest.document import load_manifest
from ecsship.reconcilers.cluster import _shared_note

BASE = """service: web
cluster: shop
image: nginx:1
network: {vpc: {tags: {Name: main}}, subnets: {tags: {tier: private}}}
"""


def test_a_big_manifest_is_reported_with_its_real_size(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * (5 * 1024 * 1024) + b"\n")
    with pytest.raises(ManifestError) as info:
        load_manifest(str(path))
    assert f"file is {path.stat().st_size:,} bytes" in info.value.problems[0].message


def test_an_overlay_typo_is_reported_once(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(BASE + "environments:\n  staging:\n    clustr: x\n")
    with pytest.raises(ManifestError) as info:
        load_manifest(str(path), env="staging")
    assert len(info.value.problems) == 1 and "clustr" in info.value.problems[0].message


def test_init_refuses_a_directory_that_does_not_exist(tmp_path):
    target = tmp_path / "nope" / "deeper" / "x.yaml"
    result = CliRunner().invoke(app, ["init", "-f", str(target), "--service", "api", "--image", "repo/api:v1"])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / "nope").exists(), "no directory was created"


def test_a_cluster_another_service_created_is_not_called_foreign():
    assert "created by ecsship for service worker" in _shared_note({"ecsship:service": "worker", "ecsship:cluster": "shop"})
    assert "not created by ecsship" in _shared_note({})
