"""Load a manifest: read, parse with positions, interpolate, overlay, validate, all problems at once."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from typing import Mapping

from ecsship.errors import ManifestError, Problem, UsageError
from ecsship.manifest.interpolate import interpolate, nearest_position
from ecsship.manifest.overlay import apply_environment, environment_names
from ecsship.manifest.schema import schema_problems
from ecsship.manifest.semantic import semantic_problems
from ecsship.manifest.yamlsource import Positions, YamlProblem, parse, read_text
from ecsship.redact import clear as clear_redactions
from ecsship.redact import register, secret_looking


@dataclass
class Manifest:
    """A validated manifest: plain data, where each value came from, and the warnings found."""

    path: str
    data: dict
    positions: Positions = field(repr=False)
    environment: str | None = None
    warnings: list[Problem] = field(default_factory=list)

    def locate(self, *path) -> str:
        line, _ = nearest_position(self.positions, path)
        return f"{self.path}:{line}" if line else self.path

    def get(self, *keys, default=None):
        value = self.data
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value


def parse_vars(pairs: list[str] | None) -> dict[str, str]:
    """`--var KEY=VALUE` pairs into a dict."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--var expects KEY=VALUE, got '{pair}'")
        out[key.strip()] = value
    return out


STDIN = "-"
STDIN_NAME = "<stdin>"
# A command may load the manifest more than once, but stdin reads once: (the stream, its bytes).
_stdin_cache: tuple[object, bytes] | None = None


def display_name(path: str) -> str:
    """How messages name the manifest: `-f -` is `<stdin>`."""
    return STDIN_NAME if path == STDIN else path


def _read_stdin() -> bytes:
    global _stdin_cache
    if _stdin_cache is None or _stdin_cache[0] is not sys.stdin:
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("-f - reads the manifest from standard input, but it is a terminal", "pipe it in: ecsship validate -f - < ecsship.yaml")
        stream = getattr(sys.stdin, "buffer", sys.stdin)
        data = stream.read(2 * 1024 * 1024)
        _stdin_cache = (sys.stdin, data.encode() if isinstance(data, str) else data)
    return _stdin_cache[1]


def read_source(path: str) -> tuple[object, Positions]:
    if path == STDIN:
        raw = _read_stdin()
        path = STDIN_NAME
        try:
            data, positions = parse(path, read_text(path, raw))
        except YamlProblem as exc:
            raise ManifestError([exc.problem]) from None
        return _mapping(data, path), positions
    try:
        with open(path, "rb") as fh:
            raw = fh.read(2 * 1024 * 1024)
            size = os.fstat(fh.fileno()).st_size
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file", "run `ecsship init` to write a manifest, or pass -f PATH") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory; expected a manifest file", "pass -f PATH/ecsship.yaml") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data, positions = parse(path, read_text(path, raw, size=max(size, len(raw))))
    except YamlProblem as exc:
        raise ManifestError([exc.problem]) from None
    return _mapping(data, path), positions


def _mapping(data, path: str) -> dict:
    if not isinstance(data, dict):
        raise ManifestError([Problem(path, 1, 1, "", f"the manifest must be a mapping of fields, not a {type(data).__name__}", "start with `service: NAME`")])
    return data


def load_manifest(
    path: str,
    env: str | None = None,
    variables: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    strict: bool = False,
    all_environments: bool = False,
) -> Manifest:
    """Load and validate. Raises ManifestError carrying every problem (errors and warnings).

    `path` "-" reads standard input; messages then name it `<stdin>`.
    """
    clear_redactions()  # one command, one manifest: what an earlier load registered does not carry over
    data, positions = read_source(path)
    path = display_name(path)
    scope = dict(os.environ if environ is None else environ)
    scope.update(variables or {})
    data, problems, used = interpolate(data, positions, scope, path, explicit=set(variables or {}))
    if problems:
        # Unresolved variables make the rest meaningless (an image of '${IMAGE_TAG}').
        raise ManifestError(problems)
    for name, value in used.items():
        if secret_looking(name):
            register(value)  # given with --var: applied, but never shown
    try:
        manifest = _validated(path, data, positions, env, strict, all_environments)
    except ManifestError as exc:
        raise ManifestError([_without_values(p, used) for p in exc.problems]) from None
    manifest.warnings = [_without_values(p, used) for p in manifest.warnings]
    return manifest


def _without_values(problem: Problem, used: Mapping[str, str]) -> Problem:
    """An error names the variable, never the value it brought in (it may be a credential)."""
    message, hint = problem.message, problem.hint
    for name, value in sorted(used.items(), key=lambda item: len(item[1]), reverse=True):
        if len(value) >= 4:
            message = message.replace(value, f"${{{name}}}")
            hint = hint.replace(value, f"${{{name}}}") if hint else hint
    return replace(problem, message=message, hint=hint)


def _validated(path, data, positions, env, strict, all_environments) -> Manifest:
    known = environment_names(data)
    if env is not None and env not in known:
        listed = ", ".join(known) if known else "none are defined"
        raise UsageError(f"{path}: unknown environment '{env}' (known: {listed})", "add it under `environments:` or pick a known one")

    problems = _check(data, positions, path)
    if env is None and all_environments and not any(p.severity == "error" for p in problems):
        seen = {p.render() for p in problems}
        for name in known:
            merged, merged_positions = apply_environment(data, positions, name)
            for problem in _check(merged, merged_positions, path):
                if problem.render() not in seen:
                    seen.add(problem.render())
                    problems.append(_in_environment(problem, name))
    if env is not None:
        data, positions = apply_environment(data, positions, env)
        # A typo inside the overlay is found in the overlay and again in the merged document, at the
        # same file:line:col: say it once (the overlay's field path names where it is).
        said = {q.render() for q in problems} | {_place(q) for q in problems if q.line is not None}
        problems += [p for p in _check(data, positions, path) if p.render() not in said and _place(p) not in said]
    else:
        data = {k: v for k, v in data.items() if k != "environments"}

    if strict:
        problems = [_as_error(p) for p in problems]
    if any(p.severity == "error" for p in problems):
        raise ManifestError(sorted(problems, key=_order))
    return Manifest(path, data, positions, env, sorted(problems, key=_order))


def _place(problem: Problem) -> tuple:
    return (problem.file, problem.line, problem.column, problem.message) if problem.line is not None else (problem.render(),)


def validate_saved(data, path: str) -> list[Problem]:
    """The manifest inside a saved plan, checked exactly as `validate` checks a manifest (schema and
    semantic rules): a plan file is an artifact someone could have edited. Raises ManifestError on
    errors; returns the warnings."""
    if not isinstance(data, dict):
        raise ManifestError([Problem(path, None, None, "manifest", "the saved manifest is not a mapping of fields")])
    problems = _check(data, {}, path)
    if any(p.severity == "error" for p in problems):
        raise ManifestError(sorted(problems, key=_order))
    return sorted(problems, key=_order)


def _check(data, positions, path) -> list[Problem]:
    return schema_problems(data, positions, path) + semantic_problems(data, positions, path)


def _order(problem: Problem):
    return (problem.line or 0, problem.column or 0, problem.field)


def _as_error(problem: Problem) -> Problem:
    return replace(problem, severity="error", message=problem.message + " (--strict)") if problem.severity == "warning" else problem


def _in_environment(problem: Problem, name: str) -> Problem:
    return replace(problem, message=f"{problem.message} [with --env {name}]")
