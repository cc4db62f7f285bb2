"""`ecsship local image add|list`: put images into the local AWS's ECR through the ordinary ECR API.

The local account has no registry to `docker push` to, so a manifest naming its own image could not
be rehearsed offline. `add` creates the repository (CreateRepository) and a tagged image manifest
(PutImage) the way the ECR proxy records a push; the image digest is derived from repository and tag,
as the seeded images' are. Whether such an image then runs healthy is up to `--fail-images`.
"""
from __future__ import annotations

from dataclasses import dataclass

from ecsship.desired.image_and_secret_refs import parse_image
from ecsship.errors import UsageError
from ecsship.local.seed import ACCOUNT_ID, REGION, image_manifest


@dataclass(frozen=True)
class LocalImage:
    repository: str
    tag: str

    @property
    def uri(self) -> str:
        return f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com/{self.repository}:{self.tag}"


def parse_local_image(uri: str) -> LocalImage:
    """An ECR image URI with a tag, in the local account and region; anything else is a usage error."""
    example = f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com/REPOSITORY:TAG"
    ref = parse_image(uri)
    if not ref.is_ecr:
        raise UsageError(f"{uri}: not an ECR image URI", f"the local AWS has an ECR registry only: {example}")
    if ref.account != ACCOUNT_ID or ref.region != REGION:
        raise UsageError(f"{uri}: the local AWS is account {ACCOUNT_ID} in {REGION}", f"use {example}")
    if ref.digest or not ref.tag:
        raise UsageError(f"{uri}: give a tag, not a digest", "a digest is computed from the image, so only tags can be registered")
    return LocalImage(ref.repository, ref.tag)


def add_image(ecr, image: LocalImage) -> str:
    """Register one image; returns "added" or "exists". `ecr` is a boto3 ECR client on the local AWS."""
    from botocore.exceptions import ClientError

    try:
        ecr.create_repository(repositoryName=image.repository)
    except ClientError as exc:
        # "The specified repository already exists in the specified registry." (ECR API reference)
        if exc.response["Error"]["Code"] != "RepositoryAlreadyExistsException":
            raise
    try:
        ecr.put_image(repositoryName=image.repository, imageTag=image.tag,
                      imageManifest=image_manifest(image.repository, image.tag))
    except ClientError as exc:
        # "The specified image has already been pushed, and there were no changes to the manifest or
        # image tag after the last push." (ECR PutImage): the same add twice is not an error.
        if exc.response["Error"]["Code"] != "ImageAlreadyExistsException":
            raise
        return "exists"
    return "added"


def list_images(ecr) -> list[dict]:
    """Every repository with its tags, sorted: [{"repository", "uri", "tags"}]."""
    rows = []
    for page in ecr.get_paginator("describe_repositories").paginate():
        for repo in page["repositories"]:
            tags: set[str] = set()
            for images in ecr.get_paginator("list_images").paginate(repositoryName=repo["repositoryName"]):
                tags.update(i["imageTag"] for i in images["imageIds"] if i.get("imageTag"))
            rows.append({"repository": repo["repositoryName"], "uri": repo["repositoryUri"], "tags": sorted(tags)})
    return sorted(rows, key=lambda r: r["repository"])
