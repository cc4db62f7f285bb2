"""Deterministic names within AWS's length limits.

A name too long for its resource keeps a readable prefix and ends in a short hash of the full
name, so two services whose names share a long prefix still get distinct resources, and the
same manifest always yields the same names (which is how a resource is found again).
"""
from __future__ import annotations

import hashlib
import re

TARGET_GROUP_MAX = 32
ROLE_MAX = 64
SECURITY_GROUP_MAX = 255
ALARM_MAX = 255
POLICY_MAX = 255
CODEDEPLOY_MAX = 100
ALB_MAX = 32


def short_hash(text: str, length: int = 6) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def fit(name: str, limit: int, allowed: str = r"A-Za-z0-9-") -> str:
    """`name` cleaned of characters the resource rejects and cut to `limit` with a stable hash."""
    clean = re.sub(rf"[^{allowed}]", "-", name)
    if len(clean) <= limit:
        return clean
    digest = short_hash(name)
    return clean[: limit - len(digest) - 1].rstrip("-_") + "-" + digest


def base(cluster: str, service: str) -> str:
    return f"{cluster}-{service}"


def role_name(cluster: str, service: str, purpose: str) -> str:
    return fit(f"{base(cluster, service)}-{purpose}", ROLE_MAX, r"A-Za-z0-9+=,.@_-")


def regional_role_name(name: str, region: str) -> str:
    """The name a role takes when its plain name is used by the same service in another region:
    IAM names are account-wide, regions are not (issue #12 item 12)."""
    return fit(f"{name}-{region}", ROLE_MAX, r"A-Za-z0-9+=,.@_-")


def target_group_name(cluster: str, service: str, colour: str | None = None) -> str:
    # Target group names: letters, digits and '-', not starting or ending with '-'.
    suffix = f"-{colour}" if colour else ""
    head = fit(base(cluster, service), TARGET_GROUP_MAX - len(suffix))
    return (head + suffix).strip("-")


TASK_FAMILY_MAX = 255


def task_family(cluster: str, service: str) -> str:
    """The task definition family of a service in a cluster: `<cluster>-<service>`.

    Scoped by cluster so two environments (clusters) of one service in one account never share
    revisions (issue 13). Up to 255 letters, numbers, hyphens and underscores (RegisterTaskDefinition's
    `family`). Services applied before this named the family `<service>`: see `legacy_task_family`.
    """
    return fit(base(cluster, service), TASK_FAMILY_MAX, r"A-Za-z0-9_-")


def legacy_task_family(service: str) -> str:
    """The family ecsship used before families were scoped by cluster; its revisions are ours only
    when tagged `ecsship:cluster` with our cluster (other environments shared the family)."""
    return service


PORT_MAPPING_NAME_MAX = 64


def port_mapping_name(service: str, port: int) -> str:
    """The name of the service's port mapping: `<service>-<port>` in the characters ECS allows.

    botocore ecs PortMapping.name: "up to 64 characters. The characters can include lowercase
    letters, numbers, underscores (_), and hyphens (-). The name can't start with a hyphen."
    So `CheckoutApi` on 8080 is `checkoutapi-8080`.
    """
    name = fit(f"{service.lower()}-{port}", PORT_MAPPING_NAME_MAX, r"a-z0-9_-").lstrip("-")
    return name or f"port-{port}"


def codedeploy_name(cluster: str, service: str) -> str:
    """The CodeDeploy application and deployment group of a service: `<cluster>-<service>` in at most
    100 characters (CreateApplication's `applicationName`: "Maximum length of 100")."""
    return fit(base(cluster, service), CODEDEPLOY_MAX, r"A-Za-z0-9._+=,@-")


def family_of(task_definition: str) -> str:
    """`arn:...:task-definition/web:7` (or `web:7`) → `web`: the family of a revision."""
    return task_definition.rsplit("/", 1)[-1].rsplit(":", 1)[0]


def replacement_target_group_name(name: str) -> str:
    """The name a target group takes while it replaces `name` (target group names are unique per
    region and account, and the old group must live until nothing uses it); the next replacement
    goes back to `name`."""
    return fit(f"{name}-r", TARGET_GROUP_MAX).strip("-")


def log_group_name(cluster: str, service: str) -> str:
    return f"/ecs/{cluster}/{service}"


ONE_OFF_SUFFIX = "-oneoff"


def one_off_family(family: str) -> str:
    """Where `ecsship run --image` registers its one-off revisions: a family of their own, so the
    service's family keeps its revision numbers and its newest revision (task definition family:
    up to 255 letters, digits, hyphens and underscores, botocore `ecs RegisterTaskDefinition.family`)."""
    return family[: 255 - len(ONE_OFF_SUFFIX)] + ONE_OFF_SUFFIX


SCHEDULE_MAX = 64  # botocore scheduler CreateSchedule.Name: 1-64, [0-9a-zA-Z-_.]+
QUEUE_MAX = 80  # SQS CreateQueue.QueueName: up to 80 alphanumeric characters, hyphens and underscores
EVENT_RULE_MAX = 64  # botocore events PutRule.Name: 1-64, [\.\-_A-Za-z0-9]+
JOB_GROUP_PREFIX = "ecsship-job:"


def schedule_name(cluster: str, service: str, job: str) -> str:
    """A job's EventBridge Scheduler schedule: `<cluster>-<service>-<job>`, fitted to 64 with a hash."""
    return fit(f"{base(cluster, service)}-{job}", SCHEDULE_MAX, r"0-9a-zA-Z_.-")


def schedule_prefix(cluster: str, service: str) -> str:
    """What every schedule_name of the service starts with, also when fitted with a hash (the fitted
    head keeps at least 50 characters): how ListSchedules finds a job the manifest no longer lists."""
    return fit(f"{base(cluster, service)}-", 10_000, r"0-9a-zA-Z_.-")[:50]


def jobs_queue_name(cluster: str, service: str) -> str:
    """The SQS dead-letter queue of a service's schedules."""
    return fit(f"{base(cluster, service)}-jobs-dlq", QUEUE_MAX, r"A-Za-z0-9_-")


def jobs_rule_name(cluster: str, service: str) -> str:
    """The EventBridge rule matching a service's job tasks that exit non-zero."""
    return fit(f"{base(cluster, service)}-jobs-failed", EVENT_RULE_MAX, r"A-Za-z0-9._-")


def alarm_name(cluster: str, service: str, suffix: str) -> str:
    """A service's alarm `<cluster>-<service>-<suffix>` (CloudWatch PutMetricAlarm.AlarmName: up to 255)."""
    return fit(f"{base(cluster, service)}-{suffix}", ALARM_MAX, r"A-Za-z0-9._/-")


def job_marker(cluster: str, service: str) -> str:
    """Schedules take no tags: their description starts with this to say whose they are (as alarms' do)."""
    return f"ecsship: {cluster}/{service}:"


def job_group(job: str) -> str:
    """The ECS task group of a job's tasks (botocore ecs RunTask.group, up to 255): how `job list`
    finds its runs, scheduled or started by `job run`."""
    return f"{JOB_GROUP_PREFIX}{job}"


CAPACITY_PROVIDER_MAX = 255  # botocore ecs CreateCapacityProvider.name: up to 255 letters, numbers, _ and -
LAUNCH_TEMPLATE_MAX = 128  # botocore ec2 LaunchTemplateName: 3-128, [a-zA-Z0-9\(\)\.\-/_]+
INSTANCE_PROFILE_MAX = 128  # botocore iam CreateInstanceProfile.InstanceProfileName: [\w+=,.@-]+, up to 128


def ec2_capacity_name(cluster: str, service: str, index: int) -> str:
    """The owned EC2 capacity of a service's `index`-th `ec2` entry: launch template, Auto Scaling group
    and capacity provider all take `<cluster>-<service>-ec2` (`-ec2-2`, ... for later entries).
    botocore ecs CreateCapacityProvider.name: it "can't be prefixed with `aws`, `ecs`, or `fargate`":
    a cluster named so gets `cp-` in front."""
    suffix = "ec2" if index == 0 else f"ec2-{index + 1}"
    name = fit(f"{base(cluster, service)}-{suffix}", LAUNCH_TEMPLATE_MAX, r"A-Za-z0-9_-")
    return f"cp-{name}" if name.lower().startswith(("aws", "ecs", "fargate")) else name


def instance_profile_name(cluster: str, service: str) -> str:
    return fit(f"{base(cluster, service)}-instance", INSTANCE_PROFILE_MAX, r"A-Za-z0-9+=,.@_-")
# The record behind "apply never undoes a deploy" (deploy/image_record.py): tags on the ECS service.
MANIFEST_IMAGE_TAG = "ecsship:manifest-image"  # the manifest's image at the last apply (a record, not drift)
SHIPPED_IMAGE_TAG = "ecsship:shipped-image"  # what `deploy` (or `apply --image-tag`) shipped last
SHIPPED_BY_TAG = "ecsship:shipped-by"
SHIPPED_AT_TAG = "ecsship:shipped-at"
TAG_VALUE_MAX = 256  # botocore ecs TagValue: max 256


def image_tag_value(image: str) -> str:
    """An image URI as an ECS tag value: the URI itself (only characters a tag value allows: letters,
    digits, `.:/@-_`), or its sha256 when longer than a tag value may be (compared, never shown)."""
    if len(image) <= TAG_VALUE_MAX:
        return image
    return "sha256:" + hashlib.sha256(image.encode()).hexdigest()
