"""References to values known only once an earlier resource exists (a role ARN, a VPC id).

The desired model holds `Ref(key, attr)` where such a value goes; the plan and the executor
resolve them from the outputs of earlier steps. Nothing is passed through globals.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class Ref:
    key: str  # the resource key, e.g. "role.execution"
    attr: str  # one of that resource's outputs, e.g. "arn"

    def __str__(self) -> str:
        return f"${{{self.key}.{self.attr}}}"


@dataclass(frozen=True)
class Concat:
    """A string built from literals and refs, e.g. a log stream ARN from the log group ARN."""

    parts: tuple

    def __str__(self) -> str:
        return "".join(str(p) for p in self.parts)


class _Unknown:
    """A value that becomes known only when apply creates the resource it comes from."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "(known after apply)"

    __str__ = __repr__

    def __eq__(self, other) -> bool:  # unknown never equals a live value: it shows as a change
        return False

    def __hash__(self) -> int:
        return 0


UNKNOWN = _Unknown()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


def contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


def refs_in(value: Any) -> set[str]:
    """Keys of every resource `value` refers to."""
    if isinstance(value, Ref):
        return {value.key}
    if isinstance(value, Concat):
        return set().union(*(refs_in(p) for p in value.parts))
    if isinstance(value, dict):
        return set().union(set(), *(refs_in(v) for v in value.values()))
    if isinstance(value, (list, tuple)):
        return set().union(set(), *(refs_in(v) for v in value))
    return set()


def refs_of(value: Any) -> list[Ref]:
    """Every Ref in `value` (in Concats too), in order."""
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, Concat):
        return [r for p in value.parts for r in refs_of(p)]
    if isinstance(value, dict):
        return [r for v in value.values() for r in refs_of(v)]
    if isinstance(value, (list, tuple)):
        return [r for v in value for r in refs_of(v)]
    return []


def resolve(value: Any, lookup: Callable[[Ref], Any]) -> Any:
    """A copy of `value` with every Ref replaced by lookup(ref) (which may return UNKNOWN)."""
    if isinstance(value, Ref):
        return lookup(value)
    if isinstance(value, Concat):
        parts = [resolve(p, lookup) for p in value.parts]
        return UNKNOWN if any(p is UNKNOWN for p in parts) else "".join(str(p) for p in parts)
    if isinstance(value, dict):
        return {k: resolve(v, lookup) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            resolved = resolve(item, lookup)
            # A ref to a list (subnet ids, secret ARNs) is spliced into the surrounding list.
            if isinstance(item, Ref) and isinstance(resolved, list):
                out.extend(resolved)
            else:
                out.append(resolved)
        return out
    return value


def lookup_in(outputs: Mapping[str, Mapping[str, Any] | None]) -> Callable[[Ref], Any]:
    def lookup(ref: Ref) -> Any:
        found = outputs.get(ref.key)
        if not found:
            return UNKNOWN
        return found.get(ref.attr, UNKNOWN)

    return lookup
