"""How one-off tasks (`run`, deploy steps) and log lines are shown.

Text: one line per event, short ids (never full ARNs), times in ISO 8601; log lines as the
container wrote them after a `task-id |` label. JSON (`--output json`): one object per line,
`started`, `log`, `stopped` events, full ARNs included.
"""
from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from ecsship.deploy.events import shorten_arns
from ecsship.deploy.names import short_task, utc_time
from ecsship.ui.width import WIDTH, cut, wrap

if TYPE_CHECKING:
    from ecsship.ops.run import OneOff, Result
    from ecsship.ops.tasklogs import LogLine
    from ecsship.ui.output import Output



class RunView:
    def __init__(self, out: "Output", step: str | None = None):
        self.out = out
        self.step = step  # a deploy step's name, shown in front of its lines

    def _label(self) -> str:
        return f"step {self.step}: " if self.step else ""

    def started(self, task: "OneOff") -> None:
        if self.out.json_mode:
            payload = {"event": "started", "task": task.task_arn, "task_id": task.task_id, "task_definition": task.task_definition,
                       "container": task.container, "command": task.command}
            if self.step:
                payload["step"] = self.step
            self.out.emit_json_line(payload)
            return
        self.out.print(cut(f"{self._label()}started task {short_task(task.task_id)} ({task.revision}, container {task.container}): "
                            f"{shlex.join(task.command)}"))
        if not task.group:
            self.out.warning(f"container {task.container} does not log through awslogs: no log lines to show")

    def detached(self, task: "OneOff") -> None:
        """`run --detach`: the task ARN alone on stdout (JSON mode: its `started` event has it)."""
        if not self.out.json_mode:
            self.out.print(task.task_arn)

    def status(self, task: "OneOff", status: str) -> None:
        if not self.out.json_mode:
            self.out.info(f"{self._label()}task {short_task(task.task_id)}: {status}")

    def log(self, task: "OneOff", line: "LogLine") -> None:
        if self.out.json_mode:
            self.out.emit_json_line({"event": "log", "task_id": task.task_id, "container": task.container,
                                     "timestamp": line.iso, "message": line.message, **({"step": self.step} if self.step else {})})
            return
        self.out.print(f"{short_task(task.task_id)} | {line.message}")

    def note(self, text: str, severity: str = "info") -> None:
        if severity == "warning":
            self.out.warning(text)
        else:
            self.out.info(text)

    def stopped(self, result: "Result") -> None:
        if self.out.json_mode:
            payload = result.to_json()
            if self.step:
                payload["step"] = self.step
            self.out.emit_json_line(payload)
            return
        task = result.task
        if result.exit_code == 0 and not result.timed_out:
            self.out.success(cut(f"{self._label()}task {short_task(task.task_id)} exited 0"))
            return
        # How it ended is the last word of a run or a deploy step: the reason is wrapped at a word, never cut.
        if result.exit_code is not None and not result.timed_out:
            text = f"{self._label()}task {short_task(task.task_id)} exited {result.exit_code} ({result.reason or 'no reason given'})"
        else:
            text = f"{self._label()}task {short_task(task.task_id)} stopped without an exit code: {result.reason or 'no reason given'}"
        for line in wrap(shorten_arns(text), WIDTH, indent="    "):
            self.out.print(line, style="red")


def print_log_line(out: "Output", line: "LogLine", revision: str) -> None:
    """One line of `ecsship logs`: time, task (short) and revision, then the message."""
    if out.json_mode:
        out.emit_json_line({"event": "log", "timestamp": line.iso, "task_id": line.task_id, "container": line.container,
                            "revision": revision, "message": line.message})
        return
    out.print(f"{utc_time(line.iso)} {short_task(line.task_id)} {revision or '?'} | {line.message}")


def print_check(out: "Output", check) -> None:
    """One `exec` pre-flight check: ✔ or ✖, what it found, and the fix on the same line."""
    if out.json_mode:
        out.emit_json_line({"event": "check", "check": check.name, "ok": check.ok, "message": check.text, "fix": check.fix})
        return
    text = f"{'✔' if check.ok else '✖'} {check.text}" + (f" — {check.fix}" if not check.ok and check.fix else "")
    out.print(text, style=None if check.ok else "red")


def print_job(out: "Output", job) -> None:
    """One job of `ecsship job list`: name, schedule and next run; then its last runs, newest first."""
    if out.json_mode:
        out.emit_json_line(job.to_json())
        return
    zone = "" if job.schedule.startswith("rate(") else f" {job.timezone}"
    when = f"next {utc_time(job.next_run)}" if job.next_run else job.state.lower()
    out.print(cut(f"{job.name}  {job.schedule}{zone}  {when}"))
    if not job.runs:
        out.print("  no recent runs")
    for run in job.runs:
        outcome = f"exit {run.exit_code}" if run.exit_code is not None else (run.status.lower() if run.status != "STOPPED"
                                                                             else f"no exit code: {run.reason}")
        out.print(cut(f"  {utc_time(run.started_at) or '?'}  task {short_task(run.task_id)}  {outcome}"))
