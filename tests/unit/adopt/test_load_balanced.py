"""Issue #16, a service behind an ALB: import maps its own target group and listener rule
(`load_balancer.target_group`), and adoption refuses what would move traffic - pure logic, no AWS.

AWS facts relied on (botocore elbv2): ModifyTargetGroup "Modifies the health checks" only, so a
group's Protocol, Port, TargetType and VpcId are fixed; ModifyRule "Replaces the specified properties
of the specified rule"; target group names are "unique per region per account"."""
from __future__ import annotations

from ecsship.manifest.from_live import from_live
from ecsship.manifest.imported_text import checked, render
from ecsship.plan.adoption import adoption_problems
from ecsship.plan.model import REPLACE, UPDATE, Change, FieldChange, Plan
from ecsship.reconcilers.listener_rule import _adoptable, _taken_hint

from tests.unit.adopt.test_from_live import live

TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy-web-tg/0123456789abcdef"


def behind_alb(**group) -> dict:
    base = live(loadBalancers=[{"targetGroupArn": TG_ARN, "containerName": "app", "containerPort": 8080}])
    base["task_definition"]["containerDefinitions"][0]["portMappings"] = [{"containerPort": 9090}, {"containerPort": 8080}]
    tg = {"TargetGroupName": "legacy-web-tg", "TargetGroupArn": TG_ARN, "Protocol": "HTTP", "Port": 8080, "TargetType": "ip",
          "HealthCheckProtocol": "HTTP", "HealthCheckPort": "traffic-port", "HealthCheckPath": "/health",
          "HealthCheckIntervalSeconds": 15, "HealthCheckTimeoutSeconds": 5, "HealthyThresholdCount": 5,
          "UnhealthyThresholdCount": 2, "Matcher": {"HttpCode": "200-299"}, **group}
    rule = {"Priority": "10", "Conditions": [{"Field": "host-header", "HostHeaderConfig": {"Values": ["web.example.com"]}}],
            "Actions": [{"Type": "forward", "TargetGroupArn": TG_ARN}]}
    base["load_balancers"] = [{"target_group": tg, "attributes": {"deregistration_delay.timeout_seconds": "30", "stickiness.enabled": "true"},
                               "container_name": "app", "container_port": 8080, "alb": {"LoadBalancerName": "main"},
                               "listener": {"Port": 443}, "rule": rule, "other_forwarders": ["main:80 default action"]}]
    return base


def test_import_names_the_live_target_group_and_keeps_its_settings_and_routed_port():
    imported = from_live(behind_alb())
    m = imported.manifest
    assert m["port"] == 8080  # the port the load balancer sends to, though 9090 is mapped first
    assert m["load_balancer"] == {"alb": "main", "target_group": "legacy-web-tg", "host": "web.example.com", "priority": 10,
                                  "health_check": {"path": "/health", "interval": 15, "matcher": "200-299"},
                                  "deregistration_delay": 30}
    unmapped = "\n".join(imported.unmapped)
    assert "stickiness.enabled true (kept as is)" in unmapped and "creates its own" not in unmapped
    assert "main:80 default action also forwards to target group legacy-web-tg" in unmapped
    checked(render(m, "service web", imported.unmapped), "<imported>")  # validates as `ecsship validate` would


def test_import_lists_what_adoption_would_have_to_replace_or_reroute():
    imported = from_live(behind_alb(Protocol="HTTPS", Port=80))
    unmapped = "\n".join(imported.unmapped)
    assert "Protocol HTTPS" in unmapped and "plan --adopt refuses" in unmapped
    assert "Port" not in unmapped  # the group's own port is kept: ECS registers tasks at the container port
    two_hosts = behind_alb()
    two_hosts["load_balancers"][0]["rule"]["Conditions"][0]["HostHeaderConfig"]["Values"] = ["a.example.com", "b.example.com"]
    assert any("host-header a.example.com, b.example.com" in item for item in from_live(two_hosts).unmapped)


def change(kind, action, *fields, adopt=False, replace_fields=()):
    return Change(key=kind, kind=kind, title=kind, name="legacy-web-tg", action=action, adopt=adopt,
                  fields=[FieldChange(*f) for f in fields], replace_fields=replace_fields)


def test_adoption_refuses_a_target_group_replacement_naming_the_manifest_field():
    fixed = ("Protocol", "Port", "TargetType", "VpcId")
    plan = Plan("web", "legacy", [change("target_group", REPLACE, ("Port", 80, 8080), ("tags.ecsship:service", None, "web"),
                                         adopt=True, replace_fields=fixed)], "fp")
    [(_, message, hint)] = adoption_problems(plan)
    assert "Port 80 -> 8080" in message and "replaces" in message and "set `port` as the group's" == hint
    vpc = Plan("web", "legacy", [change("target_group", REPLACE, ("VpcId", "vpc-1", "vpc-2"), ("TargetType", "instance", "ip"),
                                       adopt=True, replace_fields=fixed)], "fp")
    assert "`network.vpc`" in adoption_problems(vpc)[0][2] and "ip targets" in adoption_problems(vpc)[0][2]
    hardening = Plan("web", "legacy", [change("target_group", UPDATE, ("HealthCheckPath", "/", "/health"), adopt=True)], "fp")
    assert adoption_problems(hardening) == []


def test_adoption_refuses_rerouting_an_adopted_rule_but_not_tagging_it():
    tagging = Plan("web", "legacy", [change("listener_rule", UPDATE, ("tags.ecsship:service", None, "web"), adopt=True)], "fp")
    assert adoption_problems(tagging) == []
    rerouted = Plan("web", "legacy", [change("listener_rule", UPDATE, ("Conditions", [], [{"Field": "path-pattern"}]), adopt=True)], "fp")
    [(_, message, hint)] = adoption_problems(rerouted)
    assert "Conditions" in message and "host/path/priority" in hint
    moved = Plan("web", "legacy", [change("service", UPDATE, ("loadBalancers", [{"targetGroupArn": "old"}], [{"targetGroupArn": "new"}]))], "fp")
    assert "load_balancer.target_group" in adoption_problems(moved)[0][2]


def test_only_a_rule_forwarding_to_the_services_own_group_alone_is_adoptable():
    spec = {"targetGroupName": "legacy-web-tg", "pair": None}
    forward = {"Type": "forward", "TargetGroupArn": TG_ARN}
    assert _adoptable({"Actions": [forward]}, spec)
    weighted = {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": TG_ARN, "Weight": 1}]}}
    assert _adoptable({"Actions": [weighted]}, spec)
    other = {"Type": "forward", "TargetGroupArn": TG_ARN.replace("legacy-web-tg", "legacy-web-tg2")}
    assert not _adoptable({"Actions": [other]}, spec)  # a name that only starts the same is another group
    assert not _adoptable({"Actions": [{"Type": "authenticate-oidc"}, forward]}, spec)
    assert not _adoptable({"Actions": [forward]}, {**spec, "pair": ["a", "b"]})
    assert "load_balancer.target_group: legacy-web-tg2" in _taken_hint({"Actions": [other]}, {}, spec)
