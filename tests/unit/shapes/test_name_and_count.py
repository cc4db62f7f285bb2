"""Issue #17 item 1: `container_name:` and `count:` from the manifest to the desired model, and what
a renamed main container changes in a plan (pure: no AWS)."""
from __future__ import annotations

import json

from ecsship.desired import build
from ecsship.errors import ManifestError
from ecsship.manifest import load_manifest
from ecsship.plan.diff import diff
from ecsship.plan.model import FieldChange
from ecsship.reconcilers.base import Live
from ecsship.reconcilers.service import ServiceReconciler

BASE = {
    "service": "api", "cluster": "shop", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1", "port": 8080,
    "network": {"vpc": {"tags": {"Name": "main"}}, "subnets": {"tags": {"tier": "private"}}},
    "load_balancer": {"alb": "main", "host": "api.example.com", "priority": 10},
}


def load(tmp_path, **changes):
    path = tmp_path / "m.yaml"
    path.write_text(json.dumps({**BASE, **changes}))  # JSON is YAML
    return load_manifest(str(path), environ={})


def problems(tmp_path, **changes) -> list[str]:
    try:
        load(tmp_path, **changes)
    except ManifestError as exc:
        return [f"{p.line}: {p.field}: {p.message}" for p in exc.problems if p.severity == "error"]
    return []


def spec(desired, key):
    return desired.get(key).spec


def test_container_name_defaults_to_the_service_and_names_the_lb_container(tmp_path):
    default = build(load(tmp_path))
    assert default.container_name == "api"
    assert [c["name"] for c in spec(default, "task_definition")["containerDefinitions"]] == ["api"]

    named = build(load(tmp_path, container_name="app"))
    assert named.container_name == "app"
    (container,) = spec(named, "task_definition")["containerDefinitions"]
    assert container["name"] == "app" and container["portMappings"][0]["name"] == "app-8080"
    assert spec(named, "service")["loadBalancers"][0]["containerName"] == "app"


def test_count_is_the_desired_count_without_scaling(tmp_path):
    assert spec(build(load(tmp_path)), "service")["desiredCount"] == 1
    assert spec(build(load(tmp_path, count=3)), "service")["desiredCount"] == 3
    assert spec(build(load(tmp_path, scaling={"min": 2, "max": 4, "cpu": 50})), "service")["desiredCount"] == 2


def test_count_and_scaling_together_is_one_error_at_count(tmp_path):
    found = problems(tmp_path, count=2, scaling={"min": 1, "max": 3, "cpu": 50})
    assert found == ["1: count: `count` and `scaling` both set the number of tasks"]


def test_invalid_container_name_and_count(tmp_path):
    # botocore ecs ContainerDefinition.name: "Up to 255 letters (uppercase and lowercase), numbers,
    # underscores, and hyphens are allowed."
    assert [p.split(": ")[1] for p in problems(tmp_path, container_name="my app", count=-1)] == ["container_name", "count"]
    assert problems(tmp_path, container_name="App_1-x", count=0) == []


def test_a_renamed_container_is_two_whole_changes_not_every_leaf():
    live = {"containerDefinitions": {"api": {"image": "a:v1", "essential": True, "environment": {"A": "1"}}}}
    want = {"containerDefinitions": {"app": {"image": "a:v1", "essential": True, "environment": {"A": "1"}}}}
    changes = diff(want, live)
    assert [(c.path, c.old is None, c.new is None) for c in changes] == [
        ("containerDefinitions.api", False, True), ("containerDefinitions.app", True, False)]
    assert changes[1].new == want["containerDefinitions"]["app"]


def test_a_container_field_change_stays_at_its_path():
    live = {"containerDefinitions": {"app": {"image": "a:v1"}, "envoy": {"image": "e:1"}}}
    want = {"containerDefinitions": {"app": {"image": "a:v2"}, "envoy": {"image": "e:1"}}}
    assert [c.path for c in diff(want, live)] == ["containerDefinitions.app.image"]


def _lbs(container: str, tg: str = "tg-blue") -> list:
    return [{"containerName": container, "containerPort": 8080, "targetGroupPair": ["tg-blue", tg]}]


def test_codedeploy_service_container_rename_is_rolled_out_not_replaced():
    """botocore ecs UpdateService: on a CODE_DEPLOY service "If the network configuration, platform
    version, task definition, or load balancer need to be updated, create a new CodeDeploy
    deployment": the AppSpec's LoadBalancerInfo.ContainerName carries a renamed container."""
    live = Live(state={"deploymentController": {"type": "CODE_DEPLOY"}})
    rename = [FieldChange("loadBalancers", _lbs("api"), _lbs("app"))]
    assert "loadBalancers" not in ServiceReconciler().replace_fields_for(live, rename)
    other_group = [FieldChange("loadBalancers", _lbs("api"), _lbs("api", "tg-other"))]
    assert "loadBalancers" in ServiceReconciler().replace_fields_for(live, other_group)


def test_codedeploy_appspec_names_the_desired_container():
    from ecsship.deploy.settings import DeploySettings
    from ecsship.deploy.strategies.codedeploy import build_appspec

    settings = DeploySettings(cluster="shop", service="api", strategy="blue_green", controller="codedeploy",
                              container_name="app", container_port=8080,
                              target={"loadBalancers": [{"containerName": "app", "containerPort": 8080}]})
    live = {"loadBalancers": [{"containerName": "api", "containerPort": 8080}]}
    info = build_appspec(live, "td:2", settings)["Resources"][0]["TargetService"]["Properties"]["LoadBalancerInfo"]
    assert info == {"ContainerName": "app", "ContainerPort": 8080}


def test_local_codedeploy_replacement_serves_the_appspec_container():
    from ecsship.local.simulator.codedeploy import CodeDeployRun, _take_appspec_container

    lbs = [{"targetGroupArn": "tg", "containerName": "api", "containerPort": 8080}]
    _take_appspec_container(lbs, CodeDeployRun(service_key=(), container_name="app", container_port=8081))
    assert lbs == [{"targetGroupArn": "tg", "containerName": "app", "containerPort": 8081}]


def test_image_flags_split_into_main_and_named_containers():
    """`deploy --image URI` is the main container's; `--image NAME=URI` (repeatable) moves NAME's."""
    import pytest

    from ecsship.deploy.shipped_image import split_images
    from ecsship.errors import UsageError

    assert split_images(None, "app", ["envoy"]) == (None, {})
    assert split_images(["repo/app:v2", "envoy=repo/envoy:v2"], "app", ["envoy"]) == ("repo/app:v2", {"envoy": "repo/envoy:v2"})
    assert split_images(["app=repo/app:v3"], "app", ["envoy"]) == ("repo/app:v3", {})
    with pytest.raises(UsageError, match="no container named nginx"):
        split_images(["nginx=repo/nginx:1"], "app", ["envoy"])
    with pytest.raises(UsageError, match="two images"):
        split_images(["envoy=a:1", "envoy=b:2"], "app", ["envoy"])


def test_secret_refs_cover_every_container_and_firelens():
    from ecsship.desired.containers import secret_refs

    m = {"secrets": {"DB": "ssm:/db"}, "containers": [{"name": "envoy", "image": "e:1", "secrets": {"TOKEN": "ssm:/t"}}],
         "logs": {"driver": "firelens", "options": {"Name": "x"}, "secret_options": {"apikey": "secretsmanager:k"}}}
    assert secret_refs(m) == {"DB": "ssm:/db", "containers.envoy.TOKEN": "ssm:/t", "logs.secret_options.apikey": "secretsmanager:k"}


def test_an_image_ecs_would_refuse_is_refused_before_any_call():
    """botocore ecs ContainerDefinition.image: "up to 255 characters total are allowed, including letters
    (uppercase and lowercase), numbers, hyphens, underscores, colons, periods, forward slashes, and number
    signs (#)"; with a digest "the hash value after sha256: must be exactly 64 characters"."""
    import pytest

    from ecsship.deploy.shipped_image import split_images
    from ecsship.errors import UsageError

    digest = "repo/app@sha256:" + "a" * 64
    assert split_images([digest, "envoy=Repo/Envoy:v1#x"], "app", ["envoy"]) == (digest, {"envoy": "Repo/Envoy:v1#x"})
    for bad, said in (("=repo/x:1", "no container name before '='"), ("envoy=not a uri", "not an image ECS accepts"),
                      ("repo/app@sha256:abc", "not an image ECS accepts"), ("x" * 256 + ":1", "not an image ECS accepts")):
        with pytest.raises(UsageError, match=said):
            split_images([bad], "app", ["envoy"])


def test_an_image_tag_ecs_would_refuse_is_refused_before_any_call():
    """--image-tag makes the image ContainerDefinition.image (botocore ecs) takes: the same alphabet; a
    digest is sha256: and 64 hex digits. Refused before ECR is asked (which would say "not found")."""
    import pytest

    from ecsship.deploy.shipped_image import image_uri
    from ecsship.errors import UsageError

    assert image_uri("repo/app:v1", "v2", None) == "repo/app:v2"
    for bad in ("bad tag!", "sha256:abc"):
        with pytest.raises(UsageError, match="not an image ECS accepts"):
            image_uri("repo/app:v1", bad, None)
