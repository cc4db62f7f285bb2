"""Small helpers for the names AWS returns."""
from __future__ import annotations

from datetime import datetime, timezone

from ecsship.aws.errors import error_code
from ecsship.desired.names import family_of

__all__ = ["family_of", "iso", "utc_time", "revision_name", "revision_number", "short_deployment", "short_id", "short_task", "short_image", "unsupported"]


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


SHORT = 8  # characters of a long id (task, deployment) a person reads; JSON keeps the whole id


def short_task(task_arn_or_id: str | None) -> str:
    """A task as text names it: its id (short_id of the ARN) cut to its first 8 characters, as
    `docker ps` and git cut theirs, and as service events' `(task ...)` are shortened."""
    return short_id(task_arn_or_id)[:SHORT]


def short_deployment(deployment_id: str | None) -> str:
    """A deployment as text names it: 8 characters of the part of its id that tells deployments apart
    (JSON keeps the whole id). The kind stays readable:
    - a service deployment ARN (`...:service-deployment/CLUSTER/SERVICE/AbCdEfGh0123456789`) → `AbCdEfGh`,
      its random id's first 8, as task ids are cut (`docker ps`, git);
    - CodeDeploy's `d-ABCDEFGHI` → `d-ABCDEFGH`, the same rule after its `d-`;
    - ECS's `ecs-svc/9223370564341623665` → `ecs-svc/…41623665`: the number's *last* 8, because its
      leading digits are shared by a service's deployments (AWS's own examples: ecs-svc/9223370556588458468,
      ecs-svc/9223370564341623665), so a prefix would not tell them apart.
    Ids this short already (`ecs-svc/1`, `d-ABC`) pass through."""
    if not deployment_id:
        return ""
    ident = short_id(deployment_id)
    kind, slash, number = ident.partition("/")
    if slash and kind == "ecs-svc":
        return ident if len(number) <= SHORT else f"ecs-svc/…{number[-SHORT:]}"
    prefix = "d-" if ident.startswith("d-") else ""
    rest = ident[len(prefix):]
    return ident if len(rest) <= SHORT else prefix + rest[:SHORT]


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
        return f"{name}@{algo}:{hexpart[:SHORT]}"
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


def utc_time(value) -> str:
    """The one form of a time in text output: ISO 8601 to the second in UTC with its `Z` marker
    (`2026-11-30T21:08:50Z`), from a datetime, epoch seconds or an ISO 8601 string (`iso`'s, JSON's).
    A time without an offset is taken as UTC (AWS's are); text that is no time passes through."""
    if value is None or value == "":
        return ""
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, timezone.utc)
    elif isinstance(value, str):
        try:  # Python 3.10's fromisoformat does not read a trailing Z
            value = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
