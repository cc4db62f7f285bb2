"""Issue #14 item 2: imports at the top of the core modules, and no import cycle between them.

An import inside a function hides a dependency (and was, twice, a way around a cycle); these tests
keep the core honest without running anything.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ("manifest", "desired", "plan", "reconcilers", "deploy", "aws")
# The command flows moved to ecsship/app/ (issue #14 item 1); shipped_image.py still imports at its edge.
COMMAND_FLOWS = {"deploy/shipped_image.py"}
# Allowed inside functions: the heavy libraries (boto3/botocore, jsonschema) so `--help` and `validate`
# stay fast, and two deliberate exceptions named here.
HEAVY = ("boto3", "botocore", "jsonschema")
EXCEPTIONS = {
    "deploy/__init__.py",  # the package's lazy entry points: `import ecsship.deploy.clock` loads no boto3
    "manifest/semantic.py",  # desired imports manifest: the IAM action list is read from desired when used
}


def _core_files():
    for package in CORE:
        for path in sorted((ROOT / "ecsship" / package).rglob("*.py")):
            rel = path.relative_to(ROOT / "ecsship").as_posix()
            if rel not in COMMAND_FLOWS:
                yield rel, ast.parse(path.read_text())


def _module_name(rel: str) -> str:
    name = "ecsship." + rel[:-3].replace("/", ".")
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def _imported(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module:
        return [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return []


def test_core_modules_import_at_the_top():
    inside = []
    for rel, tree in _core_files():
        if rel in EXCEPTIONS:
            continue
        top = set(map(id, tree.body))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top:
                names = _imported(node)
                if not any(n.split(".")[0] in HEAVY for n in names):
                    inside.append(f"{rel}:{node.lineno}: {names[0]}")
    assert inside == []


def test_no_import_cycle_between_core_modules():
    modules = {_module_name(rel): tree for rel, tree in _core_files()}
    graph = {}
    for name, tree in modules.items():
        deps = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module:
                # `from package import submodule` depends on the submodule (and the package's __init__).
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                           for a in node.names]
            else:
                targets = _imported(node)
            deps.update(t for t in targets if t in modules and t != name)
        graph[name] = deps
    cycles = []
    state: dict[str, int] = {}

    def visit(name, path):
        state[name] = 1
        for dep in sorted(graph[name]):
            if state.get(dep) == 1:
                cycles.append(" -> ".join(path[path.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep, path + [dep])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []
