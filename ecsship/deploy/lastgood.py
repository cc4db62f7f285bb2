"""Which revisions of this service are good: the ones whose deployment ECS (or CodeDeploy) says succeeded.

"Good" is read from AWS, not from who watched: a deploy interrupted, cancelled in CI, run with
`--no-wait` or piped into `head` still completes in ECS, and its revision is good. The rows come
from `history.deployments`, so `rollback` and `history` agree by construction, and they are this
service's deployments in this cluster (ListServiceDeployments takes cluster and service; a
CodeDeploy group belongs to one service), so another environment's revisions are never candidates.

`rollback` goes to the highest good revision *below* the one serving now, so a second rollback
goes back one more good revision, and a revision whose deployments all failed is never a target.
Where the service-deployments API is missing, or its 90 days of history hold no earlier good
revision, the `ecsship:deployed-at` tag ecsship puts on a revision it saw complete stands in (read
only within this service's task definition families, and for the pre-scoping family only on
revisions tagged with this cluster).
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.deploy.history import deployments, tagged_good
from ecsship.deploy.names import family_of, revision_name, revision_number
from ecsship.deploy.revision_tags import (  # noqa: F401  (re-exported: where callers have long found them)
    DEPLOYED_AT,
    DEPLOYMENT_ID,
    deployed_at,
    describe_tags,
    mark_good,
    revisions_newest_first,
)
from ecsship.errors import AwsCallError, EcsshipError, UsageError

SCAN_LIMIT = 100  # deployments looked at, newest first; enough for any sane history
GOOD = "succeeded"
FAILED_OUTCOMES = frozenset({"failed", "rolled_back", "rollback_failed", "stopped"})


def outcomes(aws, settings) -> dict[str, set[str]]:
    """{task definition ARN: outcomes of its deployments} for this service, newest SCAN_LIMIT deployments."""
    found: dict[str, set[str]] = {}
    for row in deployments(aws, settings, SCAN_LIMIT):
        if row.get("task_definition"):
            found.setdefault(row["task_definition"], set()).add(row["outcome"])
    return found


def _rank(settings, arn: str) -> tuple[bool, int]:
    # Revisions of the cluster-scoped family come after those of the family used before it.
    return family_of(arn) == settings.family, revision_number(arn)


def previous_good(aws, settings, current: str) -> str:
    """The highest good revision below `current`; raises when there is none."""
    below = lambda arn: _rank(settings, arn) < _rank(settings, current)  # noqa: E731
    good = [arn for arn, seen in outcomes(aws, settings).items() if GOOD in seen and below(arn)]
    if not good:
        # ECS keeps 90 days of service deployments: older revisions ecsship saw complete still count.
        good = [row["task_definition"] for row in tagged_good(aws, settings, SCAN_LIMIT) if below(row["task_definition"])]
    if good:
        return max(good, key=lambda arn: _rank(settings, arn))
    raise EcsshipError(
        f"no earlier revision of service {settings.service} in cluster {settings.cluster} ever deployed successfully "
        f"(current: {revision_name(current)})",
        "pass --to-revision N to choose one explicitly",
    )


def failed_without_success(aws, settings, task_definition: str) -> bool:
    """True when every deployment of this revision that ECS remembers failed (none succeeded)."""
    seen = outcomes(aws, settings).get(task_definition, set())
    return bool(seen & FAILED_OUTCOMES) and GOOD not in seen


def resolve_revision(aws, settings, family: str, number: int) -> str:
    """`family:number` as an ARN, refusing a revision that is missing, inactive, or another cluster's."""
    if number < 1:
        raise UsageError(f"--to-revision {number}: revisions are numbered from 1")
    ecs = aws.client("ecs")
    try:
        with aws_call(f"task definition {family}:{number}", "ecs:DescribeTaskDefinition"):
            resp = ecs.describe_task_definition(taskDefinition=f"{family}:{number}", include=["TAGS"])
    except AwsCallError as exc:
        if exc.code in ("ClientException", "InvalidParameterException"):
            raise EcsshipError(f"task definition {family}:{number} does not exist",
                               "`ecsship history` lists the revisions this service deployed") from None
        raise
    definition = resp["taskDefinition"]
    if definition.get("status") not in (None, "ACTIVE"):
        raise EcsshipError(f"task definition {family}:{number} is {definition['status'].lower()}: ECS cannot deploy it",
                           "`ecsship history` lists the revisions this service deployed")
    owner = {t.get("key"): t.get("value") for t in resp.get("tags", [])}.get("ecsship:cluster")
    if owner and owner != settings.cluster:
        raise EcsshipError(f"task definition {family}:{number} belongs to cluster {owner}, not {settings.cluster}",
                           "choose a revision of this environment (`ecsship history`)")
    return definition["taskDefinitionArn"]
