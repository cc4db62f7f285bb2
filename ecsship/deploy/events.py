"""Turn two consecutive Snapshots into the Events a person (or a CI log) wants to see.

Pure functions: no AWS, no terminal. Each kind of change gives at most one event per poll,
so the plain view prints one line per change, never a wall of repeats.
"""
from __future__ import annotations

import re

from ecsship.deploy.model import (
    FAILED,
    ROLLED_BACK,
    ROLLING_BACK,
    STOPPED,
    SUCCEEDED,
    WAITING_APPROVAL,
    Event,
    RevisionState,
    Snapshot,
)
from ecsship.deploy.names import short_deployment, short_id
from ecsship.manifest.durations import format_duration

# Words ECS and CodeDeploy use in events that mean "something is wrong" (copilot filters on similar ones).
_FAILURE_WORDS = re.compile(
    r"fail|unhealthy|unable|error|alarm|rolling back|rolled back|circuit breaker|denied|cannot|not found|essential container|exit code [1-9]",
    re.IGNORECASE,
)
_WAIT_STEP = 60  # report time left at most once a minute


def is_failure_message(message: str) -> bool:
    return bool(_FAILURE_WORDS.search(message))


def fmt_pct(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:g}%"


def describe_tasks(rev: RevisionState) -> str:
    text = f"{rev.revision} ({rev.role}): {rev.running}/{rev.desired} running"
    if rev.pending:
        text += f", {rev.pending} pending"
    if rev.failed:
        text += f", {rev.failed} failed"
    return text


def diff(prev: Snapshot | None, cur: Snapshot, at: float) -> list[Event]:
    events: list[Event] = []

    def add(kind: str, message: str, severity: str = "info", **data) -> None:
        events.append(Event(kind, message, at, severity, data))

    if prev is None:
        old = cur.revision("old")
        new = cur.revision("new")
        add("started", f"deployment {short_deployment(cur.deployment_id)}: {old.revision if old else '(none)'} → {new.revision if new else '?'}",
            deployment_id=cur.deployment_id, old=old.revision if old else None, new=new.revision if new else None)

    if cur.phase and (prev is None or prev.phase != cur.phase):
        add("phase", f"phase: {cur.phase}", phase=cur.phase)

    prev_revs = {(r.role, r.revision): r for r in prev.revisions} if prev else {}
    for rev in cur.revisions:
        before = prev_revs.get((rev.role, rev.revision))
        counts = (rev.desired, rev.pending, rev.running, rev.failed)
        if before is None or counts != (before.desired, before.pending, before.running, before.failed):
            grew_failures = before is not None and rev.failed > before.failed
            add("tasks", describe_tasks(rev), "warning" if grew_failures else "info",
                revision=rev.revision, role=rev.role, desired=rev.desired, pending=rev.pending,
                running=rev.running, failed=rev.failed)

    traffic = _traffic(cur)
    if traffic and traffic != _traffic(prev):
        text = ", ".join(f"{rev} {fmt_pct(pct)}" for rev, pct in traffic)
        add("traffic", f"production traffic: {text}", traffic={rev: pct for rev, pct in traffic})

    if cur.targets and cur.targets != (prev.targets if prev else ()):
        text = ", ".join(f"{n} {state}" for state, n in cur.targets)
        bad = any(state in ("unhealthy",) and n for state, n in cur.targets)
        add("targets", f"targets: {text}", "warning" if bad else "info", targets=dict(cur.targets))

    before_alarms = dict(prev.alarms) if prev else {}
    for name, state in cur.alarms:
        if before_alarms.get(name) != state:
            add("alarm", f"alarm {name}: {state}", "error" if state == "ALARM" else "info", alarm=name, state=state)

    seen = {e.id for e in prev.events} if prev else None
    # ECS lists events newest first; tell them oldest first. On the first poll, only the
    # events since the rollout began are in the snapshot (the strategy filters by time).
    fresh = [ev for ev in reversed(cur.events) if seen is None or ev.id not in seen]
    for text, group in _collapsed(fresh):
        failure = is_failure_message(text)
        first = group[0]
        data = {"id": first.id, "created_at": first.at, "message_full": first.message}
        if len(group) > 1:
            data.update(count=len(group), ids=[ev.id for ev in group])
        add("service_event", f"{len(group)}× {text}" if len(group) > 1 else text, "error" if failure else "info", **data)

    if cur.stopped and cur.stopped != (prev.stopped if prev else ()):
        text = "; ".join(f"{n}× {reason}" for reason, n in cur.stopped)
        # Old tasks stopped by a rolling update ("Scaling activity initiated by deployment") are routine.
        severity = "error" if any(is_failure_message(reason) for reason, _ in cur.stopped) else "info"
        add("stopped_tasks", f"stopped tasks: {text}", severity, stopped=dict(cur.stopped))

    if cur.wait_left is not None and _wait_changed(prev, cur):
        add("wait", f"{cur.wait_kind or 'wait'}: {_fmt_seconds(cur.wait_left)} left", wait=cur.wait_kind, seconds_left=cur.wait_left)

    if prev is None or prev.state != cur.state:
        message, severity = _state_message(cur)
        if message:
            add("state", message, severity, state=cur.state, reason=cur.reason or None, serving=cur.serving or None)
    return events


_ARN = re.compile(r"arn:aws[\w-]*:[\w-]+:[\w-]*:\d*:[^\s)(,]+")
_TASK = re.compile(r"\(task [0-9a-f-]+\) ?")
_LONG_TASK_ID = re.compile(r"\(task ([0-9a-f]{8})[0-9a-f-]{8,}\)")
_DEPLOYMENT_ID = re.compile(r"\becs-svc/\d+|\bd-[A-Z0-9]{9}\b")  # ECS and CodeDeploy deployment ids


def shorten_arns(message: str) -> str:
    """Service events name target groups, tasks and deployments by full ARN or id ("rolling back to
    deployment ecs-svc/..."): a person reads the short name or id (the full message stays in the JSON
    event's `message_full`). Task ids (32 hex digits on AWS, "has started 2 tasks: (task ...) (task ...)")
    are cut to their first 8 like `docker ps` does; deployments as names.short_deployment cuts them."""
    def short(match) -> str:
        arn = match.group(0)
        return short_deployment(arn) if ":service-deployment/" in arn else short_id(arn)

    text = _DEPLOYMENT_ID.sub(lambda m: short_deployment(m.group(0)), _ARN.sub(short, message))
    return _LONG_TASK_ID.sub(r"(task \1)", text)


def trim_words(text: str, width: int) -> str:
    """Text mode only (JSON keeps everything): cut at a word boundary with an ellipsis to fit `width`."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:max(width, 0)]
    cut = text[: width - 1]
    space = text.rfind(" ", 0, width)  # a word that ends right at the limit still fits
    if space > width // 2:
        cut = text[:space]
    return cut.rstrip(" ,;:.") + "…"


_SERVICE_PREFIX = re.compile(r"\(service [^)]+\) ")


def fit_line(text: str, width: int = 100) -> str:
    """A text-mode line in `width` columns without wrapping (CI logs are grepped): first drop ECS's
    "(service NAME) " (the deploy names its service already), then cut at a word."""
    if len(text) > width:
        text = _SERVICE_PREFIX.sub("", text)
    return trim_words(text, width)


def fit_reason(head: str, reason: str, tail: str = "", width: int = 100) -> str:
    """`head + reason + tail` in `width` columns, trimming only the reason (AWS's own text may be long),
    so the line still says what serves now."""
    room = width - len(head) - len(tail)
    if room < 12:  # no room to say it usefully: the state event above and JSON have it
        return head.rstrip(": ") + tail
    return head + trim_words(reason, room) + tail


def _collapsed(events) -> list[tuple[str, list]]:
    """Events of one poll that say the same thing (one per task: "is unhealthy in ...") become one
    line with a count; order is that of each message's first appearance."""
    groups: dict[str, list] = {}
    for ev in events:
        short = shorten_arns(ev.message)
        key = _TASK.sub("", short)
        groups.setdefault(key, []).append((short, ev))
    out = []
    for key, items in groups.items():
        text = items[0][0] if len(items) == 1 else key
        out.append((text, [ev for _, ev in items]))
    return out


def _traffic(snap: Snapshot | None) -> tuple:
    if snap is None:
        return ()
    return tuple((r.revision, r.traffic) for r in snap.revisions if r.traffic is not None)


def _wait_changed(prev: Snapshot | None, cur: Snapshot) -> bool:
    if prev is None or prev.wait_left is None or cur.wait_left is None or prev.wait_kind != cur.wait_kind:
        return True
    # Whole minutes left, rounded up: "5m left" is said once, then "4m..." once a minute has passed.
    return -(-prev.wait_left // _WAIT_STEP) != -(-cur.wait_left // _WAIT_STEP)


def _fmt_seconds(seconds: int) -> str:
    return format_duration(max(0, seconds))


EVENT_WIDTH = 100 - len("[ 6m41s] ✖ ")  # what an event's text has once the views put clock and mark before it


def _state_message(snap: Snapshot) -> tuple[str, str]:
    reason = shorten_arns(snap.reason.rstrip(".")) if snap.reason else ""

    def said(head: str, tail: str = "") -> str:
        return fit_reason(f"{head}: ", reason, tail, EVENT_WIDTH) if reason else head + tail

    if snap.state == SUCCEEDED:
        return f"deployment completed; {snap.serving or 'the new revision'} serves", "success"
    if snap.state == ROLLING_BACK:
        return said("rolling back"), "error"
    if snap.state == ROLLED_BACK:
        return said("rolled back", f"; {snap.serving or 'the previous revision'} serves"), "error"
    if snap.state == FAILED:
        return said("deployment failed"), "error"
    if snap.state == STOPPED:
        return said("deployment stopped"), "warning"
    if snap.state == WAITING_APPROVAL:
        return "waiting for approval before shifting production traffic", "warning"
    return "", "info"
