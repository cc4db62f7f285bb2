"""ELB target health for targets the simulator registers (task IPs), driven by the clock.

Follows the Elastic Load Balancing API Reference (TargetHealth, DescribeTargetHealth) and the ALB
guide's "Health checks for your target groups": a new target is `initial`
(Elb.RegistrationInProgress / Elb.InitialHealthChecking) until it passes HealthyThresholdCount
consecutive checks, one every HealthCheckIntervalSeconds; it becomes `unhealthy`
(Target.FailedHealthChecks) after UnhealthyThresholdCount consecutive failures; a deregistered
target is `draining` (Target.DeregistrationInProgress) for deregistration_delay.timeout_seconds,
then gone. A target group no load balancer uses reports `unused` (Target.NotInUse).
Targets registered by hand (not by a simulated task) keep moto's behaviour (healthy at once).
A task's target is its IP at the service's `containerPort`, whatever the group's own port (botocore
elbv2 CreateTargetGroup.Port: "This port is used unless you specify a port override when registering
the target"; ecs LoadBalancer.containerPort: "The port on the container to associate with the load
balancer").
"""
from __future__ import annotations

from dataclasses import dataclass

INITIAL_CHECK_DELAY = 1.0  # the first check happens right after registration completes


@dataclass
class TargetHealth:
    target_id: str
    port: int
    registered_at: float
    failing: bool = False  # the target answers health checks with errors (failure injection)
    state: str = "initial"
    reason: str | None = "Elb.RegistrationInProgress"
    description: str | None = "Target registration is in progress"
    passes: int = 0
    fails: int = 0
    next_check_at: float = 0.0
    draining_until: float | None = None
    became_unhealthy_at: float | None = None


def registry(target_group) -> dict[str, TargetHealth]:
    if not hasattr(target_group, "ecsship_health"):
        target_group.ecsship_health = {}
    return target_group.ecsship_health


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def in_use(target_group) -> bool:
    return bool(getattr(target_group, "load_balancer_arns", None))


def register(elbv2_backend, target_group_arn: str, target_id: str, port: int, now: float, failing: bool) -> TargetHealth:
    elbv2_backend.register_targets(target_group_arn, [{"Id": target_id, "Port": port}])
    target_group = elbv2_backend.target_groups[target_group_arn]
    health = TargetHealth(target_id=target_id, port=port, registered_at=now, failing=failing, next_check_at=now + INITIAL_CHECK_DELAY)
    registry(target_group)[target_id] = health
    return health


def start_draining(target_group, target_id: str, now: float) -> None:
    health = registry(target_group).get(target_id)
    if health is None or health.draining_until is not None:
        return
    delay = _int(target_group.attributes.get("deregistration_delay.timeout_seconds"), 300)
    health.draining_until = now + delay
    health.state, health.reason, health.description = "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"


def step(target_group, now: float) -> None:
    """Run the health checks due by `now`; finish draining that is over."""
    interval = _int(target_group.health_check_interval_seconds, 30)
    healthy_threshold = _int(target_group.healthy_threshold_count, 5)
    unhealthy_threshold = _int(target_group.unhealthy_threshold_count, 2)
    table = registry(target_group)
    for target_id, health in list(table.items()):
        if health.draining_until is not None:
            if now >= health.draining_until:
                target_group.targets.pop(target_id, None)
                target_group.deregistered_targets[target_id] = {"Id": target_id, "Port": health.port}
                del table[target_id]
            continue
        while health.next_check_at <= now:
            if health.failing:
                health.fails += 1
                health.passes = 0
                if health.fails >= unhealthy_threshold and health.state != "unhealthy":
                    health.state, health.reason, health.description = "unhealthy", "Target.FailedHealthChecks", "Health checks failed"
                    health.became_unhealthy_at = health.next_check_at
                elif health.state == "initial":
                    health.reason, health.description = "Elb.InitialHealthChecking", "Initial health checks in progress"
            else:
                health.passes += 1
                health.fails = 0
                if health.passes >= healthy_threshold:
                    health.state, health.reason, health.description = "healthy", None, None
                elif health.state == "initial":
                    health.reason, health.description = "Elb.InitialHealthChecking", "Initial health checks in progress"
            health.next_check_at += interval


def needs_ticks(target_group) -> bool:
    return any(h.state in ("initial",) or h.draining_until is not None or (h.failing and h.state != "unhealthy")
               for h in registry(target_group).values())


_applied = False


def apply_patches() -> None:
    global _applied
    if _applied:
        return
    _applied = True
    from moto.elbv2.models import FakeHealthStatus, FakeTargetGroup

    original_health_for = FakeTargetGroup.health_for
    original_deregister = FakeTargetGroup.deregister

    def health_for(self, target, ec2_backend):
        health = registry(self).get(target["Id"])
        if health is None:
            return original_health_for(self, target, ec2_backend)
        port = str(target.get("Port") or health.port)
        if not in_use(self) and health.draining_until is None:
            return FakeHealthStatus(health.target_id, port, self.health_check_port, "unused", "Target.NotInUse",
                                    "Target group is not configured to receive traffic from the load balancer")
        return FakeHealthStatus(health.target_id, port, self.health_check_port, health.state, health.reason, health.description)

    def deregister(self, targets):
        from ecsship.local import runtime

        plain = []
        for target in targets:
            if target["Id"] in registry(self):
                start_draining(self, target["Id"], runtime.now())
            else:
                plain.append(target)
        if plain:
            original_deregister(self, plain)

    FakeTargetGroup.health_for = health_for
    FakeTargetGroup.deregister = deregister
