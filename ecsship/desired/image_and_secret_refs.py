"""Parse the manifest's image and secret references. Pure string work, no AWS calls."""
from __future__ import annotations

import re
from dataclasses import dataclass

ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repo>[^:@]+)(?::(?P<tag>[^@]+))?(?:@(?P<digest>sha256:[0-9a-f]+))?$"
)


# botocore's endpoints.json `regionRegex` of each partition (most specific first); pure, so the desired
# model can name ARNs without importing botocore.
PARTITION_REGIONS = (
    ("aws-us-gov", re.compile(r"^us-gov-\w+-\d+$")),
    ("aws-iso-b", re.compile(r"^us-isob-\w+-\d+$")),
    ("aws-iso", re.compile(r"^us-iso-\w+-\d+$")),
    ("aws-cn", re.compile(r"^cn-\w+-\d+$")),
)


def partition_for_region(region: str | None) -> str:
    """The ARN partition of a region: aws-cn for cn-north-1, aws-us-gov for us-gov-west-1, else aws."""
    for partition, pattern in PARTITION_REGIONS:
        if region and pattern.match(region):
            return partition
    return "aws"


@dataclass(frozen=True)
class ImageRef:
    uri: str
    account: str | None = None  # set for ECR images only
    region: str | None = None
    repository: str | None = None
    tag: str | None = None
    digest: str | None = None

    @property
    def is_ecr(self) -> bool:
        return self.repository is not None

    def repository_arn(self) -> str | None:
        if not self.is_ecr:
            return None
        return f"arn:{partition_for_region(self.region)}:ecr:{self.region}:{self.account}:repository/{self.repository}"


def parse_image(uri: str) -> ImageRef:
    match = ECR_IMAGE.match(uri)
    if not match:
        return ImageRef(uri)
    return ImageRef(uri, match["account"], match["region"], match["repo"], match["tag"], match["digest"])


def with_tag(uri: str, tag: str) -> str:
    """`uri` with its tag or digest replaced by `tag` (a tag, or a `sha256:` digest)."""
    head, _, last = uri.rpartition("/")
    name = re.split(r"[:@]", last, maxsplit=1)[0]
    sep = "@" if tag.startswith("sha256:") else ":"
    return f"{head}/{name}{sep}{tag}" if head else f"{name}{sep}{tag}"


@dataclass(frozen=True)
class SecretRef:
    env: str
    source: str  # "secretsmanager" | "ssm"
    ident: str  # secret name or ARN; parameter name (starting with /) or ARN
    json_key: str | None = None
    raw: str = ""
    region: str | None = None  # set when the reference is an ARN: the secret lives in that region
    account: str | None = None


def parse_secret(env: str, ref: str) -> SecretRef:
    if ref.startswith("secretsmanager:"):
        name, _, key = ref[len("secretsmanager:"):].partition(":")
        return SecretRef(env, "secretsmanager", name, key or None, ref)
    if ref.startswith("ssm:"):
        return SecretRef(env, "ssm", ref[len("ssm:"):], None, ref)
    if ":secretsmanager:" in ref:
        parts = ref.split(":")
        arn = ":".join(parts[:7])
        key = parts[7] if len(parts) > 7 and parts[7] else None
        return SecretRef(env, "secretsmanager", arn, key, ref, parts[3] or None, parts[4] or None)
    if ":ssm:" in ref:
        parts = ref.split(":", 5)
        name = ref.split(":parameter", 1)[1]
        return SecretRef(env, "ssm", name, None, ref, parts[3] or None, parts[4] or None)
    raise ValueError(f"not a secret reference: {ref}")
