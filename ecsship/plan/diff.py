"""Field-level comparison of normalised desired and live states."""
from __future__ import annotations

from ecsship.desired.output_refs import UNKNOWN, contains_unknown
from ecsship.plan.model import FieldChange

# Under these keys only the desired entries count: tags other tools add are theirs.
DESIRED_KEYS_ONLY = ("tags",)


def flatten(value, prefix: str = "") -> dict:
    """Nested dicts to dotted paths; lists stay whole values (their order is normalised already)."""
    if isinstance(value, dict) and value:
        out = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def diff(desired: dict, live: dict) -> list[FieldChange]:
    want, have = flatten(desired), flatten(live)
    changes = []
    for path in sorted(set(want) | set(have)):
        if path not in want and path.split(".", 1)[0] in DESIRED_KEYS_ONLY:
            continue
        new, old = want.get(path), have.get(path)
        if _same(new, old):
            continue
        if path not in want and old in (None, {}, []):
            continue
        changes.append(FieldChange(path, old, new))
    return _collapse(changes)


def _same(new, old) -> bool:
    if new is UNKNOWN or contains_unknown(new):
        return False
    if new in (None, {}, []) and old in (None, {}, []):
        return True
    return new == old


def _collapse(changes: list[FieldChange]) -> list[FieldChange]:
    """`a: None -> {...}` flattens into many leaves; keep them, they read well in the plan."""
    return changes
