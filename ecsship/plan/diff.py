"""Field-level comparison of normalised desired and live states."""
from __future__ import annotations

from ecsship.desired.output_refs import UNKNOWN, contains_unknown
from ecsship.plan.model import FieldChange

# Under these keys only the desired entries count: tags other tools add are theirs.
DESIRED_KEYS_ONLY = ("tags",)
# Named entries (a task definition's containers, keyed by name): one that only one side has is one
# change carrying the whole entry, so adding, removing or renaming a container reads as such.
WHOLE_ENTRIES = ("containerDefinitions",)
ENTRY_SUMMARY = "image"  # the field the plan view names such an entry by


def flatten(value, prefix: str = "") -> dict:
    """Nested dicts to dotted paths; lists stay whole values (their order is normalised already)."""
    if isinstance(value, dict) and value:
        out = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def diff(desired: dict, live: dict) -> list[FieldChange]:
    changes, desired, live = _whole_entries(desired, live)
    want, have = flatten(desired), flatten(live)
    for path in sorted(set(want) | set(have)):
        if path not in want and path.split(".", 1)[0] in DESIRED_KEYS_ONLY:
            continue
        new, old = want.get(path), have.get(path)
        if _same(new, old):
            continue
        if path not in want and old in (None, {}, []):
            continue
        changes.append(FieldChange(path, old, new))
    return _collapse(sorted(changes, key=lambda c: c.path))


def _whole_entries(desired, live) -> tuple[list[FieldChange], dict, dict]:
    """Entries under WHOLE_ENTRIES that one side lacks, as whole changes; both states without them."""
    changes: list[FieldChange] = []
    if not (isinstance(desired, dict) and isinstance(live, dict)):
        return changes, desired, live
    for root in WHOLE_ENTRIES:
        want, have = desired.get(root), live.get(root)
        if not (isinstance(want, dict) and isinstance(have, dict) and have):
            continue
        alone = (set(want) ^ set(have))
        if not alone:
            continue
        changes += [FieldChange(f"{root}.{name}", have.get(name), want.get(name)) for name in sorted(alone)]
        desired = {**desired, root: {k: v for k, v in want.items() if k not in alone}}
        live = {**live, root: {k: v for k, v in have.items() if k not in alone}}
    return changes, desired, live


def _same(new, old) -> bool:
    if new is UNKNOWN or contains_unknown(new):
        return False
    if new in (None, {}, []) and old in (None, {}, []):
        return True
    return new == old


def _collapse(changes: list[FieldChange]) -> list[FieldChange]:
    """`a: None -> {...}` flattens into many leaves; keep them, they read well in the plan."""
    return changes
