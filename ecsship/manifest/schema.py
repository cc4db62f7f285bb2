"""JSON-schema validation with errors mapped back to file, line and field."""
from __future__ import annotations

import difflib
import json
from functools import lru_cache
from pathlib import Path

from ecsship.errors import Problem
from ecsship.manifest.interpolate import nearest_position
from ecsship.manifest.verdicts import shared as shared_verdicts
from ecsship.manifest.yamlsource import Positions, dotted

SCHEMA_NAME = "ecsship.schema.json"


def schema_path() -> Path:
    """The schema shipped in the wheel, or the repository's canonical copy in a source checkout."""
    packaged = Path(__file__).resolve().parent.parent / "data" / SCHEMA_NAME
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_NAME


@lru_cache(maxsize=1)
def schema_bytes() -> bytes:
    return schema_path().read_bytes()


@lru_cache(maxsize=1)
def load_schema() -> dict:
    return json.loads(schema_bytes().decode("utf-8"))


@lru_cache(maxsize=1)
def _validator():
    # Imported here: jsonschema costs ~90 ms and only validation needs it.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema())


def schema_problems(data, positions: Positions, file: str) -> list[Problem]:
    """Every schema problem of `data`. A document found valid before, under the same schema, ecsship
    and jsonschema, is not checked again (manifest/verdicts.py): no jsonschema import on that path."""
    verdicts = shared_verdicts()
    digest = verdicts.digest(schema_bytes(), data) if verdicts else None
    if digest and verdicts and verdicts.known_valid(digest):
        return []
    problems: list[Problem] = []
    for error in _validator().iter_errors(data):
        problems.extend(_translate(error, positions, file))
    if not problems and digest and verdicts:
        verdicts.remember_valid(digest)
    return problems


def _translate(error, positions: Positions, file: str) -> list[Problem]:
    path = tuple(error.absolute_path)
    line, col = nearest_position(positions, path)
    field = dotted(path)
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}

    def problem(message, hint=None, at=path):
        ln, cl = nearest_position(positions, at)
        return Problem(file, ln, cl, dotted(at), message, hint)

    if "propertyNames" in list(error.relative_schema_path):
        key = error.instance
        at = path + (key,) if isinstance(key, str) else path
        if validator == "enum":
            close = difflib.get_close_matches(str(key), [str(o) for o in error.validator_value], n=1, cutoff=0.6)
            return [problem(f"unknown field '{key}'", f"did you mean `{close[0]}`?" if close else None, at)]
        if validator == "not":
            return [problem(f"key '{key}' is reserved (aws: and ecsship: tag keys are managed by AWS and ecsship)", None, at)]
        return [problem(f"invalid key '{key}'", _pattern_hint(dotted(path), schema) if validator == "pattern" else None, at)]
    if any(part in SENSITIVE for part in path):
        # Values here may be secrets pasted by mistake: say what is wrong, never what the value is.
        error.instance = _Redacted(error.instance)
    if validator == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(schema.get("properties", {}))
        extras = [k for k in error.instance if k not in schema.get("properties", {})]
        out = []
        for key in extras:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            listing = ", ".join(known)
            hint = (f"did you mean `{close[0]}`?" if close else f"known fields: {listing}" if len(listing) <= 60
                    else "docs/manifest.md lists the fields" if known else None)
            out.append(problem(f"unknown field '{key}'", hint, path + (key,)))
        return out
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [Problem(file, line, col, field, f"missing required field '{missing}'")]
    if validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return [Problem(file, line, col, field, f"expected {_article(expected)}, got {_describe(error.instance)}")]
    if validator == "enum":
        options = error.validator_value
        hint = None
        if isinstance(error.instance, str):
            close = difflib.get_close_matches(error.instance, [str(o) for o in options], n=1, cutoff=0.5)
            hint = f"did you mean `{close[0]}`?" if close else None
        return [Problem(file, line, col, field, f"must be one of {', '.join(map(str, options))} (got {_describe(error.instance)})", hint)]
    if validator in ("oneOf", "anyOf") and "x-message" in schema:
        return [Problem(file, line, col, field, f"{schema['x-message']} (got {_describe(error.instance)})")]
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        word = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "greater than", "exclusiveMaximum": "less than"}[validator]
        return [Problem(file, line, col, field, f"must be {word} {error.validator_value} (got {error.instance})")]
    if validator == "pattern" and "x-message" in schema:
        return [Problem(file, line, col, field, f"{schema['x-message']} (got {_describe(error.instance)})")]
    if validator == "pattern":
        return [Problem(file, line, col, field, f"{_describe(error.instance)} is not valid here", _pattern_hint(field, schema))]
    if validator in ("minItems", "minLength", "minProperties"):
        return [Problem(file, line, col, field, "must not be empty" if error.validator_value == 1 else error.message)]
    if validator == "uniqueItems":
        return [Problem(file, line, col, field, "lists the same item twice")]
    return [Problem(file, line, col, field, error.message)]


SENSITIVE = ("secrets", "environment", "secret_options", "options")


class _Redacted:
    def __init__(self, value):
        self.kind = type(value).__name__

    def __repr__(self) -> str:
        return "a value (not shown)"


def _pattern_hint(field: str, schema: dict) -> str | None:
    description = schema.get("description")
    if description:
        return description.split(". ")[0].rstrip(".")
    return f"must match {schema.get('pattern')}"


def _article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _describe(value) -> str:
    if isinstance(value, _Redacted):
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"'{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
