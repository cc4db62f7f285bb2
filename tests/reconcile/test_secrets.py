"""Secret references: JSON keys, SSM, customer-managed KMS keys; `secret set` creates what is missing."""
from __future__ import annotations

import json

from ecsship.desired.image_and_secret_refs import parse_secret


def test_references_resolve_to_arns_with_json_keys_and_customer_keys(run_cli, manifest, aws):
    kms = aws.client("kms")
    key = kms.create_key(Description="payments")["KeyMetadata"]
    sm = aws.client("secretsmanager")
    secret = sm.create_secret(Name="shop/worker/api", SecretString=json.dumps({"token": "t0k3n-value"}), KmsKeyId=key["KeyId"])
    path = manifest("worker", secrets={"API_TOKEN": "secretsmanager:shop/worker/api:token", "FEATURE": "ssm:/shop/checkout/feature-token"})
    result = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert result.exit_code == 0, result.output
    assert "t0k3n-value" not in result.output
    container = aws.client("ecs").describe_task_definition(taskDefinition="shop-worker")["taskDefinition"]["containerDefinitions"][0]
    value_from = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    assert value_from["API_TOKEN"] == secret["ARN"] + ":token::"
    assert value_from["FEATURE"].endswith(":parameter/shop/checkout/feature-token")
    policy = aws.client("iam").get_role_policy(RoleName="shop-worker-exec", PolicyName="ecsship")["PolicyDocument"]
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["ReadSecrets"]["Resource"] == [secret["ARN"]]
    assert statements["DecryptSecrets"] == {"Sid": "DecryptSecrets", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key["Arn"]]}


def test_secret_set_creates_missing_secrets_and_merges_json_keys(run_cli, manifest, aws):
    path = manifest("worker", secrets={"DB": "secretsmanager:shop/worker/db", "API": "secretsmanager:shop/worker/json:api",
                                       "FLAG": "ssm:/shop/worker/flag"})
    listed = run_cli("secret", "list", "-f", path)
    assert listed.exit_code == 1 and listed.stdout.count("MISSING") == 3
    plan = run_cli("plan", "-f", path)
    assert plan.exit_code == 1 and "ecsship secret set" in plan.stderr
    for key, value in (("DB", "pw-1"), ("API", "api-1"), ("FLAG", "flag-1")):
        result = run_cli("secret", "set", key, "-f", path, input=value + "\n")
        assert result.exit_code == 0, result.output
        assert value not in result.output and "created" in result.stdout
    again = run_cli("secret", "set", "API", "-f", path, input="api-2\n")
    assert "updated" in again.stdout
    sm = aws.client("secretsmanager")
    assert sm.get_secret_value(SecretId="shop/worker/db")["SecretString"] == "pw-1"
    assert json.loads(sm.get_secret_value(SecretId="shop/worker/json")["SecretString"]) == {"api": "api-2"}
    tags = {t["Key"]: t["Value"] for t in sm.describe_secret(SecretId="shop/worker/db")["Tags"]}
    assert tags["ecsship:service"] == "worker"
    assert aws.client("ssm").get_parameter(Name="/shop/worker/flag", WithDecryption=True)["Parameter"]["Value"] == "flag-1"
    assert run_cli("secret", "list", "-f", path).exit_code == 0
    unknown = run_cli("secret", "set", "NOPE", "-f", path, input="x\n")
    assert unknown.exit_code == 2 and "known: API, DB, FLAG" in unknown.stderr


def test_reference_parsing():
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/stripe-AbCdEf"
    assert parse_secret("A", arn).ident == arn and parse_secret("A", arn).json_key is None
    assert parse_secret("A", arn + ":key::").json_key == "key"
    assert parse_secret("A", "secretsmanager:shop/db:user").ident == "shop/db"
    assert parse_secret("A", "arn:aws:ssm:us-east-1:123456789012:parameter/a/b").ident == "/a/b"


def test_named_rollback_alarm_must_exist(run_cli, manifest, aws):
    deploy = {"strategy": "rolling", "rollback_alarms": ["auto", "shop-checkout-errors"]}
    path = manifest("web", deploy=deploy)
    missing = run_cli("plan", "-f", path)
    assert missing.exit_code == 1 and "no alarm named shop-checkout-errors" in missing.stderr
    # A plan-time problem says where in the manifest, like validate's do (issue 13 item 10).
    line = next(n for n, text in enumerate(open(path, encoding="utf-8"), 1) if "rollback_alarms" in text)
    assert f"{path}:{line}: " in missing.stderr, missing.stderr
    aws.client("cloudwatch").put_metric_alarm(AlarmName="shop-checkout-errors", MetricName="Errors", Namespace="App", Statistic="Sum",
                                              Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    result = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert result.exit_code == 0, result.output
    alarms = aws.client("ecs").describe_services(cluster="shop", services=["checkout-api"])["services"][0]["deploymentConfiguration"]["alarms"]
    assert "shop-checkout-errors" in alarms["alarmNames"] and "shop-checkout-api-5xx" in alarms["alarmNames"]


def test_unknown_endpoint_service_is_a_plan_error(run_cli, manifest):
    network = {"vpc": {"tags": {"Name": "main"}}, "subnets": {"tags": {"tier": "private"}}, "endpoints": ["logs", "ecr.apii"]}
    result = run_cli("plan", "-f", manifest("worker", network=network))
    assert result.exit_code == 1
    assert "no VPC endpoint service ecr.apii" in result.stderr
