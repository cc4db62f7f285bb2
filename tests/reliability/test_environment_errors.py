"""Bad CLI input and a broken environment: each gives one clear message (what, and what to do), a
documented exit code (README: 1 the operation failed, 2 invalid manifest or usage), no traceback."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ecsship.aws.faults import _error_response

from tests.reliability.helpers import EXAMPLES, hook_every_aws

pytestmark = pytest.mark.reliability

WEB = EXAMPLES["web"]
DENIED = ("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: {action} on resource: {resource} "
          "because no identity-based policy allows the {action} action")


def invoke(*args, env=None):
    from ecsship.cli.app import app

    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr, result.exception


def answer_every_call_with(monkeypatch, status: int, code: str, message_for):
    """Every AWS call is answered by AWS-shaped error `code` (the credentials' or IAM's verdict)."""

    def install(aws):
        def before_send(request=None, event_name="", **_):
            service, operation = event_name.split(".")[1:3]
            content_type = str((getattr(request, "headers", None) or {}).get("Content-Type", ""))
            protocol = "ec2" if service == "ec2" else ("query" if "x-www-form-urlencoded" in content_type else "json")
            return _error_response(request, protocol, status, code, message_for(service, operation))

        aws.session.events.register_first("before-send.*.*", before_send)

    hook_every_aws(monkeypatch, install)


CASES = []


def case(fn):
    CASES.append(fn.__name__)
    return fn


def check(code, out, err, exc, want_code: int, *phrases: str):
    text = out + err
    assert code == want_code, text
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert "Traceback" not in text
    for phrase in phrases:
        assert phrase in text, (phrase, text)


def test_bad_arguments_are_usage_errors():
    check(*invoke("plan", "--no-such-flag", "-f", WEB), 2, "No such option")
    check(*invoke("--output", "xml", "plan", "-f", WEB), 2, "must be text or json")
    check(*invoke("deploy", "-f", WEB, "--timeout", "soon"), 2)
    check(*invoke("no-such-command"), 2, "No such command")
    check(*invoke("apply", "-f", WEB, "--var", "NOEQUALS"), 2)


def test_missing_file_names_it(tmp_path):
    missing = tmp_path / "nope.yaml"
    for command in ("validate", "plan", "apply", "deploy", "destroy"):
        check(*invoke(command, "-f", str(missing)), 2, str(missing))
    check(*invoke("apply", str(tmp_path / "saved-plan.json")), 2, "no such plan file")


def test_no_credentials(tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("")
    env = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_SHARED_CREDENTIALS_FILE": str(empty),
           "AWS_CONFIG_FILE": str(empty)}
    check(*invoke("--endpoint-url", "http://127.0.0.1:1", "plan", "-f", WEB, env=env), 1,
          "no AWS credentials found", "aws configure")


def test_unknown_profile(tmp_path):
    check(*invoke("--profile", "nosuchprofile", "plan", "-f", WEB), 2, "nosuchprofile")


def test_expired_credentials(aws, monkeypatch):
    answer_every_call_with(monkeypatch, 400, "ExpiredTokenException", lambda s, o: "The security token included in the request is expired")
    check(*invoke("--endpoint-url", aws.endpoint_url, "plan", "-f", WEB), 1, "expired", "refresh them")


def test_access_denied_names_the_action_and_the_resource(aws, monkeypatch):
    answer_every_call_with(monkeypatch, 400, "AccessDeniedException",
                           lambda s, o: DENIED.format(action=f"{s}:{o}", resource=f"arn:aws:{s}:us-east-1:123456789012:*"))
    code, out, err, exc = invoke("--endpoint-url", aws.endpoint_url, "plan", "-f", WEB)
    check(code, out, err, exc, 1, "AccessDenied", "not authorized to perform", "on resource", "grant it in IAM")
    assert err.count("error:") == 1


def test_unknown_region():
    check(*invoke("--region", "mars-north-9", "plan", "-f", WEB), 2, "mars-north-9", "region")


def test_unreachable_endpoint():
    check(*invoke("--endpoint-url", "http://127.0.0.1:1", "plan", "-f", WEB), 1, "cannot reach AWS", "127.0.0.1:1", "--endpoint-url")
