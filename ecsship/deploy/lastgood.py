"""Which task definition revisions actually deployed: tagged on completion, read for rollback.

A revision is "good" once a deployment of it completed; ecsship tags it `ecsship:deployed-at`
(ISO time). `rollback` goes to the highest good revision *below* the one serving now, so a
second rollback goes back one more good revision, and a revision that never deployed
(a failed rollout) is never a rollback target: not "current minus one".
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.deploy.names import family_of, revision_number
from ecsship.errors import EcsshipError

DEPLOYED_AT = "ecsship:deployed-at"
DEPLOYMENT_ID = "ecsship:deployment"
_SCAN_LIMIT = 100  # revisions looked at, newest first; enough for any sane history


def mark_good(aws, task_definition: str, when: str, deployment_id: str) -> None:
    ecs = aws.client("ecs")
    tags = [{"key": DEPLOYED_AT, "value": when}]
    if deployment_id:
        tags.append({"key": DEPLOYMENT_ID, "value": deployment_id[-256:]})
    with aws_call(f"task definition {task_definition.rsplit('/', 1)[-1]}", "ecs:TagResource"):
        ecs.tag_resource(resourceArn=task_definition, tags=tags)


def revisions_newest_first(aws, family: str) -> list[str]:
    ecs = aws.client("ecs")
    arns: list[str] = []
    paginator = ecs.get_paginator("list_task_definitions")
    with aws_call(f"task definition family {family}", "ecs:ListTaskDefinitions"):
        for page in paginator.paginate(familyPrefix=family, status="ACTIVE", sort="DESC"):
            arns.extend(a for a in page.get("taskDefinitionArns", []) if family_of(a) == family)
    # Sort ourselves: the order is the contract we rely on, whatever the endpoint does with `sort`.
    return sorted(arns, key=revision_number, reverse=True)


def deployed_at(aws, task_definition: str) -> str | None:
    ecs = aws.client("ecs")
    with aws_call(f"task definition {task_definition.rsplit('/', 1)[-1]}", "ecs:DescribeTaskDefinition"):
        resp = ecs.describe_task_definition(taskDefinition=task_definition, include=["TAGS"])
    for tag in resp.get("tags", []):
        if tag.get("key") == DEPLOYED_AT:
            return tag.get("value")
    return None


def previous_good(aws, current: str) -> str:
    """The highest good revision below `current`; raises when there is none."""
    family = family_of(current)
    below = [a for a in revisions_newest_first(aws, family) if revision_number(a) < revision_number(current)]
    for arn in below[:_SCAN_LIMIT]:
        if deployed_at(aws, arn):
            return arn
    raise EcsshipError(
        f"no earlier revision of {family} ever deployed successfully (current: {current.rsplit('/', 1)[-1]})",
        "pass --to-revision N to choose one explicitly",
    )


def resolve_revision(aws, family: str, number: int) -> str:
    ecs = aws.client("ecs")
    with aws_call(f"task definition {family}:{number}", "ecs:DescribeTaskDefinition"):
        return ecs.describe_task_definition(taskDefinition=f"{family}:{number}")["taskDefinition"]["taskDefinitionArn"]
