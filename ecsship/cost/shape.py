"""What a service is, for pricing: read from the desired model (the single source of names and
settings), so `cost` prices exactly what `apply` would create."""
from __future__ import annotations

from dataclasses import dataclass, replace

# Gateway endpoints have no hourly charge (Amazon VPC pricing: "no additional charge for gateway endpoints").
GATEWAY_ENDPOINTS = ("s3", "dynamodb")


@dataclass(frozen=True)
class ServiceShape:
    service: str                       # the service's name
    cluster: str
    launch: str = "fargate"            # fargate | ec2
    cpu: int = 256                     # task CPU units
    memory: int = 512                  # task memory, MiB
    arch: str = "x86_64"
    capacity: tuple = ()               # ((provider, base, weight), ...)
    min_tasks: int = 1
    max_tasks: int = 1
    endpoints: tuple = ()              # interface endpoint service names (ecr.api, logs, ...)
    vpc: str = ""                      # how the VPC is chosen (shared endpoints are counted once per VPC)
    alarms: tuple = ()                 # ((alarm name, metrics it evaluates), ...)
    scaling_policies: int = 0          # target tracking policies: Application Auto Scaling makes 2 alarms each
    secrets: tuple = ()                # Secrets Manager secret ids
    log_group: str = ""
    creates_alb: str = ""              # name of the ALB ecsship creates for the service, if any
    owned_ec2: tuple = ()              # the manifest's `capacity: - ec2:` groups, as observed.ec2_groups reads them

    @property
    def label(self) -> str:
        return self.service


def shape_of(desired) -> ServiceShape:
    by_kind: dict[str, list] = {}
    for resource in desired.resources:
        by_kind.setdefault(resource.kind, []).append(resource)

    def one(kind):
        found = by_kind.get(kind) or []
        return found[0] if found else None

    td, svc, scaling = one("task_definition"), one("service"), one("autoscaling")
    td_spec = td.spec if td else {}
    svc_spec = svc.spec if svc else {}
    desired_count = int(svc_spec.get("desiredCount", 1) or 0)
    lo = hi = desired_count
    policies = 0
    if scaling is not None:
        lo, hi = int(scaling.spec.get("MinCapacity", lo)), int(scaling.spec.get("MaxCapacity", hi))
        policies = len(scaling.spec.get("policies") or {})
    capacity = tuple((c["capacityProvider"], int(c.get("base", 0) or 0), int(c.get("weight", 0) or 0))
                     for c in svc_spec.get("capacityProviderStrategy") or [])
    compat = [c.upper() for c in td_spec.get("requiresCompatibilities") or ["FARGATE"]]
    endpoints_res = one("vpc_endpoints")
    endpoints = tuple(s for s in (endpoints_res.spec.get("services") or []) if s not in GATEWAY_ENDPOINTS) if endpoints_res else ()
    network = one("network")
    secrets_res = one("secrets")
    refs = (secrets_res.spec.get("refs") or {}) if secrets_res else {}
    secret_ids = tuple(sorted({r["id"] for r in refs.values() if r.get("source") == "secretsmanager"}))
    alb = one("load_balancer")
    log_group = one("log_group")
    return ServiceShape(
        service=desired.service, cluster=desired.cluster,
        launch="fargate" if "FARGATE" in compat else "ec2",
        cpu=int(td_spec.get("cpu") or 256), memory=int(td_spec.get("memory") or 512),
        arch=str((td_spec.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")).lower(),
        capacity=capacity, min_tasks=lo, max_tasks=hi, endpoints=endpoints,
        vpc=repr(network.spec.get("vpc")) if network else "",
        alarms=tuple((a.name, _metric_count(a.spec)) for a in by_kind.get("alarm", [])),
        scaling_policies=policies, secrets=secret_ids,
        log_group=log_group.name if log_group else "", creates_alb=alb.name if alb else "",
        owned_ec2=tuple(_owned_group(a) for a in by_kind.get("autoscaling_group", [])),
    )


def _owned_group(asg) -> dict:
    """An Auto Scaling group ecsship would create: priced from the manifest when AWS has none to read
    (not applied yet, or the local AWS). On-demand, a mixed instances policy launches the overrides in
    priority order (EC2 Auto Scaling user guide, "Allocation strategies": `prioritized` is the on-demand
    default), so the first instance type is the one priced."""
    policy = asg.spec.get("MixedInstancesPolicy") or {}
    types = [o["InstanceType"] for o in (policy.get("LaunchTemplate") or {}).get("Overrides") or []]
    on_demand = (policy.get("InstancesDistribution") or {}).get("OnDemandPercentageAboveBaseCapacity", 100)
    return {"provider": asg.name, "instance_type": types[0] if types else "unknown", "min": int(asg.spec.get("MinSize", 0)),
            "max": int(asg.spec["MaxSize"]), "spot_share": (100 - on_demand) / 100, "owned": True}


def _metric_count(spec: dict) -> int:
    """CloudWatch bills an alarm per metric it evaluates: a metric math alarm counts each metric."""
    metrics = spec.get("Metrics")
    if not metrics:
        return 1
    return max(1, sum(1 for m in metrics if "MetricStat" in m))


# -- the live side of a plan: what runs now, for `plan`'s "monthly cost before -> after" ----------------
def live_shape(after: ServiceShape, plan) -> ServiceShape | None:
    """The shape of what runs now, from the plan's changes (their old values); None when the service
    does not exist yet (everything it brings is new)."""
    changes = {c.key: c for c in plan.changes}
    service = changes.get("service")
    if service is not None and service.action == "create":
        return None
    shape = after
    td = changes.get("task_definition")
    if td is not None and td.action in ("update", "replace"):
        old = {f.path: f.old for f in td.fields}
        shape = replace(shape, cpu=_int(old.get("cpu"), shape.cpu), memory=_int(old.get("memory"), shape.memory),
                        arch=str(old.get("runtimePlatform.cpuArchitecture") or shape.arch).lower())
    scaling = changes.get("autoscaling")
    if scaling is not None:
        if scaling.action == "create":
            count = _int(_old(changes.get("service"), "desiredCount"), shape.min_tasks)
            shape = replace(shape, min_tasks=count, max_tasks=count, scaling_policies=0)
        elif scaling.action in ("update", "replace"):
            old = {f.path: f.old for f in scaling.fields}
            shape = replace(shape, min_tasks=_int(old.get("MinCapacity"), shape.min_tasks),
                            max_tasks=_int(old.get("MaxCapacity"), shape.max_tasks))
    new_alarms = {c.name for c in plan.changes if c.kind == "alarm" and c.action == "create"}
    shape = replace(shape, alarms=tuple(a for a in shape.alarms if a[0] not in new_alarms))
    endpoints = changes.get("vpc_endpoints")
    if endpoints is not None and endpoints.action == "create":
        shape = replace(shape, endpoints=())
    alb = changes.get("load_balancer")
    if alb is not None and alb.action == "create":
        shape = replace(shape, creates_alb="")
    return shape


def _old(change, path: str):
    if change is None:
        return None
    return next((f.old for f in change.fields if f.path == path), None)


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
