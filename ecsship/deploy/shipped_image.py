"""What `deploy --image-tag/--image` ships: the image URI, checked to exist before anything changes.

The task definition revision itself comes from the manifest through the plan engine (app/revision.py).
"""
from __future__ import annotations

import re

from ecsship.aws.errors import error_code
from ecsship.errors import EcsshipError, UsageError

CONTAINER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
# botocore ecs ContainerDefinition.image: up to 255 of letters, digits, - _ : . / # (before an @ digest);
# a digest is sha256: and exactly 64 hex digits.
ECS_IMAGE = re.compile(r"^[A-Za-z0-9_:./#-]{1,255}(@sha256:[A-Fa-f0-9]{64})?$")


def split_images(given: list[str] | None, main: str, containers: list[str]) -> tuple[str | None, dict[str, str]]:
    """`--image` values: a plain URI is the main container's; `NAME=URI` moves container NAME's image
    (the main container's when NAME is its name). Returns (main image or None, {container: URI})."""
    main_image: str | None = None
    others: dict[str, str] = {}
    for value in given or []:
        name, sep, uri = value.partition("=")
        if sep and not name:
            raise UsageError(f"--image {value[:80]}: no container name before '='", "write --image NAME=URI, or --image URI")
        if not sep or not CONTAINER_NAME.match(name):
            name, uri = main, value
        if not uri:
            raise UsageError(f"--image {value}: no image URI after '='", "write --image NAME=URI")
        if not ECS_IMAGE.match(uri):
            raise UsageError(f"--image {value[:80]}: not an image ECS accepts",
                             "REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:<64 hex digits>, up to 255 characters")
        if name == main:
            if main_image is not None:
                raise UsageError(f"--image gives the main container ({main}) two images")
            main_image = uri
        elif name in containers:
            if name in others:
                raise UsageError(f"--image gives container {name} two images")
            others[name] = uri
        else:
            listed = ", ".join([main, *containers])
            raise UsageError(f"--image {name}=...: the task has no container named {name}", f"containers: {listed}")
    return main_image, others


def image_uri(manifest_image: str, image_tag: str | None, image: str | None) -> str:
    """`--image` wins as given; `--image-tag` replaces the tag (or digest) of the manifest's image."""
    if image_tag and image:
        raise UsageError("pass either --image-tag or --image, not both")
    if image:
        return image
    if image_tag:
        from ecsship.desired.image_and_secret_refs import with_tag

        uri = with_tag(manifest_image, image_tag)
        if not ECS_IMAGE.match(uri):
            raise UsageError(f"--image-tag {image_tag[:80]}: {uri[:120]} is not an image ECS accepts",
                             "a tag of letters, digits, - _ . (or sha256: and 64 hex digits)")
        return uri
    return manifest_image


def verify_image(aws, uri: str) -> None:
    """An ECR image (tag or digest) must exist before we ask ECS to pull it."""
    from ecsship.desired.image_and_secret_refs import parse_image

    ref = parse_image(uri)
    if not ref.is_ecr:
        return  # other registries: ECS reports a pull failure, which the watcher shows
    image_id = {"imageDigest": ref.digest} if ref.digest else {"imageTag": ref.tag or "latest"}
    ecr = aws.client("ecr", region=ref.region)  # the URI's region: the image lives there
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
