"""Things ecsship reads and verifies but never changes: network, image, secrets, an existing ALB.

A failed verification is a PlanProblem, so the plan stops before anything changes.
Secrets are resolved to ARNs with Describe calls only: no value is ever read.
"""
from __future__ import annotations

from functools import partial

from ecsship.aws.concurrency import gather
from ecsship.aws.errors import aws_call, error_code
from ecsship.desired.image_and_secret_refs import partition_for_region
from ecsship.reconcilers.base import Live, OnDestroy, PlanProblem, Reconciler


def _tag_filters(tags: dict) -> list[dict]:
    return [{"Name": f"tag:{k}", "Values": [v]} for k, v in sorted(tags.items())]


class NetworkLookup(Reconciler):
    on_destroy = OnDestroy(read_first=True)  # a lookup: destroy reads it, never deletes it

    def read(self, aws, res, spec):
        ec2 = aws.client("ec2")
        vpc_sel, subnet_sel = spec["vpc"], spec["subnets"]
        with aws_call("VPC", "ec2:DescribeVpcs"):
            if isinstance(vpc_sel, str):
                try:
                    vpcs = ec2.describe_vpcs(VpcIds=[vpc_sel])["Vpcs"]
                except Exception as exc:
                    if error_code(exc).startswith("InvalidVpcID"):
                        raise PlanProblem(f"network.vpc: no VPC {vpc_sel} in {aws.region}", "check the id and the region") from None
                    raise
            else:
                vpcs = ec2.describe_vpcs(Filters=_tag_filters(vpc_sel["tags"]))["Vpcs"]
        if not vpcs:
            raise PlanProblem(f"network.vpc: no VPC matches {res.name} in {aws.region}", "check the tags (and the region)")
        if len(vpcs) > 1:
            raise PlanProblem(f"network.vpc: {len(vpcs)} VPCs match {res.name}: {', '.join(v['VpcId'] for v in vpcs)}",
                              "use tags that match exactly one VPC, or its id")
        vpc_id = vpcs[0]["VpcId"]
        with aws_call("subnets", "ec2:DescribeSubnets"):
            if isinstance(subnet_sel, list):
                subnets = ec2.describe_subnets(SubnetIds=list(subnet_sel))["Subnets"]
            else:
                subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, *_tag_filters(subnet_sel["tags"])])["Subnets"]
        if not subnets:
            raise PlanProblem(f"network.subnets: no subnet in {vpc_id} matches {_label(subnet_sel)}", "check the subnet tags")
        foreign = [s["SubnetId"] for s in subnets if s["VpcId"] != vpc_id]
        if foreign:
            raise PlanProblem(f"network.subnets: {', '.join(foreign)} not in VPC {vpc_id}", "list subnets of the manifest's VPC only")
        azs = sorted({s["AvailabilityZone"] for s in subnets})
        warnings = []
        if len(azs) < 2:
            warnings.append(f"network.subnets: all task subnets are in one availability zone ({azs[0]}); an AZ outage stops the service")
        return Live(state={}, outputs={
            "vpc_id": vpc_id, "subnet_ids": sorted(s["SubnetId"] for s in subnets), "azs": azs,
            # Interface endpoints take one subnet per AZ.
            "endpoint_subnet_ids": sorted({s["AvailabilityZone"]: s["SubnetId"] for s in sorted(subnets, key=lambda s: s["SubnetId"], reverse=True)}.values()),
            # The caller's account (STS), not the VPC's OwnerId: a VPC shared through AWS RAM belongs to
            # the owner account, while everything ecsship creates lives in the caller's.
            "region": aws.region, "account_id": aws.account_id, "warnings": warnings, "partition": aws.partition,
            "vpc_cidrs": _vpc_cidrs(vpcs[0]),
        })


def _vpc_cidrs(vpc: dict) -> list[str]:
    """The VPC's IPv4 CIDR blocks: the primary one and every associated secondary block."""
    blocks = {a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet") or []
              if (a.get("CidrBlockState") or {}).get("State", "associated") == "associated"}
    if vpc.get("CidrBlock"):
        blocks.add(vpc["CidrBlock"])
    return sorted(blocks)


def _label(selector) -> str:
    if isinstance(selector, list):
        return ", ".join(selector)
    return ",".join(f"{k}={v}" for k, v in sorted(selector.get("tags", {}).items()))


class ImageLookup(Reconciler):
    on_destroy = OnDestroy()  # a lookup: the image need not exist to be destroyed

    def read(self, aws, res, spec):
        if not spec.get("repository"):
            return Live(state={}, outputs={"uri": spec["uri"]})  # not ECR: nothing we can check without pulling
        image_id = {"imageDigest": spec["digest"]} if spec.get("digest") else {"imageTag": spec["tag"]}
        ecr = aws.client("ecr", region=spec.get("region"))  # the URI's region: the image lives there
        try:
            with aws_call(f"image {spec['uri']}", "ecr:DescribeImages"):
                found = ecr.describe_images(registryId=spec["registry"], repositoryName=spec["repository"], imageIds=[image_id])["imageDetails"]
        except Exception as exc:
            code = getattr(exc, "code", "")
            if code in ("ImageNotFoundException", "RepositoryNotFoundException"):
                what = "repository" if code == "RepositoryNotFoundException" else "image"
                raise PlanProblem(f"image: {spec['uri']}: {what} not found in ECR", "push the image first, or fix the tag") from None
            raise
        digest = found[0].get("imageDigest") if found else None
        return Live(state={}, outputs={"uri": spec["uri"], "digest": digest})


class SecretsLookup(Reconciler):
    on_destroy = OnDestroy()  # a lookup: the secrets need not exist to be destroyed

    def read(self, aws, res, spec):
        outputs: dict = {"secret_arns": [], "parameter_arns": [], "kms_key_arns": []}
        problems = []
        refs = sorted(spec["refs"].items())
        # Each reference is its own Describe call: side by side (aws/concurrency.py), kept in this order.
        found = gather([partial(self._one, aws, spec, ref) for _, ref in refs])
        for (env, ref), (arn, kms, problem) in zip(refs, found):
            if problem is not None:
                # Keys: ENV (the main container's `secrets`), containers.NAME.ENV, logs.secret_options.KEY.
                problems.append(f"{env if '.' in env else 'secrets.' + env}: {problem.message}")
                continue
            if ref["source"] == "secretsmanager":
                outputs["secret_arns"].append(arn)
                value_from = arn + (f":{ref['json_key']}::" if ref.get("json_key") else "")
            else:
                outputs["parameter_arns"].append(arn)
                value_from = arn
            outputs[f"value_from:{env}"] = value_from
            if kms:
                outputs["kms_key_arns"].append(kms)
        if problems:
            raise PlanProblem("; ".join(problems), "create it with `ecsship secret set KEY` (reads the value from stdin), or fix the reference")
        for key in ("secret_arns", "parameter_arns", "kms_key_arns"):
            outputs[key] = sorted(set(outputs[key]))
        return Live(state={}, outputs=outputs)

    def _one(self, aws, spec, ref) -> tuple:
        """(ARN, customer KMS key or None, None) of one reference, or (None, None, the PlanProblem)."""
        try:
            if ref["source"] == "secretsmanager":
                return (*self._secret(aws, ref["id"], ref.get("region")), None)
            return (*self._parameter(aws, ref["id"], ref.get("region"), ref.get("owner") or spec.get("account")), None)
        except PlanProblem as problem:
            return None, None, problem

    def _secret(self, aws, ident: str, region: str | None):
        try:
            with aws_call(f"secret {ident}", "secretsmanager:DescribeSecret"):
                found = aws.client("secretsmanager", region=region).describe_secret(SecretId=ident)
        except Exception as exc:
            if getattr(exc, "code", "") == "ResourceNotFoundException":
                raise PlanProblem(f"secret {ident} not found in Secrets Manager" + (f" in {region}" if region else "")) from None
            raise
        return found["ARN"], _customer_key(aws, found.get("KmsKeyId"), region)

    def _parameter(self, aws, name: str, region: str | None, account: str | None):
        param = describe_parameter(aws.client("ssm", region=region), name)
        if param is None:
            raise PlanProblem(f"parameter {name} not found in SSM Parameter Store" + (f" in {region}" if region else ""))
        region = region or aws.region
        arn = param.get("ARN") or f"arn:{partition_for_region(region)}:ssm:{region}:{account or aws.account_id}:parameter{name}"
        return arn, _customer_key(aws, param.get("KeyId"), region)


def describe_parameter(ssm, name: str) -> dict | None:
    """The metadata of one SSM parameter (never its value), or None.

    Walks every page: botocore ssm DescribeParameters "can [return] between zero and the value of
    MaxResults" items and "returns the matching values up to that point and a NextToken" when it
    reaches an internal limit, so the named parameter may be on a later page than an empty first one.
    """
    with aws_call(f"parameter {name}", "ssm:DescribeParameters"):
        pages = ssm.get_paginator("describe_parameters").paginate(
            ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])
        for page in pages:
            if page["Parameters"]:
                return page["Parameters"][0]
    return None


def _customer_key(aws, key_id: str | None, region: str | None = None) -> str | None:
    """The ARN of a customer-managed KMS key, or None for the AWS-managed default (no grant needed)."""
    if not key_id or key_id.startswith("alias/aws/"):
        return None
    if key_id.startswith("arn:") and ":key/" in key_id:
        return key_id
    with aws_call(f"KMS key {key_id}", "kms:DescribeKey"):
        meta = aws.client("kms", region=region).describe_key(KeyId=key_id)["KeyMetadata"]
    return None if meta.get("KeyManager") == "AWS" else meta["Arn"]


class AlbLookup(Reconciler):
    on_destroy = OnDestroy(read_first=True)  # a lookup: destroy reads it, never deletes it

    def read(self, aws, res, spec):
        elb = aws.client("elbv2")
        name = spec["alb"]
        try:
            with aws_call(f"load balancer {name}", "elasticloadbalancing:DescribeLoadBalancers"):
                kwargs = {"LoadBalancerArns": [name]} if name.startswith("arn:") else {"Names": [name]}
                lbs = elb.describe_load_balancers(**kwargs)["LoadBalancers"]
        except Exception as exc:
            if getattr(exc, "code", "") in ("LoadBalancerNotFound", "LoadBalancerNotFoundException"):
                raise PlanProblem(f"load_balancer.alb: no load balancer named {name} in {aws.region}", "check the name, or use load_balancer.create") from None
            raise
        lb = lbs[0]
        with aws_call(f"load balancer {name}", "elasticloadbalancing:DescribeListeners"):
            listeners = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
        by_port = {l["Port"]: l["ListenerArn"] for l in listeners}
        missing = [p for p in spec["ports"] if p not in by_port]
        if missing:
            raise PlanProblem(f"load_balancer: {name} has no listener on port {', '.join(map(str, missing))}",
                              f"its listeners: {', '.join(map(str, sorted(by_port))) or 'none'}")
        outputs = {
            "arn": lb["LoadBalancerArn"], "full_name": lb["LoadBalancerArn"].split(":loadbalancer/", 1)[1],
            "security_group_ids": sorted(lb.get("SecurityGroups", [])), "vpc_id": lb.get("VpcId"),
            "listener_arns": sorted(by_port[p] for p in spec["ports"]), "dns_name": lb.get("DNSName"),
        }
        for port in spec["ports"]:
            outputs[f"listener:{port}"] = by_port[port]
        return Live(state={}, outputs=outputs)


class AlarmsLookup(Reconciler):
    on_destroy = OnDestroy()  # a lookup

    def read(self, aws, res, spec):
        with aws_call(res.label, "cloudwatch:DescribeAlarms"):
            found = aws.client("cloudwatch").describe_alarms(AlarmNames=spec["names"], AlarmTypes=["MetricAlarm", "CompositeAlarm"])
        have = {a["AlarmName"] for a in found.get("MetricAlarms", []) + found.get("CompositeAlarms", [])}
        missing = [n for n in spec["names"] if n not in have]
        if missing:
            raise PlanProblem(f"deploy.rollback_alarms: no alarm named {', '.join(missing)} in {aws.region}",
                              "create it first, or list only `auto` and existing alarm names")
        return Live(state={}, outputs={"names": sorted(have)})


class AmiLookup(Reconciler):
    """The ECS-optimised AMI of an `ec2` capacity entry, from its public SSM parameter (ECS Developer
    Guide, "Retrieving Amazon ECS-optimized Linux AMI metadata": GetParameter on
    /aws/service/ecs/optimized-ami/amazon-linux-2023/[arm64/|gpu/]recommended/image_id). A newer AMI
    there is a launch template change: the instances follow through an instance refresh."""

    on_destroy = OnDestroy()  # a lookup

    def read(self, aws, res, spec):
        try:
            with aws_call(f"AMI parameter {spec['parameter']}", "ssm:GetParameter"):
                value = aws.client("ssm").get_parameter(Name=spec["parameter"])["Parameter"]["Value"]
        except Exception as exc:
            if getattr(exc, "code", "") == "ParameterNotFound":
                raise PlanProblem(f"AMI parameter {spec['parameter']} does not exist in this region",
                                  "the ECS-optimised AMIs are published in every commercial region; check the region") from None
            raise
        return Live(state={}, outputs={"image_id": value})
