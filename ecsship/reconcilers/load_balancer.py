"""An ALB ecsship owns (`load_balancer.create`): its security group, the ALB in the given subnets,
HTTPS listeners with a modern TLS policy (default action 404 until rules route), and port 80
redirecting to 443."""
from __future__ import annotations

import time

from ecsship.aws.errors import aws_call
from ecsship.reconcilers.base import Live, Reconciler, owned, tag_dict, tag_list

NOT_FOUND = ("LoadBalancerNotFound", "LoadBalancerNotFoundException")
NOT_ROUTED = {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain", "MessageBody": "not found"}}
REDIRECT = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}


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
    kind = "load_balancer"
    replace_fields = ("scheme",)

    def read(self, aws, res, spec):
        elb = aws.client("elbv2")
        try:
            with aws_call(res.label, "elasticloadbalancing:DescribeLoadBalancers"):
                lb = elb.describe_load_balancers(Names=[res.name])["LoadBalancers"][0]
        except Exception as exc:
            if getattr(exc, "code", "") in NOT_FOUND:
                return None
            raise
        arn = lb["LoadBalancerArn"]
        with aws_call(res.label, "elasticloadbalancing:DescribeTags"):
            tags = tag_dict(elb.describe_tags(ResourceArns=[arn])["TagDescriptions"][0].get("Tags"))
        with aws_call(res.label, "elasticloadbalancing:DescribeListeners"):
            listeners = elb.describe_listeners(LoadBalancerArn=arn)["Listeners"]
        state = {"scheme": lb["Scheme"], "subnets": sorted(z["SubnetId"] for z in lb.get("AvailabilityZones") or []),
                 "listeners": {str(l["Port"]): _listener_state(l) for l in listeners}, "tags": tags}
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
        return {"scheme": spec["scheme"], "subnets": sorted(spec["subnets"]), "listeners": listeners, "tags": dict(res.tags)}

    def create(self, aws, res, spec):
        elb, ec2 = aws.client("elbv2"), aws.client("ec2")
        with aws_call(f"security group {_sg_name(res.name)}", "ec2:CreateSecurityGroup"):
            sg = ec2.create_security_group(GroupName=_sg_name(res.name), VpcId=spec["vpcId"], Description=f"ecsship: load balancer {res.name}",
                                           TagSpecifications=[{"ResourceType": "security-group", "Tags": tag_list(res.tags)}])["GroupId"]
        ports = sorted({80, *spec["ports"]})
        with aws_call(f"security group {_sg_name(res.name)}", "ec2:AuthorizeSecurityGroupIngress"):
            ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]} for p in ports])
        with aws_call(res.label, "elasticloadbalancing:CreateLoadBalancer"):
            lb = elb.create_load_balancer(Name=res.name, Subnets=spec["subnets"], SecurityGroups=[sg], Scheme=spec["scheme"],
                                          Type="application", IpAddressType="ipv4", Tags=tag_list(res.tags))["LoadBalancers"][0]
        live = Live(state={"listeners": {}}, outputs={"arn": lb["LoadBalancerArn"]}, raw={"listeners": []})
        self._listeners(aws, res, spec, live)
        return self.read(aws, res, spec).outputs

    def update(self, aws, res, spec, live, fields):
        paths = {f.path.split(".")[0] for f in fields}
        elb = aws.client("elbv2")
        if "subnets" in paths:
            with aws_call(res.label, "elasticloadbalancing:SetSubnets"):
                elb.set_subnets(LoadBalancerArn=live.outputs["arn"], Subnets=spec["subnets"])
        if "listeners" in paths:
            self._listeners(aws, res, spec, live)
        if "tags" in paths:
            self.adopt(aws, res, spec, live)
        return self.read(aws, res, spec).outputs

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "elasticloadbalancing:AddTags"):
            aws.client("elbv2").add_tags(ResourceArns=[live.outputs["arn"]], Tags=tag_list(res.tags))

    def _listeners(self, aws, res, spec, live):
        elb = aws.client("elbv2")
        want = self.desired_state(res, spec)["listeners"]
        existing = {str(l["Port"]): l for l in live.raw["listeners"]}
        for port, config in want.items():
            have = live.state["listeners"].get(port)
            if have == config:
                continue
            kwargs: dict = {"Protocol": config["protocol"], "DefaultActions": [REDIRECT if port == "80" else NOT_ROUTED]}
            if config["protocol"] == "HTTPS":
                kwargs.update(Certificates=[{"CertificateArn": spec["certificateArn"]}], SslPolicy=spec["sslPolicy"])
            if port in existing:
                with aws_call(f"{res.label} listener :{port}", "elasticloadbalancing:ModifyListener"):
                    elb.modify_listener(ListenerArn=existing[port]["ListenerArn"], Port=int(port), **kwargs)
            else:
                with aws_call(f"{res.label} listener :{port}", "elasticloadbalancing:CreateListener"):
                    elb.create_listener(LoadBalancerArn=live.outputs["arn"], Port=int(port), Tags=tag_list(res.tags), **kwargs)

    def delete(self, aws, res, live):
        elb, ec2 = aws.client("elbv2"), aws.client("ec2")
        with aws_call(res.label, "elasticloadbalancing:DeleteLoadBalancer"):
            elb.delete_load_balancer(LoadBalancerArn=live.outputs["arn"])
        group = live.outputs.get("security_group_id")
        for attempt in range(40):  # the ALB's network interfaces take a while to go
            try:
                with aws_call(f"security group {_sg_name(res.name)}", "ec2:DeleteSecurityGroup"):
                    ec2.delete_security_group(GroupId=group)
                return
            except Exception as exc:
                if getattr(exc, "code", "") != "DependencyViolation" or attempt == 39:
                    raise
                time.sleep(min(15, 1 + attempt))
