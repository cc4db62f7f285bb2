"""How a plan reads in a terminal: one line per resource, field diffs under it, a summary line."""
from __future__ import annotations

import json

from ecsship.deploy.names import revision_name, short_id, short_image
from ecsship.desired.output_refs import UNKNOWN
from ecsship.plan.diff import ENTRY_SUMMARY, WHOLE_ENTRIES
from ecsship.plan.model import CREATE, DELETE, NOOP, REPLACE, SYMBOLS, UPDATE, list_delta
from ecsship.redact import redact
from ecsship.ui.width import WIDTH, cut, wrap

STYLES = {CREATE: "green", UPDATE: "yellow", REPLACE: "magenta", DELETE: "red", NOOP: "dim"}
MAX_VALUE = 160


def say(out, text: str, style: str | None = None) -> None:
    """Print one plain line (Output's consoles print no emoji: ARNs contain `:secret:`)."""
    if out.quiet:
        return
    out.line(text, style, stderr=out.json_mode)


def show_plan(out, plan, title: str) -> None:
    say(out, title, "bold")
    for warning in plan.warnings:
        out.warning(warning)
    shown = 0
    clipped = [False]
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
            for line in wrap(f"        note: {change.note}", WIDTH, indent=" " * 14):
                say(out, line, "dim")
        if change.action == CREATE and not out.verbose:
            continue
        statements = statement_changes(change.fields) if change.action != DELETE else {}
        for field in change.fields:
            if change.action == DELETE:
                continue
            prefix = _statement_prefix(field.path)
            if prefix in statements:
                say(out, f"        {prefix}: statement {statements.pop(prefix)}", None)
            forced = "  (forces replacement)" if change.action == REPLACE and field.path.split(".")[0] in _replace_roots(change) else ""
            for line in field_lines(field, whole=out.verbose > 0, clipped=clipped):
                say(out, line + forced, None)
                forced = ""
    if not shown:
        say(out, "  No changes: live AWS matches the manifest.", "green")
    if clipped[0]:
        say(out, f"  (values longer than {MAX_VALUE} characters or a line are cut; -v shows them whole)", "dim")
    say(out, "")
    say(out, plan.summary(), "bold")


def _replace_roots(change) -> set:
    return {p.split(".")[0] for p in change.replace_fields}


POLICY_ROOTS = ("policy", "trust")  # role states: documents keyed by statement Sid (reconcilers.base.sorted_policy)


def _statement_prefix(path: str) -> str | None:
    parts = path.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 and parts[0] in POLICY_ROOTS else None


def statement_changes(fields) -> dict:
    """{"policy.Sid": "added" | "removed"} for statements that are wholly new or wholly gone, so the plan
    says so once above their elements."""
    sides: dict[str, set] = {}
    for field in fields:
        prefix = _statement_prefix(field.path)
        if prefix:
            sides.setdefault(prefix, set()).add("added" if field.old is None else "removed" if field.new is None else "changed")
    # Every statement has an Effect: only when it changed too is the statement itself new or gone
    # (a Condition added to a standing statement is not).
    effects = {f.path[: -len(".Effect")] for f in fields if f.path.endswith(".Effect")}
    return {prefix: kinds.pop() for prefix, kinds in sides.items()
            if len(kinds) == 1 and kinds != {"changed"} and prefix in effects}


def field_lines(field, whole: bool = False, clipped: list | None = None) -> list[str]:
    """One line for a scalar change; for a list, a line per added (+) and removed (-) element, so a
    policy change reads as the ARNs it grants or revokes. Only long scalars are cut, and never `whole`."""
    whole_entry = field.path.split(".")[0] in WHOLE_ENTRIES and field.path.count(".") == 1
    if whole_entry and not whole and (field.old is None) != (field.new is None) and isinstance(field.old or field.new, dict):
        entry = field.old or field.new
        uri = entry.get(ENTRY_SUMMARY)
        summary = f" ({ENTRY_SUMMARY} {_cut(str(uri), whole, clipped)})" if uri else ""
        return [f"        {field.path}: {'added' if field.old is None else 'removed'}{summary}; -v shows it whole"]
    delta = list_delta(field.old, field.new)
    if delta is None:
        old, new = short_values(field.path, *field.shown())
        if isinstance(old, dict) or isinstance(new, dict):  # a nested value: a line per side, as a list's elements
            return [f"        {field.path}:"] + [_element_line(sign, value, whole, clipped)
                                                  for sign, value in (("-", old), ("+", new)) if value is not None]
        return [f"        {field.path}: {fmt(old, whole, clipped)} -> {fmt(new, whole, clipped)}"]
    added, removed = delta
    lines = [f"        {field.path}:" + ("  (order only)" if not added and not removed else "")]
    lines += [_element_line("-", item, whole, clipped) for item in removed]
    lines += [_element_line("+", item, whole, clipped) for item in added]
    return lines


def _element_line(sign: str, value, whole: bool, clipped: list | None) -> str:
    """One element of a list (or one side of a nested value) on one line: a structure reads as
    `key=value` pairs with ARNs by short name (a target group by its name), cut to the text width
    unless `whole` (-v); a plan file and --output json keep every value whole."""
    if not isinstance(value, (dict, list)):
        return f"          {sign} {fmt(value, whole, clipped)}"
    line = f"          {sign} {compact(_cut_strings(redact(value), clipped, whole))}"
    if whole or len(line) <= WIDTH:
        return line
    if clipped is not None:
        clipped[0] = True
    return cut(line, WIDTH)


def compact(value) -> str:
    """A nested value as a person reads it: a dict as sorted `key=value` pairs, a list as its
    elements joined by `, `; an ARN as its short name, and a key naming one (`targetGroupArn`)
    without its `Arn` suffix."""
    if isinstance(value, dict):
        pairs = []
        for key in sorted(value):
            item = value[key]
            if isinstance(item, str) and item.startswith("arn:") and key.endswith("Arn") and len(key) > 3:
                key = key[:-3]
            pairs.append(f"{key}={_compact_item(item)}")
        return " ".join(pairs)
    if isinstance(value, list):
        return ", ".join(_compact_item(item) for item in value)
    return _compact_item(value)


def _compact_item(value) -> str:
    if value is UNKNOWN or value == "(known after apply)":
        return "(known after apply)"
    if isinstance(value, str):
        text = short_id(value) if value.startswith("arn:") else value
        return text if text and not any(c in text for c in " ,={}[]") else json.dumps(text)
    if isinstance(value, (dict, list)):
        return "{" + compact(value) + "}" if isinstance(value, dict) else "[" + compact(value) + "]"
    return json.dumps(value, default=str)


def short_values(path: str, old, new) -> tuple:
    """Text names an image as repo:tag (or repo@sha256:abcd1234) and a task definition as family:revision
    (the plan file and --output json keep the full URI and ARN); whole when the short forms would read
    the same (an image moving registry, a task definition of another account or region)."""
    def short(value):
        if not isinstance(value, str):
            return value
        if ("." + path).endswith(".image"):  # a container's image field (any kind that has one)
            return short_image(value)
        return revision_name(value) if value.startswith("arn:") and ":task-definition/" in value else value

    old_short, new_short = short(old), short(new)
    return (old, new) if old_short == new_short and old != new else (old_short, new_short)


def fmt(value, whole: bool = False, clipped: list | None = None) -> str:
    if value is UNKNOWN:
        return "(known after apply)"
    if value is None:
        return "(none)"
    # Redact before cutting: a cut could leave part of a secret the redactor no longer recognises.
    return json.dumps(_cut_strings(redact(value), clipped, whole), default=str, sort_keys=True)


def _cut(text: str, whole: bool, clipped: list | None) -> str:
    if whole or len(text) <= MAX_VALUE:
        return text
    if clipped is not None:
        clipped[0] = True
    return text[: MAX_VALUE - 3] + "..."


def _cut_strings(value, clipped, whole=False):
    """A structure with its long strings cut (unless `whole`): the shape (keys, elements) always shows whole."""
    if isinstance(value, str):
        return _cut(value, whole, clipped)
    if isinstance(value, dict):
        return {k: _cut_strings(v, clipped, whole) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut_strings(v, clipped, whole) for v in value]
    return "(known after apply)" if value is UNKNOWN else value


def progress_line(out, change, event: str, seconds: float) -> None:
    verb = {CREATE: "created", UPDATE: "updated", REPLACE: "replaced", DELETE: "deleted"}[change.action]
    if event == "done":
        say(out, f"  {SYMBOLS[change.action]:>3} {verb} {change.label} ({seconds:.1f}s)", STYLES[change.action])
    elif event == "failed":
        say(out, f"  !!! failed {change.label} ({seconds:.1f}s)", "bold red")
