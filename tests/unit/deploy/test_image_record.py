"""Issue #16: which image apply keeps (deploy/image_record.kept_image) - pure rules."""
from __future__ import annotations

from ecsship.deploy.image_record import MANIFEST_IMAGE, SHIPPED_AT, SHIPPED_BY, SHIPPED_IMAGE, kept_image
from ecsship.desired.names import image_tag_value
from ecsship.reconcilers.base import Live
from ecsship.reconcilers.task_definition import with_kept_image

REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web"
V1, V2 = f"{REPO}:v1", f"{REPO}:v2"
DEPLOYED = {SHIPPED_IMAGE: V2, SHIPPED_BY: "deploy", SHIPPED_AT: "2026-11-30T21:00:00+00:00"}


def test_unchanged_manifest_keeps_what_deploy_shipped_and_says_so():
    kept = kept_image(V1, {MANIFEST_IMAGE: V1, **DEPLOYED}, V2)
    assert kept is not None and kept.image == V2
    assert kept.note() == "image kept: web:v2, deployed by `ecsship deploy` at 2026-11-30T21:00:00Z"


def test_changed_manifest_image_wins():
    assert kept_image(f"{REPO}:v3", {MANIFEST_IMAGE: V1, **DEPLOYED}, V2) is None


def test_no_record_of_the_last_apply_the_manifest_wins():
    """A service applied before the record, or made by hand: nothing says the manifest is unchanged."""
    assert kept_image(V1, dict(DEPLOYED), V2) is None


def test_serving_the_manifest_image_keeps_nothing():
    assert kept_image(V1, {MANIFEST_IMAGE: V1, **DEPLOYED}, V1) is None


def test_a_rolled_back_deploy_keeps_what_runs_without_claiming_deploy_shipped_it():
    kept = kept_image(V1, {MANIFEST_IMAGE: V1, SHIPPED_IMAGE: f"{REPO}:broken", SHIPPED_BY: "deploy"}, V2)
    assert kept is not None and kept.image == V2 and "deployed by" not in kept.note() and "web:v2" in kept.note()


def test_long_image_uris_are_recorded_as_a_digest_within_the_ecs_tag_limit():
    """botocore ecs TagValue: max 256."""
    long_image = f"{REPO}:{'x' * 300}"
    assert len(image_tag_value(long_image)) <= 256 and image_tag_value(V1) == V1
    assert kept_image(long_image, {MANIFEST_IMAGE: image_tag_value(long_image)}, V2) is not None


def test_the_kept_image_replaces_only_the_main_containers_image():
    spec = {"containerDefinitions": [{"name": "web", "image": V1}, {"name": "xray-daemon", "image": "xray:1"}]}
    live = Live(state={}, raw=kept_image(V1, {MANIFEST_IMAGE: V1}, V2))
    assert [c["image"] for c in with_kept_image(spec, live)["containerDefinitions"]] == [V2, "xray:1"]
    assert with_kept_image(spec, None) is spec
