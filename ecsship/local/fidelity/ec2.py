"""EC2 VPC endpoints after deletion, and the vpc-endpoint-id filter.

AWS (Amazon VPC API Reference, DeleteVpcEndpoints / DescribeVpcEndpoints): a deleted endpoint goes
`deleting` and then `deleted`, and DescribeVpcEndpoints keeps returning it in those states for a
while before it disappears (then describing it by id fails with InvalidVpcEndpointId.NotFound).
moto marks it `deleted` at once and lists it forever. The `vpc-endpoint-id` filter is documented;
moto does not implement it. ModifyVpcEndpoint(PrivateDnsEnabled) changes the endpoint's private DNS
(moto ignores the parameter).
"""
from __future__ import annotations

DELETING_SECONDS = 10.0
VISIBLE_AFTER_DELETE_SECONDS = 300.0


def apply() -> None:
    from moto.ec2.models.vpcs import VPCBackend, VPCEndPoint

    from ecsship.local import runtime

    original_delete = VPCBackend.delete_vpc_endpoints
    original_describe = VPCBackend.describe_vpc_endpoints
    original_filter = VPCEndPoint.get_filter_value

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

    VPCs.modify_vpc_endpoint = modify_vpc_endpoint
    VPCBackend.delete_vpc_endpoints = delete_vpc_endpoints
    VPCBackend.describe_vpc_endpoints = describe_vpc_endpoints
    VPCEndPoint.get_filter_value = get_filter_value
