"""Issue #17: invalid task shapes, each one clear error at FILE:LINE (validate, no AWS).

The rules cite the botocore ecs model: ContainerDefinition.name ("Up to 255 letters ..., numbers,
underscores, and hyphens"), ContainerDependency.condition (COMPLETE/SUCCESS "can't be set on an
essential container"; HEALTHY "requires that the dependent container has health checks
configured"), ContainerDefinition.cpu (container reservations "lower than the task-level cpu"),
EphemeralStorage.sizeInGiB (21..200).
"""
from __future__ import annotations

import copy
import re

import pytest
import yaml

from ecsship.errors import ManifestError
from ecsship.manifest import load_manifest

BASE = {
    "service": "storefront", "cluster": "shop", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
    "container_name": "app", "port": 8080, "cpu": 1024, "memory": 2048,
    "network": {"vpc": {"tags": {"Name": "main"}}, "subnets": {"tags": {"tier": "private"}}},
    "health_check": {"command": "curl -f localhost:8080/"},
    "depends_on": {"init": "SUCCESS"},
    "containers": [
        {"name": "envoy", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/envoy:v1.31.0", "cpu": 128, "memory": 256,
         "port": 9901, "depends_on": {"app": "HEALTHY"}},
        {"name": "init", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1", "essential": False, "command": ["sync"]},
    ],
    "logs": {"driver": "firelens", "options": {"Name": "datadog"}, "secret_options": {"apikey": "secretsmanager:dd/key"}},
    "observability": {"tracing": "otel"},
}


def envoy(**changes):
    def apply(m):
        m["containers"][0].update(changes)
    return apply


def top(**changes):
    def apply(m):
        m.update(changes)
    return apply


def logs(**changes):
    def apply(m):
        m["logs"] = {k: v for k, v in {**m["logs"], **changes}.items() if v is not None}
    return apply


CASES = {
    # FireLens options are plain text in the task definition, readable by anyone who can describe it
    # (botocore ecs LogConfiguration.secretOptions: "The secrets to pass to the log configuration").
    "an API key in plain log options": (logs(options={"Name": "datadog", "apikey": "abc123"}), "logs.options.apikey",
                                        "looks like a secret but has a literal value"),
    "duplicate names": (envoy(name="init", depends_on=None), "containers.1.name", "already the name of another container"),
    "the main container's name": (envoy(name="app", depends_on=None), "containers.0.name", "is the main container's name"),
    "a name ecsship adds": (envoy(name="log_router"), "containers.0.name", "a container ecsship adds"),
    "an invalid name": (envoy(name="my envoy", depends_on=None), "containers.0.name", "(an ECS container name) (got 'my envoy')"),
    "an unknown dependency": (envoy(depends_on={"db": "START"}), "containers.0.depends_on.db", "no container named 'db'"),
    "a container waiting for itself": (envoy(depends_on={"envoy": "START"}), "containers.0.depends_on.envoy", "cannot depend on itself"),
    "a cycle": (top(depends_on={"envoy": "START", "init": "SUCCESS"}), "depends_on.envoy", "depends_on cycle: app -> envoy -> app"),
    "an unknown condition": (envoy(depends_on={"app": "READY"}), "containers.0.depends_on.app", "START"),
    "HEALTHY without a health check": (top(health_check=None), "containers.0.depends_on.app", "HEALTHY needs a health check on app"),
    "SUCCESS on an essential container": (top(depends_on={"envoy": "SUCCESS"}), "depends_on.envoy", "needs envoy to be non-essential"),
    "cpu reservations too big": (envoy(cpu=1000), "containers.0.cpu", "reserve 1096 CPU units of the task's 1024"),
    "memory reservations too big": (envoy(memory=2000), "containers.0.memory", "reserve 2192 MiB of the task's 2048 MiB"),
    "count and scaling": (top(count=2, scaling={"min": 1, "max": 3, "cpu": 50}), "count", "`count` and `scaling` both"),
    "a port used twice": (envoy(port=8080), "containers.0.port", "port 8080 is already used by container app"),
    "the collector's port": (envoy(port=4317), "containers.0.port", "port 4317 is already used by container aws-otel-collector"),
    "storage out of range": (top(storage=10), "storage", "21..200 GiB"),
    "storage on EC2": (top(storage=50, platform="ec2", logs=None, observability=None, depends_on=None, containers=[]), "storage", "a Fargate setting"),
    "a mutable sidecar tag": (envoy(image="envoyproxy/envoy:latest"), "containers.0.image", "`latest` is mutable"),
    "an untagged sidecar image": (envoy(image="envoyproxy/envoy"), "containers.0.image", "has no tag"),
    "a sidecar secret that is no reference": (envoy(secrets={"TOKEN": "hunter2hunter2"}), "containers.0.secrets.TOKEN", "is not a secret reference"),
    "a sidecar secret in environment": (envoy(environment={"API_TOKEN": "abc123"}), "containers.0.environment.API_TOKEN", "looks like a secret"),
    "firelens without an output": (logs(options={"Host": "x"}), "logs.options", "needs `options` with the Fluent Bit output's Name"),
    "options without firelens": (logs(driver="awslogs", secret_options=None), "logs.options", "are for `driver: firelens`"),
    "a sidecar health check without command": (envoy(health_check={"interval": 10}), "containers.0.health_check", "need a `command`"),
    "a volume mounted twice over": (top(volumes=[{"name": "d", "efs": {"file_system": "fs-01234567", "access_point": "fsap-01234567"},
                                                  "mount": "/d", "mounts": {"app": "/d"}}]), "volumes.0.mounts", "not both"),
    "a volume in an unknown container": (top(volumes=[{"name": "d", "efs": {"file_system": "fs-01234567", "access_point": "fsap-01234567"},
                                                       "mounts": {"nginx": "/d"}}]), "volumes.0.mounts.nginx", "no container named 'nginx'"),
}


def _errors(tmp_path, data):
    path = tmp_path / "ecsship.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    try:
        load_manifest(str(path), environ={})
    except ManifestError as exc:
        return [p for p in exc.problems if p.severity == "error"]
    return []


def test_the_base_shape_is_valid(tmp_path):
    assert _errors(tmp_path, BASE) == []


@pytest.mark.parametrize("case", list(CASES))
def test_invalid_shape_is_one_clear_error_with_file_and_line(tmp_path, case):
    change, field, message = CASES[case]
    data = copy.deepcopy(BASE)
    change(data)
    for container in data.get("containers") or []:
        for key in [k for k, v in container.items() if v is None]:
            container.pop(key)
    data = {k: v for k, v in data.items() if v is not None}
    errors = _errors(tmp_path, data)
    assert len(errors) == 1, [e.render() for e in errors]
    (error,) = errors
    assert error.field == re.sub(r"\.(\d+)", r"[\1]", field) and message in error.message, error.render()
    assert error.line and error.render().startswith(f"{tmp_path / 'ecsship.yaml'}:{error.line}:")


@pytest.mark.parametrize("size", [{"cpu": 0}, {"memory": 0}, {"cpu": 0, "memory": 0}])
def test_a_zero_task_size_without_sidecars_is_an_error_not_a_crash(tmp_path, size):
    """A task size of 0 with no reservations used to end the reservations rule with StopIteration
    ("internal error"); now only the size rules speak, each naming the field."""
    data = {k: v for k, v in BASE.items() if k not in ("containers", "depends_on", "logs", "observability")}
    errors = _errors(tmp_path, {**data, **size})
    assert errors and {e.field for e in errors} == set(size), [e.render() for e in errors]


@pytest.mark.parametrize("change, field", [
    (top(containers="envoy"), "containers"),           # the schema says: expected an array
    (logs(driver="splunk"), "logs.driver"),           # the schema says: must be one of awslogs, firelens
    (lambda m: m.update(containers="envoy", volumes=[{"name": "data", "efs": {"file_system": "fs-12345678", "access_point": "fsap-12345678"}, "mounts": {"envoy": "/data"}}]) or m.pop("depends_on"),
     "containers"),
])
def test_a_field_of_the_wrong_kind_is_one_error_not_a_cascade(tmp_path, change, field):
    """The schema names the mistake; the cross-field rules do not add errors that follow from it (the
    containers listed, the options of a driver that was meant to be firelens)."""
    data = copy.deepcopy(BASE)
    change(data)
    errors = _errors(tmp_path, data)
    assert [e.field for e in errors] == [field], [e.render() for e in errors]
