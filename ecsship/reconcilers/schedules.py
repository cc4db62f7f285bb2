"""EventBridge Scheduler schedules: a service's scheduled jobs, one schedule each, in the default group.

botocore scheduler: GetSchedule answers ResourceNotFoundException; UpdateSchedule "replaces the
schedule": every field not sent is reset, so the whole schedule is sent each time; schedules take
no tags, so a schedule is ecsship's when its Description starts with `ecsship: <cluster>/<service>:`
(as alarms are recognised). ListSchedules(NamePrefix) finds a job the manifest no longer lists, which
the update deletes. A schedule naming a role IAM has not propagated yet is refused with "The execution
role you provide must allow AWS EventBridge Scheduler to assume the role": retried (base.while_role_propagates).
"""
from __future__ import annotations

import json

from ecsship.aws.errors import aws_call
from ecsship.aws.retrysafe import client_token
from ecsship.deploy import clock as clocks
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, while_role_propagates

GROUP = "default"
SENT = ("Description", "ScheduleExpression", "ScheduleExpressionTimezone", "FlexibleTimeWindow", "State", "Target")


def normalise(schedule: dict) -> dict:
    """The comparable shape of one schedule, the same for the spec and for GetSchedule."""
    target = schedule.get("Target") or {}
    ecs = target.get("EcsParameters") or {}
    net = (ecs.get("NetworkConfiguration") or {}).get("awsvpcConfiguration") or {}
    params: dict = {
        "TaskDefinitionArn": ecs.get("TaskDefinitionArn"), "TaskCount": ecs.get("TaskCount", 1), "Group": ecs.get("Group"),
        "NetworkConfiguration": {"awsvpcConfiguration": {"Subnets": sorted(net.get("Subnets") or []),
                                                         "SecurityGroups": sorted(net.get("SecurityGroups") or []),
                                                         "AssignPublicIp": net.get("AssignPublicIp") or "DISABLED"}},
    }
    if ecs.get("CapacityProviderStrategy"):
        params["CapacityProviderStrategy"] = sorted(
            ({"capacityProvider": c["capacityProvider"], "weight": c.get("weight", 0), "base": c.get("base", 0)} for c in ecs["CapacityProviderStrategy"]),
            key=lambda c: c["capacityProvider"])
    else:
        params["LaunchType"] = ecs.get("LaunchType")
    retry = target.get("RetryPolicy") or {}
    return {
        "Description": schedule.get("Description") or "",
        "ScheduleExpression": schedule.get("ScheduleExpression"),
        "ScheduleExpressionTimezone": schedule.get("ScheduleExpressionTimezone") or "UTC",
        "FlexibleTimeWindow": {"Mode": (schedule.get("FlexibleTimeWindow") or {}).get("Mode", "OFF")},
        "State": schedule.get("State") or "ENABLED",
        "Target": {
            "Arn": target.get("Arn"), "RoleArn": target.get("RoleArn"),
            "DeadLetterConfig": {"Arn": (target.get("DeadLetterConfig") or {}).get("Arn")},
            "RetryPolicy": {"MaximumRetryAttempts": retry.get("MaximumRetryAttempts"), "MaximumEventAgeInSeconds": retry.get("MaximumEventAgeInSeconds")},
            "Input": json.loads(target["Input"]) if target.get("Input") else None,
            "EcsParameters": params,
        },
    }


class SchedulesReconciler(Reconciler):
    on_destroy = OnDestroy(unmanaged="")  # delete() removes only the schedules marked as ours
    kind = "schedules"

    def read(self, aws, res, spec):
        scheduler = aws.client("scheduler")
        wanted = spec["schedules"]
        with aws_call(res.label, "scheduler:ListSchedules"):
            pages = scheduler.get_paginator("list_schedules").paginate(GroupName=GROUP, NamePrefix=spec["prefix"])
            listed = sorted({s["Name"] for page in pages for s in page.get("Schedules") or []} | set(wanted))
        state, ours, foreign = {}, [], []
        for name in listed:
            found = _get(aws, res, name)
            if found is None:
                continue
            if (found.get("Description") or "").startswith(spec["marker"]):
                ours.append(name)
                state[name] = normalise(found)
            elif name in wanted:
                foreign.append(name)
                state[name] = normalise(found)
        if not state:
            return None
        note = f"schedule(s) {', '.join(foreign)} exist but are not ecsship's" if foreign else ""
        return Live(state={"schedules": state}, outputs={"names": ours}, managed=not foreign,
                    raw={"ours": ours}, note=note)

    def desired_state(self, res, spec, live=None):
        return {"schedules": {name: normalise(s) for name, s in spec["schedules"].items()}}

    def create(self, aws, res, spec):
        for name, schedule in spec["schedules"].items():
            self._create(aws, res, name, schedule)
        return {"names": sorted(spec["schedules"])}

    def update(self, aws, res, spec, live, fields):
        have = live.state["schedules"]
        changed = {f.path.split(".")[1] for f in fields if f.path.startswith("schedules.") and f.path.count(".") >= 1}
        for name, schedule in spec["schedules"].items():
            if name not in have:
                self._create(aws, res, name, schedule)
            elif name in changed:
                self._send(aws, res, name, schedule, "UpdateSchedule")
        for name in live.raw["ours"]:
            if name not in spec["schedules"]:
                self._delete(aws, res, name)
        return {"names": sorted(spec["schedules"])}

    def adopt(self, aws, res, spec, live):
        return None  # update rewrites the description, which is what marks a schedule as ours

    def delete(self, aws, res, live):
        for name in live.raw["ours"]:
            self._delete(aws, res, name)

    def _create(self, aws, res, name, schedule):
        self._send(aws, res, name, schedule, "CreateSchedule",
                   ClientToken=client_token(aws, "schedule", name, json.dumps(schedule, sort_keys=True, default=str)))

    def _send(self, aws, res, name, schedule, call, **extra):
        kwargs = {k: schedule[k] for k in SENT if k in schedule}
        method = getattr(aws.client("scheduler"), "create_schedule" if call == "CreateSchedule" else "update_schedule")

        def send():
            with aws_call(f"schedule {name}", f"scheduler:{call}"):
                return method(Name=name, GroupName=GROUP, **kwargs, **extra)

        while_role_propagates(send, clocks.clock_for(aws).sleep)

    def _delete(self, aws, res, name):
        try:
            with aws_call(f"schedule {name}", "scheduler:DeleteSchedule"):
                aws.client("scheduler").delete_schedule(Name=name, GroupName=GROUP)
        except Exception as exc:
            if getattr(exc, "code", "") != "ResourceNotFoundException":
                raise


def _get(aws, res, name: str) -> dict | None:
    try:
        with aws_call(f"schedule {name}", "scheduler:GetSchedule"):
            return aws.client("scheduler").get_schedule(Name=name, GroupName=GROUP)
    except Exception as exc:
        if getattr(exc, "code", "") == "ResourceNotFoundException":
            return None
        raise
