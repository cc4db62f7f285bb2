"""Each semantic rule: one manifest it rejects (or warns on) and one it accepts."""
import pytest

from ecsship.errors import ManifestError
from ecsship.manifest import load_manifest

BASE = {
    "service": "api",
    "cluster": "shop",
    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1",
    "port": 8080,
    "cpu": 256,
    "memory": 512,
    "network": {"vpc": {"tags": {"Name": "main"}}, "subnets": {"tags": {"tier": "private"}}},
}
LB = {"alb": "main", "host": "api.example.com", "priority": 10}


def check(tmp_path, **changes):
    import json

    data = json.loads(json.dumps(BASE))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path = tmp_path / "m.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    try:
        return load_manifest(str(path), environ={}).warnings
    except ManifestError as exc:
        return exc.problems


def messages(problems, severity="error"):
    return [f"{p.field}: {p.message}" for p in problems if p.severity == severity]


def test_fargate_pairs(tmp_path):
    assert messages(check(tmp_path, cpu=1024, memory=3072)) == []
    assert messages(check(tmp_path, cpu=16384, memory=122880)) == []
    assert "not valid with cpu 1024" in messages(check(tmp_path, cpu=1024, memory=1024))[0]
    assert "not a Fargate CPU size" in messages(check(tmp_path, cpu=768))[0]
    # on EC2 any pair goes
    assert messages(check(tmp_path, platform="ec2", cpu=768, memory=1000)) == []


@pytest.mark.parametrize("image,ok", [
    ("repo/api:v1", True), ("repo/api@sha256:" + "a" * 64, True), ("localhost:5000/api:v2", True),
    ("repo/api:latest", False), ("repo/api", False), ("localhost:5000/api", False),
])
def test_immutable_image(tmp_path, image, ok):
    assert (messages(check(tmp_path, image=image)) == []) is ok


def test_mutable_tag_allowed_when_asked(tmp_path):
    assert messages(check(tmp_path, image="repo/api:latest", allow_mutable_tag=True)) == []


@pytest.mark.parametrize("env,ok", [
    ({"LOG_LEVEL": "info"}, True),
    ({"DB_PASSWORD": "hunter2"}, False),
    ({"STRIPE_API_KEY": "abc"}, False),
    ({"AUTH_TOKEN": "x"}, False),
    ({"TOKEN_TTL_SECRET": ""}, True),  # empty is not a secret
    ({"CERT": "-----BEGIN PRIVATE KEY-----xyz"}, False),
    ({"ANYTHING": "AKIAABCDEFGHIJKLMNOP"}, False),
])
def test_no_secrets_in_environment(tmp_path, env, ok):
    assert (messages(check(tmp_path, environment=env)) == []) is ok


def test_secret_problem_never_echoes_the_value(tmp_path):
    problems = check(tmp_path, secrets={"DB": "hunter2-very-secret"}, environment={"API_KEY": "sk-also-secret"})
    text = " ".join(p.render() for p in problems)
    assert "hunter2" not in text and "sk-also-secret" not in text
    assert len(messages(problems)) == 2


@pytest.mark.parametrize("ref,ok", [
    ("secretsmanager:shop/db", True), ("secretsmanager:shop/db:password", True),
    ("arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/stripe-AbCdEf", True),
    ("arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/db-AbCdEf:password::", True),
    ("arn:aws:ssm:us-east-1:123456789012:parameter/shop/token", True),
    ("ssm:/shop/token", True), ("ssm:shop/token", False), ("plain-value", False), ("secretsmanager:", False),
])
def test_secret_references(tmp_path, ref, ok):
    assert (messages(check(tmp_path, secrets={"X": ref})) == []) is ok


def test_scaling_bounds(tmp_path):
    assert messages(check(tmp_path, scaling={"min": 1, "max": 3})) == []
    assert "greater than max" in messages(check(tmp_path, scaling={"min": 4, "max": 3}))[0]
    assert "negative" in messages(check(tmp_path, scaling={"min": 1, "max": 3, "scale_out_cooldown": -1}))[0]


def test_shifting_strategies_need_a_load_balancer(tmp_path):
    for strategy in ("blue_green", "canary", "linear"):
        deploy = {"strategy": strategy, "canary": {"percent": 10, "interval": "5m"}, "linear": {"percent": 10, "interval": "1m"}}
        assert any("needs a load_balancer" in m for m in messages(check(tmp_path, deploy=deploy)))
        assert messages(check(tmp_path, deploy={**deploy, **({} if strategy == "blue_green" else {})}, load_balancer=LB)) == []


def test_shift_percent_range(tmp_path):
    for percent, ok in ((1, True), (99, True), (0, False), (100, False)):
        deploy = {"strategy": "canary", "canary": {"percent": percent, "interval": "5m"}}
        assert (messages(check(tmp_path, deploy=deploy, load_balancer=LB)) == []) is ok


def test_listener_priority_range(tmp_path):
    assert messages(check(tmp_path, load_balancer={**LB, "priority": 50000})) == []
    assert messages(check(tmp_path, load_balancer={**LB, "priority": 0}))
    assert messages(check(tmp_path, load_balancer={**LB, "priority": 50001}))


def test_health_check_path(tmp_path):
    assert messages(check(tmp_path, load_balancer={**LB, "health_check": {"path": "/ok"}})) == []
    assert "must start with '/'" in messages(check(tmp_path, load_balancer={**LB, "health_check": {"path": "ok"}}))[0]


def test_port_range(tmp_path):
    assert messages(check(tmp_path, port=65535)) == []
    assert messages(check(tmp_path, port=65536))
    assert messages(check(tmp_path, port=0))


@pytest.mark.parametrize("name,ok", [("api", True), ("api_v2-blue", True), ("-api", False), ("api.v2", False), ("a" * 256, False)])
def test_service_and_cluster_names(tmp_path, name, ok):
    assert (messages(check(tmp_path, service=name)) == []) is ok
    assert (messages(check(tmp_path, cluster=name)) == []) is ok


def test_capacity_fits_platform(tmp_path):
    spot = [{"provider": "FARGATE", "base": 1, "weight": 1}, {"provider": "FARGATE_SPOT", "weight": 3}]
    assert messages(check(tmp_path, capacity=spot)) == []
    assert "not available for arm64" in messages(check(tmp_path, capacity=spot, architecture="arm64"))[0]
    assert "needs platform: fargate" in messages(check(tmp_path, capacity=spot, platform="ec2"))[0]
    assert "not a Fargate capacity provider" in messages(check(tmp_path, capacity=[{"provider": "asg"}]))[0]


def test_one_subnet_warns(tmp_path):
    network = {"vpc": "vpc-0abc", "subnets": ["subnet-0a"]}
    problems = check(tmp_path, network=network)
    assert messages(problems) == []
    assert "AZ outage" in messages(problems, "warning")[0]
    assert messages(check(tmp_path, network={**network, "subnets": ["subnet-0a", "subnet-0b"]}), "warning") == []


def test_alb_health_timeout_is_checked_against_the_default_interval(tmp_path):
    """ELB CreateTargetGroup, HealthCheckTimeoutSeconds: "The timeout must be smaller than the interval."
    Checked on the merged values (issue #12 item 9): the default interval is 30 s, timeout 5 s."""
    timeout_only = messages(check(tmp_path, load_balancer={**LB, "health_check": {"timeout": 40}}))
    assert timeout_only == ["load_balancer.health_check.timeout: timeout (40s) must be less than interval (30s, the default)"]
    interval_only = messages(check(tmp_path, load_balancer={**LB, "health_check": {"interval": 5}}))
    assert interval_only == ["load_balancer.health_check.interval: timeout (5s, the default) must be less than interval (5s)"]
    assert messages(check(tmp_path, load_balancer={**LB, "health_check": {"interval": 10, "timeout": 6}})) == []


@pytest.mark.parametrize("deploy,problem", [
    # botocore ecs LinearConfiguration.stepPercent: "multiples of 0.1 from 3.0 to 100.0".
    ({"strategy": "linear", "linear": {"percent": 2, "interval": "1m"}}, "deploy.linear.percent: ECS linear steps shift at least 3%"),
    # stepBakeTimeInMinutes / canaryBakeTimeInMinutes: "Valid values are 0 to 1440 minutes (24 hours)".
    ({"strategy": "canary", "canary": {"percent": 10, "interval": "25h"}}, "deploy.canary.interval: ECS waits at most 1440 minutes"),
    ({"strategy": "linear", "linear": {"percent": 10, "interval": "90s"}}, "deploy.linear.interval: linear steps are whole minutes"),
    ({"strategy": "canary", "controller": "codedeploy", "canary": {"percent": 10, "interval": 30}}, "deploy.canary.interval: canary steps are whole"),
    ({"strategy": "linear", "linear": {"percent": 3, "interval": "24h"}}, None),
    ({"strategy": "linear", "controller": "codedeploy", "linear": {"percent": 2, "interval": "2m"}}, None),
])
def test_traffic_step_limits(tmp_path, deploy, problem):
    found = messages(check(tmp_path, load_balancer=LB, deploy=deploy))
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(problem), found
