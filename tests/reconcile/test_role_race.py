"""A role someone else creates between plan and apply is not adopted (issue #22, low item "Role
creation race"). IAM CreateRole answers EntityAlreadyExists ("The request was rejected because it
attempted to create a resource that already exists", botocore iam model); ecsship then converges the
role only if it carries its ownership tags, like every other reconciler."""
from __future__ import annotations

import json
from pathlib import Path

from ecsship.aws.session import Aws

WORKER = str(Path(__file__).resolve().parents[2] / "examples" / "worker" / "ecsship.yaml")
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def test_a_role_created_by_someone_else_between_plan_and_apply_is_not_adopted(run_cli, aws, monkeypatch):
    iam = aws.client("iam")
    raced: list[str] = []
    original = Aws.client

    def client(self, name, *args, **kwargs):
        made = original(self, name, *args, **kwargs)
        if name == "iam" and not getattr(made, "_race_hook", False):
            def before_create(params, **_):
                if not raced:  # someone else wins the name just before our CreateRole
                    iam.create_role(RoleName=params["RoleName"], AssumeRolePolicyDocument=json.dumps(TRUST))
                    raced.append(params["RoleName"])
            made.meta.events.register("before-parameter-build.iam.CreateRole", before_create)
            made._race_hook = True
        return made

    monkeypatch.setattr(Aws, "client", client)
    result = run_cli("apply", "--no-wait", "-f", WORKER, "--yes")
    assert raced, result.output
    assert result.exit_code == 1, result.output
    role = iam.get_role(RoleName=raced[0])["Role"]
    assert not role.get("Tags"), "their role was tagged as ours"
    assert json.dumps(TRUST["Statement"][0]["Principal"]) in json.dumps(role["AssumeRolePolicyDocument"]), "their trust policy was replaced"
    assert iam.list_role_policies(RoleName=raced[0])["PolicyNames"] == []
