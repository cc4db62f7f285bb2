"""What `ecsship init --local` reads from the local AWS so the manifest it writes applies as is.

Only read calls (DescribeVpcs, DescribeSubnets, DescribeLoadBalancers, DescribeListeners,
DescribeRules, DescribeImages), through the same boto3 clients every command uses.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ecsship.aws.errors import aws_call, error_code
from ecsship.desired.image_and_secret_refs import parse_image
from ecsship.errors import UsageError
from ecsship.local.seed import ACCOUNT_ID, REGION

PREFERRED_PRIORITY = 100


@dataclass
class LocalFacts:
    vpc: dict | str                      # a tag selector {"tags": {...}} or an id
    subnets: dict | list                 # a tag selector or a list of ids
    alb: str | None = None
    listener_port: int | None = None
    test_listener_port: int | None = None
    used_priorities: set = field(default_factory=set)
    image_registered: bool | None = None  # None: not an image in the local account's ECR

    def free_priorities(self, count: int, start: int | None = None) -> list[int]:
        """`count` priorities no rule on the listeners holds, from `start` (default 100) upwards."""
        picked: list[int] = []
        candidate = start or PREFERRED_PRIORITY
        while len(picked) < count:
            if candidate not in self.used_priorities:
                picked.append(candidate)
            candidate += 1
        return picked


def _name_tag(resource: dict) -> str | None:
    return next((t["Value"] for t in resource.get("Tags", []) if t["Key"] == "Name"), None)


def _vpc(ec2) -> tuple[dict | str, str]:
    vpcs = ec2.describe_vpcs()["Vpcs"]
    if not vpcs:
        raise UsageError("the local AWS has no VPC", "restart it without --bare: ecsship local down; ecsship local up")
    named = [v for v in vpcs if _name_tag(v) and not v.get("IsDefault")]
    chosen = next((v for v in named if _name_tag(v) == "main"), named[0] if named else vpcs[0])
    name = _name_tag(chosen)
    # A tag selector must match exactly one VPC: else name it by id.
    if name and sum(1 for v in vpcs if _name_tag(v) == name) == 1:
        return {"tags": {"Name": name}}, chosen["VpcId"]
    return chosen["VpcId"], chosen["VpcId"]


def _subnets(ec2, vpc_id: str) -> dict | list:
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    private = [s for s in subnets if {"Key": "tier", "Value": "private"} in s.get("Tags", [])]
    if private:
        return {"tags": {"tier": "private"}}
    return sorted(s["SubnetId"] for s in subnets)


def _load_balancer(elbv2, vpc_id: str, facts: LocalFacts) -> None:
    albs = [lb for lb in elbv2.describe_load_balancers()["LoadBalancers"]
            if lb.get("Type") == "application" and lb.get("VpcId") == vpc_id]
    alb = next((lb for lb in albs if lb["LoadBalancerName"] == "main"), albs[0] if albs else None)
    if alb is None:
        return
    listeners = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    ports = sorted(listener["Port"] for listener in listeners)
    if not ports:
        return
    facts.alb = alb["LoadBalancerName"]
    facts.listener_port = 443 if 443 in ports else ports[0]
    others = [p for p in ports if p != facts.listener_port]
    facts.test_listener_port = 8443 if 8443 in others else (others[0] if others else None)
    # A blue/green test rule takes the same priority on the test listener: keep both free.
    for listener in listeners:
        for page in elbv2.get_paginator("describe_rules").paginate(ListenerArn=listener["ListenerArn"]):
            facts.used_priorities.update(int(r["Priority"]) for r in page["Rules"] if r["Priority"].isdigit())


def _image_registered(ecr, image: str) -> bool | None:
    ref = parse_image(image)
    if not ref.is_ecr or ref.account != ACCOUNT_ID or ref.region != REGION or not ref.tag:
        return None
    try:
        ecr.describe_images(repositoryName=ref.repository, imageIds=[{"imageTag": ref.tag}])
    except Exception as exc:
        if error_code(exc) in ("RepositoryNotFoundException", "ImageNotFoundException"):
            return False
        raise
    return True


def read_local_facts(aws, image: str | None) -> LocalFacts:
    with aws_call("the local AWS's VPCs", "ec2:DescribeVpcs"):
        vpc, vpc_id = _vpc(aws.client("ec2"))
    with aws_call(f"subnets of {vpc_id}", "ec2:DescribeSubnets"):
        facts = LocalFacts(vpc=vpc, subnets=_subnets(aws.client("ec2"), vpc_id))
    with aws_call("the local AWS's load balancers", "elasticloadbalancing:DescribeRules"):
        _load_balancer(aws.client("elbv2"), vpc_id, facts)
    if image:
        with aws_call(f"image {image}", "ecr:DescribeImages"):
            facts.image_registered = _image_registered(aws.client("ecr"), image)
    return facts
