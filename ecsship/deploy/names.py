"""Small helpers for the names AWS returns."""
from __future__ import annotations

from ecsship.aws.errors import error_code
from ecsship.desired.names import family_of

__all__ = ["family_of", "iso", "revision_name", "revision_number", "short_id", "short_image", "unsupported"]


def revision_name(task_definition: str | None) -> str:
    """`arn:...:task-definition/web:7` → `web:7` (a family:revision passes through)."""
    if not task_definition:
        return ""
    return task_definition.rsplit("/", 1)[-1]


def short_id(arn_or_id: str | None) -> str:
    """The last path part of an ARN (a service deployment's id, a target group's name/id, a task id);
    an id passes through. Event lines show these; JSON keeps the full ARN."""
    if not arn_or_id:
        return ""
    if arn_or_id.startswith("arn:") and ":targetgroup/" in arn_or_id:
        return arn_or_id.split(":targetgroup/", 1)[1].split("/", 1)[0]
    if arn_or_id.startswith("arn:") and ":loadbalancer/" in arn_or_id:
        return arn_or_id.split(":loadbalancer/", 1)[1].split("/")[1]
    return arn_or_id.rsplit("/", 1)[-1] if arn_or_id.startswith("arn:") else arn_or_id


def short_image(uri: str | None) -> str:
    """`123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:v2` → `team/web:v2`; a digest keeps 8 hex digits
    (`web@sha256:abcd1234`). The registry is dropped as Docker recognises one: a first path part with a `.` or
    `:`, or `localhost`. Event lines show this; JSON keeps the full URI."""
    if not uri:
        return ""
    first, _, rest = uri.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        uri = rest
    name, at, digest = uri.partition("@")
    if at and ":" in digest:
        algo, _, hexpart = digest.partition(":")
        return f"{name}@{algo}:{hexpart[:8]}"
    return uri


def revision_number(task_definition: str) -> int:
    try:
        return int(revision_name(task_definition).rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return 0


def unsupported(exc) -> bool:
    """An API the endpoint does not implement (older regions, partial emulators): degrade, don't fail."""
    code = error_code(exc)
    status = getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in ("InvalidAction", "UnknownOperationException", "NotImplemented", "InternalFailure", "500") or status in (404, 500, 501)


def iso(value) -> str:
    """ISO 8601 (`2026-01-01T00:00:00+00:00`) whatever the controller or command: boto3 gives datetimes."""
    if not value:
        return ""
    return value.isoformat(timespec="seconds") if hasattr(value, "isoformat") else str(value)
