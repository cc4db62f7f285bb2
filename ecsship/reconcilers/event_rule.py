"""EventBridge rule on the default event bus (the job failure rule): pattern, state, tags.

botocore events: DescribeRule answers ResourceNotFoundException for a missing rule; PutRule creates
or updates ("If you are updating an existing rule, the rule is replaced with what you specify"), with
`Tags` only at creation (TagResource later); DeleteRule needs the rule's targets removed first.
"""
from __future__ import annotations

import json

from ecsship.aws.errors import aws_call
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, owned, tag_dict, tag_list


class EventRuleReconciler(Reconciler):
    on_destroy = OnDestroy()
    kind = "event_rule"

    def read(self, aws, res, spec):
        events = aws.client("events")
        try:
            with aws_call(res.label, "events:DescribeRule"):
                rule = events.describe_rule(Name=res.name)
        except Exception as exc:
            if getattr(exc, "code", "") == "ResourceNotFoundException":
                return None
            raise
        with aws_call(res.label, "events:ListTagsForResource"):
            tags = tag_dict(events.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags"))
        state = {"EventPattern": json.loads(rule.get("EventPattern") or "{}"), "State": rule.get("State"),
                 "Description": rule.get("Description") or "", "tags": tags}
        return Live(state=state, outputs={"arn": rule["Arn"], "name": res.name}, managed=owned(tags, res))

    def desired_state(self, res, spec, live=None):
        return {"EventPattern": spec["EventPattern"], "State": spec["State"], "Description": spec["Description"], "tags": dict(res.tags)}

    def create(self, aws, res, spec):
        with aws_call(res.label, "events:PutRule"):
            arn = aws.client("events").put_rule(Tags=tag_list(res.tags), **self._rule(res, spec))["RuleArn"]
        return {"arn": arn, "name": res.name}

    def update(self, aws, res, spec, live, fields):
        if {f.path.split(".")[0] for f in fields} - {"tags"}:
            with aws_call(res.label, "events:PutRule"):
                aws.client("events").put_rule(**self._rule(res, spec))
        if any(f.path.startswith("tags") for f in fields):
            self.adopt(aws, res, spec, live)
        return live.outputs

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "events:TagResource"):
            aws.client("events").tag_resource(ResourceARN=live.outputs["arn"], Tags=tag_list(res.tags))

    def delete(self, aws, res, live):
        events = aws.client("events")
        with aws_call(res.label, "events:ListTargetsByRule"):
            targets = [t["Id"] for t in events.list_targets_by_rule(Rule=res.name).get("Targets") or []]
        if targets:
            with aws_call(res.label, "events:RemoveTargets"):
                events.remove_targets(Rule=res.name, Ids=targets)
        with aws_call(res.label, "events:DeleteRule"):
            events.delete_rule(Name=res.name)

    @staticmethod
    def _rule(res, spec) -> dict:
        return {"Name": res.name, "EventPattern": json.dumps(spec["EventPattern"], sort_keys=True),
                "State": spec["State"], "Description": spec["Description"]}
