"""elbv2 tags, batched across resources (issue #20 item 2): DescribeTags takes "up to 20 resources in
a single call" (botocore elbv2 DescribeTags.ResourceArns), so a plan asks once for the tags of every
target group and listener rule it is about to read (`prefetch`), and each reconciler's `tags_of`
is then answered from memory. Tags the plan's tagging-API index already holds (tag_index.py) are not
asked at all: a converged plan usually makes no DescribeTags.

What is kept is valid only until the next write of the run: a write (AddTags, CreateRule, ...) may
change tags, so the store remembers how many writes the run had made and starts over when that moved.
"""
from __future__ import annotations

import threading
from functools import partial

from ecsship.aws.concurrency import gather
from ecsship.aws.errors import aws_call
from ecsship.reconcilers import tag_index
from ecsship.reconcilers.base import tag_dict
from ecsship.reconcilers.cache import cached

BATCH = 20  # DescribeTags: "You can specify up to 20 resources in a single call"
_LOCK = threading.Lock()  # plan reads run in threads (aws/concurrency.py): one store, changed under it


def _store(aws) -> dict:
    memo = cached(aws, ("elb_tags",), lambda: {"writes": -1, "tags": {}})
    writes = len(aws.calls.writes)
    if memo["writes"] != writes:
        memo["writes"], memo["tags"] = writes, {}
    return memo["tags"]


def tags_of(aws, arns, label: str, res=None) -> dict[str, dict]:
    """{arn: tags} for `arns`; an ARN not asked for yet this run (or since a write) is asked now, in
    calls of up to 20 ARNs. An ARN DescribeTags does not answer for maps to {}. With `res` (the
    resource being read), an ARN the plan's tagging-API index found with exactly `res.tags` is not
    asked (tag_index.known_tags)."""
    wanted = list(dict.fromkeys(arns))
    known = _known(aws, wanted, res)
    with _LOCK:
        store = _store(aws)
        missing = [a for a in wanted if a not in known and a not in store]
    for i in range(0, len(missing), BATCH):
        chunk = missing[i:i + BATCH]
        with aws_call(label, "elasticloadbalancing:DescribeTags"):
            found = aws.client("elbv2").describe_tags(ResourceArns=chunk)["TagDescriptions"]
        answered = {d["ResourceArn"]: tag_dict(d.get("Tags")) for d in found}
        with _LOCK:
            store.update({a: answered.get(a, {}) for a in chunk})
    with _LOCK:
        return {a: known[a] if a in known else store.get(a, {}) for a in wanted}


def _known(aws, arns: list, res) -> dict[str, dict]:
    if res is None:
        return {}
    found = {a: tag_index.known_tags(aws, a, res) for a in arns}
    return {a: tags for a, tags in found.items() if tags is not None}


def prefetch(aws, plans) -> None:
    """Ask in one go for the tags `plans` will read: `plans` are (reconciler, res, spec) whose
    reconciler has `elb_tag_arns` (the ARNs whose tags its read needs, found with reads it makes
    anyway). Only a saving: what fails is skipped, and the read that follows asks (and reports) itself."""
    arns = [arn for found in gather([partial(_arns_of, aws, *plan) for plan in plans]) for arn in found]
    try:
        if arns:
            tags_of(aws, arns, "load balancing tags")
    except Exception:  # noqa: BLE001 - as above: each read asks for its own tags
        return


def _arns_of(aws, reconciler, res, spec) -> list[str]:
    """The ARNs whose tags `res`'s read needs and the tagging-API index does not know."""
    try:
        mine = reconciler.elb_tag_arns(aws, res, spec)
        known = _known(aws, mine, res)
        return [a for a in mine if a not in known]
    except Exception:  # noqa: BLE001 - its read makes these calls again and reports the error
        return []
