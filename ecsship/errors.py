"""Errors every layer may raise; the CLI turns them into one clear message and an exit code.

Kept free of third-party imports so the start-up path stays light.
"""
from __future__ import annotations

from dataclasses import dataclass

# Exit codes, documented in README.md.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_WAITING_APPROVAL = 3  # a rollout paused for approval: not a success a CI job may go on from
EXIT_INTERRUPTED = 130


class EcsshipError(Exception):
    """A user-facing failure: message, optional hint, exit code. Never shown with a traceback."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(EcsshipError):
    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Problem:
    """One problem in a manifest, located as precisely as we can."""

    file: str
    line: int | None
    column: int | None
    field: str  # dotted path, e.g. "load_balancer.health_check.path"; "" for the document
    message: str
    hint: str | None = None
    severity: str = "error"  # "error" | "warning"

    def location(self) -> str:
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def render(self) -> str:
        prefix = f"{self.location()}: "
        if self.field:
            prefix += f"{self.field}: "
        text = prefix + ("warning: " if self.severity == "warning" else "") + self.message
        if self.hint:
            text += f" — {self.hint}"
        return text

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
            "severity": self.severity,
        }


class ManifestError(EcsshipError):
    """The manifest cannot be used. Carries every problem found, not just the first."""

    exit_code = EXIT_USAGE

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"] or self.problems
        summary = errors[0].render() if len(errors) == 1 else f"{len(errors)} problems in the manifest"
        super().__init__(summary)


class AwsCallError(EcsshipError):
    """An AWS API call failed: which resource, which call, what AWS said, what to do."""

    def __init__(self, resource: str, call: str, code: str, aws_message: str, hint: str | None = None):
        self.resource = resource
        self.call = call
        self.code = code
        self.aws_message = aws_message
        super().__init__(f"{resource}: {call} failed: {code}: {aws_message}", hint)


class Interrupted(EcsshipError):
    exit_code = EXIT_INTERRUPTED
