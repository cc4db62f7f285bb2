"""The task's containers as validation sees them (issue #17): the main container, the manifest's
`containers:`, and the ones ecsship adds (FireLens log router, OpenTelemetry collector, X-Ray daemon).

Shared by the semantic rules and the desired-model builder, so both agree on names, ports and
reservations. Reads possibly ill-typed data defensively: schema errors are reported alongside.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Containers ecsship adds; a manifest container may not take their names.
LOG_ROUTER = "log_router"
OTEL_COLLECTOR = "aws-otel-collector"
XRAY_DAEMON = "xray-daemon"
# AWS for Fluent Bit and the AWS Distro for OpenTelemetry collector, pinned (a moving tag would change
# the task under a rollback).
FLUENT_BIT_IMAGE = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.34.3"
OTEL_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
XRAY_IMAGE = "public.ecr.aws/xray/aws-xray-daemon:3.3.14"
XRAY_END_OF_SUPPORT = "2027-02-25"
# Reservations of the added containers: counted when checking that every reservation fits the task.
BUILTIN_RESERVATIONS = {LOG_ROUTER: (32, 64), OTEL_COLLECTOR: (64, 128), XRAY_DAEMON: (32, 256)}
# Ports the added containers listen on (OTLP gRPC/HTTP; the X-Ray daemon's UDP 2000).
BUILTIN_PORTS = {OTEL_COLLECTOR: (4317, 4318), XRAY_DAEMON: (2000,)}
CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")


@dataclass
class Container:
    """One container of the task, with where the manifest says so (`at`: the path of its entry)."""

    name: str
    at: tuple
    essential: bool = True
    health_check: bool = False
    ports: tuple = ()
    cpu: int = 0
    memory: int = 0
    depends_on: dict = field(default_factory=dict)
    builtin: bool = False


def _get(data, *keys, default=None):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def main_name(m: dict) -> str:
    name = m.get("container_name") or m.get("service")
    return name if isinstance(name, str) else ""


def sidecars(m: dict) -> list[tuple[int, dict]]:
    """(index, entry) of each well-formed enough `containers:` entry."""
    entries = m.get("containers")
    if not isinstance(entries, list):
        return []
    return [(i, c) for i, c in enumerate(entries) if isinstance(c, dict)]


def tracing(m: dict) -> str:
    return str(_get(m, "observability", "tracing", default="none"))


def firelens(m: dict) -> bool:
    return _get(m, "logs", "driver") == "firelens"


def task_containers(m: dict) -> list[Container]:
    """Every container of the task: main first, then the manifest's, then the ones ecsship adds."""
    main_port = m.get("port")
    out = [Container(main_name(m), ("container_name",) if "container_name" in m else ("service",),
                     health_check=bool(_get(m, "health_check", "command")),
                     ports=(main_port,) if _int(main_port) else (),
                     depends_on=dict(m["depends_on"]) if isinstance(m.get("depends_on"), dict) else {})]
    for i, c in sidecars(m):
        port = c.get("port")
        out.append(Container(
            c["name"] if isinstance(c.get("name"), str) else "", ("containers", i),
            essential=c.get("essential", True) is not False,
            health_check=bool(_get(c, "health_check", "command")),
            ports=(port,) if _int(port) else (),
            cpu=c["cpu"] if _int(c.get("cpu")) else 0, memory=c["memory"] if _int(c.get("memory")) else 0,
            depends_on=dict(c["depends_on"]) if isinstance(c.get("depends_on"), dict) else {}))
    added = ([LOG_ROUTER] if firelens(m) else []) + ([OTEL_COLLECTOR] if tracing(m) == "otel" else []) \
        + ([XRAY_DAEMON] if tracing(m) == "xray" else [])
    for name in added:
        cpu, memory = BUILTIN_RESERVATIONS[name]
        # The log router must run for the others to log: essential, as in AWS's FireLens examples.
        out.append(Container(name, ("logs", "driver") if name == LOG_ROUTER else ("observability", "tracing"),
                             essential=name == LOG_ROUTER, ports=BUILTIN_PORTS.get(name, ()), cpu=cpu, memory=memory,
                             builtin=True))
    return out


def cycle_from(start: str, graph: dict[str, list[str]]) -> list[str] | None:
    """A dependency cycle through `start` (names in order, start repeated at the end), or None."""
    path: list[str] = []

    def walk(node: str, seen: set) -> list[str] | None:
        path.append(node)
        for nxt in graph.get(node, []):
            if nxt == start:
                return path + [start]
            if nxt not in seen:
                seen.add(nxt)
                found = walk(nxt, seen)
                if found:
                    return found
        path.pop()
        return None

    return walk(start, {start})
