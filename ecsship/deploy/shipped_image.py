"""What `deploy --image-tag/--image` ships: the image URI, checked to exist before anything changes.

The task definition revision itself comes from the manifest through the plan engine (app/revision.py).
"""
from __future__ import annotations

from ecsship.aws.errors import error_code
from ecsship.errors import EcsshipError, UsageError


def image_uri(manifest_image: str, image_tag: str | None, image: str | None) -> str:
    """`--image` wins as given; `--image-tag` replaces the tag (or digest) of the manifest's image."""
    if image_tag and image:
        raise UsageError("pass either --image-tag or --image, not both")
    if image:
        return image
    if image_tag:
        from ecsship.desired.image_and_secret_refs import with_tag

        return with_tag(manifest_image, image_tag)
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
