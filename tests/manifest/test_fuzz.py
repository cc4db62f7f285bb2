"""Property tests: whatever text or structure a user feeds `validate`, the answer is exit 0 or 2,
every problem is located as FILE:LINE, and there is never a traceback or a hang."""
import json
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ecsship.cli.app import app

pytestmark = pytest.mark.reliability

VALID = {
    "service": "api",
    "cluster": "shop",
    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1",
    "port": 8080,
    "cpu": 256,
    "memory": 512,
    "network": {"vpc": {"tags": {"Name": "main"}}, "subnets": {"tags": {"tier": "private"}}},
    "load_balancer": {"alb": "main", "host": "a.example.com", "priority": 5, "health_check": {"path": "/h"}},
    "scaling": {"min": 1, "max": 3, "cpu": 50},
    "deploy": {"strategy": "rolling", "timeout": "10m"},
}

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30), st.sampled_from(["latest", "${X}", "$${Y}", "ssm:/a", "vpc-0abc", "5m", "-1", "*"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=12)
KEYS = sorted(VALID) + ["memory", "secrets", "environment", "capacity", "environments", "tags", "observability", "logs", "permissions"]


def mutate(data, path, value):
    if not path:
        return value
    head, *rest = path
    if not isinstance(data, dict):
        return {head: mutate(None, rest, value)}
    out = dict(data)
    out[head] = mutate(data.get(head), rest, value)
    return out


LOCATED = re.compile(r"^\S+\.yaml(:\d+(:\d+)?)?: ")


def check_result(result, path):
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        lines = [l for l in result.output.splitlines() if l.startswith(str(path))]
        assert lines, result.output
        for line in lines:
            if " error" in line and line.endswith(path.name):  # the summary line
                continue
            assert LOCATED.match(line), line


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(st.sampled_from(KEYS + ["min", "max", "path", "tags", "strategy"]), min_size=1, max_size=3), value=values)
def test_random_manifests(tmp_path, path, value):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(json.dumps(mutate(VALID, path, value)), encoding="utf-8")
    check_result(CliRunner().invoke(app, ["validate", "-f", str(manifest)]), manifest)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.one_of(st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=300)))
def test_random_text(tmp_path, blob):
    manifest = tmp_path / "t.yaml"
    manifest.write_bytes(blob)
    result = CliRunner().invoke(app, ["validate", "-f", str(manifest)])
    check_result(result, manifest)
    assert result.exit_code == 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(KEYS), values, max_size=6))
def test_random_yaml_documents(tmp_path, data):
    manifest = tmp_path / "y.yaml"
    manifest.write_text(yaml.safe_dump(data), encoding="utf-8")
    check_result(CliRunner().invoke(app, ["validate", "-f", str(manifest)]), manifest)
