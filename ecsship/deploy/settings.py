"""The deploy-related parts of a manifest, as plain values the strategies take.

A plain value so tests can drive the engine with nothing but a cluster, a service and a task
definition ARN; from a manifest it is derived from the desired model (`from_desired`), so the
names deploy looks for are the names apply created (issue 14: one source of truth).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ecsship.desired import names
from ecsship.desired.resources import Desired
from ecsship.manifest.durations import parse_duration

DEFAULT_TIMEOUT = 15 * 60


@dataclass(frozen=True)
class DeploySettings:
    cluster: str
    service: str
    strategy: str = "rolling"               # rolling | blue_green | canary | linear
    controller: str = "ecs"                 # ecs | codedeploy (only for blue_green/canary/linear)
    timeout: int = DEFAULT_TIMEOUT          # seconds
    approval: str = "auto"                  # auto | manual
    suspend_scale_in: bool = False
    bake_time: int | None = None            # seconds
    hooks: dict = field(default_factory=dict)   # CodeDeploy hook name -> Lambda ARN
    codedeploy_application: str = ""        # "" → names.codedeploy_name, as the desired model names it
    codedeploy_group: str = ""
    container_name: str = ""                # "" → the service name, as the desired model names it
    container_port: int | None = None
    target: dict | None = None              # the desired service (resolved spec) a CodeDeploy AppSpec is built from
    stability_window: int = 0               # seconds watched for crash loops after ECS completes (stability.py)
    scaling: bool = False                   # the manifest declares `scaling:` (status reads its activities early)

    @property
    def application(self) -> str:
        return self.codedeploy_application or names.codedeploy_name(self.cluster, self.service)

    @property
    def deployment_group(self) -> str:
        return self.codedeploy_group or names.codedeploy_name(self.cluster, self.service)

    @property
    def family(self) -> str:
        """The service's task definition family (scoped by cluster; see desired/names.py)."""
        return names.task_family(self.cluster, self.service)

    @property
    def legacy_family(self) -> str:
        return names.legacy_task_family(self.service)

    @property
    def container(self) -> str:
        return self.container_name or self.service

    @property
    def uses_codedeploy(self) -> bool:
        return self.strategy != "rolling" and self.controller == "codedeploy"

    @classmethod
    def from_desired(cls, desired: Desired) -> "DeploySettings":
        """Names come from the resources apply creates, never recomputed here: with long names
        the builder fits them to AWS's limits with a hash, and deploy must find the same ones."""
        data = desired.manifest_data
        deploy = data.get("deploy") or {}
        application, group = desired.get("codedeploy_app"), desired.get("codedeploy_group")
        timeout = deploy.get("timeout")
        bake = deploy.get("bake_time")
        window = deploy.get("stability_window")
        return cls(
            cluster=desired.cluster,
            service=desired.service,
            strategy=deploy.get("strategy", "rolling"),
            controller=deploy.get("controller", "ecs"),
            timeout=parse_duration(timeout) if timeout is not None else DEFAULT_TIMEOUT,
            approval=deploy.get("approval", "auto"),
            suspend_scale_in=bool(deploy.get("suspend_scale_in", False)),
            bake_time=parse_duration(bake) if bake is not None else None,
            hooks=dict(deploy.get("hooks") or {}),
            codedeploy_application=application.name if application else "",
            codedeploy_group=group.name if group else "",
            container_name=desired.container_name,
            container_port=data.get("port"),
            stability_window=parse_duration(window) if window is not None else default_stability_window(data),
            scaling=bool(data.get("scaling")),
        )


def default_stability_window(data: dict) -> int:
    """The health check grace period (60 s unless set) for a service ECS's circuit breaker cannot
    judge (no load balancer, no container health check: see stability.py); 0 (off) otherwise,
    where a task that exits never became healthy and the breaker counts it."""
    check = data.get("health_check") or {}
    if data.get("load_balancer") or check.get("command"):
        return 0
    return int(check.get("grace_period", 60))
