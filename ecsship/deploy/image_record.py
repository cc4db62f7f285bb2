"""apply never undoes a deploy: the record of which image the manifest said and which image `deploy` shipped.

All live in tags on the ECS service (one read: DescribeServices `include=["TAGS"]`, which the plan
makes anyway), and none is desired state: the service normaliser leaves them out of drift
(`RECORD_ONLY`), so a record never shows as a change in a plan:
- `ecsship:manifest-image`: the manifest's image at the last apply (set when apply creates the
  service, and by `record_apply` after every apply whose manifest image differs from the record);
- `ecsship:shipped-image`, `ecsship:shipped-by`, `ecsship:shipped-at`: the image the last
  `ecsship deploy` (or `apply --image-tag/--image`) shipped, and when.

The rule (`kept_image`): when the manifest's image is the one the last apply saw, the image the
service runs wins over it (a deploy shipped it since); a changed manifest image, or an explicit
`--image-tag`/`--image`, wins over what runs.
"""
from __future__ import annotations

from dataclasses import dataclass

from ecsship.aws.errors import aws_call
from ecsship.deploy.names import short_image, utc_time
from ecsship.desired.names import MANIFEST_IMAGE_TAG as MANIFEST_IMAGE
from ecsship.desired.names import SHIPPED_AT_TAG as SHIPPED_AT
from ecsship.desired.names import SHIPPED_BY_TAG as SHIPPED_BY
from ecsship.desired.names import SHIPPED_IMAGE_TAG as SHIPPED_IMAGE
from ecsship.desired.names import image_tag_value as tag_value

RECORD_ONLY = frozenset({MANIFEST_IMAGE, SHIPPED_IMAGE, SHIPPED_BY, SHIPPED_AT})


@dataclass(frozen=True)
class Kept:
    """The image the service runs, kept over the manifest's unchanged one."""
    image: str
    shipped_by: str = ""  # "deploy" / "apply" when the record says that command shipped it
    shipped_at: str = ""

    def note(self) -> str:
        if self.shipped_by == "deploy":
            return f"image kept: {short_image(self.image)}, deployed by `ecsship deploy` at {utc_time(self.shipped_at)}"
        if self.shipped_by:
            return f"image kept: {short_image(self.image)}, set by `ecsship {self.shipped_by} --image-tag` at {utc_time(self.shipped_at)}"
        return (f"image kept: {short_image(self.image)}, which the service runs "
                "(the manifest's image has not changed since the last apply)")


def kept_image(manifest_image: str, service_tags: dict, serving_image: str | None) -> Kept | None:
    """What apply keeps instead of the manifest's image, or None when the manifest's image wins.

    No record of the last apply (a service from before the record, or not ecsship's): the manifest wins."""
    recorded = service_tags.get(MANIFEST_IMAGE)
    if not recorded or not serving_image or recorded != tag_value(manifest_image) or serving_image == manifest_image:
        return None
    if service_tags.get(SHIPPED_IMAGE) == tag_value(serving_image):
        return Kept(serving_image, service_tags.get(SHIPPED_BY, ""), service_tags.get(SHIPPED_AT, ""))
    return Kept(serving_image)


def record_shipped(aws, service_arn: str, image: str, by: str, when: str) -> None:
    """Tag the service with the image `by` ("deploy", "apply") ships now."""
    _tag(aws, service_arn, {SHIPPED_IMAGE: tag_value(image), SHIPPED_BY: by, SHIPPED_AT: when})


def record_apply(aws, service_arn: str, manifest_image: str, recorded: str | None, shipped: str | None, when: str) -> bool:
    """After an apply: the manifest's image it saw (when the record differs), and with
    --image-tag/--image (`shipped`) that image as shipped by apply. True when it wrote anything."""
    tags = {MANIFEST_IMAGE: tag_value(manifest_image)} if recorded != tag_value(manifest_image) else {}
    if shipped:
        tags.update({SHIPPED_IMAGE: tag_value(shipped), SHIPPED_BY: "apply", SHIPPED_AT: when})
    if tags:
        _tag(aws, service_arn, tags)
    return bool(tags)


def _tag(aws, service_arn: str, tags: dict) -> None:
    # ECS TagResource adds or overwrites the given keys and leaves the others.
    with aws_call(f"service {service_arn.rsplit('/', 1)[-1]}", "ecs:TagResource"):
        aws.client("ecs").tag_resource(resourceArn=service_arn, tags=[{"key": k, "value": v} for k, v in sorted(tags.items())])
