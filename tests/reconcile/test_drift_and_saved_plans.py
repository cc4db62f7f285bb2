"""Drift shows as exactly the drifted fields; saved plans refuse to apply over changed live state."""
from __future__ import annotations

import json


def converge(run_cli, path):
    result = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert result.exit_code == 0, result.output
    clean = run_cli("plan", "-f", path, "--detailed-exitcode")
    assert clean.exit_code == 0, clean.output


def test_drift_is_shown_field_by_field_and_apply_repairs_it(run_cli, example, aws):
    path = example("worker")
    converge(run_cli, path)
    aws.client("logs").put_retention_policy(logGroupName="/ecs/shop/worker", retentionInDays=7)
    iam = aws.client("iam")
    policy = iam.get_role_policy(RoleName="shop-worker-task", PolicyName="ecsship")["PolicyDocument"]
    policy["Statement"][0]["Action"].append("sqs:SendMessage")
    iam.put_role_policy(RoleName="shop-worker-task", PolicyName="ecsship", PolicyDocument=json.dumps(policy))
    ecs = aws.client("ecs")
    described = ecs.describe_task_definition(taskDefinition="shop-worker", include=["TAGS"])
    current = described["taskDefinition"]
    container = dict(current["containerDefinitions"][0])
    container["environment"] = [{"name": "CONCURRENCY", "value": "16"} if e["name"] == "CONCURRENCY" else e for e in container["environment"]]
    drifted = ecs.register_task_definition(family="shop-worker", containerDefinitions=[container], tags=described["tags"], **{k: current[k] for k in (
        "taskRoleArn", "executionRoleArn", "networkMode", "requiresCompatibilities", "cpu", "memory", "runtimePlatform")})
    # Drift is what the service runs (issue 13 item 3): a revision registered by hand but never deployed is not.
    ecs.update_service(cluster="shop", service="worker", taskDefinition=drifted["taskDefinition"]["taskDefinitionArn"], deploymentConfiguration={
        "maximumPercent": 200, "minimumHealthyPercent": 50, "deploymentCircuitBreaker": {"enable": False, "rollback": False}})

    plan = run_cli("plan", "-f", path, "--output", "json")
    assert plan.exit_code == 0, plan.output
    changes = {c["key"]: c for c in json.loads(plan.stdout)["changes"] if c["action"] != "no-op"}
    assert changes["log_group"]["fields"] == [{"field": "retentionInDays", "old": 7, "new": 14}]
    assert changes["role.task"]["fields"] == [{"field": "policy.App1.Action",
                                               "old": ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:SendMessage"],
                                               "new": ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
                                               "added": [], "removed": ["sqs:SendMessage"]}]
    assert [f["field"] for f in changes["task_definition"]["fields"]] == ["containerDefinitions.worker.environment.CONCURRENCY"]
    assert changes["task_definition"]["fields"][0]["old"] == "16" and changes["task_definition"]["fields"][0]["new"] == "8"
    service_fields = {f["field"]: (f["old"], f["new"]) for f in changes["service"]["fields"]}
    assert service_fields["deploymentConfiguration.deploymentCircuitBreaker.enable"] == (False, True)
    assert service_fields["deploymentConfiguration.deploymentCircuitBreaker.rollback"] == (False, True)
    assert set(service_fields) <= {"deploymentConfiguration.deploymentCircuitBreaker.enable",
                                   "deploymentConfiguration.deploymentCircuitBreaker.rollback", "taskDefinition"}
    assert set(changes) == {"log_group", "role.task", "task_definition", "service"}

    text = run_cli("plan", "-f", path)
    assert "  ~ log group /ecs/shop/worker" in text.stdout
    assert "retentionInDays: 7 -> 14" in text.stdout
    assert "Plan: 0 to create, 4 to update, 0 to replace, 0 to delete." in text.stdout

    fixed = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert fixed.exit_code == 0, fixed.output
    assert run_cli("plan", "-f", path, "--detailed-exitcode").exit_code == 0
    assert ecs.describe_task_definition(taskDefinition="shop-worker")["taskDefinition"]["revision"] == 3

    # A new image is a new revision, so the service's task definition changes too (to an ARN not known yet).
    image = json.loads(run_cli("plan", "-f", path, "--var", "IMAGE_TAG=v2", "--output", "json").stdout)
    service = next(c for c in image["changes"] if c["kind"] == "service")
    assert service["fields"] == [{"field": "taskDefinition", "old": ecs.describe_task_definition(taskDefinition="shop-worker")["taskDefinition"]["taskDefinitionArn"],
                                  "new": "(known after apply)"}]


def test_saved_plan_applies_exactly_and_refuses_when_live_changed(run_cli, example, aws, tmp_path):
    path = example("worker")
    saved = tmp_path / "plan.json"
    made = run_cli("plan", "-f", path, "--out", str(saved))
    assert made.exit_code == 0, made.output
    stored = json.loads(saved.read_text())
    assert stored["fingerprint"].startswith("sha256:") and stored["summary"]["create"] == 9
    applied = run_cli("apply", "--no-wait", str(saved), "--yes")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 9 created" in applied.stdout

    again = tmp_path / "again.json"
    assert run_cli("plan", "-f", path, "--out", str(again)).exit_code == 0
    aws.client("logs").put_retention_policy(logGroupName="/ecs/shop/worker", retentionInDays=1)
    stale = run_cli("apply", "--no-wait", str(again), "--yes")
    assert stale.exit_code == 1
    assert "live AWS has changed since this plan was made" in stale.stderr
    assert aws.client("logs").describe_log_groups(logGroupNamePrefix="/ecs/shop/worker")["logGroups"][0]["retentionInDays"] == 1


def test_plan_errors_before_changing_anything(run_cli, manifest, aws_calls):
    path = manifest("worker", secrets={"API_KEY": "secretsmanager:shop/nope"}, image="123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v9")
    result = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert result.exit_code == 1
    assert "secret shop/nope not found" in result.stderr and "ecsship secret set" in result.stderr
    assert "worker:v9: image not found in ECR" in result.stderr
    assert "Traceback" not in result.output
    assert aws_calls.writes() == []
