"""--assume-role-arn / ECSSHIP_ASSUME_ROLE_ARN / --external-id and `environments.<env>.assume_role` (issue #19 "CI").

STS AssumeRole (botocore model, IAM User Guide "How to use an external ID"): the role must exist and trust
the caller; a trust policy with `StringEquals: {sts:ExternalId: X}` allows only requests passing X, else
AccessDenied. GetCallerIdentity made with the temporary credentials answers
`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecsship.app.application import Application

WORKER = str(Path(__file__).resolve().parents[2] / "examples" / "worker" / "ecsship.yaml")
ROLE = "arn:aws:iam::123456789012:role/ecsship-deployer"


def trust(external_id: str | None = None, principal: dict | None = None) -> str:
    statement: dict = {"Effect": "Allow", "Principal": principal or {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}
    if external_id:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def role(aws):
    aws.client("iam").create_role(RoleName="ecsship-deployer", AssumeRolePolicyDocument=trust("ext-42"))
    return ROLE


def test_every_call_is_made_as_the_role_and_the_session_names_ecsship_and_the_user(aws, role, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTOR", "octo cat")
    app = Application(local=True, local_port=aws.port, assume_role_arn=role, external_id="ext-42")
    identity = app.aws().client("sts").get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::123456789012:assumed-role/ecsship-deployer/ecsship-octo-cat"
    # The manifest's role (an environment's assume_role) when no flag or variable names one.
    from_manifest = Application(local=True, local_port=aws.port, external_id="ext-42").aws_for({"assume_role": role})
    assert "assumed-role/ecsship-deployer/" in from_manifest.client("sts").get_caller_identity()["Arn"]
    assert "assumed-role" not in Application(local=True, local_port=aws.port).aws().client("sts").get_caller_identity()["Arn"]


def test_the_local_sts_refuses_what_aws_refuses(aws, role):
    """Fidelity (ecsship/local/fidelity/sts.py): moto would assume any ARN with any external id."""
    sts = aws.client("sts")
    for kwargs in ({"RoleArn": role, "ExternalId": "wrong"}, {"RoleArn": role},
                   {"RoleArn": "arn:aws:iam::123456789012:role/nope", "ExternalId": "ext-42"}):
        with pytest.raises(sts.exceptions.ClientError) as err:
            sts.assume_role(RoleSessionName="test", **kwargs)
        assert err.value.response["Error"]["Code"] == "AccessDenied"
    aws.client("iam").create_role(RoleName="tasks-only", AssumeRolePolicyDocument=trust(principal={"Service": "ecs-tasks.amazonaws.com"}))
    with pytest.raises(sts.exceptions.ClientError):
        sts.assume_role(RoleSessionName="test", RoleArn="arn:aws:iam::123456789012:role/tasks-only")
    assert sts.assume_role(RoleSessionName="test", RoleArn=role, ExternalId="ext-42")["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_cli_flag_and_variable_reach_every_command(run_cli, role, tmp_path):
    ok = run_cli("plan", "-f", WORKER, "--assume-role-arn", role, "--external-id", "ext-42")
    assert ok.exit_code == 0, ok.output
    bad = run_cli("status", "-f", WORKER, "--external-id", "nope", env={"ECSSHIP_ASSUME_ROLE_ARN": role})
    assert bad.exit_code == 1 and "sts:AssumeRole failed: AccessDenied" in bad.output and "Traceback" not in bad.output, bad.output
    malformed = run_cli("plan", "-f", WORKER, "--assume-role-arn", "deployer")
    assert malformed.exit_code == 2 and "is not an IAM role ARN" in malformed.output
    manifest = tmp_path / "ecsship.yaml"
    manifest.write_text(Path(WORKER).read_text() + f"\nenvironments:\n  prod:\n    assume_role: {role}\n")
    denied = run_cli("plan", "-f", str(manifest), "--env", "prod")  # the role needs ext-42: the manifest's role was used
    assert denied.exit_code == 1 and "role " + role in denied.output, denied.output
    assert run_cli("plan", "-f", str(manifest), "--env", "prod", "--external-id", "ext-42").exit_code == 0
