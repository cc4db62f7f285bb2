"""Issue 13 item 9: text lines fit 100 columns: names and ids short, a long reason wrapped at a word
with an indent (never cut: at 3 a.m. the reason is what a person reads); JSON keeps every value whole."""
from __future__ import annotations

from ecsship.deploy.model import Outcome
from ecsship.deploy.names import short_deployment
from ecsship.plan.model import FieldChange
from ecsship.ui.deploy_view import _MARK, outcome_lines
from ecsship.ui.plan_view import field_lines
from ecsship.ui.status_view import status_lines

SD = "arn:aws:ecs:us-east-1:123456789012:service-deployment/shop-production/shop-checkout-api/AbCdEfGh0123456789"
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-checkout-api-blue/0123456789abcdef"
REASON = (f"ECS deployment circuit breaker: tasks failed to start; 3 tasks failed their health checks in target group {TG} "
          "after the health check grace period of 60 seconds.")


def _printed(lines) -> list[str]:
    return [f"{_MARK.get(severity, '')}{text}" for text, severity in lines]


def test_deployment_ids_are_cut_to_the_8_characters_that_tell_them_apart():
    assert short_deployment(SD) == "AbCdEfGh"
    assert short_deployment("d-ABCDEFGHI") == "d-ABCDEFGH"
    # ECS's ids share their leading digits (AWS's examples: ecs-svc/9223370556588458468, ecs-svc/9223370564341623665)
    assert short_deployment("ecs-svc/9223370564341623665") == "ecs-svc/…41623665"
    assert short_deployment("ecs-svc/1") == "ecs-svc/1" and short_deployment("d-ABC") == "d-ABC" and short_deployment(None) == ""


def test_every_closing_outcome_fits_100_columns_with_its_mark_and_keeps_the_whole_reason():
    new, old = "shop-production-checkout-api:12", "shop-production-checkout-api:11"
    for status in ("rolled_back", "failed", "timed_out", "stopped", "succeeded", "started", "reverted", "waiting_approval",
                   "interrupted"):
        outcome = Outcome(status, SD, old, new, serving=old, reason=REASON, duration=412.0,
                          hint="follow it with `ecsship wait` (or run the same deploy again); stop it with `ecsship rollback`")
        lines = _printed(outcome_lines(outcome, simulated=True))
        assert all(len(line) <= 100 and "arn:" not in line for line in lines), (status, lines)
        assert outcome.to_json()["reason"] == REASON and outcome.to_json()["deployment_id"] == SD  # JSON: whole
        if status in ("rolled_back", "failed", "timed_out", "stopped"):
            text = " ".join(line.strip() for line in lines)
            assert "after the health check grace period of 60 seconds" in text, "the reason is wrapped, not cut"
    new, old = "shop-checkout-api:12", "shop-checkout-api:11"
    rolled_back = _printed(outcome_lines(Outcome("rolled_back", SD, old, new, serving=old, reason=REASON)))
    assert rolled_back[0] == f"✖ deployment of {new} failed; rolled back, {old} serves"
    assert rolled_back[1].startswith("  reason: ECS deployment circuit breaker") and rolled_back[2].startswith("    ")
    short = _printed(outcome_lines(Outcome("rolled_back", "ecs-svc/9223370564341623665", old, new, serving=old, reason="tasks failed.")))
    assert short == [f"✖ deployment of {new} failed: tasks failed; rolled back, {old} serves"]


def test_status_wraps_a_deployments_long_reason_below_it():
    data = {"service": "checkout-api", "cluster": "shop", "status": "ACTIVE", "revision": "shop-checkout-api:3",
            "strategy": "ROLLING", "controller": "ECS", "running": 2, "desired": 2,
            "deployments": [{"status": "ACTIVE", "revision": "shop-checkout-api:4", "rollout_state": "FAILED", "reason": REASON,
                             "running": 0, "desired": 2, "pending": 0, "failed": 3}],
            "rollout": {"deployment": "x", "deployment_arn": SD, "state": "in_progress", "phase": "", "old": "a:1", "new": "a:2"}}
    lines = status_lines(data)
    assert all(len(line) <= 100 and "arn:" not in line for line in lines), lines
    assert any(line.endswith("seconds.)") and line.startswith(" " * 12) for line in lines), lines
    assert any(line.startswith("rollout: deployment AbCdEfGh a:1 → a:2") for line in lines), lines


def test_plan_names_images_by_repository_and_tag_and_task_definitions_by_family_and_revision():
    ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker"
    td = "arn:aws:ecs:us-east-1:123456789012:task-definition/shop-worker"
    assert field_lines(FieldChange("containerDefinitions.worker.image", f"{ecr}:v1", f"{ecr}:v3")) == [
        '        containerDefinitions.worker.image: "worker:v1" -> "worker:v3"']
    assert field_lines(FieldChange("taskDefinition", f"{td}:1", f"{td}:2")) == ['        taskDefinition: "shop-worker:1" -> "shop-worker:2"']
    # The short forms would read the same: the whole values say what changes (a registry move).
    moved = field_lines(FieldChange("containerDefinitions.worker.image", "worker:v1", f"{ecr}:v1"))[0]
    assert moved.endswith(f'"worker:v1" -> "{ecr}:v1"')


def test_status_of_a_codedeploy_service_says_where_each_listener_sends_traffic():
    data = {"service": "checkout-api", "cluster": "shop", "status": "ACTIVE", "revision": "shop-checkout-api:3",
            "strategy": "CODE_DEPLOY", "controller": "CODE_DEPLOY", "running": 2, "desired": 2,
            "listeners": {"production": {"shop-checkout-api-blue": 90.0, "shop-checkout-api-green": 10.0},
                          "test": {"shop-checkout-api-blue": 0.0, "shop-checkout-api-green": 100.0}}}
    lines = status_lines(data)
    assert all(len(line) <= 100 for line in lines), lines  # mid-shift, long names: wrapped with an indent
    start = next(i for i, line in enumerate(lines) if line.startswith("listeners: "))
    assert " ".join(line.strip() for line in lines[start:start + 2]) == (
        "listeners: production shop-checkout-api-blue 90%, shop-checkout-api-green 10%; test shop-checkout-api-green 100%")
    data["listeners"] = {"production": {"shop-checkout-api-blue": 100.0, "shop-checkout-api-green": 0.0}}
    assert "listeners: production shop-checkout-api-blue 100%" in status_lines(data)


def test_a_one_off_task_that_failed_says_its_whole_reason_within_100_columns(capsys):
    """`run` and deploy steps end with how the task stopped (ECS Task.stoppedReason, which may be long)."""
    from ecsship.ops.run import OneOff, Result
    from ecsship.ui.ops_view import RunView
    from ecsship.ui.output import Output

    task = OneOff("shop", "arn:aws:ecs:us-east-1:123456789012:task/shop/0123456789abcdef0123456789abcdef", "shop-web:3", "web", ["migrate"])
    RunView(Output("text", color=False), step="migrate").stopped(Result(task, None, REASON))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("step migrate: task 01234567 stopped without an exit code: ECS deployment")
    assert all(len(line) <= 100 and "arn:" not in line for line in lines) and lines[-1].endswith("of 60 seconds.")


def test_nested_plan_values_read_one_short_line_per_element():
    """A service's loadBalancers change (ECS CreateService `loadBalancers`: targetGroupArn,
    containerName, containerPort) reads as one line per element naming the target group by its
    short name (the ARN's `targetgroup/NAME/ID` part), within 100 columns; -v and JSON keep it whole."""
    tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web-blue-tg/0123456789abcdef"
    old = [{"containerName": "web", "containerPort": 8080, "targetGroupArn": tg}]
    new = [{"containerName": "web", "containerPort": 8080, "targetGroupArn": tg.replace("blue", "green")}]
    lines = field_lines(FieldChange("loadBalancers", old, new))
    assert lines == ["        loadBalancers:",
                     "          - containerName=web containerPort=8080 targetGroup=shop-web-blue-tg",
                     "          + containerName=web containerPort=8080 targetGroup=shop-web-green-tg"]
    network = {"awsvpcConfiguration": {"subnets": ["subnet-" + "0" * 17 + str(i) for i in range(9)],
                                       "assignPublicIp": "DISABLED"}}
    clipped = [False]
    lines = field_lines(FieldChange("networkConfiguration", None, network), clipped=clipped)
    assert lines[0] == "        networkConfiguration:" and lines[1].startswith("          + awsvpcConfiguration={")
    assert all(len(line) <= 100 for line in lines) and clipped == [True]
    assert "subnet-" + "0" * 17 + "8" in field_lines(FieldChange("networkConfiguration", None, network), whole=True)[1]
    assert FieldChange("loadBalancers", old, new).to_dict()["new"] == new  # the plan file keeps the ARN
