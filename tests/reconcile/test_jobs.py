"""Scheduled jobs, one journey on the local AWS: apply, read back, re-plan to nothing, run now, run on
schedule, list, destroy.

botocore scheduler GetSchedule (ScheduleExpression, ScheduleExpressionTimezone, Target.EcsParameters,
Target.Input, Target.RetryPolicy); ECS RunTask `group` and `overrides`; the local AWS runs a schedule's
RunTask target when its time comes (docs/local.md, simulator/jobs.py)."""
from __future__ import annotations

import json

from tests.deploy.test_e2e import applied, service_of
from tests.unit.desired.test_builder import EXAMPLES


def test_jobs_apply_run_now_run_on_schedule_list_and_destroy(run_cli, aws, tmp_path):
    manifest = tmp_path / "ecsship.yaml"
    manifest.write_text((EXAMPLES / "jobs" / "ecsship.yaml").read_text().replace("[bin/expire-sessions]", '[sh, -c, "exit 4"]'))
    began = _server_time(aws)
    svc = applied(run_cli, aws, str(manifest), "reports")

    schedule = aws.client("scheduler").get_schedule(Name="shop-reports-nightly-report")
    assert schedule["ScheduleExpression"] == "cron(0 3 * * ? *)" and schedule["ScheduleExpressionTimezone"] == "Europe/Berlin"
    target = schedule["Target"]
    assert target["EcsParameters"]["TaskDefinitionArn"] == svc["taskDefinition"]
    assert json.loads(target["Input"])["containerOverrides"] == [{"name": "reports", "command": ["bin/report", "--since", "24h"]}]
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600}
    assert target["DeadLetterConfig"]["Arn"].endswith(":shop-reports-jobs-dlq")
    policy = aws.client("iam").get_role_policy(RoleName="shop-reports-scheduler", PolicyName="ecsship")["PolicyDocument"]
    run = next(s for s in policy["Statement"] if s["Sid"] == "RunJobTasks")
    assert run["Action"] == ["ecs:RunTask"] and run["Resource"] == ["arn:aws:ecs:us-east-1:123456789012:task-definition/shop-reports:*"]
    assert run_cli("plan", "-f", str(manifest), "--detailed-exitcode").exit_code == 0  # a second apply changes nothing

    now = run_cli("job", "run", "expire-sessions", "-f", str(manifest))
    assert now.exit_code == 4, now.output  # the task's exit code
    assert run_cli("job", "run", "nightly-report", "-f", str(manifest)).exit_code == 0

    aws.advance(3700)  # rate(1 hour): the schedule starts the job once on the simulated clock
    for _ in range(3):
        aws.advance(15)
    # The nightly job fires too when the simulated clock (shared by the tests of this worker, started
    # at the wall clock) crossed 03:00 Berlin since the schedule was made: expected, not a flake.
    nightly_fired = _crossed_local_time(began, _server_time(aws), "Europe/Berlin", hour=3)
    listed = run_cli("--output", "json", "job", "list", "-f", str(manifest))
    assert listed.exit_code == 0, listed.output
    jobs = {j["name"]: j for j in map(json.loads, listed.stdout.splitlines())}
    assert [r["exit_code"] for r in jobs["expire-sessions"]["runs"]] == [4, 4]  # scheduled, then `job run`
    assert [r["exit_code"] for r in jobs["nightly-report"]["runs"]] == [0] * (1 + nightly_fired)
    assert jobs["nightly-report"]["next_run"].endswith(("T01:00:00+00:00", "T02:00:00+00:00"))  # 03:00 Berlin
    text = run_cli("job", "list", "-f", str(manifest)).stdout
    assert "exit 4" in text and all(len(line) <= 100 for line in text.splitlines())

    deployed = run_cli("deploy", "-f", str(manifest), "--image-tag", "v2")  # the jobs follow the deployed revision
    assert deployed.exit_code == 0, deployed.output
    moved = aws.client("scheduler").get_schedule(Name="shop-reports-nightly-report")["Target"]["EcsParameters"]["TaskDefinitionArn"]
    assert moved.endswith(":task-definition/shop-reports:2") and moved == service_of(aws, "reports")["taskDefinition"]
    assert run_cli("rollback", "-f", str(manifest)).exit_code == 0  # and back with a rollback
    back = aws.client("scheduler").get_schedule(Name="shop-reports-expire-sessions")["Target"]["EcsParameters"]["TaskDefinitionArn"]
    assert back.endswith(":task-definition/shop-reports:1")

    # Every job removed (issue #18): what only jobs had is planned as deletions (plan/orphans.py), schedules
    # first, the queue last; apply deletes them (botocore scheduler DeleteSchedule, iam DeleteRolePolicy and
    # DeleteRole, cloudwatch DeleteAlarms, events RemoveTargets/DeleteRule, sqs DeleteQueue); nothing is left to plan.
    jobless = tmp_path / "jobless.yaml"
    jobless.write_text(manifest.read_text().split("\njobs:")[0])
    plan = run_cli("plan", "-f", str(jobless), "--output", "json")
    deleted = [(c["kind"], c["name"]) for c in json.loads(plan.stdout)["changes"] if c["action"] == "delete"]
    assert deleted == [("schedules", "shop-reports-*"), ("role", "shop-reports-scheduler"), ("alarm", "shop-reports-jobs-failed"),
                       ("event_rule", "shop-reports-jobs-failed"), ("queue", "shop-reports-jobs-dlq")], plan.output
    assert run_cli("apply", "-f", str(jobless), "--yes").exit_code == 0
    assert aws.client("scheduler").list_schedules()["Schedules"] == []
    assert aws.client("sqs").list_queues().get("QueueUrls", []) == []
    assert aws.client("events").list_rules(NamePrefix="shop-reports")["Rules"] == []
    assert aws.client("cloudwatch").describe_alarms(AlarmNames=["shop-reports-jobs-failed"])["MetricAlarms"] == []
    assert "shop-reports-scheduler" not in [r["RoleName"] for r in aws.client("iam").list_roles()["Roles"]]
    assert run_cli("plan", "-f", str(jobless), "--detailed-exitcode").exit_code == 0

    assert run_cli("destroy", "-f", str(manifest), "--yes").exit_code == 0
    assert aws.client("scheduler").list_schedules()["Schedules"] == []
    assert aws.client("sqs").list_queues().get("QueueUrls", []) == []
    assert aws.client("events").list_rules(NamePrefix="shop-reports")["Rules"] == []
    assert "shop-reports-scheduler" not in [r["RoleName"] for r in aws.client("iam").list_roles()["Roles"]]


def _server_time(aws) -> float:
    """The local AWS's simulated now: its answers' Date header (see the test below)."""
    from email.utils import parsedate_to_datetime

    headers = aws.client("ecs").list_clusters()["ResponseMetadata"]["HTTPHeaders"]
    return parsedate_to_datetime(headers["date"]).timestamp()


def _crossed_local_time(start: float, end: float, zone: str, *, hour: int) -> bool:
    """Whether `hour`:00 in `zone` falls in (start, end]."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    day = datetime.fromtimestamp(start, tz).replace(hour=0, minute=0, second=0, microsecond=0)
    for offset in range(0, 3):
        moment = (day + timedelta(days=offset)).replace(hour=hour).timestamp()
        if start < moment <= end:
            return True
    return False


def test_crossing_a_local_time_counts_the_window_in_that_zone():
    berlin_3am_winter = 1764554400.0  # 2025-12-01T02:00:00Z is 03:00 in Berlin (UTC+1)
    assert _crossed_local_time(berlin_3am_winter - 60, berlin_3am_winter + 3700, "Europe/Berlin", hour=3)
    assert not _crossed_local_time(berlin_3am_winter + 1, berlin_3am_winter + 3700, "Europe/Berlin", hour=3)
    assert not _crossed_local_time(berlin_3am_winter - 7200, berlin_3am_winter - 3600, "Europe/Berlin", hour=3)


def test_the_local_date_header_is_the_backend_clock(aws):
    """RFC 9110 "Date": when the server made the answer. `job list` reads AWS's time from it, so the
    local AWS answers with its simulated time (the clock of its timestamps), not the wall clock."""
    before = _server_time(aws)
    aws.advance(86_400)
    assert _server_time(aws) - before >= 86_400
