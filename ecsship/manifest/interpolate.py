"""`${VAR}` / `${VAR:-default}` interpolation in string values; `$${` is a literal `${`."""
from __future__ import annotations

import re
from typing import Mapping

from ecsship.errors import Problem
from ecsship.manifest.yamlsource import Positions, dotted
from ecsship.redact import secret_looking

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_REFERENCE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$", re.S)


def interpolate(data, positions: Positions, variables: Mapping[str, str], file: str,
                explicit: frozenset | set = frozenset()) -> tuple[object, list[Problem], dict[str, str]]:
    """Return the data with every string interpolated, the problems found (all of them), and the
    values used by variable name (so errors can name the variable instead of showing its value).

    AWS credentials and secret-looking names (TOKEN, PASSWORD, ...) are not read from the
    environment: a CI runner's environment holds deploy credentials, and a value interpolated into
    the manifest ends up in plans, plan files and the task definition. Names in `explicit` (given
    with --var) are the user's deliberate choice and are allowed."""
    problems: list[Problem] = []
    used: dict[str, str] = {}

    def where(path):
        line, col = _nearest(positions, path)
        return line, col

    def substitute(text: str, path) -> str:
        if "$" not in text:
            return text

        def replace(match: re.Match) -> str:
            token = match.group(0)
            if token == "$${":
                return "${"
            if match.group(1) is None:
                line, col = where(path)
                problems.append(Problem(file, line, col, dotted(path), "unterminated '${' in value", "close it with '}', or write '$${' for a literal '${'"))
                return token
            ref = _REFERENCE.match(match.group(1))
            if not ref:
                line, col = where(path)
                problems.append(Problem(file, line, col, dotted(path), f"malformed variable reference '{token}'", "use ${NAME} or ${NAME:-default}"))
                return token
            name, default = ref.group(1), ref.group(2)
            if name not in explicit and secret_looking(name) and variables.get(name) is not None:
                line, col = where(path)
                problems.append(Problem(file, line, col, dotted(path),
                                        f"${{{name}}} looks like a credential or secret: ecsship does not read it from the environment",
                                        "secrets belong under `secrets:` (a Secrets Manager or SSM reference); if this value is "
                                        f"not secret, pass it explicitly with --var {name}=..."))
                return token
            value = variables.get(name)
            if value is None or (value == "" and default is not None):
                if default is not None:
                    return default
                line, col = where(path)
                problems.append(Problem(file, line, col, dotted(path), f"variable ${{{name}}} is not set", f"export {name}=..., pass --var {name}=..., or write ${{{name}:-default}}"))
                return token
            used[name] = value
            return value

        return _TOKEN.sub(replace, text)

    def walk(value, path):
        if isinstance(value, str):
            return substitute(value, path)
        if isinstance(value, dict):
            return {k: walk(v, path + (k,)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, path + (i,)) for i, v in enumerate(value)]
        return value

    return walk(data, ()), problems, used


def _nearest(positions: Positions, path) -> tuple[int | None, int | None]:
    path = tuple(path)
    while path not in positions and path:
        path = path[:-1]
    return positions.get(path, (None, None))


nearest_position = _nearest
