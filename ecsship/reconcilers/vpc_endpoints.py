"""VPC endpoints, shared per VPC between every service that lists them.

An endpoint for a service name is reused whoever made it. Each service that uses one records
itself with a tag `ecsship:user:<cluster>/<service>`; destroy removes that tag and deletes the
endpoint only when ecsship created it and no user tag is left. Interface endpoints carry one
shared security group (`ecsship-vpc-endpoints`) that admits 443 from each user's task group; it
goes by the same rule: ecsship's, and nothing (no user's rule, no endpoint) left using it.
"""
from __future__ import annotations

import json
from contextlib import contextmanager

from ecsship.aws.errors import aws_call
from ecsship.aws.retrysafe import client_token, send_once
from ecsship.deploy import clock as clocks
from ecsship.deploy.polling import Backoff, wait_for
from ecsship.errors import AwsCallError, EcsshipError
from ecsship.reconcilers.base import QUIET, Live, OnDestroy, PlanProblem, Reconciler, note_progress, tag_dict
from ecsship.reconcilers.cache import forget
from ecsship.reconcilers.security_group import ENDPOINTS_GROUP, delete_when_released, groups_by_name, rule_exists_ok

GATEWAY_SERVICES = {"s3", "dynamodb"}
SG_NAME = ENDPOINTS_GROUP
CREATED_BY = "ecsship:created-by"
USER_PREFIX = "ecsship:user:"
GONE = ("deleted", "deleting", "rejected", "failed", "expired")


def endpoint_type(short: str) -> str:
    return "Gateway" if short in GATEWAY_SERVICES else "Interface"


def _endpoint_type(endpoint: dict) -> str:
    return str(endpoint.get("VpcEndpointType") or "Gateway").capitalize()


@contextmanager
def _conflicting_dns_explained(short: str, vpc_id: str):
    """EC2 refuses private DNS for a service whose name the VPC already resolves privately (another
    interface endpoint with private DNS, or a private hosted zone for it): "private-dns-enabled cannot be
    set because there is already a conflicting DNS domain for ... in the VPC ...". Say what to do."""
    try:
        yield
    except AwsCallError as exc:
        if "conflicting DNS domain" not in exc.aws_message:
            raise
        raise EcsshipError(f"VPC endpoint {short}: VPC {vpc_id} already resolves {short}'s AWS name privately "
                           "(an interface endpoint or a private hosted zone that is not ecsship's)",
                           f"leave {short} out of `network.endpoints` (or set `endpoints: []`) and reuse what is "
                           "there, or remove that endpoint or hosted zone first") from None


def full_name(region: str, short: str) -> str:
    return short if short.startswith("com.amazonaws.") else f"com.amazonaws.{region}.{short}"


class VpcEndpointsReconciler(Reconciler):
    on_destroy = OnDestroy(note="stops using them; deletes those ecsship made that no one else uses (and their group)")
    kind = "vpc_endpoints"
    read_needs = ("vpcId",)
    requires_ownership = False  # shared: sharing is recorded per user, see the module docstring

    def read(self, aws, res, spec):
        ec2 = aws.client("ec2")
        names = {full_name(aws.region, s): s for s in spec["services"]}
        with aws_call(res.label, "ec2:DescribeVpcEndpoints"):
            pages = ec2.get_paginator("describe_vpc_endpoints").paginate(Filters=[
                {"Name": "vpc-id", "Values": [spec["vpcId"]]}, {"Name": "service-name", "Values": sorted(names)}])
            endpoints = [e for page in pages for e in page["VpcEndpoints"] if e.get("State", "").lower() not in GONE]
        sg = _ours(groups_by_name(aws, spec["vpcId"], f"security group {SG_NAME}", SG_NAME).get(SG_NAME))
        tables = self._route_tables(aws, res, spec) if any(s in GATEWAY_SERVICES for s in spec["services"]) else []
        by_short = {}
        for endpoint in endpoints:
            short = names.get(endpoint["ServiceName"])
            # S3 and DynamoDB offer both endpoint types under one service name: ours is the Gateway
            # one; an Interface endpoint of the same name (someone else's) is not what the tasks route by.
            if short and short not in by_short and _endpoint_type(endpoint) == endpoint_type(short):
                by_short[short] = endpoint
        self._verify_names(aws, res, {full: short for full, short in names.items() if short not in by_short})
        self._verify_private_dns(aws, spec, by_short)
        if not by_short and sg is None:
            return None
        user_tag = USER_PREFIX + spec["user"]
        state: dict = {"endpoints": {}, "securityGroup": self._sg_state(sg, spec)}
        for short in spec["services"]:
            endpoint = by_short.get(short)
            if endpoint is None:
                state["endpoints"][short] = None
                continue
            tags = tag_dict(endpoint.get("Tags"))
            entry = {"exists": True, "user": user_tag in tags}
            if spec.get("endpointPolicy") == "account" and CREATED_BY in tags:
                # Only on endpoints ecsship made: a reused one's policy is its owner's.
                entry["policy"] = policy_label(endpoint.get("PolicyDocument"), aws.account_id)
            if short in GATEWAY_SERVICES:
                entry["routeTables"] = sorted(set(tables) & set(endpoint.get("RouteTableIds") or []))
            else:
                entry["securityGroupAttached"] = bool(sg) and sg["GroupId"] in {g["GroupId"] for g in endpoint.get("Groups") or []}
                entry["privateDns"] = bool(endpoint.get("PrivateDnsEnabled"))
            state["endpoints"][short] = entry
        return Live(state=state, outputs={"security_group_id": sg["GroupId"] if sg else None},
                    raw={"endpoints": by_short, "sg": sg, "route_tables": tables, "spec": spec})

    def _verify_private_dns(self, aws, spec, by_short: dict) -> None:
        """Interface endpoints with private DNS need the VPC's DNS support and DNS hostnames (AWS
        PrivateLink guide, "Enable private DNS": "you must enable both DNS hostnames and DNS resolution
        for your VPC"); EC2 refuses them otherwise. Asked only when one is to be created or switched to
        private DNS, so a converged plan costs no call."""
        todo = [s for s in spec["services"] if s not in GATEWAY_SERVICES
                and not (by_short.get(s) and by_short[s].get("PrivateDnsEnabled"))]
        if not todo:
            return
        ec2, vpc = aws.client("ec2"), spec["vpcId"]
        off = []
        for attribute in ("enableDnsSupport", "enableDnsHostnames"):
            with aws_call(f"VPC {vpc}", "ec2:DescribeVpcAttribute"):
                answer = ec2.describe_vpc_attribute(VpcId=vpc, Attribute=attribute)
            if not answer[attribute[0].upper() + attribute[1:]]["Value"]:
                off.append(attribute)
        if off:
            flags = " / ".join(f"--{a.replace('enableDns', 'enable-dns-').lower()}" for a in off)
            raise PlanProblem(f"network.endpoints: VPC {vpc} has {' and '.join(off)} off; interface endpoints "
                              f"({', '.join(todo)}) need both for private DNS",
                              f"turn them on (`aws ec2 modify-vpc-attribute --vpc-id {vpc} {flags}`, one flag per call), "
                              "or set `endpoints: []` if the tasks reach AWS another way (a NAT gateway)")

    def _verify_names(self, aws, res, missing: dict) -> None:
        """Endpoints to create must name a service AWS offers in this region: a plan error otherwise.
        (Only asked when something is missing, so a converged plan costs no call.)"""
        if not missing:
            return
        try:
            with aws_call(res.label, "ec2:DescribeVpcEndpointServices"):
                aws.client("ec2").describe_vpc_endpoint_services(ServiceNames=sorted(missing))
            return
        except Exception as exc:
            if getattr(exc, "code", "") != "InvalidServiceName":
                raise
            named = getattr(exc, "aws_message", "")
        # AWS names the first unknown service in its message; say which of ours it is.
        unknown = sorted(short for full, short in missing.items() if f"'{full}'" in named) or sorted(missing.values())
        if unknown:
            raise PlanProblem(f"network.endpoints: no VPC endpoint service {', '.join(unknown)} in {aws.region}",
                              "use short names such as ecr.api, ecr.dkr, s3, logs, secretsmanager, ssm, sqs, kms")

    def _route_tables(self, aws, res, spec) -> list[str]:
        """The route tables of the task subnets (the VPC's main table for subnets without their own)."""
        with aws_call(res.label, "ec2:DescribeRouteTables"):
            tables = aws.client("ec2").describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [spec["vpcId"]]}])["RouteTables"]
        return sorted(set(_tables_by_subnet(tables, spec["subnetIds"]).values()) - {None})

    def _sg_state(self, sg, spec) -> dict:
        if sg is None:
            return {"allows443From": []}
        sources = {pair["GroupId"] for perm in sg.get("IpPermissions") or [] if perm.get("FromPort") == 443
                   for pair in perm.get("UserIdGroupPairs") or []}
        return {"allows443From": sorted(sources & {spec["clientSecurityGroupId"]})}

    def desired_state(self, res, spec, live=None):
        endpoints = {}
        tables = live.raw["route_tables"] if live else None
        for short in spec["services"]:
            if short in GATEWAY_SERVICES:
                endpoints[short] = {"exists": True, "user": True, "routeTables": tables if tables is not None else ["(the task subnets' route tables)"]}
            else:
                endpoints[short] = {"exists": True, "user": True, "securityGroupAttached": True, "privateDns": True}
            have = (live.state["endpoints"].get(short) if live and live.state else None) or {}
            if spec.get("endpointPolicy") == "account" and (not have or "policy" in have):
                endpoints[short]["policy"] = ACCOUNT_ONLY  # set at creation, kept on what ecsship made
        return {"endpoints": endpoints, "securityGroup": {"allows443From": [spec["clientSecurityGroupId"]]}}

    def create(self, aws, res, spec):
        return self.update(aws, res, spec, None, None)

    def update(self, aws, res, spec, live, fields):
        ec2 = aws.client("ec2")
        live = live or Live(state={"endpoints": {}, "securityGroup": {"allowsFrom443": []}}, raw={"endpoints": {}, "sg": None, "route_tables": []})
        tables = live.raw["route_tables"] or (self._route_tables(aws, res, spec) if any(s in GATEWAY_SERVICES for s in spec["services"]) else [])
        sg_id = self._ensure_security_group(aws, res, spec, live.raw["sg"])
        user_tag = {"Key": USER_PREFIX + spec["user"], "Value": "true"}
        pending: dict[str, str] = {}  # endpoint id -> short name, interface endpoints not yet available
        for short in spec["services"]:
            endpoint = live.raw["endpoints"].get(short)
            label = f"VPC endpoint {short}"
            if endpoint is not None and short not in GATEWAY_SERVICES and str(endpoint.get("State", "")).lower() != "available":
                pending[endpoint["VpcEndpointId"]] = short
            if endpoint is None:
                kwargs = dict(VpcId=spec["vpcId"], ServiceName=full_name(aws.region, short),
                              ClientToken=client_token(aws, spec["vpcId"], short, spec["clientSecurityGroupId"]),
                              TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": [
                                  {"Key": "Name", "Value": f"{short} (ecsship)"}, {"Key": CREATED_BY, "Value": spec["user"]}, user_tag]}])
                if spec.get("endpointPolicy") == "account":
                    kwargs["PolicyDocument"] = account_only_policy(aws.account_id)
                if short in GATEWAY_SERVICES:
                    kwargs.update(VpcEndpointType="Gateway", RouteTableIds=tables)
                else:
                    kwargs.update(VpcEndpointType="Interface", SubnetIds=spec["endpointSubnetIds"], SecurityGroupIds=[sg_id], PrivateDnsEnabled=True)
                with _conflicting_dns_explained(short, spec["vpcId"]), aws_call(label, "ec2:CreateVpcEndpoint"):
                    # The client token dedupes a resend on AWS; reading before resending makes sure.
                    # The lambdas run within this iteration (send_once returns before the loop moves on).
                    made = send_once(aws, "ec2", lambda client: client.create_vpc_endpoint(**kwargs),  # noqa: B023
                                     lambda: self._find_endpoint(aws, spec["vpcId"], kwargs["ServiceName"]))  # noqa: B023
                if short not in GATEWAY_SERVICES:
                    pending[made["VpcEndpoint"]["VpcEndpointId"]] = short
                continue
            want = self.desired_state(res, spec, Live(state={}, raw={"route_tables": tables}))["endpoints"][short]
            have = live.state["endpoints"].get(short) or {}
            if not have.get("user"):
                with aws_call(label, "ec2:CreateTags"):
                    ec2.create_tags(Resources=[endpoint["VpcEndpointId"]], Tags=[user_tag])
            modify: dict = {}
            if short in GATEWAY_SERVICES:
                missing = sorted(set(want["routeTables"]) - set(have.get("routeTables") or []))
                if missing:
                    modify["AddRouteTableIds"] = missing
            else:
                if not have.get("securityGroupAttached"):
                    modify["AddSecurityGroupIds"] = [sg_id]
                if not have.get("privateDns"):
                    modify["PrivateDnsEnabled"] = True
            if "policy" in want and "policy" in have and have["policy"] != want["policy"]:
                # ModifyVpcEndpoint.PolicyDocument, "(Interface and gateway endpoints) A policy to attach
                # to the endpoint" (botocore ec2): the whole document replaces the live one.
                modify["PolicyDocument"] = account_only_policy(aws.account_id)
            if modify:
                with _conflicting_dns_explained(short, spec["vpcId"]), aws_call(label, "ec2:ModifyVpcEndpoint"):
                    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint["VpcEndpointId"], **modify)
        if pending and not self._subnets_use_nat(aws, res, spec):
            wait_available(aws, pending)
        return {"security_group_id": sg_id}

    def _subnets_use_nat(self, aws, res, spec) -> bool:
        """Every task subnet's default route goes through a NAT gateway: its tasks reach AWS's public
        endpoints while the interface endpoints are still pending, so nothing needs to wait."""
        with aws_call(res.label, "ec2:DescribeRouteTables"):
            tables = aws.client("ec2").describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [spec["vpcId"]]}])["RouteTables"]
        by_id = {t["RouteTableId"]: t for t in tables}
        chosen = _tables_by_subnet(tables, spec["subnetIds"])
        return bool(spec["subnetIds"]) and all(
            any(r.get("DestinationCidrBlock") == "0.0.0.0/0" and r.get("NatGatewayId") and r.get("State", "active") == "active"
                for r in by_id.get(chosen.get(subnet), {}).get("Routes") or [])
            for subnet in spec["subnetIds"])

    def _find_endpoint(self, aws, vpc_id: str, service_name: str) -> dict | None:
        found = aws.client("ec2").describe_vpc_endpoints(Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "service-name", "Values": [service_name]}])["VpcEndpoints"]
        live = [e for e in found if e.get("State", "").lower() not in GONE]
        return {"VpcEndpoint": live[0]} if live else None

    def _ensure_security_group(self, aws, res, spec, sg) -> str:
        ec2 = aws.client("ec2")
        if sg is None:
            try:
                with aws_call(f"security group {SG_NAME}", "ec2:CreateSecurityGroup"):
                    sg_id = ec2.create_security_group(GroupName=SG_NAME, VpcId=spec["vpcId"],
                                                      Description="ecsship: HTTPS from ECS tasks to VPC interface endpoints",
                                                      TagSpecifications=[{"ResourceType": "security-group", "Tags": [
                                                          {"Key": CREATED_BY, "Value": spec["user"]}, {"Key": "ecsship:purpose", "Value": "vpc-endpoints"}]}])["GroupId"]
                allowed = []
            except Exception as exc:
                # Made by a resent create whose first answer was lost, or by another service just now.
                if getattr(exc, "code", "") != "InvalidGroup.Duplicate":
                    raise
                forget(aws, ("security_groups", spec["vpcId"]))
                sg = _ours(groups_by_name(aws, spec["vpcId"], f"security group {SG_NAME}", SG_NAME)[SG_NAME])
                sg_id, allowed = sg["GroupId"], self._sg_state(sg, spec)["allows443From"]
            forget(aws, ("security_groups", spec["vpcId"]))
        else:
            sg_id = sg["GroupId"]
            allowed = self._sg_state(sg, spec)["allows443From"]
        if spec["clientSecurityGroupId"] not in allowed:
            with aws_call(f"security group {SG_NAME}", "ec2:AuthorizeSecurityGroupIngress"), rule_exists_ok():
                ec2.authorize_security_group_ingress(GroupId=sg_id, IpPermissions=[{
                    "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                    "UserIdGroupPairs": [{"GroupId": spec["clientSecurityGroupId"], "Description": f"ecsship {spec['user']}"}]}])
        return sg_id

    def kept_on_destroy(self, live: Live, options: dict) -> str | None:
        """Shared, so not owned as a whole: destroy goes ahead when this service uses an endpoint or
        the endpoints' group lets it in, and says nothing otherwise."""
        uses = any((e or {}).get("user") for e in live.state["endpoints"].values())
        return None if uses or live.state["securityGroup"]["allows443From"] else QUIET

    def delete(self, aws, res, live):
        """Stop using the endpoints: drop our user tag and rule; delete what nobody else uses and ecsship made."""
        ec2 = aws.client("ec2")
        spec = live.raw["spec"]
        user_key = USER_PREFIX + spec["user"]
        deleted: set[str] = set()
        for short, endpoint in live.raw["endpoints"].items():
            tags = tag_dict(endpoint.get("Tags"))
            label = f"VPC endpoint {short}"
            if user_key in tags:
                with aws_call(label, "ec2:DeleteTags"):
                    ec2.delete_tags(Resources=[endpoint["VpcEndpointId"]], Tags=[{"Key": user_key}])
            others = [k for k in tags if k.startswith(USER_PREFIX) and k != user_key]
            if not others and CREATED_BY in tags:
                with aws_call(label, "ec2:DeleteVpcEndpoints"):
                    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
                deleted.add(endpoint["VpcEndpointId"])
        sg = live.raw["sg"]
        # Revoke our rule exactly as it stands (with its description), leaving other users' rules.
        pairs = [{k: v for k, v in pair.items() if k in ("GroupId", "Description")}
                 for perm in (sg or {}).get("IpPermissions") or [] if perm.get("FromPort") == 443
                 for pair in perm.get("UserIdGroupPairs") or [] if pair["GroupId"] == spec["clientSecurityGroupId"]]
        if pairs:
            with aws_call(f"security group {SG_NAME}", "ec2:RevokeSecurityGroupIngress"), rule_exists_ok():
                ec2.revoke_security_group_ingress(GroupId=sg["GroupId"], IpPermissions=[{
                    "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": pairs}])
        if sg is not None and self._group_unused(aws, spec, sg, deleted):
            # The endpoints just deleted hold the group through their network interfaces until they
            # are gone: DeleteSecurityGroup "fails with DependencyViolation" until then (botocore ec2).
            delete_when_released(aws, f"security group {SG_NAME}", sg["GroupId"], first_wait=2.0)

    def _group_unused(self, aws, spec, sg: dict, deleted: set[str]) -> bool:
        """The shared endpoints group goes with the last user, like the endpoints: only when ecsship
        made it (`ecsship:created-by`, besides the purpose tag read() requires), no other service's
        task group is let in any more, and no endpoint left in the VPC (ours or not) carries it."""
        if CREATED_BY not in tag_dict(sg.get("Tags")):
            return False
        ec2, label = aws.client("ec2"), f"security group {SG_NAME}"
        with aws_call(label, "ec2:DescribeSecurityGroups"):
            found = ec2.describe_security_groups(GroupIds=[sg["GroupId"]])["SecurityGroups"]
        sources = {pair["GroupId"] for group in found for perm in group.get("IpPermissions") or []
                   for pair in perm.get("UserIdGroupPairs") or []}
        if sources - {spec["clientSecurityGroupId"]}:
            return False
        with aws_call(label, "ec2:DescribeVpcEndpoints"):
            pages = ec2.get_paginator("describe_vpc_endpoints").paginate(Filters=[{"Name": "vpc-id", "Values": [spec["vpcId"]]}])
            holding = [e["VpcEndpointId"] for page in pages for e in page["VpcEndpoints"]
                       if e.get("State", "").lower() not in GONE and e["VpcEndpointId"] not in deleted
                       and sg["GroupId"] in {g["GroupId"] for g in e.get("Groups") or []}]
        return not holding


def _tables_by_subnet(tables: list[dict], subnets: list[str]) -> dict[str, str | None]:
    """Each subnet's route table: its own, or the VPC's main table."""
    explicit, main = {}, None
    for table in tables:
        for assoc in table.get("Associations") or []:
            if assoc.get("Main"):
                main = table["RouteTableId"]
            elif assoc.get("SubnetId"):
                explicit[assoc["SubnetId"]] = table["RouteTableId"]
    return {subnet: explicit.get(subnet, main) for subnet in subnets}


AVAILABLE_TIMEOUT = 600.0


def wait_available(aws, pending: dict[str, str], timeout: float = AVAILABLE_TIMEOUT) -> None:
    """Wait until the interface endpoints are `available` (botocore ec2 model, VpcEndpoint.State:
    Pending -> Available; Failed/Rejected/Expired are final). Until then their private DNS does not
    answer, and tasks in subnets without a NAT gateway cannot pull images or read secrets: the first
    rollout would fail. Polls with the injected clock (`clock_for`): in simulated time in tests, also
    when ecsship runs as a subprocess against the test backend. Also with --no-wait: that flag skips
    watching the rollout, not a precondition of starting it."""
    clock, ec2 = clocks.clock_for(aws), aws.client("ec2")
    waiting = dict(pending)
    notes = {"next": 0.0}

    def names() -> str:
        return ", ".join(f"{short} ({vpce})" for vpce, short in sorted(waiting.items(), key=lambda kv: kv[1]))

    def check(waited: float):
        with aws_call(f"VPC endpoint {', '.join(sorted(waiting.values()))}", "ec2:DescribeVpcEndpoints"):
            found = ec2.describe_vpc_endpoints(VpcEndpointIds=sorted(waiting))["VpcEndpoints"]
        for endpoint in found:
            state, short = str(endpoint.get("State", "")).lower(), waiting.get(endpoint["VpcEndpointId"])
            if state == "available":
                waiting.pop(endpoint["VpcEndpointId"], None)
            elif state in GONE:
                reason = (endpoint.get("LastError") or {}).get("Message") or endpoint.get("FailureReason") or "no reason given"
                raise EcsshipError(f"VPC endpoint {short} ({endpoint['VpcEndpointId']}) is {state}: {reason}",
                                   "fix the cause, delete the endpoint, and run `ecsship apply` again")
        if not waiting:
            return True
        if waited >= notes["next"]:  # a person waiting on apply sees it move, every ~30 s
            note_progress(f"waiting for VPC endpoint {names()} to become available ({int(waited)}s)")
            notes["next"] = waited + 30
        return None

    def timed_out(waited: float) -> Exception:
        return EcsshipError(f"VPC endpoint {names()}: still pending after {int(waited)} s; the service's tasks "
                            "could not reach AWS through it", "run `ecsship apply` again once it is available "
                            "(`aws ec2 describe-vpc-endpoints`)")

    wait_for(check, Backoff(first=2.0), clock.sleep, timeout, timed_out)


PURPOSE_TAG = ("ecsship:purpose", "vpc-endpoints")


def _ours(sg: dict | None) -> dict | None:
    """The shared endpoints group is found by its name *and* ecsship's tag: a group someone else named
    ecsship-vpc-endpoints is not ours to open port 443 on (ownership, issue #22)."""
    if sg is not None and tag_dict(sg.get("Tags")).get(PURPOSE_TAG[0]) != PURPOSE_TAG[1]:
        raise PlanProblem(f"security group {SG_NAME} ({sg['GroupId']}) exists but was not created by ecsship "
                          f"(no {PURPOSE_TAG[0]}={PURPOSE_TAG[1]} tag)",
                          f"rename or delete it, or tag it {PURPOSE_TAG[0]}={PURPOSE_TAG[1]} if it is meant for ecsship's endpoints")
    return sg


ACCOUNT_ONLY = "this account only"


def policy_label(document: str | None, account_id: str) -> str:
    """How a live endpoint policy compares with the account-only one (normalised JSON, so AWS's
    reformatting or a one-element list is not drift)."""
    if document and normalised_policy(document) == normalised_policy(account_only_policy(account_id)):
        return ACCOUNT_ONLY
    return "not limited to this account"


def normalised_policy(document: str) -> str:
    """A policy document in one canonical form: a statement list, list-valued actions, resources and
    condition values sorted, Principal {"AWS": "*"} as "*" (IAM treats them alike)."""
    try:
        policy = json.loads(document)
    except (TypeError, ValueError):
        return str(document)
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    statements = [statements] if isinstance(statements, dict) else statements or []

    def listed(value):
        return sorted(value) if isinstance(value, list) else [value]

    out = []
    for statement in statements:
        st = dict(statement)
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in st:
                st[key] = listed(st[key])
        if st.get("Principal") == {"AWS": "*"}:
            st["Principal"] = "*"
        if isinstance(st.get("Condition"), dict):
            st["Condition"] = {op: {k: listed(v) for k, v in (kv or {}).items()} for op, kv in st["Condition"].items()}
        st.pop("Sid", None)
        out.append(st)
    return json.dumps(sorted(out, key=lambda st: json.dumps(st, sort_keys=True)), sort_keys=True)


def account_only_policy(account_id: str) -> str:
    """An endpoint policy only this account's principals pass: aws:PrincipalAccount is "the AWS account
    ID of the principal making the request" (IAM global condition context keys)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "ThisAccountOnly", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalAccount": account_id}}}]})
