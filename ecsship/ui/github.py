"""What ecsship adds when it runs in GitHub Actions (`GITHUB_ACTIONS=true`): rendering only.

- manifest problems, and any other error whose message starts with `file:line`, as workflow-command annotations (`::error file=F,line=L,col=C::message`), which
  GitHub shows on the file and line of the pull request;
- Markdown for the job summary (the file `$GITHUB_STEP_SUMMARY` names): the plan's changes, a
  deploy's outcome. Appending it is the application's job (Application.step_summary).

GitHub's workflow commands: data escapes `%`, CR and LF; property values also `:` and `,`
(docs.github.com, "Workflow commands for GitHub Actions", and @actions/core's command.ts).
"""
from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Iterable

from ecsship.deploy.names import short_task
from ecsship.errors import Problem

if TYPE_CHECKING:
    from ecsship.deploy.model import Outcome


def in_github_actions(environ=None) -> bool:
    return (environ if environ is not None else os.environ).get("GITHUB_ACTIONS", "").lower() == "true"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(problem: Problem) -> str:
    """`::error file=F,line=L,col=C::field: message — hint` (`::warning` for a warning)."""
    level = "warning" if problem.severity == "warning" else "error"
    props = [f"file={_escape_property(problem.file)}"]
    if problem.line is not None:
        props.append(f"line={problem.line}")
        if problem.column is not None:
            props.append(f"col={problem.column}")
    text = f"{problem.field}: {problem.message}" if problem.field else problem.message
    if problem.hint:
        text += f" — {problem.hint}"
    return f"::{level} {','.join(props)}::{_escape_data(text)}"


# `path:line[:col]: message`, as Problem.render and the import converters' `located(...)` write it.
_LOCATED = re.compile(r"^(?P<file>[^\s:][^:\n]*):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<text>.+)$", re.S)


def located_problem(message: str, hint: str | None = None) -> "Problem | None":
    """An error whose message starts with `file:line[:col]: ` (an import or usage error) as a Problem, so
    it gets an annotation too; None when the message names no file and line."""
    match = _LOCATED.match(message)
    if match is None:
        return None
    col = match["col"]
    return Problem(match["file"], int(match["line"]), int(col) if col else None, "", match["text"], hint)


def annotations(problems: Iterable[Problem]) -> list[str]:
    return [annotation(p) for p in problems]


def _cell(value) -> str:
    """A Markdown table cell: pipes escaped, one line, not endless."""
    text = "" if value is None else str(value)
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= 120 else text[:117] + "..."


def _code(value) -> str:
    text = _cell(value)
    return f"`{text}`" if text and "`" not in text else text


def plan_markdown(plan, title: str) -> str:
    """The plan as a Markdown table: one row per resource that changes, the fields that change."""
    from ecsship.plan.model import NOOP

    lines = [f"### {_cell(title)}", ""]
    pending = [c for c in plan.changes if c.action != NOOP]
    if not pending:
        lines += ["No changes: live AWS matches the manifest.", ""]
        return "\n".join(lines) + "\n"
    lines += ["| action | resource | name | fields |", "| --- | --- | --- | --- |"]
    for change in pending:
        fields = ", ".join(f.path for f in change.fields[:8])
        if len(change.fields) > 8:
            fields += f", … (+{len(change.fields) - 8})"
        lines.append(f"| {change.action} | {_cell(change.title)} | {_code(change.name)} | {_cell(fields)} |")
    lines += ["", plan.summary(), ""]
    return "\n".join(lines) + "\n"


OUTCOME_WORDS = {"succeeded": "✅ succeeded", "rolled_back": "❌ failed, rolled back", "failed": "❌ failed",
                 "timed_out": "❌ timed out", "stopped": "⚠️ stopped", "interrupted": "⚠️ interrupted (still running)",
                 "waiting_approval": "⏸️ waiting for approval", "started": "▶️ started (not watched)",
                 "unchanged": "✅ unchanged", "reverted": "↩️ reverted"}


def deploy_markdown(outcome: "Outcome", service: str, simulated: bool = False) -> str:
    """A deploy's outcome: old → new revision, duration, outcome, why it stopped, a failed task's lines."""
    from ecsship.manifest.durations import format_duration

    took = format_duration(outcome.duration) + (" (simulated)" if simulated else "") if outcome.duration else "-"
    lines = [f"### ecsship deploy: {_cell(service)}", "",
             "| revision | duration | outcome |", "| --- | --- | --- |",
             f"| {_code(outcome.old_revision or '(none)')} → {_code(outcome.new_revision or outcome.serving or '-')} "
             f"| {took} | {OUTCOME_WORDS.get(outcome.status, outcome.status)} |", ""]
    reasons = [r for r in (outcome.reason, (outcome.failed_task or {}).get("reason")) if r]
    if reasons:
        lines += ["**Why it stopped:**", ""] + [f"- {_cell(r)}" for r in dict.fromkeys(reasons)] + [""]
    failed = outcome.failed_task
    if failed and outcome.status != "succeeded" and failed.get("lines"):
        code = f", exit code {failed['exit_code']}" if failed.get("exit_code") is not None else ""
        lines += [f"Last log lines of task `{short_task(failed.get('task_id'))}`{code}:", "", "```text"]
        lines += [str(line).replace("```", "'''") for line in failed["lines"]] + ["```", ""]
    if outcome.hint:
        lines += [f"Hint: {_cell(outcome.hint)}", ""]
    return "\n".join(lines) + "\n"
