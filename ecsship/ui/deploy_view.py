"""How a rollout is shown: three views of the same Events, chosen by where output goes.

- LiveView: a terminal (and not CI=true): a rich live panel redrawn from each Snapshot,
  with notable events (service events, state changes) printed above it.
- PlainView: no terminal or CI=true: one line per change, stable wording (snapshot-tested).
- JsonView: `--output json`: one JSON object per line, ending with an `outcome` object.

Views never call AWS; the watcher never prints. That split is what lets tests drive views
with scripted snapshots and lets the same watcher feed any view.
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ecsship.deploy.events import fit_line, shorten_arns
from ecsship.deploy.names import short_deployment, short_task
from ecsship.ui.width import WIDTH, cut, wrap

if TYPE_CHECKING:
    from ecsship.deploy.model import Event, Outcome, Snapshot
    from ecsship.ui.output import Output

_MARK = {"success": "✔ ", "error": "✖ ", "warning": "! ", "info": ""}


def make_view(out: "Output", live: bool | None = None):
    if out.json_mode:
        return JsonView(out)
    if live is None:
        live = out.is_tty and not out.quiet
    return LiveView(out) if live else PlainView(out)


SIMULATED = " (simulated time)"  # the embedded local AWS runs rollouts on a simulated clock


def outcome_lines(outcome: "Outcome", simulated: bool = False) -> list[tuple[str, str]]:
    """The closing words, shared by the line-based views: (text, severity). Each fits 100 columns with
    the view's mark in front: names and ids short, a long reason on lines of its own (wrapped at a word,
    indented) below the line that says what happened and what serves. JSON keeps them whole."""
    from ecsship.manifest.durations import format_duration

    took = f" in {format_duration(outcome.duration)}{SIMULATED if simulated else ''}" if outcome.duration else ""
    lines: list[tuple[str, str]] = []
    s = outcome.status
    ident = short_deployment(outcome.deployment_id)  # the full id is in --output json
    reason = shorten_arns(outcome.reason.rstrip(".")) if outcome.reason else ""
    if s == "succeeded":
        lines.append((f"deployed {outcome.new_revision}{took} (deployment {ident})", "success"))
    elif s == "started":
        lines.append((f"deployment started: {ident} ({outcome.old_revision or '(none)'} → {outcome.new_revision})", "success"))
    elif s == "unchanged":
        text = f"{outcome.reason}; {outcome.serving} serves" if outcome.reason else f"nothing to deploy: {outcome.serving} already serves"
        lines.append((text, "success"))
    elif s == "reverted":
        lines.append((f"rolled back: deployment {ident} stopped; {outcome.serving or outcome.old_revision} serves", "success"))
    elif s == "waiting_approval":
        lines.append((f"deployment {ident} is waiting for approval before shifting production traffic", "warning"))
    elif s == "interrupted":
        lines.append((f"stopped watching; deployment {ident} is still running", "warning"))
    elif s == "rolled_back":
        lines += _said(f"deployment of {outcome.new_revision} failed", ": ", reason,
                       f"; rolled back, {outcome.serving or outcome.old_revision} serves")
    elif s == "timed_out":
        lines += _said(f"deployment of {outcome.new_revision} timed out{took}", "; ", reason)
    else:
        lines += _said(f"deployment of {outcome.new_revision} {s}", ": ", reason,
                       f"; {outcome.serving} serves" if outcome.serving else "")
    failed = outcome.failed_task
    if failed and s != "succeeded":
        # Before the closing line, which stays the one that says why the deploy failed.
        code = f", exit code {failed['exit_code']}" if failed.get("exit_code") is not None else ""
        block = [(cut(f"task {short_task(failed['task_id'])} of {outcome.new_revision} stopped{code}: {failed.get('reason') or 'no reason given'}"),
                  "info")]
        if failed.get("lines"):
            block.append((f"  its last {len(failed['lines'])} log lines:", "info"))
            block += [(cut(f"    | {line}"), "info") for line in failed["lines"]]
        lines[:0] = block
    if outcome.hint:
        lines.append((f"hint: {outcome.hint}", "info"))
    return [part for text, severity in lines for part in _fitted(text, severity)]


def _said(head: str, sep: str, reason: str, tail: str = "") -> list[tuple[str, str]]:
    """`head: reason; tail` on one line when it fits; else `head; tail` (what happened, what serves)
    then the reason on lines of its own."""
    one = f"{head}{sep}{reason}{tail}" if reason else head + tail
    if not reason or len(one) <= WIDTH - MARK_WIDTH:
        return [(one, "error")]
    return [(head + tail, "error"), *((line, "info") for line in wrap(f"  reason: {reason}", WIDTH, indent="    "))]


MARK_WIDTH = 2  # "✖ ": the views put a mark before a line of severity success, warning or error


def _fitted(text: str, severity: str) -> list[tuple[str, str]]:
    """A line too long even so (very long revision names) wrapped at a word: the mark on the first part."""
    width = WIDTH - (MARK_WIDTH if _MARK.get(severity) else 0)
    first, *rest = wrap(text, width, indent="    ")
    return [(first, severity), *((line, "info") for line in rest)]


class PlainView:
    """One line per change: `[  12s] message`. No colour codes, no redraws."""

    def __init__(self, out: "Output", stream=None):
        self.out = out
        self._stream = stream

    @property
    def stream(self):
        return self._stream or sys.stdout

    def _line(self, text: str) -> None:
        # One line per change, never wrapped (a CI log is grepped), with ARNs shortened to names/ids.
        self.stream.write(shorten_arns(text) + "\n")

    def _event_line(self, text: str) -> None:
        # AWS's own text (service events) may be long: made short (cut at a word), never wrapped.
        self._line(fit_line(shorten_arns(text), WIDTH))
        self.stream.flush()

    def note(self, text: str, severity: str = "info") -> None:
        if not self.out.quiet or severity == "error":
            self._line(f"{_MARK.get(severity, '')}{text}")

    def event(self, event: "Event") -> None:
        if self.out.quiet and event.severity != "error":
            return
        self._event_line(f"[{_clock(event.at):>6}] {_MARK.get(event.severity, '')}{event.message}")

    def snapshot(self, snap: "Snapshot", elapsed: float) -> None:
        pass

    def outcome(self, outcome: "Outcome") -> None:
        for text, severity in outcome_lines(outcome, getattr(self, "simulated", False)):
            self._line(f"{_MARK.get(severity, '')}{text}")

    def close(self) -> None:
        pass


class JsonView:
    """One JSON object per line on stdout; humans' notes go to stdout too, as `note` objects."""

    def __init__(self, out: "Output"):
        self.out = out

    def note(self, text: str, severity: str = "info") -> None:
        self.out.emit_json_line({"event": "note", "severity": severity, "message": text})

    def event(self, event: "Event") -> None:
        self.out.emit_json_line(event.to_json())

    def snapshot(self, snap: "Snapshot", elapsed: float) -> None:
        pass

    def outcome(self, outcome: "Outcome") -> None:
        payload = {"event": "outcome"}
        payload.update(outcome.to_json())
        self.out.emit_json_line(payload)

    def close(self) -> None:
        pass


class LiveView:
    """A rich Live panel redrawn per snapshot; service events and state changes scroll above it."""

    _SCROLL = ("service_event", "state", "alarm", "stopped_tasks", "started", "phase", "traffic")

    def __init__(self, out: "Output"):
        self.out = out
        self._live = None
        self._snap = None
        self._elapsed = 0.0

    def _console(self):
        return self.out.out

    def _print(self, text: str, severity: str) -> None:
        console = self._console()
        # Wrapped to the terminal, and never wider than 100 columns, whatever the console's soft wrap.
        console.print(shorten_arns(text), style=_STYLE.get(severity), markup=False, highlight=False, soft_wrap=False,
                      width=min(console.width, WIDTH))

    def note(self, text: str, severity: str = "info") -> None:
        self._print(f"{_MARK.get(severity, '')}{text}", severity)

    def event(self, event: "Event") -> None:
        if event.kind in self._SCROLL:
            self._print(f"[{_clock(event.at):>6}] {_MARK.get(event.severity, '')}{event.message}", event.severity)

    def snapshot(self, snap: "Snapshot", elapsed: float) -> None:
        from rich.live import Live

        self._snap, self._elapsed = snap, elapsed
        if self._live is None:
            self._live = Live(self._render(), console=self._console(), refresh_per_second=4, transient=True)
            self._live.start()
        else:
            self._live.update(self._render())

    def _render(self):
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        snap = self._snap
        head = Text(f"deployment {short_deployment(snap.deployment_id)}  ", style="bold")
        head.append(snap.state.replace("_", " "), style=_STATE_STYLE.get(snap.state, "cyan"))
        if snap.phase:
            head.append(f"  phase {snap.phase}")
        head.append(f"  {_clock(self._elapsed)}", style="dim")
        parts = [head]
        table = Table(box=None, pad_edge=False, show_edge=False)
        for col in ("revision", "role", "desired", "pending", "running", "failed", "traffic"):
            table.add_column(col, justify="left" if col in ("revision", "role") else "right")
        for rev in snap.revisions:
            table.add_row(rev.revision, rev.role, str(rev.desired), str(rev.pending), str(rev.running),
                          Text(str(rev.failed), style="red" if rev.failed else ""),
                          "" if rev.traffic is None else f"{rev.traffic:g}%")
        parts.append(table)
        if snap.targets:
            parts.append(Text("targets: " + ", ".join(f"{n} {s}" for s, n in snap.targets)))
        if snap.alarms:
            line = Text("alarms: ")
            for i, (name, state) in enumerate(snap.alarms):
                line.append(("" if i == 0 else ", ") + f"{name} {state}", style="red" if state == "ALARM" else "")
            parts.append(line)
        if snap.wait_left is not None:
            parts.append(Text(f"{snap.wait_kind or 'wait'}: {_clock(snap.wait_left)} left", style="yellow"))
        for reason, n in snap.stopped:
            parts.append(Text(f"stopped {n}×: {reason}", style="red"))
        return Group(*parts)

    def outcome(self, outcome: "Outcome") -> None:
        self.close()
        for text, severity in outcome_lines(outcome, getattr(self, "simulated", False)):
            self._print(text, severity)

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


_STYLE = {"success": "green", "error": "red", "warning": "yellow", "info": None}
_STATE_STYLE = {"succeeded": "green", "failed": "red", "rolled_back": "red", "rolling_back": "red", "stopped": "yellow", "waiting_approval": "yellow"}


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, sec = divmod(seconds, 60)
    return f"{minutes}m{sec:02d}s"
