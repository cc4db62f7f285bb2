"""Validation of the task's shape (issue #17): container names, dependencies, reservations, ports,
ephemeral storage, volumes, log routing and tracing. Findings are (path, message, hint, severity),
as in semantic.py, which runs these rules with its own."""
from __future__ import annotations

from typing import Callable, Iterator

from ecsship.manifest.containers import (
    LOG_ROUTER,
    OTEL_COLLECTOR,
    XRAY_DAEMON,
    XRAY_END_OF_SUPPORT,
    Container,
    _get,
    _int,
    cycle_from,
    sidecars,
    task_containers,
)

Finding = tuple
TASK_RULES: list[Callable[[dict], Iterator[Finding]]] = []
RESERVED = (LOG_ROUTER, OTEL_COLLECTOR, XRAY_DAEMON)
# botocore ecs EphemeralStorage.sizeInGiB: "The minimum supported value is 21 GiB and the maximum
# supported value is 200 GiB."
STORAGE_GIB = (21, 200)


def task_rule(fn):
    TASK_RULES.append(fn)
    return fn


def _where(c: Container, *rest) -> tuple:
    """The path of a field of container `c`: the main container's fields are top-level."""
    return (rest or ("container_name",)) if c.at in (("container_name",), ("service",)) else c.at + rest


@task_rule
def container_names(m):
    """Names unique in the task, and not one of the containers ecsship adds."""
    main = task_containers(m)[0].name
    seen = {main}
    for i, c in sidecars(m):
        name = c.get("name")
        if not isinstance(name, str):
            continue
        if name in RESERVED:
            yield ("containers", i, "name"), f"'{name}' is the name of a container ecsship adds", "pick another name", "error"
        elif name in seen:
            what = "the main container's name" if name == main else "already the name of another container"
            yield ("containers", i, "name"), f"'{name}' is {what}", "container names are unique in a task", "error"
        seen.add(name)


@task_rule
def container_dependencies(m):
    """depends_on names a container of the task, with a condition that container can meet; no cycles.

    botocore ecs ContainerDependency.condition: COMPLETE and SUCCESS "can't be set on an essential
    container"; HEALTHY "requires that the dependent container has health checks configured"."""
    if "containers" in m and not isinstance(m["containers"], list):
        return  # the schema reports the list; which containers it meant is unknown
    containers = task_containers(m)
    by_name = {c.name: c for c in containers}
    graph: dict[str, list[str]] = {}
    for c in containers:
        for target, condition in c.depends_on.items():
            at = _where(c, "depends_on", target)
            other = by_name.get(target)
            if target == c.name:
                yield at, f"container {c.name} cannot depend on itself", None, "error"
            elif other is None:
                names = ", ".join(n for n in by_name if n != c.name) or "none"
                yield at, f"no container named '{target}' in the task", f"containers: {names}", "error"
            elif condition in ("COMPLETE", "SUCCESS") and other.essential:
                yield at, f"{condition} needs {target} to be non-essential (an essential container that exits stops the task)", \
                    f"set `essential: false` on {target}, or wait for START or HEALTHY", "error"
            elif condition == "HEALTHY" and not other.health_check:
                yield at, f"HEALTHY needs a health check on {target}", f"give {target} a `health_check.command`, or wait for START", "error"
            else:
                graph.setdefault(c.name, []).append(target)
    reported: set = set()
    for c in containers:
        cycle = cycle_from(c.name, graph) if c.name in graph else None
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            yield _where(c, "depends_on", cycle[1]), f"depends_on cycle: {' -> '.join(cycle)}", \
                "a container cannot wait, through others, for itself", "error"


@task_rule
def at_least_one_essential(m):
    """botocore ecs ContainerDefinition.essential: "All tasks must have at least one essential container"."""
    containers = task_containers(m)
    if not any(c.essential for c in containers):
        yield ("containers",), "no container is essential", "mark one `essential: true`", "error"


@task_rule
def reservations_fit(m):
    """Container reservations fit the task, leaving room for the main container (botocore ecs
    ContainerDefinition.cpu: "the total amount of CPU reserved for all containers within a task be
    lower than the task-level cpu value"). Said once per resource, at the manifest's last container
    that reserves it (else where the container ecsship adds comes from)."""
    size = {"cpu": m.get("cpu", 256), "memory": m.get("memory", 512)}
    others = task_containers(m)[1:]
    for key, unit in (("cpu", "CPU units"), ("memory", "MiB")):
        if not _int(size[key]):
            continue
        used = sum(getattr(c, key) for c in others)
        if not used or used < size[key]:  # no reservations fit any size (even a wrong one, said elsewhere)
            continue
        mine = [c for c in others if getattr(c, key) and not c.builtin]
        where = _where(mine[-1], key) if mine else next(c.at for c in others if getattr(c, key))
        yield (where, f"containers other than the main one reserve {used} {unit} of the task's {size[key]}"
               + (" MiB" if key == "memory" else ""), f"raise the task's `{key}`, or lower the reservations", "error")


@task_rule
def ports_unique(m):
    """Containers share the task's network namespace (awsvpc): one port, one container. The ports of
    the containers ecsship adds are taken first, so the manifest's conflicting entry is named."""
    owner: dict[int, str] = {}
    containers = task_containers(m)
    for c in [c for c in containers if c.builtin] + [c for c in containers if not c.builtin]:
        for port in c.ports:
            if port in owner and owner[port] != c.name:
                where = _where(c, "port") if c.at[0] == "containers" else ("port",)
                yield where, f"port {port} is already used by container {owner[port]}", "containers of a task share its network: use another port", "error"
            owner.setdefault(port, c.name)


@task_rule
def ephemeral_storage(m):
    storage = m.get("storage")
    if not _int(storage):
        return
    if m.get("platform", "fargate") != "fargate":
        yield ("storage",), "storage (ephemeral storage) is a Fargate setting", "size the instances' volumes instead, or drop storage", "error"
    elif not STORAGE_GIB[0] <= storage <= STORAGE_GIB[1]:
        yield ("storage",), f"Fargate ephemeral storage is {STORAGE_GIB[0]}..{STORAGE_GIB[1]} GiB (got {storage})", \
            "Fargate gives 20 GiB without it", "error"


@task_rule
def volume_mounts(m):
    """Each volume is mounted (`mount` in the main container, or `mounts` by container), once per
    container and path, in containers the task has."""
    volumes = m.get("volumes")
    if not isinstance(volumes, list) or ("containers" in m and not isinstance(m["containers"], list)):
        return  # the schema reports a list that is not one
    names = {c.name for c in task_containers(m) if not c.builtin}
    seen: set = set()
    paths: dict = {}
    main = task_containers(m)[0].name
    for i, v in enumerate(volumes):
        if not isinstance(v, dict):
            continue
        if v.get("name") in seen:
            yield ("volumes", i, "name"), f"volume '{v.get('name')}' is listed twice", None, "error"
        seen.add(v.get("name"))
        if "mount" in v and "mounts" in v:
            yield ("volumes", i, "mounts"), "give `mount` (the main container) or `mounts` (by container), not both", None, "error"
            continue
        if "mount" not in v and "mounts" not in v:
            yield ("volumes", i), "a volume needs `mount: PATH` (in the main container) or `mounts: {CONTAINER: PATH}`", None, "error"
            continue
        mounts = {main: v["mount"]} if "mount" in v else (v["mounts"] if isinstance(v["mounts"], dict) else {})
        for container, path in mounts.items():
            at = ("volumes", i, "mount") if "mount" in v else ("volumes", i, "mounts", container)
            if container not in names:
                yield at, f"no container named '{container}' in the task", f"containers: {', '.join(sorted(names))}", "error"
            elif (container, path) in paths:
                yield at, f"{container} already mounts volume '{paths[(container, path)]}' at {path}", None, "error"
            paths.setdefault((container, path), v.get("name"))


@task_rule
def log_routing(m):
    """FireLens needs the output's options (at least its Name); options mean nothing to awslogs."""
    logs = m.get("logs")
    if not isinstance(logs, dict):
        return
    if logs.get("driver") == "firelens":
        options = logs.get("options")
        if not isinstance(options, dict) or "Name" not in options:
            yield ("logs", "options") if isinstance(options, dict) else ("logs", "driver"), \
                "driver firelens needs `options` with the Fluent Bit output's Name (e.g. datadog, cloudwatch_logs, http)", None, "error"
    elif logs.get("driver", "awslogs") == "awslogs":  # another driver: the schema's error is enough
        for key in ("options", "secret_options"):
            if key in logs:
                yield ("logs", key), f"`{key}` are for `driver: firelens`", "set logs.driver: firelens, or drop them", "error"


@task_rule
def xray_end_of_support(m):
    """The X-Ray daemon entered maintenance on 2026-02-25 and reaches end of support on 2027-02-25;
    the AWS Distro for OpenTelemetry collector is its successor."""
    if _get(m, "observability", "tracing") == "xray":
        # Short enough that `examples/web/ecsship.yaml:LINE:COL: ... — hint` fits 100 columns (the X-Ray daemon;
        # docs/manifest.md explains otel).
        yield (("observability", "tracing"), f"xray retires {XRAY_END_OF_SUPPORT}",
               "use otel", "warning")
