"""Register a revision by swapping the image into the latest one: the fake-AWS CLI tests' stand-in
for the plan engine (which needs a real backend for its VPC/subnet look-ups)."""
from __future__ import annotations

from ecsship.errors import EcsshipError

_REGISTER_FIELDS = ("family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions",
                    "requiresCompatibilities", "cpu", "memory", "runtimePlatform")
_OUR_TAGS = ("ecsship:deployed-at", "ecsship:deployment")


def latest_revision(aws, family: str) -> dict:
    resp = aws.client("ecs").describe_task_definition(taskDefinition=family, include=["TAGS"])
    return {"taskDefinition": resp["taskDefinition"], "tags": resp.get("tags", [])}


def revision_with_image(aws, family: str, container: str, uri: str) -> tuple[str, bool]:
    """(task definition ARN, whether it was registered now) running `uri` in `container`."""
    latest = latest_revision(aws, family)
    td = latest["taskDefinition"]
    containers = td.get("containerDefinitions", [])
    target = next((c for c in containers if c.get("name") == container), None)
    if target is None:
        essential = [c for c in containers if c.get("essential", True)]
        target = essential[0] if essential else None
    if target is None:
        raise EcsshipError(f"task definition {family} has no container to put the image in")
    if target.get("image") == uri:
        return td["taskDefinitionArn"], False
    body = {k: td[k] for k in _REGISTER_FIELDS if td.get(k) not in (None, [], {})}
    body["containerDefinitions"] = [dict(c, image=uri) if c is target else c for c in containers]
    tags = [t for t in latest["tags"] if t.get("key") not in _OUR_TAGS]
    if tags:
        body["tags"] = tags
    new = aws.client("ecs").register_task_definition(**body)["taskDefinition"]
    return new["taskDefinitionArn"], True
