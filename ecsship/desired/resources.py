"""The desired model: one frozen dataclass per resource ecsship manages or looks up.

`spec` holds the resource's configuration in the AWS API's own shape (camelCase keys) with `Ref`s
where a value comes from another resource; the reconciler of `kind` knows how to read, compare
and write it. Lookups (`lookup = True`) are things ecsship only reads and verifies (the VPC, the
ALB, the image, the secrets): they appear in the plan's inputs, never as changes.
"""
from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field
from typing import ClassVar

from ecsship.desired.output_refs import refs_in


@dataclass(frozen=True, kw_only=True)
class Resource:
    kind: ClassVar[str] = ""
    lookup: ClassVar[bool] = False
    title: ClassVar[str] = ""  # how the plan names the kind, e.g. "IAM role"
    # Keys are `kind` or `kind.<part>`; a kind whose keys start otherwise lists those starts here.
    key_roots: ClassVar[tuple[str, ...]] = ()
    # What a `Ref(key, attr)` may read from it: the outputs its reconciler returns (from `read` and
    # `create`). A name ending in ":" is a family (`listener:` covers `listener:443`). Any other
    # attribute fails when the model is built (`builder.check_keys`).
    outputs: ClassVar[tuple[str, ...]] = ()

    key: str  # unique in the model: "cluster", "role.execution", "target_group.blue"
    name: str  # the AWS name (or id/selector for lookups)
    spec: dict = field(default_factory=dict)
    tags: dict = field(default_factory=dict)
    depends_on: tuple = ()  # extra ordering beyond the refs in spec
    note: str = ""  # shown in the plan under the resource

    @classmethod
    def has_output(cls, attr: str) -> bool:
        return attr in cls.outputs or any(name.endswith(":") and attr.startswith(name) for name in cls.outputs)

    def dependencies(self) -> set[str]:
        return set(self.depends_on) | refs_in(self.spec) | refs_in(self.tags)

    @property
    def label(self) -> str:
        return f"{self.title or self.kind} {self.name}"


# A kind adds no fields, only class attributes: it inherits Resource's generated __init__, __eq__,
# __hash__ and __repr__ (each reads the instance's own class) instead of being a @dataclass of its own,
# which re-generated them 31 times at every start (~20 ms, issue #20 item 4). A kind that needs a
# field of its own must be a @dataclass(frozen=True, kw_only=True) again (tests/unit/desired/
# test_resource_kinds.py checks). Frozen for every kind: dataclass's own __setattr__ refuses only
# Resource's fields on a subclass; this refuses any assignment, as before.
def _frozen(self, name, value=None):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


Resource.__setattr__ = _frozen  # type: ignore[method-assign,assignment]
Resource.__delattr__ = _frozen  # type: ignore[method-assign,assignment]


# -- lookups: read and verified during plan, never changed ---------------------------------
class Network(Resource):
    kind = "network"
    outputs = ("vpc_id", "subnet_ids", "azs", "endpoint_subnet_ids", "region", "account_id", "warnings", "partition", "vpc_cidrs")
    key_roots = ("alb_network",)  # the subnets of an ALB ecsship creates
    lookup = True
    title = "network"


class Image(Resource):
    kind = "image"
    outputs = ("uri", "digest")
    lookup = True
    title = "image"


class SecretRefs(Resource):
    kind = "secrets"
    outputs = ("secret_arns", "parameter_arns", "kms_key_arns", "value_from:")
    lookup = True
    title = "secrets"


class LoadBalancerLookup(Resource):
    kind = "alb_lookup"
    outputs = ("arn", "full_name", "security_group_ids", "vpc_id", "listener_arns", "dns_name", "listener:")
    key_roots = ("alb",)
    lookup = True
    title = "load balancer"


class EfsLookup(Resource):
    """An EFS file system and access point a volume mounts (issue #17): they must exist, the access
    point on that file system; the plan says when the mount targets' security groups keep the tasks out."""

    kind = "efs"
    outputs = ("file_system_arn", "access_point_arn", "mount_target_security_groups", "warnings")
    lookup = True
    title = "EFS file system"


class AlarmsLookup(Resource):
    """Alarms the manifest names for rollback (not created by ecsship): they must exist."""

    kind = "alarm_lookup"
    outputs = ("names",)
    key_roots = ("rollback_alarms",)
    lookup = True
    title = "rollback alarms"


# -- managed resources ----------------------------------------------------------------------
class Cluster(Resource):
    kind = "cluster"
    outputs = ("arn", "name", "service_arn_prefix", "task_set_prefix")
    title = "ECS cluster"


class LogGroup(Resource):
    kind = "log_group"
    outputs = ("arn", "arn_wildcard", "streams_arn")
    title = "log group"


class Role(Resource):
    kind = "role"
    outputs = ("arn", "name")
    title = "IAM role"


class SecurityGroup(Resource):
    kind = "security_group"
    outputs = ("id",)
    title = "security group"


class TaskDefinition(Resource):
    kind = "task_definition"
    outputs = ("arn", "revision", "family")
    title = "task definition"


class Service(Resource):
    kind = "service"
    outputs = ("arn", "name")
    title = "ECS service"


class TargetGroup(Resource):
    kind = "target_group"
    outputs = ("arn", "full_name", "name")
    title = "target group"


class ListenerRule(Resource):
    kind = "listener_rule"
    outputs = ("arn",)
    title = "listener rule"


class LoadBalancer(Resource):
    kind = "load_balancer"
    outputs = ("arn", "full_name", "dns_name", "security_group_id", "listener_arns", "listener:")
    title = "load balancer"


class VpcEndpoints(Resource):
    kind = "vpc_endpoints"
    outputs = ("security_group_id",)
    title = "VPC endpoints"


class Autoscaling(Resource):
    kind = "autoscaling"
    outputs = ("resource_id",)
    title = "autoscaling"


class Alarm(Resource):
    kind = "alarm"
    outputs = ("arn", "name")
    title = "alarm"


class CodeDeployApp(Resource):
    kind = "codedeploy_app"
    outputs = ("name", "arn")
    title = "CodeDeploy application"


class CodeDeployConfig(Resource):
    kind = "codedeploy_config"
    outputs = ("name",)
    title = "CodeDeploy deployment config"


class CodeDeployGroup(Resource):
    kind = "codedeploy_group"
    outputs = ("name", "arn", "id")
    title = "CodeDeploy deployment group"


class Namespace(Resource):
    kind = "namespace"
    outputs = ("id", "arn")
    title = "Cloud Map namespace"


class DiscoveryService(Resource):
    kind = "discovery_service"
    outputs = ("id", "arn")
    title = "Cloud Map service"


class Queue(Resource):
    kind = "queue"
    outputs = ("arn", "url", "name")
    title = "SQS queue"


class Schedules(Resource):
    """Every scheduled job of the service: one EventBridge Scheduler schedule each. One resource, so
    a job the manifest no longer lists is deleted with the others' update."""

    kind = "schedules"
    outputs = ("names",)
    title = "scheduled jobs"


class EventRule(Resource):
    kind = "event_rule"
    outputs = ("arn", "name")
    title = "EventBridge rule"


class AmiLookup(Resource):
    """The ECS-optimised AMI an `ec2` capacity entry boots: read from its public SSM parameter."""

    kind = "ami_lookup"
    key_roots = ("ami",)
    lookup = True
    title = "AMI"
    outputs = ("image_id",)


class InstanceProfile(Resource):
    kind = "instance_profile"
    title = "instance profile"
    outputs = ("arn", "name")


class LaunchTemplate(Resource):
    kind = "launch_template"
    title = "launch template"
    outputs = ("id", "name", "version")


class AutoScalingGroup(Resource):
    kind = "autoscaling_group"
    title = "Auto Scaling group"
    outputs = ("arn", "name")


class CapacityProvider(Resource):
    kind = "capacity_provider"
    title = "capacity provider"
    outputs = ("arn", "name")


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


def kinds_by_key_root() -> dict[str, type[Resource]]:
    """The kind of resource a key starting with each root (before any `.`) is."""
    return {root: cls for cls in kinds().values() for root in (cls.kind, *cls.key_roots)}
