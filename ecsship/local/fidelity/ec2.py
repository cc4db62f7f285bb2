"""EC2 VPC endpoints after deletion, and the vpc-endpoint-id filter.

AWS (Amazon VPC API Reference, DeleteVpcEndpoints / DescribeVpcEndpoints): a deleted endpoint goes
`deleting` and then `deleted`, and DescribeVpcEndpoints keeps returning it in those states for a
while before it disappears (then describing it by id fails with InvalidVpcEndpointId.NotFound).
moto marks it `deleted` at once and lists it forever. The `vpc-endpoint-id` filter is documented;
moto does not implement it. ModifyVpcEndpoint(PrivateDnsEnabled) changes the endpoint's private DNS
(moto ignores the parameter).

CreateVpcEndpoint (Interface, private DNS on, the default for AWS services): EC2 refuses it with
InvalidParameter when the VPC lacks enableDnsSupport or enableDnsHostnames (AWS PrivateLink guide,
"Enable private DNS": "you must enable both DNS hostnames and DNS resolution for your VPC"), and when
the VPC already has a private-DNS endpoint for the service ("private-dns-enabled cannot be set because
there is already a conflicting DNS domain for <name> in the VPC <vpc>"; a Route 53 private hosted zone of
that name associated with the VPC conflicts the same way). moto accepts both.

DeleteSecurityGroup: "If you attempt to delete a security group that is associated with an instance or
network interface ... the operation fails with DependencyViolation" (botocore ec2 model). An interface
endpoint's network interfaces carry its groups until the endpoint is `deleted`; moto deletes any group.
Not modelled: groups held by other network interfaces or referenced by another group's rules.

A new Interface endpoint starts `pending` and becomes `available` once its network interfaces are up
(botocore ec2 model, VpcEndpoint.State: PendingAcceptance | Pending | Available | ...; on AWS this
takes one to a few minutes). moto answers `available` at once; here it stays `pending` for
PENDING_SECONDS of simulated time, so a client that creates endpoints has to wait for them.
"""
from __future__ import annotations

DELETING_SECONDS = 10.0
PENDING_SECONDS = 90.0
VISIBLE_AFTER_DELETE_SECONDS = 300.0


def apply() -> None:
    from moto.ec2.models.vpcs import VPCBackend, VPCEndPoint

    from ecsship.local import runtime

    original_delete = VPCBackend.delete_vpc_endpoints
    original_describe = VPCBackend.describe_vpc_endpoints
    original_filter = VPCEndPoint.get_filter_value

    original_create = VPCBackend.create_vpc_endpoint

    def create_vpc_endpoint(self, vpc_id, service_name, endpoint_type, *args, **kwargs):
        interface = (endpoint_type or "").lower() == "interface"
        private_dns = kwargs.get("private_dns_enabled")
        private_dns = True if private_dns is None else str(private_dns).lower() == "true"
        token = kwargs.get("client_token")
        resent = token and any(getattr(e, "client_token", None) == token for e in self.vpc_end_points.values())
        if interface and private_dns and not resent:
            _refuse_private_dns(self, vpc_id, service_name)
        endpoint = original_create(self, vpc_id, service_name, endpoint_type, *args, **kwargs)
        if interface and not resent:
            endpoint.private_dns_enabled = private_dns
            endpoint.state, endpoint.available_at = "pending", runtime.now() + PENDING_SECONDS
        return endpoint

    def delete_vpc_endpoints(self, vpce_ids=None):
        original_delete(self, vpce_ids)
        for vpce_id in vpce_ids or []:
            endpoint = self.vpc_end_points.get(vpce_id)
            if endpoint is not None and not hasattr(endpoint, "deleted_at"):
                endpoint.deleted_at = runtime.now()
                endpoint.state = "deleting"

    def describe_vpc_endpoints(self, vpc_end_point_ids=None, filters=None):
        now = runtime.now()
        for vpce_id, endpoint in list(self.vpc_end_points.items()):
            if endpoint.state == "pending" and now >= getattr(endpoint, "available_at", now):
                endpoint.state = "available"
            deleted_at = getattr(endpoint, "deleted_at", None)
            if deleted_at is None:
                continue
            if now - deleted_at >= VISIBLE_AFTER_DELETE_SECONDS:
                del self.vpc_end_points[vpce_id]
            elif now - deleted_at >= DELETING_SECONDS:
                endpoint.state = "deleted"
        return original_describe(self, vpc_end_point_ids, filters)

    def get_filter_value(self, filter_name, method_name=None):
        if filter_name == "vpc-endpoint-id":
            return self.id
        return original_filter(self, filter_name, method_name)

    from moto.ec2.responses.vpcs import VPCs

    original_modify = VPCs.modify_vpc_endpoint

    def modify_vpc_endpoint(self):
        result = original_modify(self)
        private_dns = self._get_param("PrivateDnsEnabled")
        if private_dns is not None:
            endpoint = self.ec2_backend.describe_vpc_endpoints(vpc_end_point_ids=[self._get_param("VpcEndpointId")])[0]
            endpoint.private_dns_enabled = str(private_dns).lower() == "true" if isinstance(private_dns, str) else bool(private_dns)
        return result

    from moto.ec2.models.security_groups import SecurityGroupBackend

    original_delete_group = SecurityGroupBackend.delete_security_group

    def delete_security_group(self, name=None, group_id=None):
        from moto.ec2.exceptions import EC2ClientError

        now = runtime.now()
        for endpoint in getattr(self, "vpc_end_points", {}).values():
            deleted_at = getattr(endpoint, "deleted_at", None)
            if group_id in (endpoint.security_group_ids or []) and (deleted_at is None or now - deleted_at < DELETING_SECONDS):
                raise EC2ClientError("DependencyViolation", f"resource {group_id} has a dependent object")
        return original_delete_group(self, name, group_id)

    SecurityGroupBackend.delete_security_group = delete_security_group
    VPCs.modify_vpc_endpoint = modify_vpc_endpoint
    VPCBackend.create_vpc_endpoint = create_vpc_endpoint
    VPCBackend.delete_vpc_endpoints = delete_vpc_endpoints
    VPCBackend.describe_vpc_endpoints = describe_vpc_endpoints
    VPCEndPoint.get_filter_value = get_filter_value


def _refuse_private_dns(backend, vpc_id: str, service_name: str) -> None:
    from moto.ec2.exceptions import EC2ClientError

    vpc = backend.get_vpc(vpc_id)
    if not (vpc.enable_dns_support and vpc.enable_dns_hostnames):
        raise EC2ClientError("InvalidParameter", "Enabling private DNS requires both enableDnsSupport and "
                             f"enableDnsHostnames VPC attributes set to true for {vpc_id}")
    name = _dns_name(service_name)
    if _private_zone_serves(backend, vpc_id, name):
        raise EC2ClientError("InvalidParameter", "private-dns-enabled cannot be set because there is already a "
                             f"conflicting DNS domain for {name} in the VPC {vpc_id}")
    for other in backend.vpc_end_points.values():
        if (other.vpc_id == vpc_id and other.service_name == service_name and getattr(other, "deleted_at", None) is None
                and (other.vpc_endpoint_type or "").lower() == "interface" and str(other.private_dns_enabled).lower() == "true"):
            raise EC2ClientError("InvalidParameter", "private-dns-enabled cannot be set because there is already a "
                                 f"conflicting DNS domain for {_dns_name(service_name)} in the VPC {vpc_id}")


def _private_zone_serves(backend, vpc_id: str, name: str) -> bool:
    """A Route 53 private hosted zone for the service's name associated with the VPC (one made by hand
    to point at an endpoint in a shared VPC, say) serves that domain too."""
    from moto.route53.models import route53_backends

    zones = route53_backends[backend.account_id]["global"].zones.values()
    return any(zone.private_zone and zone.name.rstrip(".") == name and any(v.get("vpc_id") == vpc_id for v in zone.vpcs)
               for zone in zones)


def _dns_name(service_name: str) -> str:
    """com.amazonaws.us-east-1.ssm -> ssm.us-east-1.amazonaws.com (the private DNS name of the service)."""
    parts = service_name.split(".")
    if len(parts) >= 4 and parts[:2] == ["com", "amazonaws"]:
        return f"{'.'.join(parts[3:])}.{parts[2]}.amazonaws.com"
    return service_name
