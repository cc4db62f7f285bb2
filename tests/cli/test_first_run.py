"""Issue 21: the first ten minutes with one's own service, through the CLI against the test local AWS."""
from __future__ import annotations

import json

import pytest

from ecsship.local.seed import ACCOUNT_ID

IMAGE = f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/billing-api:v1"
INIT = ["init", "--service", "billing-api", "--image", IMAGE, "--port", "3000", "--cluster", "payments",
        "--secret", "STRIPE_KEY=secretsmanager:payments/stripe", "--env", "staging", "--env", "prod"]


def test_first_run_from_an_empty_directory(aws, run_cli, tmp_path, monkeypatch, secret_values):
    """The issue's "done when": nothing edited between init and apply --env staging."""
    monkeypatch.chdir(tmp_path)
    assert run_cli("local", "up", "--port", aws.port).exit_code == 0  # already running: still a success
    added = run_cli("local", "image", "add", IMAGE)
    assert added.exit_code == 0, added.output
    init = run_cli(*INIT)
    assert init.exit_code == 0, init.output
    assert "local image add" not in init.output  # the image is registered already
    text = (tmp_path / "ecsship.yaml").read_text()
    schema = run_cli("schema", "--path").stdout.strip()
    assert f"$schema={schema}" in text and json.loads(open(schema).read())["$schema"]
    before = (tmp_path / "ecsship.yaml").read_bytes()

    stored = run_cli("secret", "set", "STRIPE_KEY", input="sk_live_first_run_value\n")
    assert stored.exit_code == 0, stored.output
    for args in (["validate"], ["plan"], ["apply", "--yes"], ["deploy", "--image-tag", "v1"],
                 ["apply", "--env", "staging", "--yes"]):
        result = run_cli(*args)
        assert result.exit_code == 0, (args, result.output)
        assert "sk_live_first_run_value" not in result.output
        assert not any(v in result.output for v in secret_values)
    assert (tmp_path / "ecsship.yaml").read_bytes() == before

    # a registered image still fails when its tag matches --fail-images (default *broken*)
    assert run_cli("local", "image", "add", IMAGE.replace(":v1", ":broken")).exit_code == 0
    failed = run_cli("deploy", "--image-tag", "broken")
    assert failed.exit_code == 1 and "rolled back" in failed.output.lower(), failed.output

    ecs = aws.client("ecs")
    for cluster in ("payments", "payments-staging"):
        service = ecs.describe_services(cluster=cluster, services=["billing-api"])["services"][0]
        assert service["status"] == "ACTIVE" and service["runningCount"] >= 1
        task_def = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        container = task_def["containerDefinitions"][0]
        assert container["image"] == IMAGE
        assert [s["name"] for s in container["secrets"]] == ["STRIPE_KEY"]


def test_init_local_picks_a_free_priority_and_says_how_to_register_the_image(aws, run_cli, tmp_path, monkeypatch):
    """DescribeRules lists every rule with its priority ("Priority" is a string; the default rule's is
    "default"); CreateRule fails with PriorityInUse when a priority is taken (ELBv2 API reference).
    So init reads the listener's rules and picks priorities no rule holds."""
    monkeypatch.chdir(tmp_path)
    elbv2 = aws.client("elbv2")
    alb = elbv2.describe_load_balancers(Names=["main"])["LoadBalancers"][0]
    listener = next(l for l in elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"] if l["Port"] == 443)
    for priority in (100, 102):  # someone else's rules
        elbv2.create_rule(ListenerArn=listener["ListenerArn"], Priority=priority,
                          Conditions=[{"Field": "host-header", "Values": [f"other{priority}.example.com"]}],
                          Actions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}])
    result = run_cli(*INIT)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "ecsship.yaml").read_text()
    assert "priority: 101" in text and "priority: 103}" in text and "priority: 104}" in text
    # billing-api:v1 is not in the local ECR: the one command that registers it
    assert f"ecsship local image add {IMAGE} --port {aws.port}" in result.output
    assert run_cli("validate", "--env", "prod").exit_code == 0


def test_local_image_add_and_list(aws, run_cli):
    first = run_cli("local", "image", "add", IMAGE, f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/team/tool:2.0")
    assert first.exit_code == 0, first.output
    again = run_cli("local", "image", "add", IMAGE)
    assert again.exit_code == 0 and "already" in again.output
    images = aws.client("ecr").describe_images(repositoryName="team/tool")["imageDetails"]
    assert images[0]["imageTags"] == ["2.0"]
    listed = run_cli("--output", "json", "local", "image", "list")
    rows = {r["repository"]: r["tags"] for r in json.loads(listed.stdout)["images"]}
    assert rows["billing-api"] == ["v1"] and rows["team/tool"] == ["2.0"] and "v1" in rows["checkout-api"]
    text = run_cli("local", "image", "list").stdout
    assert f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/billing-api: v1" in text


@pytest.mark.parametrize("uri, message", [
    ("nginx:1.25", "not an ECR image URI"),
    ("999999999999.dkr.ecr.us-east-1.amazonaws.com/a:v1", "account 123456789012"),
    (f"{ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com/a:v1", "us-east-1"),
    (f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/a@sha256:{'0' * 64}", "not a digest"),
])
def test_local_image_add_refuses_what_the_local_ecr_cannot_hold(aws, run_cli, uri, message):
    result = run_cli("local", "image", "add", IMAGE, uri)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    # nothing was added: every URI is checked first
    assert "billing-api" not in run_cli("local", "image", "list").stdout


def test_init_on_a_terminal_asks_for_secrets_and_environments(aws, run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("ecsship.app.application.Application.is_interactive", staticmethod(lambda: True))
    answers = ["billing-api", IMAGE, "3000", "payments", "rolling",
               "STRIPE_KEY=secretsmanager:payments/stripe, TOKEN=ssm:/payments/token", "staging,prod",
               "", "", "",                                  # staging: cluster, host, priority as proposed
               "pay-prod", "billing.example.com", "150"]    # prod: its own
    result = run_cli("init", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "ecsship.yaml").read_text()
    assert 'STRIPE_KEY: "secretsmanager:payments/stripe"' in text and 'TOKEN: "ssm:/payments/token"' in text
    assert 'cluster: "payments-staging"' in text and 'host: "billing-api-staging.example.com", priority: 101' in text
    assert 'cluster: "pay-prod"' in text and 'host: "billing.example.com", priority: 150' in text
    assert run_cli("validate", "--env", "prod").exit_code == 0


def _applied_billing_api(aws, run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli("local", "image", "add", IMAGE).exit_code == 0
    assert run_cli(*INIT).exit_code == 0
    assert run_cli("secret", "set", "STRIPE_KEY", input="sk_live_value\n").exit_code == 0
    applied = run_cli("apply", "--yes")
    assert applied.exit_code == 0, applied.output
    return tmp_path / "ecsship.yaml"


def test_plan_adding_one_secret_shows_exactly_one_added_secret_arn(aws, run_cli, tmp_path, monkeypatch):
    """The execution role needs secretsmanager:GetSecretValue on each secret it injects ("Secrets
    Manager secret ARNs" in the task execution IAM role docs): adding one secret grants exactly one ARN."""
    manifest = _applied_billing_api(aws, run_cli, tmp_path, monkeypatch)
    text = manifest.read_text().replace('  STRIPE_KEY: "secretsmanager:payments/stripe"',
                                        '  STRIPE_KEY: "secretsmanager:payments/stripe"\n  DB_PASSWORD: "secretsmanager:shop/checkout/db"')
    manifest.write_text(text)
    db_arn = aws.client("secretsmanager").describe_secret(SecretId="shop/checkout/db")["ARN"]

    plan = run_cli("plan")
    assert plan.exit_code == 0, plan.output
    lines = plan.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "IAM role payments-billing-api-exec" in line) + 1
    role_block = [line for line in lines[start:] if line.startswith(" " * 8)]
    role_block = lines[start:start + len(role_block)]
    added = [line.strip() for line in role_block if line.strip().startswith("+ ")]
    assert added == [f'+ "{db_arn}"'], plan.stdout
    assert "..." not in plan.stdout

    as_json = run_cli("--output", "json", "plan")
    plan_data = json.loads(as_json.stdout)
    role = next(c for c in plan_data["changes"] if c["kind"] == "role" and c["name"].endswith("-exec"))
    granted = [f for f in role["fields"] if f.get("added")]
    assert [(f["field"], f["added"], f["removed"]) for f in granted] == [("policy.ReadSecrets.Resource", [db_arn], [])]


def test_manifest_from_standard_input(aws, run_cli, tmp_path, monkeypatch):
    """`-f -` reads the manifest from stdin; problems are located as <stdin>:LINE:COL."""
    monkeypatch.chdir(tmp_path)
    assert run_cli("local", "image", "add", IMAGE).exit_code == 0
    assert run_cli(*INIT[:-6]).exit_code == 0  # without secrets and environments
    text = (tmp_path / "ecsship.yaml").read_text()
    (tmp_path / "ecsship.yaml").unlink()
    valid = run_cli("validate", "-f", "-", input=text)
    assert valid.exit_code == 0 and "<stdin>: valid" in valid.output, valid.output
    planned = run_cli("plan", "-f", "-", input=text)
    assert planned.exit_code == 0 and "ECS service billing-api" in planned.stdout, planned.output
    broken = text.replace("port: 3000", "port: seventy")
    line = broken.splitlines().index("port: seventy") + 1
    result = run_cli("validate", "-f", "-", input=broken)
    assert result.exit_code == 2 and f"<stdin>:{line}:1: port" in result.output, result.output
    refused = run_cli("secret", "set", "X", "-f", "-", input=text)
    assert refused.exit_code == 2 and "-f PATH" in refused.output


def test_readme_shows_another_port_and_make_test_says_how_long():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    local = readme[readme.index("## Try it without AWS"):readme.index("## Commands")]
    assert "--local-port" in local and "ECSSHIP_LOCAL_PORT" in local and "local image add" in local
    recipe = (root / "Makefile").read_text().split("\ntest:")[1].split("\n\n")[0]
    assert recipe.index("minutes") < recipe.index("-m pytest")  # said before the suite starts
