"""Right-sizing from utilisation: the smallest valid Fargate size that keeps the observed peak under
a target, a scaling target, and what the change saves a month. Pure: hourly datapoints in.

Sources (CloudWatch): with Container Insights, `ECS/ContainerInsights` CpuUtilized/CpuReserved and
MemoryUtilized/MemoryReserved per service; otherwise `AWS/ECS` CPUUtilization and MemoryUtilization,
"the percentage of CPU/memory units used by the service" relative to what its tasks reserve
(ECS developer guide, "Amazon ECS CloudWatch metrics"). Hourly averages for CPU (sustained load),
hourly maxima for memory (a task over its memory is stopped, so a spike matters).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ecsship.manifest.fargate import FARGATE_CPU, fargate_memory_options

MIN_HOURS = 72           # three days of hourly datapoints before proposing anything
CPU_TARGET = 0.70        # the right-sized task runs the busiest hour at 70% of its CPU
MEMORY_CEILING = 0.80    # and its peak memory at 80% of its memory
SCALING_TARGET = 70      # a target-tracking CPU target that uses what it pays for, with headroom


@dataclass(frozen=True)
class Proposal:
    enough_data: bool
    hours: int
    cpu: int
    memory: int
    new_cpu: int
    new_memory: int
    cpu_peak: float = 0.0       # percent of reserved, busiest hour's average
    memory_peak: float = 0.0    # percent of reserved, highest hourly maximum
    scaling_target: float | None = None
    new_scaling_target: float | None = None

    @property
    def changes(self) -> bool:
        return (self.new_cpu, self.new_memory) != (self.cpu, self.memory) or self.scaling_target != self.new_scaling_target


def smallest_size(cpu_units_needed: float, memory_mib_needed: float) -> tuple[int, int]:
    """The cheapest valid Fargate (cpu, memory) pair with at least what is needed."""
    for cpu in FARGATE_CPU:
        if cpu < cpu_units_needed:
            continue
        fitting = [m for m in fargate_memory_options(cpu) if m >= memory_mib_needed]
        if fitting:
            return cpu, fitting[0]
    return FARGATE_CPU[-1], fargate_memory_options(FARGATE_CPU[-1])[-1]


def propose(cpu: int, memory: int, cpu_hourly_avg: list[float], memory_hourly_max: list[float],
            scaling_target: float | None) -> Proposal:
    hours = min(len(cpu_hourly_avg), len(memory_hourly_max))
    if hours < MIN_HOURS:
        return Proposal(False, hours, cpu, memory, cpu, memory, scaling_target=scaling_target, new_scaling_target=scaling_target)
    cpu_peak, mem_peak = max(cpu_hourly_avg), max(memory_hourly_max)
    new_cpu, new_memory = smallest_size(cpu * cpu_peak / 100 / CPU_TARGET, memory * mem_peak / 100 / MEMORY_CEILING)
    target = scaling_target
    if scaling_target is not None and scaling_target < SCALING_TARGET:
        # A low target keeps every task mostly idle: more tasks than the load needs.
        target = float(SCALING_TARGET)
    return Proposal(True, hours, cpu, memory, new_cpu, new_memory, cpu_peak, mem_peak, scaling_target, target)


def resized(shape, proposal: Proposal):
    """The service's shape with the proposed size (for the estimate of the saving). A higher scaling
    target runs fewer tasks for the same load; the saving counts only the size (stated)."""
    return replace(shape, cpu=proposal.new_cpu, memory=proposal.new_memory)
