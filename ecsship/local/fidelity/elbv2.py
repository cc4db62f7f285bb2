"""ELBv2: a target group's LoadBalancerArns follow the listeners and rules that forward to it.

botocore elbv2 TargetGroup.LoadBalancerArns: "The Amazon Resource Name (ARN) of the load balancer
that routes traffic to this target group." moto appends a load balancer when a listener or rule is
created forwarding to a group, and never updates it on ModifyRule, ModifyListener, DeleteRule or
DeleteListener: a group a modified rule now forwards to stays "without an associated load balancer"
(ECS CreateService then refuses it), and one no rule forwards to any more stays "in use".

DeleteRule of a rule that does not exist fails with RuleNotFound (botocore elbv2 DeleteRule: errors
`RuleNotFoundException`, "The specified rule does not exist."); moto returns success.

DescribeTags answers at most 20 resources a call (botocore elbv2 DescribeTags.ResourceArns: "You can
specify up to 20 resources in a single call"; argoproj/argo-rollouts#2569 met the refusal with 21);
moto answers any number, so a caller that forgot to batch would pass locally and fail on AWS.

Resource Groups Tagging API GetResources lists listener rules with their tags (resource type
`elasticloadbalancing:listener-rule`, the service and type embedded in the rule's ARN as botocore
GetResourcesInput.ResourceTypeFilters names them; "All tagged resources, whether the tagging used the
Resource Groups Tagging API or not, are returned by the Get* operation"; ELB AddTags: "You can tag your
... load balancers, target groups, ... listeners, and rules"); moto lists load balancers and target
groups only.
"""
from __future__ import annotations

import functools

# Every backend method after which the forwarding may have changed.
CHANGES_FORWARDING = ("create_listener", "modify_listener", "delete_listener", "create_rule", "modify_rule",
                      "delete_rule", "delete_load_balancer")


def apply() -> None:
    from moto.elbv2.models import ELBv2Backend

    ELBv2Backend.delete_rule = _rule_must_exist(ELBv2Backend.delete_rule)
    ELBv2Backend.iter_tagged_resources = _with_rules(ELBv2Backend.iter_tagged_resources)
    ELBv2Backend.describe_tags = _at_most_20(ELBv2Backend.describe_tags)
    for name in CHANGES_FORWARDING:
        setattr(ELBv2Backend, name, _relinking(getattr(ELBv2Backend, name)))


def _rule_must_exist(method):
    @functools.wraps(method)
    def wrapper(self, arn, *args, **kwargs):
        from moto.elbv2.exceptions import RuleNotFoundError

        if not any(rule.arn == arn for balancer in self.load_balancers.values()
                   for listener in balancer.listeners.values() for rule in listener.rules.values()):
            raise RuleNotFoundError()
        return method(self, arn, *args, **kwargs)

    return wrapper


def _with_rules(method):
    @functools.wraps(method)
    def wrapper(self):
        from moto.core.resource_tagging import TaggedResource

        yield from method(self)
        for balancer in list(self.load_balancers.values()):
            for listener in list(balancer.listeners.values()):
                for rule in list(listener.rules.values()):
                    tags = self.tagging_service.get_tag_dict_for_resource(rule.arn)
                    if tags:
                        yield TaggedResource(arn=rule.arn, tags=tags, resource_type="elasticloadbalancing:listener-rule")

    return wrapper


def _at_most_20(method):
    @functools.wraps(method)
    def wrapper(self, resource_arns, *args, **kwargs):
        from moto.elbv2.exceptions import ELBClientError

        if len(resource_arns) > 20:
            raise ELBClientError("ValidationError", "You can specify up to 20 resources in a single call "
                                 f"(got {len(resource_arns)})")
        return method(self, resource_arns, *args, **kwargs)

    return wrapper


def _relinking(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        relink(self)
        return result

    return wrapper


def relink(backend) -> None:
    """Recompute every target group's load balancers from the forward actions that name it (one
    entry per load balancer, as AWS lists them). The simulator calls it after moving traffic itself."""
    linked: dict[str, list[str]] = {arn: [] for arn in backend.target_groups}
    for balancer in backend.load_balancers.values():
        for listener in balancer.listeners.values():
            actions = list(listener.default_actions) + [a for rule in listener.rules.values() for a in rule.actions]
            for action in actions:
                if action.type != "forward":
                    continue
                for arn in backend._get_target_group_arns_from(action_data=action.data):
                    if arn in linked and balancer.arn not in linked[arn]:
                        linked[arn].append(balancer.arn)
    for arn, group in backend.target_groups.items():
        group.load_balancer_arns = linked[arn]
