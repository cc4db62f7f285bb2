"""Which deployment controller changes the plan makes in place, and why it replaces otherwise (issue #12
item 17). AWS documents ECS -> CODE_DEPLOY (UpdateServiceRequest.deploymentController) and CODE_DEPLOY ->
ECS blue/green on the same target groups (ECS Developer Guide, "Migrating from a CodeDeploy blue/green to
an Amazon ECS blue/green service deployment"); nothing else."""
from __future__ import annotations

from ecsship.plan.model import FieldChange
from ecsship.reconcilers.base import Live
from ecsship.reconcilers.service import ServiceReconciler

BLUE, GREEN, SINGLE = "tg/blue", "tg/green", "tg/single"


def _live(controller: str) -> Live:
    return Live(state={"deploymentController": {"type": controller}}, outputs={})


def _switch(old: str, new: str, lb_old=None, lb_new=None, strategy=None) -> list:
    fields = [FieldChange("deploymentController.type", old, new)]
    if lb_old is not None:
        fields.append(FieldChange("loadBalancers", lb_old, lb_new))
    if strategy:
        fields.append(FieldChange("deploymentConfiguration.strategy", None, strategy))
    return fields


def _verdict(controller: str, fields: list) -> tuple[bool, str]:
    reconciler = ServiceReconciler()
    live = _live(controller)
    replaced = any(f.path.split(".")[0] in reconciler.replace_fields_for(live, fields) for f in fields)
    return replaced, reconciler.replace_reason(live, fields)


def test_code_deploy_to_ecs_blue_green_on_the_same_pair_is_in_place():
    fields = _switch("CODE_DEPLOY", "ECS", [{"targetGroupArn": GREEN}], [{"targetGroupPair": [BLUE, GREEN], "advancedConfiguration": {}}], "CANARY")
    assert _verdict("CODE_DEPLOY", fields) == (False, "")


def test_code_deploy_to_rolling_replaces_and_says_why():
    replaced, reason = _verdict("CODE_DEPLOY", _switch("CODE_DEPLOY", "ECS", [{"targetGroupArn": BLUE}], [{"targetGroupArn": SINGLE}], "ROLLING"))
    assert replaced and "only for blue_green, canary or linear" in reason


def test_code_deploy_to_ecs_blue_green_on_other_groups_replaces():
    fields = _switch("CODE_DEPLOY", "ECS", [{"targetGroupArn": SINGLE}], [{"targetGroupPair": [BLUE, GREEN]}], "LINEAR")
    replaced, reason = _verdict("CODE_DEPLOY", fields)
    assert replaced and "keep CodeDeploy's target groups" in reason


def test_rolling_to_code_deploy_on_other_groups_replaces_and_says_why():
    fields = _switch("ECS", "CODE_DEPLOY", [{"targetGroupArn": SINGLE}], [{"targetGroupPair": [BLUE, GREEN]}])
    replaced, reason = _verdict("ECS", fields)
    assert replaced and "only on the same target groups" in reason


def test_external_is_never_in_place():
    replaced, reason = _verdict("ECS", _switch("ECS", "EXTERNAL"))
    assert replaced and "from ECS to EXTERNAL in place" in reason
