"""Issue #16: a live service -> manifest (manifest/from_live.py), plaintext secret detection, the
adoption guard and the plan's masking - pure logic, no AWS."""
from __future__ import annotations

from ecsship.cli.options_anywhere import hoist_global_options
from ecsship.manifest.from_live import from_live
from ecsship.manifest.imported_text import checked, render
from ecsship.manifest.semantic import plaintext_secret
from ecsship.plan.adoption import adoption_problems
from ecsship.plan.model import NOOP, REPLACE, UPDATE, Change, FieldChange, Plan

SECRET = "Xq7!hand-made-db-pa55"


def live(**service):
    svc = {"serviceName": "web", "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/legacy", "desiredCount": 2,
           "launchType": "FARGATE", "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/legacy-app:3",
           "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0b", "subnet-0a"], "securityGroups": ["sg-01"],
                                                            "assignPublicIp": "ENABLED"}},
           "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": False, "rollback": False}},
           "tags": [{"key": "team", "value": "pay"}, {"key": "aws:cloudformation:stack-name", "value": "x"}], **service}
    td = {"family": "legacy-app", "cpu": "512", "memory": "1024", "taskRoleArn": "arn:aws:iam::123456789012:role/app-role",
          "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole", "networkMode": "awsvpc",
          "volumes": [{"name": "data"}],
          "containerDefinitions": [
              {"name": "app", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v7", "essential": True,
               "portMappings": [{"containerPort": 8080}], "command": ["serve"],
               "environment": [{"name": "DB_PASSWORD", "value": SECRET}, {"name": "STRIPE_KEY", "value": "abc"},
                               {"name": "LOG_LEVEL", "value": "info"}, {"name": "GIT_SHA", "value": "4f2b1c9d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c"}],
               "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/legacy"}}},
              {"name": "envoy", "image": "envoy:1", "essential": False}]}
    return {"region": "us-east-1", "service": svc, "task_definition": td, "vpc_id": "vpc-0123", "load_balancers": [],
            "scaling": None, "alarms": [], "log_group": {"logGroupName": "/ecs/legacy"}}


def test_a_live_service_maps_to_a_manifest_that_keeps_what_adoption_must_not_disturb():
    imported = from_live(live())
    m = imported.manifest
    assert (m["service"], m["cluster"], m["container_name"], m["count"], m["port"]) == ("web", "legacy", "app", 2, 8080)
    assert m["network"] == {"vpc": "vpc-0123", "subnets": ["subnet-0a", "subnet-0b"], "security_groups": ["sg-01"]}
    assert m["task_role"].endswith("role/app-role") and m["logs"] == {"group": "/ecs/legacy", "retention_days": 30}
    assert m["environment"] == {"LOG_LEVEL": "info", "GIT_SHA": "4f2b1c9d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c"}
    assert m["secrets"] == {"DB_PASSWORD": "secretsmanager:legacy/web/DB_PASSWORD", "STRIPE_KEY": "secretsmanager:legacy/web/STRIPE_KEY"}
    assert m["tags"] == {"team": "pay"} and "deploy" not in m  # the circuit breaker is left on (its default)
    unmapped = "\n".join(imported.unmapped)
    for item in ("assignPublicIp ENABLED", "execution role ecsTaskExecutionRole", "task definition volumes", "container app: command",
                 "container envoy"):
        assert item in unmapped
    text = render(m, "service web in cluster legacy", imported.unmapped)
    assert checked(text, "<imported>") is not None  # validates as `ecsship validate` would
    assert SECRET not in text and "#   - container envoy" in text


def test_scaling_keeps_the_count_as_its_bounds():
    scaling = {"target": {"MinCapacity": 2, "MaxCapacity": 6}, "scheduled": [],
               "policies": [{"PolicyName": "cpu", "PolicyType": "TargetTrackingScaling", "TargetTrackingScalingPolicyConfiguration": {
                   "TargetValue": 60.0, "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}},
                            {"PolicyName": "steps", "PolicyType": "StepScaling"}]}
    imported = from_live({**live(), "scaling": scaling})
    assert imported.manifest["scaling"] == {"min": 2, "max": 6, "cpu": 60.0} and "count" not in imported.manifest
    assert any("scaling policy steps" in item for item in imported.unmapped)


def test_plaintext_secrets_by_name_and_by_value():
    assert plaintext_secret("DB_PASSWORD", "x") == "name"
    assert plaintext_secret("SENTRY_DSN", "https://a@b/1", strict=True) == "name"
    assert plaintext_secret("DATABASE_URL", "postgres://u:p@h/db") == "value"
    assert plaintext_secret("SOMETHING", "q8Zr3LpW0vN5mT2yK7bJ4hF", strict=True) == "value"  # high entropy
    assert plaintext_secret("SOMETHING", "q8Zr3LpW0vN5mT2yK7bJ4hF") is None  # validate stays as it was
    for key, value in (("QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/1/orders"), ("GIT_SHA", "4f2b1c9d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c"),
                       ("LOG_LEVEL", "info"), ("MONKEY", "banana")):
        assert plaintext_secret(key, value, strict=True) is None, key


def change(kind, action, *fields):
    return Change(key=kind, kind=kind, title=kind, name="web", action=action, fields=[FieldChange(*f) for f in fields],
                  replace_fields=("deploymentController",) if action == REPLACE else ())


def test_adoption_refuses_a_replacement_a_count_change_and_a_container_rename():
    ok = Plan("web", "legacy", [change("service", UPDATE, ("deploymentConfiguration.deploymentCircuitBreaker.enable", False, True)),
                                change("task_definition", NOOP)], "fp")
    assert adoption_problems(ok) == []
    bad = Plan("web", "legacy", [change("service", REPLACE, ("deploymentController.type", "CODE_DEPLOY", "ECS"), ("desiredCount", 2, 1)),
                                 change("task_definition", UPDATE, ("containerDefinitions.app", {"image": "x"}, None),
                                        ("containerDefinitions.web", None, {"image": "x"}))], "fp")
    problems = [message for _, message, _ in adoption_problems(bad)]
    assert len(problems) == 3 and "replaces" in problems[0] and "2 -> 1" in problems[1] and "container app" in problems[2]
    moved = Plan("web", "legacy", [change("service", UPDATE, ("loadBalancers", [{"targetGroupArn": "old"}], [{"targetGroupArn": "new"}]))], "fp")
    assert "traffic would reach no task" in adoption_problems(moved)[0][1]


def test_plans_never_show_plaintext_secret_values_of_a_live_environment():
    field = FieldChange("containerDefinitions.app.environment.DB_PASSWORD", SECRET, None)
    assert SECRET not in str(field.to_dict())
    whole = FieldChange("containerDefinitions.app", {"environment": {"DB_PASSWORD": SECRET, "LOG_LEVEL": "info"}}, None)
    assert SECRET not in str(whole.to_dict()) and "info" in str(whole.to_dict())


def test_import_claims_dash_o_for_its_output_file():
    assert hoist_global_options(["import", "--service", "web", "-o", "x.yaml", "--local"]) == ["--local", "import", "--service", "web", "-o", "x.yaml"]
    assert hoist_global_options(["plan", "-o", "json"]) == ["-o", "json", "plan"]
