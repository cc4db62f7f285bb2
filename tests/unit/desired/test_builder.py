"""desired.builder: manifest -> desired model, pure (no AWS), from the shipped examples."""
from __future__ import annotations

from pathlib import Path

import pytest

from ecsship.desired import build
from ecsship.desired.output_refs import Ref, refs_in
from ecsship.manifest.document import load_manifest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def manifest(name: str, **replace: str):
    text = (EXAMPLES / name / "ecsship.yaml").read_text()
    for old, new in replace.items():
        text = text.replace(old.replace("__", ": "), new)
    return text


@pytest.fixture
def load(tmp_path):
    def load(name: str, text: str | None = None):
        path = tmp_path / "ecsship.yaml"
        path.write_text(text if text is not None else (EXAMPLES / name / "ecsship.yaml").read_text())
        return load_manifest(str(path))

    return load


def test_same_manifest_same_model(load):
    m = load("web")
    assert build(m) == build(m)


def test_every_ref_points_at_a_resource_of_the_model(load):
    for example in ("web", "worker", "bluegreen"):
        desired = build(load(example))
        keys = {r.key for r in desired.resources}
        for res in desired.resources:
            assert refs_in(res.spec) <= keys, (example, res.key, refs_in(res.spec) - keys)


def test_resources_come_after_what_they_depend_on(load):
    desired = build(load("bluegreen"))
    seen: set = set()
    for res in desired.resources:
        assert set(res.depends_on) & {r.key for r in desired.resources} <= seen, res.key
        seen.add(res.key)


def test_everything_created_carries_the_ownership_tags(load):
    desired = build(load("web"))
    for res in desired.managed():
        if res.tags:
            assert res.tags["ecsship:service"] == desired.service and res.tags["ecsship:cluster"] == desired.cluster


def test_image_override_replaces_the_container_image(load):
    desired = build(load("web"), image_override="123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout-api:v9")
    (container,) = [c for c in desired.get("task_definition").spec["containerDefinitions"] if c["name"] == desired.container_name]
    assert container["image"].endswith(":v9")


def test_rolling_service_has_no_codedeploy(load):
    desired = build(load("web"))
    assert desired.get("codedeploy_app") is None and desired.get("codedeploy_group") is None
    assert desired.get("service").spec["deploymentController"] == {"type": "ECS"}


def test_codedeploy_blue_green_names_application_and_group_alike(load):
    desired = build(load("bluegreen"))
    app, group = desired.get("codedeploy_app"), desired.get("codedeploy_group")
    assert app.name == group.name == group.spec["applicationName"] == group.spec["deploymentGroupName"] == "shop-checkout-api-bg"
    assert desired.get("service").spec["deploymentController"] == {"type": "CODE_DEPLOY"}
    assert group.spec["serviceRoleArn"] == Ref("role.codedeploy", "arn")


def test_long_names_are_fitted_to_codedeploys_limit(load):
    text = (EXAMPLES / "bluegreen" / "ecsship.yaml").read_text()
    text = text.replace("service: checkout-api-bg", "service: " + "s" * 70).replace("cluster: shop", "cluster: " + "c" * 40)
    desired = build(load("bluegreen", text))
    assert len(desired.get("codedeploy_app").name) == 100
    assert all(len(tg.name) <= 32 for tg in desired.resources if tg.kind == "target_group")


def test_task_family_is_cluster_scoped(load):
    desired = build(load("worker"))
    assert desired.get("task_definition").spec["family"] == f"{desired.cluster}-{desired.service}"
