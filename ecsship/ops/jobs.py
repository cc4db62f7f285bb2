"""Scheduled jobs on a deployed service: `ecsship job list` and `ecsship job run NAME`.

A job's runs are the tasks of the service's family in the job's ECS task group (`ecsship-job:<name>`,
desired/names.job_group), whoever started them: EventBridge Scheduler (EcsParameters.Group) or
`job run` (RunTask `group`). ListTasks lists stopped tasks for about an hour after they stop (botocore
`ecs ListTasks`: "Recently stopped tasks might appear in the returned results"), so older runs are
not shown. The next run comes from the schedule's expression and time zone (manifest/schedule_expr).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ecsship.aws.errors import aws_call
from ecsship.deploy import names as deploy_names
from ecsship.desired import names
from ecsship.errors import UsageError
from ecsship.manifest.durations import parse_duration
from ecsship.manifest.schedule_expr import iso, next_run
from ecsship.ops import run as one_off

LAST_RUNS = 3
DEFAULT_TIMEOUT = "30m"


@dataclass
class JobRun:
    task_id: str
    status: str
    started_at: str | None
    stopped_at: str | None
    exit_code: int | None
    reason: str

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class JobState:
    name: str
    schedule: str
    timezone: str
    command: list[str]
    state: str  # ENABLED, DISABLED, or "not created" (apply has not made it yet)
    next_run: str | None
    runs: list[JobRun] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"event": "job", "name": self.name, "schedule": self.schedule, "timezone": self.timezone,
                "command": self.command, "state": self.state, "next_run": self.next_run,
                "runs": [r.to_json() for r in self.runs]}


def job_named(data: dict, name: str) -> dict:
    jobs = data.get("jobs") or []
    found = next((j for j in jobs if j.get("name") == name), None)
    if found is None:
        listed = ", ".join(j["name"] for j in jobs) or "none"
        raise UsageError(f"no job named {name} in the manifest (jobs: {listed})", "`ecsship job list` shows them")
    return found


def run_job(aws, cluster: str, service: str, container: str, job: dict, clock, listener) -> one_off.Result:
    """Start the job now, as its schedule would (the service's revision, the job's command and size,
    its task group), and follow it to its end (stopped after the job's timeout)."""
    size = {k: str(job[k]) for k in ("cpu", "memory") if job.get(k) is not None}
    task = one_off.start(aws, cluster, service, container, list(job["command"]), started_by=f"ecsship-job-{job['name']}",
                         group=names.job_group(job["name"]), size=size, token=f"job {job['name']} {clock.now()}")
    listener.started(task)
    return one_off.watch(aws, task, clock, listener, timeout=parse_duration(job.get("timeout", DEFAULT_TIMEOUT)))


def list_jobs(aws, cluster: str, service: str, jobs: list[dict], now: float) -> list[JobState]:
    """`now`: the local clock, used only when AWS's answer carries no `Date` header (AWS's time is
    what the schedules run on)."""
    runs = _runs_by_group(aws, cluster, names.task_family(cluster, service))
    out = []
    for job in jobs:
        schedule = _schedule(aws, names.schedule_name(cluster, service, job["name"]))
        now = _server_time(schedule, now)
        tz = job.get("timezone", "UTC")
        if schedule is None:
            state, upcoming = "not created", None
        else:
            state = schedule.get("State", "ENABLED")
            created = schedule.get("CreationDate")
            start = created.timestamp() if hasattr(created, "timestamp") else now
            when = next_run(schedule["ScheduleExpression"], schedule.get("ScheduleExpressionTimezone") or "UTC", now, start)
            upcoming = iso(when) if when is not None and state == "ENABLED" else None
        out.append(JobState(job["name"], job["schedule"], tz, list(job["command"]), state, upcoming,
                            runs.get(names.job_group(job["name"]), [])[:LAST_RUNS]))
    return out


def _server_time(answer: dict | None, fallback: float) -> float:
    from email.utils import parsedate_to_datetime

    date = ((answer or {}).get("ResponseMetadata") or {}).get("HTTPHeaders", {}).get("date")
    try:
        return parsedate_to_datetime(date).timestamp() if date else fallback
    except (TypeError, ValueError):
        return fallback


def _schedule(aws, name: str) -> dict | None:
    try:
        with aws_call(f"schedule {name}", "scheduler:GetSchedule"):
            return aws.client("scheduler").get_schedule(Name=name, GroupName="default")
    except Exception as exc:
        if getattr(exc, "code", "") == "ResourceNotFoundException":
            return None
        raise


def _runs_by_group(aws, cluster: str, family: str) -> dict[str, list[JobRun]]:
    """The family's running and recently stopped tasks in job groups, newest first, by group."""
    ecs = aws.client("ecs")
    arns: list[str] = []
    for status in ("RUNNING", "STOPPED"):
        try:
            with aws_call(f"tasks of {family}", "ecs:ListTasks"):
                pages = ecs.get_paginator("list_tasks").paginate(cluster=cluster, family=family, desiredStatus=status)
                arns += [a for page in pages for a in page.get("taskArns") or []]
        except Exception as exc:
            if getattr(exc, "code", "") == "ClusterNotFoundException":
                return {}
            raise
    tasks: list[dict] = []
    for i in range(0, len(arns), 100):
        with aws_call(f"tasks of {family}", "ecs:DescribeTasks"):
            tasks += ecs.describe_tasks(cluster=cluster, tasks=arns[i:i + 100]).get("tasks") or []
    by_group: dict[str, list[JobRun]] = {}
    for task in sorted(tasks, key=lambda t: str(t.get("createdAt") or ""), reverse=True):
        group = task.get("group") or ""
        if group.startswith(names.JOB_GROUP_PREFIX):
            by_group.setdefault(group, []).append(_run_of(task))
    return by_group


def _run_of(task: dict) -> JobRun:
    containers = task.get("containers") or []
    exit_code = next((c.get("exitCode") for c in containers if c.get("exitCode") is not None), None)
    return JobRun(task["taskArn"].rsplit("/", 1)[-1], task.get("lastStatus", ""), deploy_names.iso(task.get("startedAt") or task.get("createdAt")) or None,
                  deploy_names.iso(task.get("stoppedAt")) or None, exit_code, task.get("stoppedReason") or "")

