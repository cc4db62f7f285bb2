"""The desired model: one frozen dataclass per resource ecsship manages or looks up.

`spec` holds the resource's configuration in the AWS API's own shape (camelCase keys) with `Ref`s
where a value comes from another resource; the reconciler of `kind` knows how to read, compare
and write it. Lookups (`lookup = True`) are things ecsship only reads and verifies (the VPC, the
ALB, the image, the secrets): they appear in the plan's inputs, never as changes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ecsship.desired.output_refs import refs_in


@dataclass(frozen=True, kw_only=True)
class Resource:
    kind: ClassVar[str] = ""
    lookup: ClassVar[bool] = False
    title: ClassVar[str] = ""  # how the plan names the kind, e.g. "IAM role"
    # Keys are `kind` or `kind.<part>`; a kind whose keys start otherwise lists those starts here.
    key_roots: ClassVar[tuple[str, ...]] = ()

    key: str  # unique in the model: "cluster", "role.execution", "target_group.blue"
    name: str  # the AWS name (or id/selector for lookups)
    spec: dict = field(default_factory=dict)
    tags: dict = field(default_factory=dict)
    depends_on: tuple = ()  # extra ordering beyond the refs in spec
    note: str = ""  # shown in the plan under the resource

    def dependencies(self) -> set[str]:
        return set(self.depends_on) | refs_in(self.spec) | refs_in(self.tags)

    @property
    def label(self) -> str:
        return f"{self.title or self.kind} {self.name}"


# -- lookups: read and verified during plan, never changed ---------------------------------
@dataclass(frozen=True, kw_only=True)
class Network(Resource):
    kind = "network"
    key_roots = ("alb_network",)  # the subnets of an ALB ecsship creates
    lookup = True
    title = "network"


@dataclass(frozen=True, kw_only=True)
class Image(Resource):
    kind = "image"
    lookup = True
    title = "image"


@dataclass(frozen=True, kw_only=True)
class SecretRefs(Resource):
    kind = "secrets"
    lookup = True
    title = "secrets"


@dataclass(frozen=True, kw_only=True)
class LoadBalancerLookup(Resource):
    kind = "alb_lookup"
    key_roots = ("alb",)
    lookup = True
    title = "load balancer"


@dataclass(frozen=True, kw_only=True)
class AlarmsLookup(Resource):
    """Alarms the manifest names for rollback (not created by ecsship): they must exist."""

    kind = "alarm_lookup"
    key_roots = ("rollback_alarms",)
    lookup = True
    title = "rollback alarms"


# -- managed resources ----------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Cluster(Resource):
    kind = "cluster"
    title = "ECS cluster"


@dataclass(frozen=True, kw_only=True)
class LogGroup(Resource):
    kind = "log_group"
    title = "log group"


@dataclass(frozen=True, kw_only=True)
class Role(Resource):
    kind = "role"
    title = "IAM role"


@dataclass(frozen=True, kw_only=True)
class SecurityGroup(Resource):
    kind = "security_group"
    title = "security group"


@dataclass(frozen=True, kw_only=True)
class TaskDefinition(Resource):
    kind = "task_definition"
    title = "task definition"


@dataclass(frozen=True, kw_only=True)
class Service(Resource):
    kind = "service"
    title = "ECS service"


@dataclass(frozen=True, kw_only=True)
class TargetGroup(Resource):
    kind = "target_group"
    title = "target group"


@dataclass(frozen=True, kw_only=True)
class ListenerRule(Resource):
    kind = "listener_rule"
    title = "listener rule"


@dataclass(frozen=True, kw_only=True)
class LoadBalancer(Resource):
    kind = "load_balancer"
    title = "load balancer"


@dataclass(frozen=True, kw_only=True)
class VpcEndpoints(Resource):
    kind = "vpc_endpoints"
    title = "VPC endpoints"


@dataclass(frozen=True, kw_only=True)
class Autoscaling(Resource):
    kind = "autoscaling"
    title = "autoscaling"


@dataclass(frozen=True, kw_only=True)
class Alarm(Resource):
    kind = "alarm"
    title = "alarm"


@dataclass(frozen=True, kw_only=True)
class CodeDeployApp(Resource):
    kind = "codedeploy_app"
    title = "CodeDeploy application"


@dataclass(frozen=True, kw_only=True)
class CodeDeployConfig(Resource):
    kind = "codedeploy_config"
    title = "CodeDeploy deployment config"


@dataclass(frozen=True, kw_only=True)
class CodeDeployGroup(Resource):
    kind = "codedeploy_group"
    title = "CodeDeploy deployment group"


@dataclass(frozen=True, kw_only=True)
class Namespace(Resource):
    kind = "namespace"
    title = "Cloud Map namespace"


@dataclass(frozen=True, kw_only=True)
class DiscoveryService(Resource):
    kind = "discovery_service"
    title = "Cloud Map service"


@dataclass(frozen=True, kw_only=True)
class Queue(Resource):
    kind = "queue"
    title = "SQS queue"


@dataclass(frozen=True, kw_only=True)
class Schedules(Resource):
    """Every scheduled job of the service: one EventBridge Scheduler schedule each. One resource, so
    a job the manifest no longer lists is deleted with the others' update."""

    kind = "schedules"
    title = "scheduled jobs"


@dataclass(frozen=True, kw_only=True)
class EventRule(Resource):
    kind = "event_rule"
    title = "EventBridge rule"


@dataclass(frozen=True)
class Desired:
    """Everything one manifest asks for, in dependency order."""

    service: str
    cluster: str
    region: str | None
    resources: tuple  # of Resource, ordered so each comes after what it depends on
    container_name: str
    manifest_data: dict = field(default_factory=dict, repr=False, compare=False)

    def get(self, key: str) -> Resource | None:
        return next((r for r in self.resources if r.key == key), None)

    def managed(self) -> list[Resource]:
        return [r for r in self.resources if not r.lookup]

    def ownership_tags(self) -> dict:
        return {"ecsship:service": self.service, "ecsship:cluster": self.cluster}


def kinds() -> dict[str, type[Resource]]:
    """Every resource kind the desired model can hold, by kind."""
    found: dict[str, type[Resource]] = {}
    pending = list(Resource.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.kind:
            found[cls.kind] = cls
    return found


def key_roots() -> set[str]:
    """What a resource key may start with (before any `.`)."""
    return {root for cls in kinds().values() for root in (cls.kind, *cls.key_roots)}
