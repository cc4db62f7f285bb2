"""Task definition: a new revision only when the normalised content differs from the latest active one.

Also used by `deploy` (register_if_changed) so a deploy of an unchanged image registers nothing.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.reconcilers.base import Live, Reconciler, owned, tag_dict, tag_list

TOP_KEYS = ("family", "taskRoleArn", "executionRoleArn", "networkMode", "requiresCompatibilities", "cpu", "memory", "runtimePlatform")
CONTAINER_KEYS = ("image", "essential", "cpu", "memory", "memoryReservation", "portMappings", "environment", "secrets",
                  "logConfiguration", "healthCheck", "stopTimeout", "command", "entryPoint", "dependsOn")


def normalise(definition: dict, tags: dict) -> dict:
    """The comparable shape of a task definition, the same for the spec and for DescribeTaskDefinition."""
    out = {k: definition.get(k) for k in TOP_KEYS}
    out["requiresCompatibilities"] = sorted(out["requiresCompatibilities"] or [])
    out["cpu"] = str(out["cpu"]) if out["cpu"] is not None else None
    out["memory"] = str(out["memory"]) if out["memory"] is not None else None
    out["containerDefinitions"] = {c["name"]: _container(c, definition.get("networkMode")) for c in definition.get("containerDefinitions") or []}
    out["tags"] = dict(tags)
    return out


def _container(c: dict, network_mode: str | None) -> dict:
    out = {}
    for key in CONTAINER_KEYS:
        value = c.get(key)
        if value in (None, [], {}) or (key == "cpu" and value == 0):
            continue
        out[key] = value
    out["environment"] = {e["name"]: e["value"] for e in c.get("environment") or []}
    out["secrets"] = {s["name"]: s["valueFrom"] for s in c.get("secrets") or []}
    out["essential"] = c.get("essential", True)
    if c.get("portMappings"):
        out["portMappings"] = sorted(
            ({"containerPort": p["containerPort"],
              "hostPort": p.get("hostPort", p["containerPort"] if network_mode == "awsvpc" else 0),
              "protocol": p.get("protocol", "tcp"), **({"name": p["name"]} if p.get("name") else {})}
             for p in c["portMappings"]), key=lambda p: (p["containerPort"], p["protocol"]))
    if c.get("healthCheck"):
        hc = c["healthCheck"]
        out["healthCheck"] = {"command": list(hc["command"]), "interval": hc.get("interval", 30), "timeout": hc.get("timeout", 5),
                              "retries": hc.get("retries", 3), "startPeriod": hc.get("startPeriod", 0)}
    return out


class TaskDefinitionReconciler(Reconciler):
    kind = "task_definition"
    changes_on_update = ("arn", "revision")  # an update registers a new revision
    requires_ownership = False  # a family is identified by name; a new revision carries our tags

    def read(self, aws, res, spec):
        try:
            with aws_call(res.label, "ecs:DescribeTaskDefinition"):
                found = aws.client("ecs").describe_task_definition(taskDefinition=res.name, include=["TAGS"])
        except Exception as exc:
            if getattr(exc, "code", "") in ("ClientException", "InvalidParameterException"):
                return None  # no active revision in this family
            raise
        definition = found["taskDefinition"]
        tags = tag_dict(found.get("tags"), "key", "value")
        return Live(state=normalise(definition, tags),
                    outputs={"arn": definition["taskDefinitionArn"], "revision": definition["revision"], "family": res.name},
                    managed=owned(tags, res))

    def desired_state(self, res, spec, live=None):
        return normalise(spec, res.tags)

    def create(self, aws, res, spec):
        return register(aws, res, spec)

    def update(self, aws, res, spec, live, fields):
        return register(aws, res, spec)

    def delete(self, aws, res, live):
        deregister_all(aws, res.name)


def register(aws, res, spec: dict) -> dict:
    # Not safe to resend (a lost answer would leave two equal revisions): send once, and after a
    # transient failure look whether the latest revision is already this content before resending.
    from ecsship.aws.retrysafe import send_once

    reconciler = TaskDefinitionReconciler()

    def find():
        live = reconciler.read(aws, res, spec)
        return live.outputs if live is not None and live.state == reconciler.desired_state(res, spec) else None

    def send(ecs):
        definition = ecs.register_task_definition(**spec, tags=tag_list(res.tags, "key", "value"))["taskDefinition"]
        return {"arn": definition["taskDefinitionArn"], "revision": definition["revision"], "family": res.name}

    with aws_call(res.label, "ecs:RegisterTaskDefinition"):
        return send_once(aws, "ecs", send, find)


def register_if_changed(aws, res, spec: dict) -> tuple[dict, bool]:
    """(outputs, registered): a new revision only when the content differs from the latest active one."""
    reconciler = TaskDefinitionReconciler()
    live = reconciler.read(aws, res, spec)
    if live is not None and live.state == reconciler.desired_state(res, spec):
        return live.outputs, False
    return register(aws, res, spec), True


def deregister_all(aws, family: str) -> int:
    ecs = aws.client("ecs")
    count = 0
    pages = ecs.get_paginator("list_task_definitions").paginate(familyPrefix=family, status="ACTIVE")
    for page in pages:
        for arn in page["taskDefinitionArns"]:
            if arn.rsplit("/", 1)[-1].rsplit(":", 1)[0] != family:
                continue  # familyPrefix also matches longer family names
            with aws_call(f"task definition {family}", "ecs:DeregisterTaskDefinition"):
                ecs.deregister_task_definition(taskDefinition=arn)
            count += 1
    return count
