"""Pure parts of the day-2 operations: the local outcome rule, the steps tag, log selection, results."""
from __future__ import annotations

import pytest

from ecsship.desired.names import one_off_family
from ecsship.local.simulator.oneoff import exit_code_for
from ecsship.ops.logs import Selection, TaskInfo
from ecsship.ops.run import OneOff, Result
from ecsship.ops.steps import parse_steps_tag
from ecsship.ops.tasklogs import LogLine, awslogs_of, stream_name

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v1"


@pytest.mark.parametrize("command,image,code", [
    (["sh", "-c", "exit 3"], IMAGE, 3),
    (["sh", "-c", "echo hi; exit 2"], IMAGE, 2),
    (["bin/migrate", "up"], IMAGE, 0),
    (["bin/migrate"], IMAGE.replace(":v1", ":broken"), 1),
    (["sh", "-c", "exit 0"], IMAGE.replace(":v1", ":broken"), 0),  # the command's rule comes first
    (["sh", "-c", "exit 300"], IMAGE, 300 % 256),
    ([], IMAGE, 0),
])
def test_local_outcome_rule(command, image, code):
    """docs/local.md: a command whose last argument ends with `exit N` exits N; a fail-pattern image 1; else 0."""
    assert exit_code_for(command, [image], "*broken*") == code


def test_steps_tag_round_trip():
    assert parse_steps_tag("before:migrate=0 after:contract=3") == [
        {"phase": "before", "name": "migrate", "exit_code": 0}, {"phase": "after", "name": "contract", "exit_code": 3}]
    assert parse_steps_tag(None) == [] and parse_steps_tag("garbage") == []


def test_selection():
    info = TaskInfo("arn:aws:ecs:us-east-1:1:task-definition/shop-web:7", "ecs-svc/123")
    assert Selection(revision=7).wants("abc", info) and not Selection(revision=17).wants("abc", info)
    assert Selection(task="ab").wants("abc", info) and not Selection(task="b").wants("abc", info)
    assert Selection(deployment="ecs-svc/123").wants("abc", info) and not Selection(deployment="ecs-svc/9").wants("abc", info)
    assert not Selection(revision=7).wants("abc", None)  # an unknown task is not of any revision
    # the short id text shows (deploy/names.short_deployment) selects the same deployment
    long = TaskInfo("arn:aws:ecs:us-east-1:1:task-definition/shop-web:7", "ecs-svc/9223370564341623665")
    assert Selection(deployment="ecs-svc/…41623665").wants("abc", long) and not Selection(deployment="ecs-svc/…41623666").wants("abc", long)
    assert Selection(deployment="ecs-svc/41623665").wants("abc", long)  # typed without the ellipsis


def test_stream_naming_and_awslogs():
    """ECS Developer Guide, "Send Amazon ECS logs to CloudWatch": prefix/container-name/ecs-task-id."""
    definition = {"containerDefinitions": [{"name": "web", "logConfiguration": {"logDriver": "awslogs", "options": {
        "awslogs-group": "/ecs/shop/web", "awslogs-stream-prefix": "web"}}}]}
    assert awslogs_of(definition, "web") == ("/ecs/shop/web", "web")
    assert awslogs_of(definition, "other") is None
    name = stream_name("web", "web", "arn:aws:ecs:us-east-1:1:task/shop/0123abcd")
    assert name == "web/web/0123abcd"
    line = LogLine(0, name, "hi", "1")
    assert (line.task_id, line.container, line.iso) == ("0123abcd", "web", "1970-01-01T00:00:00+00:00")


def test_run_exit_code():
    task = OneOff("shop", "arn:aws:ecs:us-east-1:1:task/shop/t", "arn:aws:ecs:us-east-1:1:task-definition/f:1", "web", ["x"])
    assert Result(task, 3, "").command_exit == 3
    assert Result(task, None, "CannotPullContainerError").command_exit == 1  # no exit code: 1
    assert Result(task, 0, "", timed_out=True).command_exit == 1  # ecsship stopped it
    assert one_off_family("shop-web") == "shop-web-oneoff" and len(one_off_family("x" * 255)) == 255
