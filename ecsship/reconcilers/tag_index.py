"""What the Resource Groups Tagging API says this service's resources carry: one GetResources a run
(issue #20 item 2).

botocore resourcegroupstaggingapi GetResources "Returns all the tagged or previously tagged resources
that are located in the specified Amazon Web Services Region for the account", and with tag filters
"The response includes all tags that are associated with the requested resources". So one call
filtered by this service's ownership tags (`ecsship:service`, `ecsship:cluster`), made when a plan
starts, tells
- the leftovers of a former manifest shape (plan/orphans.py);
- the tags of the log group, the CodeDeploy application and group, the target groups, listener rules
  and an owned ALB, which their reads otherwise ask one by one (logs and codedeploy
  ListTagsForResource, elbv2 DescribeTags);
- the caller's account id: every ARN of the answer is in the caller's account, so sts
  GetCallerIdentity is asked only when the answer is empty (a first apply).

The index may lag behind a change, so it is used strictly (`known_tags`): a resource found there with
exactly the tags the manifest wants counts as having them; one not found, or found with other tags,
reads its own tags. What is about to be deleted (an orphan) always reads its own. The answer is kept
until the run's next write, as elb_tags keeps DescribeTags'; after a write it is asked again.
Thread safe: plan reads may run on worker threads (issue #20 item 1).
"""
from __future__ import annotations

import threading

from ecsship.aws.errors import aws_call
from ecsship.errors import EcsshipError
from ecsship.reconcilers.base import CLUSTER_KEY, OWNER_KEY, tag_dict

# Service-level filters ("specifying a service of ec2 returns all Amazon EC2 resources", botocore
# GetResourcesInput.ResourceTypeFilters) where every resource type of the service matters: ELB target
# groups, listener rules and load balancers; the log group; CodeDeploy applications and groups.
RESOURCE_TYPES = ("codedeploy", "elasticloadbalancing", "logs", "sqs:queue", "cloudwatch:alarm", "events:rule")
_LOCK = threading.Lock()
_STORE = "_ecsship_tag_index"


class _Index:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: dict[tuple, tuple[int, list | None, Exception | None]] = {}
        self.for_plan: set[tuple] = set()  # ownership keys a plan opened for its reads (`open_for_plan`)


def _index(aws) -> _Index:
    with _LOCK:
        index = aws.__dict__.get(_STORE)
        if index is None:
            index = aws.__dict__[_STORE] = _Index()
        return index


def _key(ownership: dict) -> tuple:
    return tuple(sorted(ownership.items()))


def tagged(aws, ownership: dict) -> list[tuple[str, dict]]:
    """[(ARN, tags)] of every resource of RESOURCE_TYPES carrying `ownership`'s tags, asked once
    until the run's next write. Raises what GetResources raised (a denied deployer: AccessDenied)."""
    index, key = _index(aws), _key(ownership)
    writes = _writes(aws)
    with index.lock:
        answer = index.answers.get(key)
        if answer is None or answer[0] != writes:
            answer = (writes, *_get_resources(aws, ownership))
            index.answers[key] = answer
    _, items, error = answer
    if error is not None:
        raise error
    learn = getattr(aws, "note_account_of", None)
    if learn is not None:
        for arn, _tags in items or []:
            learn(arn)
    return list(items or [])


def _get_resources(aws, ownership: dict) -> tuple[list | None, Exception | None]:
    filters = [{"Key": k, "Values": [v]} for k, v in sorted(ownership.items())]
    label = f"resources tagged {ownership.get(CLUSTER_KEY)}/{ownership.get(OWNER_KEY)}"
    try:
        with aws_call(label, "tag:GetResources"):
            pages = aws.client("resourcegroupstaggingapi").get_paginator("get_resources").paginate(
                TagFilters=filters, ResourceTypeFilters=list(RESOURCE_TYPES))
            return [(item["ResourceARN"], tag_dict(item.get("Tags"))) for page in pages
                    for item in page["ResourceTagMappingList"]], None
    except EcsshipError as exc:
        return None, exc


def open_for_plan(aws, ownership: dict) -> None:
    """Ask the index now (a plan's first read) and let `known_tags` answer from it. An error (a
    deployer without tag:GetResources) is kept for plan/orphans.py to report; every read then asks
    for its own tags."""
    try:
        tagged(aws, ownership)
    except EcsshipError:
        return
    index = _index(aws)
    with index.lock:
        index.for_plan.add(_key(ownership))


def known_tags(aws, arn: str, res) -> dict | None:
    """`res.tags` when the index found `arn` with exactly those tags (the converged case), else None:
    then the caller reads the resource's own tags. Only while a plan opened the index and no write
    happened since it was asked; never for an orphan (a delete is decided on the resource's own tags)."""
    tags = _confirmed(aws, res).get(_bare(arn))
    return dict(tags) if tags is not None else None


def arns_with(aws, res, kind: str) -> list[str]:
    """The ARNs of `kind` (the ARN's resource part up to "/", e.g. "listener-rule") the index found
    with exactly `res.tags`, by the same rules as `known_tags`; sorted."""
    return sorted(a for a in _confirmed(aws, res) if a.split(":", 5)[-1].split("/", 1)[0] == kind)


def _confirmed(aws, res) -> dict[str, dict]:
    """{ARN: tags} of what the index found with exactly `res.tags`, or {} when it may not answer."""
    if res.key.startswith("orphan."):
        return {}
    ownership = {k: res.tags.get(k) for k in (OWNER_KEY, CLUSTER_KEY)}
    index, key = _index(aws), _key(ownership)
    with index.lock:
        answer = index.answers.get(key)
        if key not in index.for_plan or answer is None or answer[0] != _writes(aws) or answer[2] is not None:
            return {}
        items = list(answer[1] or [])
    return {_bare(a): t for a, t in items if t == res.tags}


def _writes(aws) -> int:
    calls = getattr(aws, "calls", None)
    return len(calls.writes) if calls is not None else 0


def _bare(arn: str) -> str:
    """A log group's ARN as DescribeLogGroups gives it ends in `:*`; the tagging API's does not."""
    return arn[:-2] if arn.endswith(":*") else arn
