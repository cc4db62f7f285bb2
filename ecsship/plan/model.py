"""The plan as data: ordered changes with field-level diffs, serialisable to JSON."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ecsship.desired.output_refs import UNKNOWN, contains_unknown
from ecsship.manifest.semantic import plaintext_secret
from ecsship.redact import MASK, redact

CREATE, UPDATE, REPLACE, DELETE, NOOP = "create", "update", "replace", "delete", "no-op"
SYMBOLS = {CREATE: "+", UPDATE: "~", REPLACE: "-/+", DELETE: "-", NOOP: " "}
PLAN_FORMAT = 1


def list_delta(old, new) -> tuple[list, list] | None:
    """(added, removed) elements when a field is a list on either side (absent counts as empty),
    so a plan shows which statement, ARN or port changed instead of two whole lists; None otherwise."""
    if not isinstance(old, list) and not isinstance(new, list):
        return None
    if (old is not None and not isinstance(old, list)) or (new is not None and not isinstance(new, list)):
        return None
    old, new = old or [], new or []
    added = [item for item in new if item is UNKNOWN or item not in old]
    removed = [item for item in old if item not in new]
    return added, removed


# The resource kinds whose change is a rollout (deploy's job); a change to any other kind is
# infrastructure (apply's job, or `deploy --with-infra`).
ROLLOUT_KINDS = ("task_definition", "service")


def mask_plaintext(path: str, value):
    """`value` (at state path `path`) with environment entries that look like secrets masked: a live
    task definition made by hand may hold plaintext secrets, and a plan must not show them (the
    one `import` moves to Secrets Manager is removed from the environment, a change every plan prints)."""
    parts = path.split(".")
    if len(parts) >= 2 and parts[-2] == "environment" and plaintext_secret(parts[-1], value, strict=True):
        return MASK
    if isinstance(value, dict):
        if parts[-1] == "environment":
            return {k: MASK if plaintext_secret(k, v, strict=True) else v for k, v in value.items()}
        return {k: mask_plaintext(f"{path}.{k}", v) for k, v in value.items()}
    return value


@dataclass
class FieldChange:
    path: str
    old: Any
    new: Any

    def shown(self) -> tuple[Any, Any]:
        """(old, new) as a plan may show them: plaintext-looking environment values masked."""
        return mask_plaintext(self.path, self.old), mask_plaintext(self.path, self.new)

    def to_dict(self) -> dict:
        # Values a secret-looking --var brought in are applied, never shown (plan JSON, plan files).
        old, new = self.shown()
        out = {"field": self.path, "old": redact(_jsonable(old)), "new": redact(_jsonable(new))}
        delta = list_delta(self.old, self.new)
        if delta is not None:  # lists: which elements, so a reviewer (or a script) sees exactly what a change grants
            out["added"], out["removed"] = redact(_jsonable(delta[0])), redact(_jsonable(delta[1]))
        return out


@dataclass
class Change:
    key: str
    kind: str
    title: str
    name: str
    action: str
    fields: list[FieldChange] = field(default_factory=list)
    note: str = ""
    adopt: bool = False
    outputs: dict = field(default_factory=dict)  # live outputs at plan time
    live: Any = field(default=None, repr=False)  # reconcilers.base.Live, in memory only
    # State paths that force a replacement for this resource as it is (the reconciler's
    # replace_fields_for): the view marks them without asking the reconciler.
    replace_fields: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.title} {self.name}"

    def to_dict(self) -> dict:
        out = {"key": self.key, "kind": self.kind, "resource": self.title, "name": self.name, "action": self.action,
               "fields": [f.to_dict() for f in self.fields]}
        if self.note:
            out["note"] = self.note
        if self.adopt:
            out["adopt"] = True
        return out


@dataclass
class Plan:
    service: str
    cluster: str
    changes: list[Change]
    fingerprint: str
    warnings: list[str] = field(default_factory=list)
    calls: int = 0  # AWS read calls the plan made
    inputs: dict = field(default_factory=dict, repr=False)  # outputs of the lookups (VPC, ALB, secrets)
    # Resources the manifest no longer describes that the plan deletes (plan/orphans.py), by key: the
    # executor finds their reconciler through them, as it finds the others' through the desired model.
    orphans: dict = field(default_factory=dict, repr=False)

    def counts(self) -> dict:
        counts = {CREATE: 0, UPDATE: 0, REPLACE: 0, DELETE: 0, NOOP: 0}
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(c.action != NOOP for c in self.changes)

    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action != NOOP]

    def infra_changes(self, rollout_kinds=ROLLOUT_KINDS) -> list[Change]:
        """Changes `deploy` must not make on its own: anything but the task definition and the service."""
        return [c for c in self.pending() if c.kind not in rollout_kinds]

    def summary(self) -> str:
        n = self.counts()
        return f"Plan: {n[CREATE]} to create, {n[UPDATE]} to update, {n[REPLACE]} to replace, {n[DELETE]} to delete."

    def to_dict(self, manifest: dict | None = None) -> dict:
        out = {
            "format": PLAN_FORMAT,
            "service": self.service,
            "cluster": self.cluster,
            "has_changes": self.has_changes,
            "summary": {"create": self.counts()[CREATE], "update": self.counts()[UPDATE],
                        "replace": self.counts()[REPLACE], "delete": self.counts()[DELETE], "unchanged": self.counts()[NOOP]},
            "changes": [c.to_dict() for c in self.changes],
            "warnings": list(self.warnings),
            "fingerprint": self.fingerprint,
        }
        if manifest is not None:
            out["manifest"] = manifest
        return out


def fingerprint(states: dict) -> str:
    """A digest of the live state a plan was made from: apply of a saved plan compares it."""
    text = json.dumps(states, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _jsonable(value):
    if value is UNKNOWN or contains_unknown(value):
        return "(known after apply)" if value is UNKNOWN else json.loads(json.dumps(value, default=str))
    return value
