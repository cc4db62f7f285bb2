"""SQS queue: the dead-letter queue of a service's scheduled jobs (EventBridge Scheduler delivers
there the events it could not deliver: botocore scheduler `DeadLetterConfig`).

botocore sqs: GetQueueUrl answers `QueueDoesNotExist` for a missing queue; CreateQueue with the same
name and attributes returns the existing queue (and fails with `QueueNameExists` when they differ);
`tags` at creation, TagQueue later.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, owned

ATTRIBUTES = ("MessageRetentionPeriod", "SqsManagedSseEnabled")


class QueueReconciler(Reconciler):
    on_destroy = OnDestroy(note="undelivered job events in it are deleted with it")
    kind = "queue"

    def read(self, aws, res, spec):
        sqs = aws.client("sqs")
        try:
            with aws_call(res.label, "sqs:GetQueueUrl"):
                url = sqs.get_queue_url(QueueName=res.name)["QueueUrl"]
        except Exception as exc:
            if getattr(exc, "code", "") in ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"):
                return None
            raise
        with aws_call(res.label, "sqs:GetQueueAttributes"):
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", *ATTRIBUTES])["Attributes"]
        with aws_call(res.label, "sqs:ListQueueTags"):
            tags = sqs.list_queue_tags(QueueUrl=url).get("Tags") or {}
        state = {**{k: str(attrs.get(k, "")).lower() if k == "SqsManagedSseEnabled" else str(attrs.get(k, "")) for k in ATTRIBUTES},
                 "tags": tags}
        return Live(state=state, outputs={"arn": attrs["QueueArn"], "url": url, "name": res.name}, managed=owned(tags, res))

    def desired_state(self, res, spec, live=None):
        return {**{k: str(spec[k]) for k in ATTRIBUTES}, "tags": dict(res.tags)}

    def create(self, aws, res, spec):
        sqs = aws.client("sqs")
        with aws_call(res.label, "sqs:CreateQueue"):
            url = sqs.create_queue(QueueName=res.name, Attributes={k: str(spec[k]) for k in ATTRIBUTES}, tags=dict(res.tags))["QueueUrl"]
        with aws_call(res.label, "sqs:GetQueueAttributes"):
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return {"arn": arn, "url": url, "name": res.name}

    def update(self, aws, res, spec, live, fields):
        paths = {f.path.split(".")[0] for f in fields}
        changed = {k: str(spec[k]) for k in ATTRIBUTES if k in paths}
        if changed:
            with aws_call(res.label, "sqs:SetQueueAttributes"):
                aws.client("sqs").set_queue_attributes(QueueUrl=live.outputs["url"], Attributes=changed)
        if "tags" in paths:
            self.adopt(aws, res, spec, live)
        return live.outputs

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "sqs:TagQueue"):
            aws.client("sqs").tag_queue(QueueUrl=live.outputs["url"], Tags=dict(res.tags))

    def delete(self, aws, res, live):
        with aws_call(res.label, "sqs:DeleteQueue"):
            aws.client("sqs").delete_queue(QueueUrl=live.outputs["url"])
