"""CloudWatch Logs group `/ecs/<cluster>/<service>` with its retention."""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.reconcilers import tag_index
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, check_known, owned


class LogGroupReconciler(Reconciler):
    on_destroy = OnDestroy(needs="delete_logs", kept_without="logs are kept; pass --delete-logs to delete them")
    kind = "log_group"

    def read(self, aws, res, spec):
        logs = aws.client("logs")
        with aws_call(res.label, "logs:DescribeLogGroups"):
            groups = logs.describe_log_groups(logGroupNamePrefix=res.name, limit=5)["logGroups"]
        group = next((g for g in groups if g["logGroupName"] == res.name), None)
        if group is None:
            return None
        arn = _bare_arn(group["arn"])
        tags = tag_index.known_tags(aws, arn, res)
        if tags is None:
            with aws_call(res.label, "logs:ListTagsForResource"):
                tags = logs.list_tags_for_resource(resourceArn=arn).get("tags", {})
        return Live(state={"retentionInDays": group.get("retentionInDays"), "tags": tags},
                    outputs=_outputs(arn), managed=owned(tags, res))

    def desired_state(self, res, spec, live=None):
        check_known(spec, ("retentionInDays",), res.label)
        return {"retentionInDays": spec["retentionInDays"], "tags": dict(res.tags)}

    def create(self, aws, res, spec):
        logs = aws.client("logs")
        with aws_call(res.label, "logs:CreateLogGroup"):
            try:
                logs.create_log_group(logGroupName=res.name, tags=dict(res.tags))
            except logs.exceptions.ResourceAlreadyExistsException:
                pass  # a retried create after a crash: converge instead of failing
        with aws_call(res.label, "logs:PutRetentionPolicy"):
            logs.put_retention_policy(logGroupName=res.name, retentionInDays=spec["retentionInDays"])
        live = self.read(aws, res, spec)
        return live.outputs

    def update(self, aws, res, spec, live, fields):
        logs = aws.client("logs")
        paths = {f.path.split(".")[0] for f in fields}
        if "retentionInDays" in paths:
            with aws_call(res.label, "logs:PutRetentionPolicy"):
                logs.put_retention_policy(logGroupName=res.name, retentionInDays=spec["retentionInDays"])
        if "tags" in paths:
            self.adopt(aws, res, spec, live)
        return live.outputs

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "logs:TagResource"):
            aws.client("logs").tag_resource(resourceArn=live.outputs["arn"], tags=dict(res.tags))

    def delete(self, aws, res, live):
        logs = aws.client("logs")
        with aws_call(res.label, "logs:DeleteLogGroup"):
            try:
                logs.delete_log_group(logGroupName=res.name)
            except logs.exceptions.ResourceNotFoundException:
                pass


def _bare_arn(arn: str) -> str:
    return arn[:-2] if arn.endswith(":*") else arn


def _outputs(arn: str) -> dict:
    return {"arn": arn, "arn_wildcard": arn + ":*", "streams_arn": arn + ":log-stream:*"}
