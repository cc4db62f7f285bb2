"""What every reconciler provides, and the helpers they share.

A reconciler knows one kind of resource: how to read it (by name or tag, never by listing the
whole account), how to describe it as a normalised `state` dict that compares equal to the
desired state when the resource has converged, and how to create, update, replace or delete it.
Reading is all planning does; only the executor calls the writing methods.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ecsship.aws.errors import aws_call
from ecsship.deploy.polling import Backoff, retry_while
from ecsship.errors import EcsshipError
from ecsship.plan.diff import diff

OWNER_KEY = "ecsship:service"
CLUSTER_KEY = "ecsship:cluster"


class PlanProblem(EcsshipError):
    """Something the plan cannot go ahead with: a missing secret, a rule priority taken by another owner."""


@dataclass
class Live:
    state: dict  # normalised, comparable with Reconciler.desired_state
    outputs: dict = field(default_factory=dict)  # values later resources refer to (ARNs, ids)
    managed: bool = True  # carries ecsship's ownership tags for this service
    raw: Any = None  # whatever update/delete need; never serialised
    note: str = ""  # said under the resource in the plan


QUIET = "quiet"  # kept by destroy without a word (task definition revisions without --deregister)
NOT_MANAGED = "exists but is not managed by ecsship"


@dataclass(frozen=True)
class OnDestroy:
    """What `ecsship destroy` does with one kind. plan/destroy.py reads only this (and
    `Reconciler.kept_on_destroy`): it has no branch on a kind."""

    keep: str = ""  # never deleted, and why (shared with other services)
    needs: str = ""  # the destroy option without which it is kept ("delete_logs", "deregister")
    kept_without: str = QUIET  # what destroy says when it is kept for want of `needs`
    unmanaged: str = NOT_MANAGED  # said when it lacks our tags; "" when its delete is scoped to ours already
    deleted_with: str = ""  # the kind whose delete removes this one too (DeleteApplication deletes the groups)
    only_with: str = ""  # deleted only together with our resource of this kind (scaling belongs to the service)
    read_first: bool = False  # a lookup destroy reads before anything else (the VPC, the ALB)
    note: str = ""  # said under the resource in the destroy plan


class Reconciler:
    kind = ""
    on_destroy: OnDestroy | None = None  # every kind declares one (tests/unit/reconcilers/test_kinds.py)
    replace_fields: tuple[str, ...] = ()  # state paths the API cannot change in place
    requires_ownership = True  # an untagged resource with our name is a plan error unless --adopt
    changes_on_update: tuple[str, ...] = ()  # outputs an update replaces (a task definition's ARN): unknown until applied
    read_needs: tuple[str, ...] = ()  # spec keys read() needs; unknown (parent not created yet) -> absent, no call

    def read(self, aws, res, spec: dict) -> Live | None:
        raise NotImplementedError

    def replace_fields_for(self, live: Live, fields=()) -> tuple[str, ...]:
        """The replace fields for this resource as it is and for this change (`fields`: the plan's
        FieldChanges; what the API can change in place may depend on both)."""
        return self.replace_fields

    def replace_reason(self, live: Live, fields=()) -> str:
        """Why this change replaces the resource, when the field names alone do not say it (the plan
        shows it as the change's note); "" for none."""
        return ""

    def kept_on_destroy(self, live: Live, options: dict) -> str | None:
        """Why destroy leaves this resource alone (QUIET: without a word), or None to delete it.
        `options`: {"delete_logs": bool, "deregister": bool}."""
        policy = self.on_destroy or OnDestroy()
        if policy.keep:
            return policy.keep
        if policy.needs and not options.get(policy.needs):
            return policy.kept_without
        if not live.managed and policy.unmanaged:
            return policy.unmanaged
        return None

    def desired_state(self, res, spec: dict, live: "Live | None" = None) -> dict:
        return spec

    def create(self, aws, res, spec: dict) -> dict:
        raise NotImplementedError

    def update(self, aws, res, spec: dict, live: Live, fields: list) -> dict:
        raise NotImplementedError

    def replace(self, aws, res, spec: dict, live: Live) -> dict:
        self.delete(aws, res, live)
        return self.create(aws, res, spec)

    def finish_replace(self, aws, res, old: Live) -> None:
        """After every change of the apply: remove what a create-before-delete `replace` kept alive."""
        return None

    def delete(self, aws, res, live: Live) -> None:
        raise NotImplementedError

    def adopt(self, aws, res, spec: dict, live: Live) -> None:
        """Put ecsship's tags on a resource someone else made, so it is ours from now on."""
        raise PlanProblem(f"{res.label}: adopting this kind of resource is not supported")


# Where a long wait inside a change reports progress (a deleted service draining its tasks). The CLI
# sets it while it applies; reconcilers never import the UI.
PROGRESS: list = []


def note_progress(text: str) -> None:
    for report in PROGRESS:
        report(text)


class NormaliserGap(RuntimeError):
    """The desired spec has a field its normaliser leaves out: a change to it would never show as
    drift. A bug in ecsship (the builder gained a field, the normaliser did not), never a user error."""


def check_known(fields, known, where: str) -> None:
    """Fail on a desired field the normaliser does not compare (fields starting with `_` are
    ecsship's own notes, never sent to AWS)."""
    unknown = sorted(f for f in fields if f not in known and not str(f).startswith("_"))
    if unknown:
        raise NormaliserGap(f"{where}: the normaliser does not compare {', '.join(unknown)}; add them to it")


def check_known_items(items, known, where: str) -> None:
    """`check_known` on each dict of a list (a service's load balancers, a rule's conditions)."""
    for item in items or []:
        check_known(item, known, where)


def owned(tags: dict, res) -> bool:
    return tags.get(OWNER_KEY) == res.tags.get(OWNER_KEY) and tags.get(CLUSTER_KEY) == res.tags.get(CLUSTER_KEY)


def tag_dict(items, key: str = "Key", value: str = "Value") -> dict:
    return {t[key]: t[value] for t in items or []}


def tag_list(tags: dict, key: str = "Key", value: str = "Value") -> list[dict]:
    return [{key: k, value: v} for k, v in sorted(tags.items())]


def tag_ecs(aws, res, arn: str) -> None:
    """Put the resource's tags on an ECS cluster, service or capacity provider (ECS's lower-case keys)."""
    with aws_call(res.label, "ecs:TagResource"):
        aws.client("ecs").tag_resource(resourceArn=arn, tags=tag_list(res.tags, "key", "value"))


def sorted_policy(doc: dict | None) -> dict | None:
    """A policy document in a canonical shape: statements keyed by Sid, actions/resources as sorted lists.

    Statements whose resources resolved to nothing (no KMS key to decrypt with) are dropped.
    """
    if not doc:
        return None
    if isinstance(doc, str):
        doc = json.loads(unquote(doc))
    out: dict = {}
    for index, stmt in enumerate(_as_list(doc.get("Statement"))):
        sid = stmt.get("Sid") or f"Statement{index + 1}"
        entry = {k: v for k, v in stmt.items() if k != "Sid"}
        for name in ("Action", "Resource", "NotAction", "NotResource"):
            if name in entry:
                entry[name] = sorted({str(x) for x in _as_list(entry[name])})
        if "Resource" in entry and not entry["Resource"]:
            continue
        out[sid] = entry
    return out or None


def policy_document(canonical: dict) -> dict:
    """Back from the canonical shape to a document IAM accepts."""
    return {"Version": "2012-10-17", "Statement": [{"Sid": sid, **stmt} for sid, stmt in canonical.items()]}


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def converge_existing(reconciler: Reconciler, aws, res, spec: dict, exc: Exception) -> dict:
    """A create answered "already exists": an earlier attempt of the same create (a lost response,
    resent by botocore's retries) or an interrupted apply made it. Read it back and converge it,
    but only if it carries our tags; anything else is not ours and the error stands."""
    live = reconciler.read(aws, res, spec)
    if live is None or not live.managed:
        raise exc
    fields = diff(reconciler.desired_state(res, spec, live), live.state)
    return reconciler.update(aws, res, spec, live, fields) if fields else live.outputs


ROLE_PROPAGATION = Backoff(first=1.0, factor=2.0, cap=15.0)  # 1, 2, 4, 8, 15, 15 s


def while_role_propagates(call, sleep, attempts: int = 7):
    """Run `call()`, retrying while AWS says it cannot assume a role ecsship has just created.

    IAM is eventually consistent: for some seconds after CreateRole, ECS (advancedConfiguration.roleArn
    in CreateService/UpdateService; the ECS service-linked role CreateCluster makes for capacity
    providers: "Unable to assume the service linked role"), CodeDeploy (serviceRoleArn in
    Create/UpdateDeploymentGroup) and Application Auto Scaling (its service-linked role on the first
    RegisterScalableTarget) may answer that they cannot assume it. Waits 1, 2, 4, 8, 15, 15 s; any
    other error is raised at once.
    """
    def propagating(exc: Exception) -> bool:
        code, text = getattr(exc, "code", ""), getattr(exc, "aws_message", "").lower()
        return isinstance(exc, EcsshipError) and (code == "InvalidRoleException" or (
            code in ("InvalidParameterException", "ValidationException") and "assume" in text and "role" in text))

    return retry_while(call, propagating, ROLE_PROPAGATION, attempts, sleep)
