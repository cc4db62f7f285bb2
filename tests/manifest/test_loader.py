"""The loader: positions, interpolation, overlays, hostile input."""
from pathlib import Path

import pytest

from ecsship.errors import ManifestError, UsageError
from ecsship.manifest import load_manifest
from ecsship.manifest.document import parse_vars
from ecsship.manifest.durations import parse_duration

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MINIMAL = """service: api
cluster: shop
image: repo/api:${TAG:-v1}
cpu: 256
memory: 512
network:
  vpc: {tags: {Name: main}}
  subnets: {tags: {tier: private}}
"""


def write(tmp_path, text, name="ecsship.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("example", ["web", "bluegreen", "worker", "sidecars"])
def test_examples_validate(example):
    manifest = load_manifest(str(EXAMPLES / example / "ecsship.yaml"), environ={}, all_environments=True)
    # examples/web keeps `tracing: xray` unchanged (issue #17): it still works, with the end-of-support warning.
    assert [p.field for p in manifest.warnings] == (["observability.tracing"] if example == "web" else [])
    assert "environments" not in manifest.data


def test_the_web_examples_warning_fits_100_columns_as_make_demo_prints_it(monkeypatch):
    """`make demo` prints the xray warning from the repository root on every command: one line."""
    monkeypatch.chdir(EXAMPLES.parent)
    manifest = load_manifest("examples/web/ecsship.yaml", environ={})
    assert manifest.warnings and all(len(w.render()) <= 100 for w in manifest.warnings), [w.render() for w in manifest.warnings]


def test_positions_point_at_the_field(tmp_path):
    manifest = load_manifest(write(tmp_path, MINIMAL), environ={})
    assert manifest.locate("cluster").endswith(":2")
    assert manifest.locate("network", "subnets").endswith(":8")


def test_default_and_environment_interpolation(tmp_path):
    path = write(tmp_path, MINIMAL)
    assert load_manifest(path, environ={}).data["image"] == "repo/api:v1"
    assert load_manifest(path, environ={"TAG": "v7"}).data["image"] == "repo/api:v7"
    # --var wins over the environment
    assert load_manifest(path, environ={"TAG": "v7"}, variables={"TAG": "v9"}).data["image"] == "repo/api:v9"
    # like the shell, :- also replaces an empty value
    assert load_manifest(path, environ={"TAG": ""}).data["image"] == "repo/api:v1"


def test_escape_keeps_a_literal(tmp_path):
    text = MINIMAL + "environment:\n  TEMPLATE: 'hello $${USER}'\n"
    manifest = load_manifest(write(tmp_path, text), environ={"USER": "root"})
    assert manifest.data["environment"]["TEMPLATE"] == "hello ${USER}"


def test_unresolved_variable_names_it_and_its_line(tmp_path):
    text = MINIMAL.replace("${TAG:-v1}", "${TAG}")
    with pytest.raises(ManifestError) as info:
        load_manifest(write(tmp_path, text), environ={})
    problem = info.value.problems[0]
    assert problem.line == 3 and problem.field == "image"
    assert "${TAG}" in problem.message


def test_environment_overlay_merges_maps_and_replaces_lists(tmp_path):
    text = MINIMAL + """scaling: {min: 2, max: 10, cpu: 60}
tags: {team: a, cost: x}
environments:
  staging:
    cluster: shop-staging
    scaling: {min: 1, max: 4}
    network:
      endpoints: [s3]
"""
    path = write(tmp_path, text)
    base = load_manifest(path, environ={})
    staging = load_manifest(path, env="staging", environ={})
    assert base.data["cluster"] == "shop"
    assert staging.data["cluster"] == "shop-staging"
    assert staging.data["scaling"] == {"min": 1, "max": 4, "cpu": 60}
    assert staging.data["network"]["endpoints"] == ["s3"]
    assert staging.data["network"]["vpc"] == {"tags": {"Name": "main"}}
    # a value that came from the overlay points at the overlay's line
    assert staging.locate("cluster").endswith(":13")


def test_unknown_environment_lists_the_known_ones(tmp_path):
    path = write(tmp_path, MINIMAL + "environments:\n  staging: {cluster: s}\n  prod: {cluster: p}\n")
    with pytest.raises(UsageError) as info:
        load_manifest(path, env="qa", environ={})
    assert "prod, staging" in info.value.message


def test_all_problems_reported_at_once(tmp_path):
    text = MINIMAL.replace("cpu: 256", "cpu: 300") + "memroy: 1\nport: 0\n"
    with pytest.raises(ManifestError) as info:
        load_manifest(write(tmp_path, text), environ={})
    fields = {p.field for p in info.value.problems}
    assert {"cpu", "memroy", "port"} <= fields


def test_environment_overlay_problems_found_without_env(tmp_path):
    path = write(tmp_path, MINIMAL + "environments:\n  staging:\n    cpu: 300\n")
    with pytest.raises(ManifestError) as info:
        load_manifest(path, environ={}, all_environments=True)
    assert any("--env staging" in p.message for p in info.value.problems)


def test_alias_bomb_is_refused_quickly(tmp_path):
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        bomb.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    text = MINIMAL + "\n".join(bomb) + "\n"
    with pytest.raises(ManifestError) as info:
        load_manifest(write(tmp_path, text), environ={})
    assert "alias bomb" in info.value.problems[0].message


def test_large_file_refused(tmp_path):
    text = MINIMAL + "# " + "x" * (1024 * 1024) + "\n"
    with pytest.raises(ManifestError) as info:
        load_manifest(write(tmp_path, text), environ={})
    assert "at most 1 MiB" in info.value.problems[0].message


def test_binary_and_non_utf8_refused(tmp_path):
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"service: a\x00\x01")
    with pytest.raises(ManifestError, match="binary"):
        load_manifest(str(binary), environ={})
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(MINIMAL.encode() + b"environment: {NAME: caf\xe9}\n")
    with pytest.raises(ManifestError) as info:
        load_manifest(str(latin), environ={})
    assert "UTF-8" in info.value.problems[0].message and info.value.problems[0].line == 9


def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        load_manifest(str(tmp_path / "nope.yaml"))


def test_yes_no_keys_stay_strings(tmp_path):
    manifest = load_manifest(write(tmp_path, MINIMAL + "tags: {on: x, 'no': y}\n"), environ={})
    assert manifest.data["tags"] == {"on": "x", "no": "y"}


def test_parse_vars():
    assert parse_vars(["A=1", "B=x=y"]) == {"A": "1", "B": "x=y"}
    with pytest.raises(UsageError):
        parse_vars(["oops"])


@pytest.mark.parametrize("text,seconds", [(90, 90), ("90s", 90), ("15m", 900), ("1h", 3600)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["15", "m", "-1m", True, -5, "1d"])
def test_bad_durations(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_strict_turns_warnings_into_errors(tmp_path):
    text = MINIMAL.replace("subnets: {tags: {tier: private}}", "subnets: [subnet-0abc]")
    path = write(tmp_path, text)
    assert load_manifest(path, environ={}).warnings
    with pytest.raises(ManifestError):
        load_manifest(path, environ={}, strict=True)
