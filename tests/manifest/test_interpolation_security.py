"""`${VAR}` must not turn a CI runner's environment into manifest values (issue #22, medium item 5).

AWS credentials (the variables boto3 reads: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
per the AWS CLI "Environment variables to configure the AWS CLI" page) and secret-looking names are
refused unless passed with --var; an interpolated value never appears in an error, and a secret-looking
--var value never in a plan. Plaintext secret detection knows temporary keys (ASIA..., "Understanding
access key IDs": ASIA is a temporary STS key), 40-character secret keys, GitHub/GitLab/Slack tokens, JWTs
and URLs with a password.
"""
from __future__ import annotations

import json

import pytest

from ecsship.errors import ManifestError
from ecsship.manifest import load_manifest

from tests.manifest.test_loader import EXAMPLES, MINIMAL, write

KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_aws_credentials_are_never_interpolated_nor_shown(tmp_path):
    path = write(tmp_path, MINIMAL.replace("cluster: shop", 'cluster: "${AWS_SECRET_ACCESS_KEY}"'))
    with pytest.raises(ManifestError) as info:
        load_manifest(path, environ={"AWS_SECRET_ACCESS_KEY": KEY})
    text = "\n".join(p.render() for p in info.value.problems)
    assert "AWS_SECRET_ACCESS_KEY" in text and "credential or secret" in text
    assert KEY not in text


def test_secret_looking_names_need_var(tmp_path):
    text = MINIMAL + 'environment:\n  X: "${CI_DEPLOY_TOKEN}"\n  Y: "${DB_PASS}"\n  Z: "${AUTH_HEADER}"\n'
    path = write(tmp_path, text)
    with pytest.raises(ManifestError) as info:
        load_manifest(path, environ={"CI_DEPLOY_TOKEN": "tok-123456", "DB_PASS": "pw-123456", "AUTH_HEADER": "h-123456"})
    assert {p.field for p in info.value.problems} == {"environment.X", "environment.Y", "environment.Z"}
    assert "tok-123456" not in str([p.render() for p in info.value.problems])
    manifest = load_manifest(path, environ={}, variables={"CI_DEPLOY_TOKEN": "t0k", "DB_PASS": "p", "AUTH_HEADER": "h"})
    assert manifest.data["environment"]["X"] == "t0k", "--var is the user's deliberate choice"


def test_an_interpolated_value_is_named_not_shown_in_errors(tmp_path):
    path = write(tmp_path, MINIMAL.replace("cpu: 256", 'cpu: "${CPU_UNITS}"'))
    with pytest.raises(ManifestError) as info:
        load_manifest(path, environ={"CPU_UNITS": "weird-value-9000"})
    text = "\n".join(p.render() for p in info.value.problems)
    assert "weird-value-9000" not in text and "${CPU_UNITS}" in text


@pytest.mark.parametrize("value", [
    "ASIAIOSFODNN7EXAMPLE",
    KEY,
    "ghp_" + "a1B2" * 9,
    "glpat-" + "x1Y2z3W4v5U6t7S8r9Q0",
    "xoxb-1234567890-abcdefghij",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "postgres://app:hunter2pw@db.internal:5432/app",
])
def test_plaintext_secrets_are_refused(tmp_path, value):
    path = write(tmp_path, MINIMAL + f'environment:\n  SOME_SETTING: "{value}"\n')
    with pytest.raises(ManifestError) as info:
        load_manifest(path, environ={})
    assert any(p.field == "environment.SOME_SETTING" for p in info.value.problems)


@pytest.mark.parametrize("name", ["SMTP_PASS", "AUTH_SECRETLESS", "SESSION_KEY"])
def test_secret_looking_environment_names(tmp_path, name):
    path = write(tmp_path, MINIMAL + f'environment:\n  {name}: "plain"\n')
    with pytest.raises(ManifestError):
        load_manifest(path, environ={})


def test_a_git_sha_and_a_plain_url_are_not_secrets(tmp_path):
    text = MINIMAL + 'environment:\n  GIT_SHA: "0123456789abcdef0123456789abcdef01234567"\n  URL: "https://example.com/a"\n'
    assert load_manifest(write(tmp_path, text), environ={}).data["environment"]["URL"] == "https://example.com/a"


def test_a_secret_var_value_never_shows_in_the_plan(run_cli, aws, tmp_path):
    manifest = (EXAMPLES / "worker" / "ecsship.yaml").read_text().replace("  CONCURRENCY: 8", '  CONCURRENCY: 8\n  UPSTREAM: "${UPSTREAM_TOKEN}"')
    path = tmp_path / "ecsship.yaml"
    path.write_text(manifest)
    value = "tok-very-secret-4242"
    for args in (("plan", "-v"), ("plan", "-v", "--output", "json")):
        result = run_cli(*args, "-f", str(path), "--var", f"UPSTREAM_TOKEN={value}")
        assert result.exit_code == 0, result.output
        assert value not in result.output and "(redacted)" in result.output
    saved = run_cli("plan", "-f", str(path), "--var", f"UPSTREAM_TOKEN={value}", "--out", str(tmp_path / "p.json"))
    assert saved.exit_code == 2 and not (tmp_path / "p.json").exists()
    json_out = run_cli("plan", "--output", "json", "-f", str(path), "--var", f"UPSTREAM_TOKEN={value}")
    assert value not in json.dumps(json.loads(json_out.stdout))


def test_deep_nesting_is_a_clear_limit_not_an_internal_error(tmp_path):
    """~900 nested lists used to hit Python's recursion limit ("internal error", exit 1)."""
    from typer.testing import CliRunner

    from ecsship.cli.app import app

    path = write(tmp_path, "service: a\nx: " + "[" * 900 + "1" + "]" * 900 + "\n")
    result = CliRunner().invoke(app, ["validate", "-f", path])
    assert result.exit_code == 2, result.output
    assert "nests deeper than" in result.output and "internal error" not in result.output


@pytest.mark.parametrize("grant, message", [
    ({"actions": ["iam:P*"], "resources": ["arn:aws:iam::123456789012:role/x"]}, "wildcards are not allowed in iam"),
    ({"actions": ["kms:Decrypt*"], "resources": ["arn:aws:kms:us-east-1:123456789012:key/x"]}, "wildcards are not allowed in kms"),
    ({"actions": ["sts:Assume?ole"], "resources": ["arn:aws:iam::123456789012:role/x"]}, "wildcards are not allowed in sts"),
    ({"actions": ["s3:PutObject"], "resources": ["*"]}, "write actions"),
])
def test_privilege_wildcards_and_star_resources_on_writes_are_errors(tmp_path, grant, message):
    """Issue #22: `iam:P*` passed the no-`*` rule; `*` resources on a write action were only a warning."""
    import yaml as _yaml

    path = write(tmp_path, MINIMAL + _yaml.safe_dump({"permissions": [grant]}))
    with pytest.raises(ManifestError) as info:
        load_manifest(path, environ={})
    assert message in "\n".join(p.render() for p in info.value.problems)


def test_star_resources_stay_a_warning_for_reads_and_resource_less_writes(tmp_path):
    import yaml as _yaml

    grant = {"actions": ["cloudwatch:PutMetricData", "s3:ListAllMyBuckets"], "resources": ["*"]}
    manifest = load_manifest(write(tmp_path, MINIMAL + _yaml.safe_dump({"permissions": [grant]})), environ={})
    assert any(w.field.startswith("permissions") for w in manifest.warnings)
