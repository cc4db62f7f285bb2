"""desired.builder jobs: per job an EventBridge Scheduler schedule (botocore scheduler CreateSchedule:
Name 1-64 `[0-9a-zA-Z-_.]+`; Target.EcsParameters; RetryPolicy.MaximumEventAgeInSeconds 60..86400,
MaximumRetryAttempts 0..185), a least-privilege scheduler role, a dead-letter queue, a failure alarm."""
from __future__ import annotations

import json

from ecsship.desired import build, names
from ecsship.desired.output_refs import Ref
from ecsship.manifest.document import load_manifest

from tests.unit.desired.test_builder import EXAMPLES


def jobs_model(tmp_path, replace: tuple = ()):
    text = (EXAMPLES / "jobs" / "ecsship.yaml").read_text()
    for old, new in replace:
        text = text.replace(old, new)
    path = tmp_path / "ecsship.yaml"
    path.write_text(text)
    return build(load_manifest(str(path)))


def test_each_job_is_a_schedule_running_the_service_revision_with_its_command_and_size(tmp_path):
    desired = jobs_model(tmp_path)
    schedules = desired.get("schedules").spec["schedules"]
    assert sorted(schedules) == ["shop-reports-expire-sessions", "shop-reports-nightly-report"]
    nightly = schedules["shop-reports-nightly-report"]
    assert nightly["ScheduleExpression"] == "cron(0 3 * * ? *)" and nightly["ScheduleExpressionTimezone"] == "Europe/Berlin"
    target = nightly["Target"]
    assert target["EcsParameters"]["TaskDefinitionArn"] == Ref("task_definition", "arn")  # the revision the service runs
    assert target["EcsParameters"]["LaunchType"] == "FARGATE" and target["EcsParameters"]["Group"] == "ecsship-job:nightly-report"
    assert target["EcsParameters"]["NetworkConfiguration"]["awsvpcConfiguration"]["SecurityGroups"] == [Ref("security_group.tasks", "id")]
    assert json.loads(target["Input"]) == {"containerOverrides": [{"name": "reports", "command": ["bin/report", "--since", "24h"]}],
                                           "cpu": "1024", "memory": "2048"}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600}
    assert target["DeadLetterConfig"] == {"Arn": Ref("queue.jobs", "arn")}
    assert schedules["shop-reports-expire-sessions"]["ScheduleExpressionTimezone"] == "UTC"
    assert "cpu" not in json.loads(schedules["shop-reports-expire-sessions"]["Target"]["Input"])  # the service's size


def test_scheduler_role_may_run_only_this_family_and_pass_only_the_task_roles(tmp_path):
    role = jobs_model(tmp_path).get("role.scheduler")
    assert role.spec["trust"]["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
    statements = {s["Sid"]: s for s in role.spec["policy"]["Statement"]}
    assert statements["RunJobTasks"]["Action"] == ["ecs:RunTask"]
    assert str(statements["RunJobTasks"]["Resource"][0]).endswith(":task-definition/shop-reports:*")
    assert statements["PassTaskRoles"]["Action"] == ["iam:PassRole"]
    assert statements["PassTaskRoles"]["Resource"] == [Ref("role.task", "arn"), Ref("role.execution", "arn")]
    assert statements["DeadLetter"]["Resource"] == [Ref("queue.jobs", "arn")]
    assert set(statements) == {"RunJobTasks", "PassTaskRoles", "DeadLetter"}


def test_failure_alarm_only_with_a_topic_to_notify_and_never_a_rollback_alarm(tmp_path):
    desired = jobs_model(tmp_path)
    alarm = desired.get("alarm.jobs-failed")
    assert alarm.spec["MetricName"] == "MatchedEvents" and alarm.spec["Namespace"] == "AWS/Events"
    assert alarm.spec["Dimensions"] == [{"Name": "RuleName", "Value": "shop-reports-jobs-failed"}]
    pattern = desired.get("event_rule.jobs").spec["EventPattern"]
    assert pattern["detail"]["containers"] == {"exitCode": [{"anything-but": 0}]}
    quiet = jobs_model(tmp_path / "q" if (tmp_path / "q").mkdir() is None else tmp_path, replace=(
        ("observability:\n  alarms:\n    notify: arn:aws:sns:us-east-1:123456789012:oncall   # also alarms when a job's task exits non-zero\n", ""),))
    assert quiet.get("alarm.jobs-failed") is None and quiet.get("event_rule.jobs") is None and quiet.get("schedules") is not None


def test_long_names_fit_the_schedule_limit_with_a_hash():
    long = names.schedule_name("a-very-long-cluster-name-for-production", "checkout-api-service", "nightly-report-of-everything")
    assert len(long) == 64 and long.startswith(names.schedule_prefix("a-very-long-cluster-name-for-production", "checkout-api-service"))
    other = names.schedule_name("a-very-long-cluster-name-for-production", "checkout-api-service", "nightly-report-of-everything-else")
    assert other != long
