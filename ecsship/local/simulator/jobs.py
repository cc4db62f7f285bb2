"""EventBridge Scheduler: a schedule whose target is ECS RunTask starts its task when its time comes
on the simulated clock (moto stores schedules and never runs them).

EventBridge Scheduler User Guide, "Schedule types" (cron and rate expressions, evaluated in
ScheduleExpressionTimezone) and "Using templated targets" (Amazon ECS RunTask with `EcsParameters`);
the target's `Input` is the RunTask `overrides` (ECS `TaskOverride`: containerOverrides, cpu, memory).
Only ENABLED schedules in a group run; each due time starts `TaskCount` tasks through the same
RunTask path as a RunTask call (simulator/oneoff.py), so they run, log and exit by its outcome rule.
The expressions are evaluated by ecsship/manifest/schedule_expr.py, the code `validate` and
`job list` use: a misreading there is not caught by the local AWS. Not modelled: the flexible time
window, retries and the dead-letter queue (RunTask never fails to deliver locally), start and end
dates, the `startedBy` of scheduled tasks, one-time `at()` schedules.
"""
from __future__ import annotations

import json

from ecsship.manifest.schedule_expr import ExpressionError, next_run


class JobEngine:
    def __init__(self, sim):
        self.sim = sim
        self.checked: dict[str, float] = {}  # schedule ARN -> the time up to which it has run

    def reset(self) -> None:
        self.checked.clear()

    def schedules(self):
        from moto.scheduler.models import scheduler_backends

        for account_id, per_region in list(scheduler_backends.items()):
            for region, backend in list(per_region.items()):
                for group in list(backend.schedule_groups.values()):
                    for schedule in list(group.schedules.values()):
                        if schedule.state == "ENABLED" and (schedule.target or {}).get("EcsParameters"):
                            yield account_id, region, schedule

    def next_due(self, now: float) -> tuple[float, tuple] | None:
        """The earliest (time, schedule) due at or before `now`, None when none is."""
        best = None
        for account_id, region, schedule in self.schedules():
            since = self.checked.setdefault(schedule.arn, float(schedule.creation_date))
            try:
                due = next_run(schedule.schedule_expression, schedule.schedule_expression_timezone, since, float(schedule.creation_date))
            except (ExpressionError, ValueError):
                continue  # moto accepted an expression AWS would have refused; it never runs
            if due is not None and due <= now and (best is None or due < best[0]):
                best = (due, (account_id, region, schedule))
        return best

    def fire(self, due: float, found: tuple) -> None:
        from moto.ecs.models import ecs_backends

        from ecsship.local.simulator.oneoff import start_tasks

        account_id, region, schedule = found
        self.checked[schedule.arn] = due
        target = schedule.target
        ecs = target["EcsParameters"]
        net = (ecs.get("NetworkConfiguration") or {}).get("awsvpcConfiguration") or {}
        params = {
            "cluster": target["Arn"], "taskDefinition": ecs["TaskDefinitionArn"], "count": ecs.get("TaskCount", 1),
            "overrides": json.loads(target["Input"]) if target.get("Input") else {}, "group": ecs.get("Group"),
            "launchType": ecs.get("LaunchType"), "capacityProviderStrategy": ecs.get("CapacityProviderStrategy"),
            "platformVersion": ecs.get("PlatformVersion"), "enableExecuteCommand": ecs.get("EnableExecuteCommand", False),
            "networkConfiguration": {"awsvpcConfiguration": {
                "subnets": net.get("Subnets") or [], "securityGroups": net.get("SecurityGroups") or [],
                "assignPublicIp": net.get("AssignPublicIp") or "DISABLED"}} if net else None,
        }
        try:
            start_tasks(ecs_backends[account_id][region], params, due, self.sim.fail_images)
        except Exception:  # noqa: BLE001 - AWS would send the event to the dead-letter queue; nothing runs
            return
