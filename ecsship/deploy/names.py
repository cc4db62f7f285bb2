"""Small helpers for the names AWS returns."""
from __future__ import annotations


def revision_name(task_definition: str | None) -> str:
    """`arn:...:task-definition/web:7` → `web:7` (a family:revision passes through)."""
    if not task_definition:
        return ""
    return task_definition.rsplit("/", 1)[-1]


def revision_number(task_definition: str) -> int:
    try:
        return int(revision_name(task_definition).rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return 0


def family_of(task_definition: str) -> str:
    return revision_name(task_definition).rsplit(":", 1)[0]


def unsupported(exc) -> bool:
    """An API the endpoint does not implement (older regions, partial emulators): degrade, don't fail."""
    from ecsship.aws.errors import error_code

    code = error_code(exc)
    status = getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in ("InvalidAction", "UnknownOperationException", "NotImplemented", "InternalFailure", "500") or status in (404, 500, 501)
