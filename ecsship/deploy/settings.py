"""The deploy-related parts of a manifest, as plain values the strategies take.

Kept separate from the desired model so the engine can be driven from a manifest, from
`apply`, or from tests with nothing but a cluster, a service and a task definition ARN.
"""
from __future__ import annotations

from dataclasses import dataclass, field

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
    codedeploy_application: str = ""        # "" → `<cluster>-<service>`, as the desired model names it
    codedeploy_group: str = ""
    container_name: str = ""                # "" → the service name, as the desired model names it
    container_port: int | None = None
    target: dict | None = None              # the desired service (resolved spec) a CodeDeploy AppSpec is built from

    @property
    def application(self) -> str:
        return self.codedeploy_application or f"{self.cluster}-{self.service}"

    @property
    def deployment_group(self) -> str:
        return self.codedeploy_group or f"{self.cluster}-{self.service}"

    @property
    def family(self) -> str:
        """The service's task definition family (scoped by cluster; see desired/names.py)."""
        from ecsship.desired.names import task_family

        return task_family(self.cluster, self.service)

    @property
    def legacy_family(self) -> str:
        from ecsship.desired.names import legacy_task_family

        return legacy_task_family(self.service)

    @property
    def container(self) -> str:
        return self.container_name or self.service

    @property
    def uses_codedeploy(self) -> bool:
        return self.strategy != "rolling" and self.controller == "codedeploy"

    @classmethod
    def from_manifest(cls, data: dict) -> "DeploySettings":
        deploy = data.get("deploy") or {}
        timeout = deploy.get("timeout")
        bake = deploy.get("bake_time")
        return cls(
            cluster=data["cluster"],
            service=data["service"],
            strategy=deploy.get("strategy", "rolling"),
            controller=deploy.get("controller", "ecs"),
            timeout=parse_duration(timeout) if timeout is not None else DEFAULT_TIMEOUT,
            approval=deploy.get("approval", "auto"),
            suspend_scale_in=bool(deploy.get("suspend_scale_in", False)),
            bake_time=parse_duration(bake) if bake is not None else None,
            hooks=dict(deploy.get("hooks") or {}),
            container_port=data.get("port"),
        )
