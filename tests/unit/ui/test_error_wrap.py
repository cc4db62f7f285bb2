"""A translated AWS error in text output is wrapped at a word within 100 columns with an indent, ARNs kept
whole (the account id is what a permission error is about); JSON keeps the message on one line.
AssumeRole's AccessDenied names the caller and the role ARN (STS API reference, AssumeRole, Errors)."""
from __future__ import annotations

import json

from ecsship.errors import AwsCallError
from ecsship.ui.output import Output

CALLER = "arn:aws:sts::123456789012:assumed-role/ci-runner-role/GitHubActions-1234567890"
ROLE = "arn:aws:iam::210987654321:role/ecsship-deployer-production"
ERROR = AwsCallError("role ecsship-deployer-production", "AssumeRole", "AccessDenied",
                     f"User: {CALLER} is not authorized to perform: sts:AssumeRole on resource: {ROLE}",
                     "the credentials in use lack permission for this call; grant it in IAM or use another profile")


def test_text_wraps_the_aws_error_within_100_columns_and_keeps_the_arns(capsys):
    Output("text", color=False).error(ERROR)
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) > 2 and all(len(line) <= 100 for line in lines), err
    assert lines[0].startswith("error: ") and lines[1].startswith("       ")
    assert CALLER in err and ROLE in err


def test_json_keeps_the_message_whole(capsys):
    Output("json", color=False).error(ERROR)
    assert json.loads(capsys.readouterr().out)["error"] == ERROR.message
