"""The tasks' security group: ingress only on the container port from the load balancer's group.

Egress stays open by default (AWS's default): tasks commonly call third-party HTTPS APIs and databases
on other ports, and with VPC endpoints AWS traffic already stays inside the VPC. `network.egress: keep`
leaves the outbound rules to the user (apply never reverts them), a list of rules is enforced.
See docs/plan-apply.md.
"""
from __future__ import annotations

from contextlib import contextmanager

from ecsship.aws.errors import aws_call, error_code
from ecsship.deploy import clock as clocks
from ecsship.deploy.polling import Backoff, retry_while
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, check_known, check_known_items, converge_existing, owned, tag_dict, tag_list
from ecsship.reconcilers.cache import cached, forget

OPEN_EGRESS = "-1:all to 0.0.0.0/0"
ENDPOINTS_GROUP = "ecsship-vpc-endpoints"  # the shared group of the VPC endpoints, see vpc_endpoints.py


def groups_by_name(aws, vpc_id: str, label: str, name: str) -> dict:
    """Security groups of the VPC by name: ours and the shared endpoints group, in one call per plan."""
    def fetch():
        with aws_call(label, "ec2:DescribeSecurityGroups"):
            found = aws.client("ec2").describe_security_groups(Filters=[
                {"Name": "group-name", "Values": sorted({name, ENDPOINTS_GROUP})}, {"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
        return {g["GroupName"]: g for g in found}

    found = cached(aws, ("security_groups", vpc_id), fetch)
    if name not in found and name != ENDPOINTS_GROUP:
        forget(aws, ("security_groups", vpc_id))
        found = cached(aws, ("security_groups", vpc_id), fetch)
    return found


@contextmanager
def rule_exists_ok():
    """Authorizing a rule that exists, or revoking one that is gone, is what was wanted: the
    resend of a call whose first answer was lost gets exactly these errors."""
    from botocore.exceptions import ClientError

    try:
        yield
    except ClientError as exc:
        if error_code(exc) not in ("InvalidPermission.Duplicate", "InvalidPermission.NotFound"):
            raise


class SecurityGroupReconciler(Reconciler):
    on_destroy = OnDestroy()
    kind = "security_group"
    read_needs = ("vpcId",)
    replace_fields = ("description",)

    def read(self, aws, res, spec):
        group = groups_by_name(aws, spec["vpcId"], res.label, res.name).get(res.name)
        if group is None:
            return None
        tags = tag_dict(group.get("Tags"))
        state = {"description": group.get("Description", ""), "ingress": sorted(_rules(group.get("IpPermissions"), "from")),
                 "egress": sorted(_rules(group.get("IpPermissionsEgress"), "to")), "tags": tags}
        return Live(state=state, outputs={"id": group["GroupId"]}, managed=owned(tags, res), raw=group)

    def desired_state(self, res, spec, live=None):
        # vpcId is where the group lives (read by, never changed): a group in another VPC is another group.
        check_known(spec, ("description", "ingress", "egress", "vpcId"), res.label)
        check_known_items(spec["ingress"], ("protocol", "port", "sources"), f"{res.label} ingress rule")
        ingress = sorted(f"{r['protocol']}:{r['port']}-{r['port']} from {src}" for r in spec["ingress"] for src in r["sources"])
        return {"description": spec["description"], "ingress": ingress, "egress": _egress(spec.get("egress", "open"), live),
                "tags": dict(res.tags)}

    def create(self, aws, res, spec):
        ec2 = aws.client("ec2")
        try:
            with aws_call(res.label, "ec2:CreateSecurityGroup"):
                group_id = ec2.create_security_group(GroupName=res.name, Description=spec["description"], VpcId=spec["vpcId"],
                                                     TagSpecifications=[{"ResourceType": "security-group", "Tags": tag_list(res.tags)}])["GroupId"]
        except Exception as exc:
            if getattr(exc, "code", "") != "InvalidGroup.Duplicate":
                raise
            forget(aws, ("security_groups", spec["vpcId"]))
            return converge_existing(self, aws, res, spec, exc)
        forget(aws, ("security_groups", spec["vpcId"]))
        live = self.read(aws, res, spec)
        self._sync_rules(aws, res, spec, live)
        return {"id": group_id}

    def update(self, aws, res, spec, live, fields):
        paths = {f.path.split(".")[0] for f in fields}
        if paths & {"ingress", "egress"}:
            self._sync_rules(aws, res, spec, live)
        if "tags" in paths:
            self.adopt(aws, res, spec, live)
        return live.outputs

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "ec2:CreateTags"):
            aws.client("ec2").create_tags(Resources=[live.outputs["id"]], Tags=tag_list(res.tags))

    def _sync_rules(self, aws, res, spec, live):
        ec2 = aws.client("ec2")
        group_id = live.outputs["id"]
        want = self.desired_state(res, spec, live)
        for direction, perms_key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
            have = set(live.state[direction])
            extra = [p for p in _permissions(live.raw.get(perms_key), "from" if direction == "ingress" else "to") if p[0] not in want[direction]]
            missing = [r for r in want[direction] if r not in have]
            if extra:
                call = ec2.revoke_security_group_ingress if direction == "ingress" else ec2.revoke_security_group_egress
                with aws_call(res.label, f"ec2:RevokeSecurityGroup{direction.title()}"), rule_exists_ok():
                    call(GroupId=group_id, IpPermissions=[p[1] for p in extra])
            if missing:
                call = ec2.authorize_security_group_ingress if direction == "ingress" else ec2.authorize_security_group_egress
                with aws_call(res.label, f"ec2:AuthorizeSecurityGroup{direction.title()}"), rule_exists_ok():
                    call(GroupId=group_id, IpPermissions=[_permission(r) for r in missing])

    def delete(self, aws, res, live):
        # Task ENIs linger for a while after the service is gone: wait for them to be released.
        delete_when_released(aws, res.label, live.outputs["id"], first_wait=2.0)


# DeleteSecurityGroup answers DependencyViolation while a network interface still uses the group
# (a task's, an ALB's): they are released some seconds after their owner is gone.
RELEASE_ATTEMPTS = 40


def delete_when_released(aws, label: str, group_id: str, first_wait: float) -> None:
    """Delete a security group, retrying while network interfaces still use it (waits `first_wait`,
    then one second more each time, up to 15 s; 40 attempts). Already gone is done."""
    ec2 = aws.client("ec2")

    def delete() -> None:
        try:
            with aws_call(label, "ec2:DeleteSecurityGroup"):
                ec2.delete_security_group(GroupId=group_id)
        except Exception as exc:
            if getattr(exc, "code", "") != "InvalidGroup.NotFound":
                raise

    in_use = lambda exc: getattr(exc, "code", "") == "DependencyViolation"  # noqa: E731
    retry_while(delete, in_use, Backoff(first=first_wait, factor=1.0, step=1.0), RELEASE_ATTEMPTS, clocks.clock_for(aws).sleep)


def _egress(setting, live) -> list[str]:
    """The outbound rules wanted: all open, the live ones as they are ("keep"), or the listed ones."""
    if setting == "keep":
        return list(live.state["egress"]) if live is not None and "egress" in live.state else [OPEN_EGRESS]
    if isinstance(setting, list):
        return sorted(f"{r.get('protocol', 'tcp')}:{r['port']}-{r['port']} to {dest}" for r in setting for dest in r["to"])
    return [OPEN_EGRESS]


def _rules(perms, word: str) -> list[str]:
    return [text for text, _ in _permissions(perms, word)]


def _permissions(perms, word: str) -> list[tuple[str, dict]]:
    """Each (rule text, the single-source IpPermission that revokes it)."""
    out = []
    for perm in perms or []:
        proto = perm.get("IpProtocol", "-1")
        ports = "all" if proto == "-1" else f"{perm.get('FromPort')}-{perm.get('ToPort')}"
        base = {k: perm[k] for k in ("IpProtocol", "FromPort", "ToPort") if k in perm}
        for pair in perm.get("UserIdGroupPairs") or []:
            out.append((f"{proto}:{ports} {word} {pair['GroupId']}", {**base, "UserIdGroupPairs": [{"GroupId": pair["GroupId"]}]}))
        for cidr in perm.get("IpRanges") or []:
            out.append((f"{proto}:{ports} {word} {cidr['CidrIp']}", {**base, "IpRanges": [{"CidrIp": cidr["CidrIp"]}]}))
        for cidr in perm.get("Ipv6Ranges") or []:
            out.append((f"{proto}:{ports} {word} {cidr['CidrIpv6']}", {**base, "Ipv6Ranges": [{"CidrIpv6": cidr["CidrIpv6"]}]}))
        for pl in perm.get("PrefixListIds") or []:
            out.append((f"{proto}:{ports} {word} {pl['PrefixListId']}", {**base, "PrefixListIds": [{"PrefixListId": pl["PrefixListId"]}]}))
    return out


def _permission(text: str) -> dict:
    """Back from rule text ('tcp:8080-8080 from sg-1') to an IpPermission."""
    head, _, source = text.partition(" from ") if " from " in text else text.partition(" to ")
    proto, _, ports = head.partition(":")
    perm: dict = {"IpProtocol": proto}
    if proto != "-1":
        low, _, high = ports.partition("-")
        perm.update(FromPort=int(low), ToPort=int(high))
    if source.startswith("sg-"):
        perm["UserIdGroupPairs"] = [{"GroupId": source}]
    elif source.startswith("pl-"):
        perm["PrefixListIds"] = [{"PrefixListId": source}]
    elif ":" in source:
        perm["Ipv6Ranges"] = [{"CidrIpv6": source}]
    else:
        perm["IpRanges"] = [{"CidrIp": source}]
    return perm
