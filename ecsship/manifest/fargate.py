"""Valid Fargate task cpu/memory pairs (AWS ECS developer guide, "Task CPU and memory")."""
from __future__ import annotations

GIB = 1024


def fargate_memory_options(cpu: int) -> list[int]:
    """Memory values (MiB) Fargate accepts for `cpu` units; [] when cpu itself is invalid."""
    if cpu == 256:
        return [512, 1 * GIB, 2 * GIB]
    if cpu == 512:
        return [g * GIB for g in range(1, 5)]
    if cpu == 1024:
        return [g * GIB for g in range(2, 9)]
    if cpu == 2048:
        return [g * GIB for g in range(4, 17)]
    if cpu == 4096:
        return [g * GIB for g in range(8, 31)]
    if cpu == 8192:
        return [g * GIB for g in range(16, 61, 4)]
    if cpu == 16384:
        return [g * GIB for g in range(32, 121, 8)]
    return []


FARGATE_CPU = (256, 512, 1024, 2048, 4096, 8192, 16384)


def describe_options(cpu: int) -> str:
    options = fargate_memory_options(cpu)
    if not options:
        return ""
    if len(options) <= 4:
        return ", ".join(str(m) for m in options)
    step = options[1] - options[0]
    return f"{options[0]} to {options[-1]} in steps of {step}"
