"""The local AWS's RunTask: one-off tasks run PROVISIONING -> PENDING -> RUNNING -> STOPPED over
simulated time, exit by the documented rule (docs/local.md), and write awslogs lines.

AWS sources: Amazon ECS Developer Guide "Amazon ECS task lifecycle" (the states), "Send Amazon ECS
logs to CloudWatch" (stream `prefix/container-name/ecs-task-id`); ECS API Reference Task.stopCode
(EssentialContainerExited, TaskFailedToStart, UserInitiated) and Container.exitCode.
"""
from __future__ import annotations

from tests.local.helpers import REGISTRY, seeded_network

GROUP = "/ecs/oneoff-test"


def _definition(aws, tag: str = "v1", repository: str = "checkout-api") -> str:
    aws.client("logs").create_log_group(logGroupName=GROUP)
    return aws.client("ecs").register_task_definition(
        family="oneoff", requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512",
        containerDefinitions=[{"name": "app", "image": f"{REGISTRY}/{repository}:{tag}", "essential": True,
                               "command": ["bin/serve"],
                               "logConfiguration": {"logDriver": "awslogs", "options": {
                                   "awslogs-group": GROUP, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "job"}}}],
    )["taskDefinition"]["taskDefinitionArn"]


def _run(aws, td: str, command: list[str] | None = None) -> str:
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="shop")
    net = seeded_network(aws)
    overrides = {"containerOverrides": [{"name": "app", "command": command}]} if command else {}
    return ecs.run_task(cluster="shop", taskDefinition=td, launchType="FARGATE", overrides=overrides,
                        networkConfiguration={"awsvpcConfiguration": {"subnets": net["subnets"], "securityGroups": [net["security_group"]]}},
                        )["tasks"][0]["taskArn"]


def _follow(aws, arn: str, limit: int = 60) -> tuple[list[str], dict]:
    ecs = aws.client("ecs")
    seen: list[str] = []
    for _ in range(limit):
        task = ecs.describe_tasks(cluster="shop", tasks=[arn])["tasks"][0]
        if not seen or seen[-1] != task["lastStatus"]:
            seen.append(task["lastStatus"])
        if task["lastStatus"] == "STOPPED":
            return seen, task
        aws.advance(1)
    raise AssertionError(f"task never stopped: {seen}")


def test_command_ending_in_exit_n_exits_n_through_the_whole_lifecycle(aws):
    arn = _run(aws, _definition(aws), ["sh", "-c", "exit 3"])
    states, task = _follow(aws, arn)
    assert states[:3] == ["PROVISIONING", "PENDING", "RUNNING"] and states[-1] == "STOPPED", states
    assert task["containers"][0]["exitCode"] == 3
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["stoppedReason"] == "Essential container in task exited"
    assert task["overrides"]["containerOverrides"][0]["command"] == ["sh", "-c", "exit 3"]


def test_plain_command_exits_0_and_writes_its_lines_to_the_awslogs_stream(aws):
    arn = _run(aws, _definition(aws), ["bin/migrate", "up"])
    _, task = _follow(aws, arn)
    assert task["containers"][0]["exitCode"] == 0
    stream = f"job/app/{arn.rsplit('/', 1)[-1]}"
    messages = [e["message"] for e in aws.client("logs").get_log_events(logGroupName=GROUP, logStreamName=stream)["events"]]
    assert "$ bin/migrate up" in messages and messages[-1] == "exiting with code 0", messages


def test_failing_image_tag_exits_1(aws):
    arn = _run(aws, _definition(aws, tag="broken"), ["bin/migrate"])  # seeded; matches `*broken*`
    _, task = _follow(aws, arn)
    assert task["containers"][0]["exitCode"] == 1


def test_missing_image_goes_from_pending_to_stopped_without_exit_code(aws):
    arn = _run(aws, _definition(aws, tag="no-such-tag"), ["bin/migrate"])
    states, task = _follow(aws, arn)
    assert "RUNNING" not in states, states
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith("CannotPullContainerError")
    assert "exitCode" not in task["containers"][0]


def test_stop_task_while_running_is_user_initiated(aws):
    arn = _run(aws, _definition(aws), ["sleep", "3600"])
    ecs = aws.client("ecs")
    for _ in range(20):
        if ecs.describe_tasks(cluster="shop", tasks=[arn])["tasks"][0]["lastStatus"] == "RUNNING":
            break
        aws.advance(1)
    ecs.stop_task(cluster="shop", task=arn, reason="timed out")
    _, task = _follow(aws, arn)
    assert task["stopCode"] == "UserInitiated" and task["stoppedReason"] == "timed out"
    assert task["containers"][0]["exitCode"] == 143


def test_filter_log_events_honours_the_stream_prefix(aws):
    """botocore `logs FilterLogEvents.logStreamNamePrefix`: only streams whose names start with it;
    with logStreamNames too: InvalidParameterException (moto searched every stream)."""
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=GROUP)
    now_ms = int(aws.advance(0) * 1000)  # the backend's clock: AWS refuses events over 14 days old
    for stream in ("job/app/1", "xray/xray/1"):
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
        logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=[{"timestamp": now_ms, "message": stream}])
    found = logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="job/")["events"]
    assert [e["message"] for e in found] == ["job/app/1"]
    assert logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="none/")["events"] == []
    import pytest

    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="job/", logStreamNames=["job/app/1"])
