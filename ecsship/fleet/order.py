"""`after: [service, ...]`: the order services are applied and deployed in. Services in one wave do
not depend on each other (they may run in parallel); every wave runs after the waves before it.
Unknown names, a service after itself, two manifests with one service name, and cycles are
validate errors at the `after:` line."""
from __future__ import annotations

from dataclasses import dataclass, field

from ecsship.errors import Problem
from ecsship.manifest.interpolate import nearest_position


@dataclass(frozen=True)
class Member:
    """One service of the run."""
    name: str
    file: str
    after: tuple[str, ...] = ()
    cluster: str = ""
    positions: dict = field(default_factory=dict, repr=False, compare=False, hash=False)

    def at(self, *path) -> tuple[int | None, int | None]:
        if not self.positions:
            return None, None
        return nearest_position(self.positions, path)


def member_of(manifest) -> Member:
    after = manifest.data.get("after") or []
    return Member(manifest.data["service"], manifest.path, tuple(after), manifest.data.get("cluster", ""), manifest.positions)


def order_problems(members: list[Member]) -> list[Problem]:
    problems: list[Problem] = []
    by_name: dict[str, Member] = {}
    for m in members:
        if m.name in by_name:
            line, col = m.at("service")
            problems.append(Problem(m.file, line, col, "service", f"service {m.name} is also defined in {by_name[m.name].file}",
                                    "give each manifest of a run its own service name"))
        else:
            by_name[m.name] = m
    for m in members:
        for i, dep in enumerate(m.after):
            line, col = m.at("after", i)
            if dep == m.name:
                problems.append(Problem(m.file, line, col, f"after[{i}]", f"{m.name} cannot come after itself"))
            elif dep not in by_name:
                known = ", ".join(sorted(by_name)) or "none"
                problems.append(Problem(m.file, line, col, f"after[{i}]", f"unknown service {dep!r} (services in this run: {known})",
                                        "name a service of a manifest given with -f, or remove it"))
    if not problems:
        cycle = find_cycle({m.name: [d for d in m.after if d in by_name] for m in members})
        if cycle:
            m = by_name[cycle[0]]
            line, col = m.at("after")
            problems.append(Problem(m.file, line, col, "after", "services wait for each other in a cycle: " + " → ".join(cycle + [cycle[0]]),
                                    "remove one of these `after:` entries"))
    return problems


def find_cycle(graph: dict[str, list[str]]) -> list[str]:
    """One cycle of `graph` (name -> what it comes after), as a list of names; [] when there is none."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for dep in graph.get(node, []):
            if state.get(dep) == 1:
                return stack[stack.index(dep):]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def waves(members: list[Member]) -> list[list[Member]]:
    """Members in waves: each member's wave is one more than the latest wave of what it comes after.
    Assumes order_problems found nothing."""
    by_name = {m.name: m for m in members}
    level: dict[str, int] = {}

    def depth(name: str) -> int:
        if name not in level:
            deps = [d for d in by_name[name].after if d in by_name]
            level[name] = 1 + max((depth(d) for d in deps), default=-1)
        return level[name]

    out: list[list[Member]] = []
    for m in members:
        d = depth(m.name)
        while len(out) <= d:
            out.append([])
        out[d].append(m)
    return out


def dependants(members: list[Member], failed: str) -> set[str]:
    """Every member that comes after `failed`, directly or not."""
    out: set[str] = set()
    changed = True
    while changed:
        changed = False
        for m in members:
            if m.name not in out and any(d == failed or d in out for d in m.after):
                out.add(m.name)
                changed = True
    return out
