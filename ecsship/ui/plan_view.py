"""How a plan reads in a terminal: one line per resource, field diffs under it, a summary line."""
from __future__ import annotations

import json

from ecsship.desired.refs import UNKNOWN
from ecsship.plan.model import CREATE, DELETE, NOOP, REPLACE, SYMBOLS, UPDATE

STYLES = {CREATE: "green", UPDATE: "yellow", REPLACE: "magenta", DELETE: "red", NOOP: "dim"}
MAX_VALUE = 160


def say(out, text: str, style: str | None = None) -> None:
    """Print one plain line. emoji=False: ARNs contain `:secret:`, which rich would turn into an emoji."""
    if out.quiet:
        return
    console = out.err if out.json_mode else out.out
    console.print(text, style=style, markup=False, emoji=False, highlight=False)


def show_plan(out, plan, title: str) -> None:
    say(out, title, "bold")
    for warning in plan.warnings:
        out.warning(warning)
    shown = 0
    for change in plan.changes:
        # Unchanged resources only with -v, except one whose live state carries a notice
        # (an existing cluster ecsship uses but does not manage).
        if change.action == NOOP and not out.verbose and not getattr(change.live, "note", ""):
            continue
        shown += change.action != NOOP
        symbol = SYMBOLS[change.action]
        suffix = " (adopt)" if change.adopt else ""
        what = {CREATE: "create", UPDATE: "update", REPLACE: "replace", DELETE: "delete", NOOP: "unchanged"}[change.action]
        say(out, f"  {symbol:>3} {change.label}{suffix}  [{what}]", STYLES[change.action])
        if change.note:
            say(out, f"        note: {change.note}", "dim")
        if change.action == CREATE and not out.verbose:
            continue
        for field in change.fields:
            if change.action == DELETE:
                continue
            line = f"        {field.path}: {fmt(field.old)} -> {fmt(field.new)}"
            if change.action == REPLACE and field.path.split(".")[0] in _replace_roots(change):
                line += "  (forces replacement)"
            say(out, line, None)
    if not shown:
        say(out, "  No changes: live AWS matches the manifest.", "green")
    say(out, "")
    say(out, plan.summary(), "bold")


def _replace_roots(change) -> set:
    from ecsship.reconcilers import reconciler_for

    reconciler = reconciler_for(change.kind)
    fields = reconciler.replace_fields_for(change.live) if change.live is not None else reconciler.replace_fields
    return {p.split(".")[0] for p in fields}


def fmt(value) -> str:
    if value is UNKNOWN:
        return "(known after apply)"
    if value is None:
        return "(none)"
    from ecsship.redact import redact

    text = redact(json.dumps(value, default=str, sort_keys=True))
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def progress_line(out, change, event: str, seconds: float) -> None:
    verb = {CREATE: "created", UPDATE: "updated", REPLACE: "replaced", DELETE: "deleted"}[change.action]
    if event == "done":
        say(out, f"  {SYMBOLS[change.action]:>3} {verb} {change.label} ({seconds:.1f}s)", STYLES[change.action])
    elif event == "failed":
        say(out, f"  !!! failed {change.label} ({seconds:.1f}s)", "bold red")
