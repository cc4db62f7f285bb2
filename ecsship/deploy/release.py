"""What `deploy --image-tag/--image` ships: the image URI, checked to exist, in a task definition revision.

The revision is the latest ACTIVE revision of the service's family with the app container's
image replaced; a new revision is registered only when that changes its content, so deploying
the same image twice registers nothing.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call, error_code
from ecsship.errors import EcsshipError, UsageError

# Fields RegisterTaskDefinition accepts, as DescribeTaskDefinition returns them.
_REGISTER_FIELDS = (
    "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
    "placementConstraints", "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode",
    "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform", "enableFaultInjection",
)
_OUR_TAGS = ("ecsship:deployed-at", "ecsship:deployment")


def image_uri(manifest_image: str, image_tag: str | None, image: str | None) -> str:
    """`--image` wins as given; `--image-tag` replaces the tag (or digest) of the manifest's image."""
    if image_tag and image:
        raise UsageError("pass either --image-tag or --image, not both")
    if image:
        return image
    if image_tag:
        from ecsship.desired.references import with_tag

        return with_tag(manifest_image, image_tag)
    return manifest_image


def verify_image(aws, uri: str) -> None:
    """An ECR image (tag or digest) must exist before we ask ECS to pull it."""
    from ecsship.desired.references import parse_image

    ref = parse_image(uri)
    if not ref.is_ecr:
        return  # other registries: ECS reports a pull failure, which the watcher shows
    image_id = {"imageDigest": ref.digest} if ref.digest else {"imageTag": ref.tag or "latest"}
    ecr = aws.client("ecr")
    from botocore.exceptions import ClientError

    try:
        ecr.describe_images(registryId=ref.account, repositoryName=ref.repository, imageIds=[image_id])
    except ClientError as exc:
        code = error_code(exc)
        if code in ("ImageNotFoundException", "RepositoryNotFoundException"):
            what = "repository" if code == "RepositoryNotFoundException" else "image"
            raise EcsshipError(f"{what} not found: {uri}", "push the image first, or check the tag (`aws ecr describe-images --repository-name "
                               f"{ref.repository}`)") from None
        from ecsship.aws.errors import translate_client_error

        raise translate_client_error(exc, f"image {uri}", "ecr:DescribeImages") from exc


def latest_revision(aws, family: str) -> dict:
    ecs = aws.client("ecs")
    from botocore.exceptions import ClientError

    try:
        resp = ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
    except ClientError as exc:
        if error_code(exc) in ("ClientException", "InvalidParameterException"):
            raise EcsshipError(f"task definition family {family} has no revision yet", "run `ecsship apply` first") from None
        raise
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
    with aws_call(f"task definition {family}", "ecs:RegisterTaskDefinition"):
        new = aws.client("ecs").register_task_definition(**body)["taskDefinition"]
    return new["taskDefinitionArn"], True
