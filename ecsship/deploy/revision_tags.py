"""The tags ecsship puts on a task definition revision it saw complete, and reading them back.

Shared by `lastgood` (which revision is good), `history` (where the service-deployments API is missing)
and `ops.run` (which revision one-off tasks run); a module of its own so none of them imports another.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.deploy.names import family_of, revision_name, revision_number

DEPLOYED_AT = "ecsship:deployed-at"
DEPLOYMENT_ID = "ecsship:deployment"


def mark_good(aws, task_definition: str, when: str, deployment_id: str) -> None:
    """Tag a revision ecsship saw complete: only read where the service-deployments API is missing."""
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


def describe_tags(aws, task_definition: str) -> dict:
    ecs = aws.client("ecs")
    with aws_call(f"task definition {revision_name(task_definition)}", "ecs:DescribeTaskDefinition"):
        resp = ecs.describe_task_definition(taskDefinition=task_definition, include=["TAGS"])
    return {t.get("key"): t.get("value") for t in resp.get("tags", [])}


def deployed_at(aws, task_definition: str) -> str | None:
    return describe_tags(aws, task_definition).get(DEPLOYED_AT)
