"""Cloud Map service discovery: a private DNS namespace (created when missing, shared, never deleted)
and the service's discovery service, which ECS registers each task's IP in (serviceRegistries)."""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.aws.retrysafe import client_token
from ecsship.deploy import clock as clocks
from ecsship.deploy.polling import Backoff, wait_for
from ecsship.errors import EcsshipError
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, owned, tag_dict, tag_list


class NamespaceReconciler(Reconciler):
    on_destroy = OnDestroy(keep="shared by the services registered in it")
    kind = "namespace"
    requires_ownership = False  # shared by every service that registers in it

    def read(self, aws, res, spec):
        with aws_call(res.label, "servicediscovery:ListNamespaces"):
            pages = aws.client("servicediscovery").get_paginator("list_namespaces").paginate(
                Filters=[{"Name": "TYPE", "Values": ["DNS_PRIVATE"], "Condition": "EQ"}, {"Name": "NAME", "Values": [res.name], "Condition": "EQ"}])
            found = [n for page in pages for n in page["Namespaces"] if n["Name"] == res.name]
        if not found:
            return None
        ns = found[0]
        return Live(state={"name": res.name, "type": "DNS_PRIVATE"}, outputs={"id": ns["Id"], "arn": ns["Arn"]},
                    note="" if len(found) == 1 else f"{len(found)} namespaces are named {res.name}; using {ns['Id']}")

    def desired_state(self, res, spec, live=None):
        return {"name": res.name, "type": "DNS_PRIVATE"}

    def create(self, aws, res, spec):
        sd = aws.client("servicediscovery")
        with aws_call(res.label, "servicediscovery:CreatePrivateDnsNamespace"):
            operation = sd.create_private_dns_namespace(Name=res.name, Vpc=spec["vpcId"], CreatorRequestId=client_token(aws, spec["vpcId"], res.name),
                                                        Description="ecsship", Tags=tag_list(res.tags))["OperationId"]
        namespace_id = wait_operation(aws, res.label, operation)["NAMESPACE"]
        with aws_call(res.label, "servicediscovery:GetNamespace"):
            ns = sd.get_namespace(Id=namespace_id)["Namespace"]
        return {"id": ns["Id"], "arn": ns["Arn"]}

    def delete(self, aws, res, live):
        return None  # shared; see plan/destroy.py


def wait_operation(aws, label: str, operation_id: str, timeout: float = 300) -> dict:
    """Cloud Map creates namespaces asynchronously: poll the operation with backoff until it ends."""
    sd = aws.client("servicediscovery")
    status = {"now": ""}

    def finished(waited: float) -> dict | None:
        with aws_call(label, "servicediscovery:GetOperation"):
            operation = sd.get_operation(OperationId=operation_id)["Operation"]
        status["now"] = operation["Status"]
        if operation["Status"] == "SUCCESS":
            return operation.get("Targets") or {}
        if operation["Status"] == "FAIL":
            raise EcsshipError(f"{label}: {operation.get('ErrorCode')}: {operation.get('ErrorMessage')}")
        return None

    def timed_out(waited: float) -> Exception:
        return EcsshipError(f"{label}: still {status['now']} after {int(waited)} s", "run apply again to continue")

    return wait_for(finished, Backoff(first=0.2, factor=2.0, cap=5.0), clocks.clock_for(aws).sleep, timeout, timed_out)


def _dns(config: dict) -> dict:
    return {"RoutingPolicy": config.get("RoutingPolicy", "MULTIVALUE"),
            "DnsRecords": sorted(({"Type": r["Type"], "TTL": r["TTL"]} for r in config.get("DnsRecords") or []), key=lambda r: r["Type"])}


class DiscoveryServiceReconciler(Reconciler):
    on_destroy = OnDestroy()
    kind = "discovery_service"
    read_needs = ("NamespaceId",)
    replace_fields = ("DnsConfig.RoutingPolicy", "HealthCheckCustomConfig")

    def read(self, aws, res, spec):
        sd = aws.client("servicediscovery")
        with aws_call(res.label, "servicediscovery:ListServices"):
            pages = sd.get_paginator("list_services").paginate(Filters=[{"Name": "NAMESPACE_ID", "Values": [spec["NamespaceId"]], "Condition": "EQ"}])
            found = next((s for page in pages for s in page["Services"] if s["Name"] == res.name), None)
        if found is None:
            return None
        with aws_call(res.label, "servicediscovery:ListTagsForResource"):
            tags = tag_dict(sd.list_tags_for_resource(ResourceARN=found["Arn"]).get("Tags"))
        state = {"DnsConfig": _dns(found.get("DnsConfig") or {}),
                 "HealthCheckCustomConfig": {"FailureThreshold": (found.get("HealthCheckCustomConfig") or {}).get("FailureThreshold", 1)},
                 "tags": tags}
        return Live(state=state, outputs={"id": found["Id"], "arn": found["Arn"]}, managed=owned(tags, res))

    def desired_state(self, res, spec, live=None):
        return {"DnsConfig": _dns(spec["DnsConfig"]), "HealthCheckCustomConfig": dict(spec["HealthCheckCustomConfig"]), "tags": dict(res.tags)}

    def create(self, aws, res, spec):
        with aws_call(res.label, "servicediscovery:CreateService"):
            svc = aws.client("servicediscovery").create_service(
                Name=res.name, NamespaceId=spec["NamespaceId"], DnsConfig=spec["DnsConfig"], HealthCheckCustomConfig=spec["HealthCheckCustomConfig"],
                CreatorRequestId=client_token(aws, spec["NamespaceId"], res.name), Tags=tag_list(res.tags))["Service"]
        return {"id": svc["Id"], "arn": svc["Arn"]}

    def update(self, aws, res, spec, live, fields):
        sd = aws.client("servicediscovery")
        if any(f.path.startswith("DnsConfig") for f in fields):
            with aws_call(res.label, "servicediscovery:UpdateService"):
                sd.update_service(Id=live.outputs["id"], Service={"DnsConfig": {"DnsRecords": spec["DnsConfig"]["DnsRecords"]}})
        if any(f.path.startswith("tags") for f in fields):
            self.adopt(aws, res, spec, live)
        return live.outputs

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "servicediscovery:TagResource"):
            aws.client("servicediscovery").tag_resource(ResourceARN=live.outputs["arn"], Tags=tag_list(res.tags))

    def delete(self, aws, res, live):
        with aws_call(res.label, "servicediscovery:DeleteService"):
            aws.client("servicediscovery").delete_service(Id=live.outputs["id"])
