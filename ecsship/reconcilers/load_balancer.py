"""An ALB ecsship owns (`load_balancer.create`): its security group, the ALB in the given subnets,
HTTPS listeners with a modern TLS policy (default action 404 until rules route), and port 80
redirecting to 443.

The security group is made first and found again by name (and our tags) when the ALB is missing,
so an apply interrupted between the two resumes instead of failing on a duplicate group name
(issue #12 item 10). Its ingress is part of the state: production and port 80 from anywhere, the
test listener from the CIDRs the spec names (the VPC's by default, issue #22 item 6)."""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.reconcilers.base import Live, OnDestroy, PlanProblem, Reconciler, owned, tag_dict, tag_list
from ecsship.reconcilers.elb_tags import tags_of
from ecsship.reconcilers.security_group import delete_when_released

NOT_FOUND = ("LoadBalancerNotFound", "LoadBalancerNotFoundException")
NOT_ROUTED = {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain", "MessageBody": "not found"}}
# Attributes an owned ALB always has. routing.http.drop_invalid_header_fields.enabled: "whether HTTP
# headers with invalid header fields are removed by the load balancer (true) or routed to targets
# (false). The default is false." (botocore elbv2 LoadBalancerAttribute) - request smuggling hardening.
ATTRIBUTES = {"routing.http.drop_invalid_header_fields.enabled": "true"}


def _redirect(port) -> dict:
    """Port 80 redirects to the production HTTPS listener, whatever its port."""
    return {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": str(port), "StatusCode": "HTTP_301"}}


def _sg_name(name: str) -> str:
    return f"{name}-alb"


def _listener_state(listener: dict) -> dict:
    action = (listener.get("DefaultActions") or [{}])[0]
    state = {"protocol": listener["Protocol"], "default": action.get("Type")}
    if listener["Protocol"] == "HTTPS":
        state["certificate"] = (listener.get("Certificates") or [{}])[0].get("CertificateArn")
        state["sslPolicy"] = listener.get("SslPolicy")
    return state


class LoadBalancerReconciler(Reconciler):
    on_destroy = OnDestroy()
    kind = "load_balancer"
    replace_fields = ("scheme",)

    def elb_tag_arns(self, aws, res, spec) -> list:
        lb = self._describe(aws, res)  # asked again by read: the run's read cache answers it
        return [lb["LoadBalancerArn"]] if lb else []

    def _describe(self, aws, res) -> dict | None:
        try:
            with aws_call(res.label, "elasticloadbalancing:DescribeLoadBalancers"):
                return aws.client("elbv2").describe_load_balancers(Names=[res.name])["LoadBalancers"][0]
        except Exception as exc:
            if getattr(exc, "code", "") in NOT_FOUND:
                return None
            raise

    def read(self, aws, res, spec):
        elb = aws.client("elbv2")
        lb = self._describe(aws, res)
        if lb is None:
            return None
        arn = lb["LoadBalancerArn"]
        tags = tags_of(aws, [arn], res.label, res)[arn]  # often from the plan's batched DescribeTags (elb_tags.prefetch)
        with aws_call(res.label, "elasticloadbalancing:DescribeListeners"):
            listeners = elb.describe_listeners(LoadBalancerArn=arn)["Listeners"]
        group_id = (lb.get("SecurityGroups") or [None])[0]
        with aws_call(res.label, "elasticloadbalancing:DescribeLoadBalancerAttributes"):
            attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
        state = {"scheme": lb["Scheme"], "attributes": {k: attributes.get(k) for k in ATTRIBUTES}, "subnets": sorted(z["SubnetId"] for z in lb.get("AvailabilityZones") or []),
                 "listeners": {str(l["Port"]): _listener_state(l) for l in listeners}, "tags": tags,
                 "ingress": _ingress_of(_group(aws, res, group_id=group_id)) if group_id else {}}
        outputs = {"arn": arn, "full_name": arn.split(":loadbalancer/", 1)[1], "dns_name": lb.get("DNSName"),
                   "security_group_id": (lb.get("SecurityGroups") or [None])[0],
                   "listener_arns": sorted(l["ListenerArn"] for l in listeners if l["Port"] in spec["ports"])}
        for listener in listeners:
            outputs[f"listener:{listener['Port']}"] = listener["ListenerArn"]
        return Live(state=state, outputs=outputs, managed=owned(tags, res), raw={"listeners": listeners})

    def desired_state(self, res, spec, live=None):
        https = {"protocol": "HTTPS", "default": "fixed-response", "certificate": spec["certificateArn"], "sslPolicy": spec["sslPolicy"]}
        listeners = {str(port): dict(https) for port in spec["ports"]}
        listeners["80"] = {"protocol": "HTTP", "default": "redirect"}
        return {"scheme": spec["scheme"], "attributes": dict(ATTRIBUTES), "subnets": sorted(spec["subnets"]), "listeners": listeners, "tags": dict(res.tags),
                "ingress": _wanted_ingress(spec)}

    def create(self, aws, res, spec):
        elb = aws.client("elbv2")
        sg = self._security_group(aws, res, spec)
        with aws_call(res.label, "elasticloadbalancing:CreateLoadBalancer"):
            lb = elb.create_load_balancer(Name=res.name, Subnets=spec["subnets"], SecurityGroups=[sg], Scheme=spec["scheme"],
                                          Type="application", IpAddressType="ipv4", Tags=tag_list(res.tags))["LoadBalancers"][0]
        live = Live(state={"listeners": {}}, outputs={"arn": lb["LoadBalancerArn"]}, raw={"listeners": []})
        self._attributes(aws, res, lb["LoadBalancerArn"])
        self._listeners(aws, res, spec, live)
        return self.read(aws, res, spec).outputs

    def update(self, aws, res, spec, live, fields):
        paths = {f.path.split(".")[0] for f in fields}
        elb = aws.client("elbv2")
        if "subnets" in paths:
            with aws_call(res.label, "elasticloadbalancing:SetSubnets"):
                elb.set_subnets(LoadBalancerArn=live.outputs["arn"], Subnets=spec["subnets"])
        if "attributes" in paths:
            self._attributes(aws, res, live.outputs["arn"])
        if "listeners" in paths:
            self._listeners(aws, res, spec, live)
        if "ingress" in paths:
            _sync_ingress(aws, res, live.outputs["security_group_id"], _wanted_ingress(spec))
        if "tags" in paths:
            self.adopt(aws, res, spec, live)
        return self.read(aws, res, spec).outputs

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "elasticloadbalancing:AddTags"):
            aws.client("elbv2").add_tags(ResourceArns=[live.outputs["arn"]], Tags=tag_list(res.tags))

    def _security_group(self, aws, res, spec) -> str:
        """Our ALB security group with the wanted ingress: the one an interrupted apply left, or a new one."""
        group = _group(aws, res, vpc_id=spec["vpcId"])
        if group is not None and not owned(tag_dict(group.get("Tags")), res):
            raise PlanProblem(f"security group {_sg_name(res.name)} ({group['GroupId']}) exists but was not created by ecsship for this service",
                              "delete or rename it, or give the service another name")
        if group is None:
            with aws_call(f"security group {_sg_name(res.name)}", "ec2:CreateSecurityGroup"):
                group_id = aws.client("ec2").create_security_group(
                    GroupName=_sg_name(res.name), VpcId=spec["vpcId"], Description=f"ecsship: load balancer {res.name}",
                    TagSpecifications=[{"ResourceType": "security-group", "Tags": tag_list(res.tags)}])["GroupId"]
            group = {"GroupId": group_id, "IpPermissions": []}
        _sync_ingress(aws, res, group["GroupId"], _wanted_ingress(spec), have=_ingress_of(group))
        return group["GroupId"]

    def _attributes(self, aws, res, arn: str) -> None:
        with aws_call(res.label, "elasticloadbalancing:ModifyLoadBalancerAttributes"):
            aws.client("elbv2").modify_load_balancer_attributes(
                LoadBalancerArn=arn, Attributes=[{"Key": k, "Value": v} for k, v in ATTRIBUTES.items()])

    def _listeners(self, aws, res, spec, live):
        elb = aws.client("elbv2")
        want = self.desired_state(res, spec)["listeners"]
        existing = {str(l["Port"]): l for l in live.raw["listeners"]}
        for port, config in want.items():
            have = live.state["listeners"].get(port)
            if have == config:
                continue
            kwargs: dict = {"Protocol": config["protocol"], "DefaultActions": [_redirect(spec["ports"][0]) if port == "80" else NOT_ROUTED]}
            if config["protocol"] == "HTTPS":
                kwargs.update(Certificates=[{"CertificateArn": spec["certificateArn"]}], SslPolicy=spec["sslPolicy"])
            if port in existing:
                with aws_call(f"{res.label} listener :{port}", "elasticloadbalancing:ModifyListener"):
                    elb.modify_listener(ListenerArn=existing[port]["ListenerArn"], Port=int(port), **kwargs)
            else:
                with aws_call(f"{res.label} listener :{port}", "elasticloadbalancing:CreateListener"):
                    elb.create_listener(LoadBalancerArn=live.outputs["arn"], Port=int(port), Tags=tag_list(res.tags), **kwargs)

    def delete(self, aws, res, live):
        elb = aws.client("elbv2")
        with aws_call(res.label, "elasticloadbalancing:DeleteLoadBalancer"):
            elb.delete_load_balancer(LoadBalancerArn=live.outputs["arn"])
        # The ALB's network interfaces take a while to go.
        delete_when_released(aws, f"security group {_sg_name(res.name)}", live.outputs.get("security_group_id"), first_wait=1.0)


def _wanted_ingress(spec: dict) -> dict:
    """{port: sorted CIDRs}; specs written before `ingress` existed meant every port open to all."""
    wanted = spec.get("ingress") or {str(p): ["0.0.0.0/0"] for p in {80, *spec["ports"]}}
    return {str(port): sorted(cidrs) for port, cidrs in wanted.items() if cidrs}


def _group(aws, res, group_id: str | None = None, vpc_id: str | None = None) -> dict | None:
    filters = [{"Name": "group-id", "Values": [group_id]}] if group_id else \
        [{"Name": "group-name", "Values": [_sg_name(res.name)]}, {"Name": "vpc-id", "Values": [vpc_id]}]
    with aws_call(f"security group {_sg_name(res.name)}", "ec2:DescribeSecurityGroups"):
        found = aws.client("ec2").describe_security_groups(Filters=filters)["SecurityGroups"]
    return found[0] if found else None


def _ingress_of(group: dict | None) -> dict:
    out: dict = {}
    for perm in (group or {}).get("IpPermissions") or []:
        if perm.get("IpProtocol") != "tcp" or perm.get("FromPort") != perm.get("ToPort"):
            continue
        for cidr in perm.get("IpRanges") or []:
            out.setdefault(str(perm["FromPort"]), []).append(cidr["CidrIp"])
    return {port: sorted(cidrs) for port, cidrs in out.items()}


def _sync_ingress(aws, res, group_id: str, want: dict, have: dict | None = None) -> None:
    """Authorize what is wanted and missing, revoke the rest (the group is ours alone)."""
    if have is None:
        have = _ingress_of(_group(aws, res, group_id=group_id))
    ec2, label = aws.client("ec2"), f"security group {_sg_name(res.name)}"

    def perms(rules: dict, other: dict) -> list:
        return [{"IpProtocol": "tcp", "FromPort": int(port), "ToPort": int(port), "IpRanges": [{"CidrIp": c} for c in missing]}
                for port, cidrs in sorted(rules.items()) if (missing := sorted(set(cidrs) - set(other.get(port, []))))]

    grant, revoke = perms(want, have), perms(have, want)
    if grant:
        with aws_call(label, "ec2:AuthorizeSecurityGroupIngress"):
            ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=grant)
    if revoke:
        with aws_call(label, "ec2:RevokeSecurityGroupIngress"):
            ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=revoke)
