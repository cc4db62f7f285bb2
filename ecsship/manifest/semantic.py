"""Rules a JSON schema cannot express. Each rule reads the (possibly ill-typed) data defensively:
schema errors are reported alongside, so a rule must never crash on a wrong type."""
from __future__ import annotations

import math
import re
from typing import Callable, Iterator

from ecsship.errors import Problem
from ecsship.manifest.containers import _get, _int, sidecars  # one copy of the helpers, as task_rules uses them
from ecsship.manifest.defaults import ALB_HEALTH_DEFAULTS
from ecsship.manifest.durations import parse_duration
from ecsship.manifest.fargate import FARGATE_CPU, describe_options, fargate_memory_options
from ecsship.manifest.instance_types import architecture, has_gpu
from ecsship.manifest.interpolate import nearest_position
from ecsship.manifest.schedule_expr import ExpressionError, check_timezone
from ecsship.manifest.schedule_expr import parse as parse_schedule
from ecsship.manifest.task_rules import TASK_RULES
from ecsship.manifest.yamlsource import Positions, dotted
from ecsship.redact import SECRET_NAME

Finding = tuple  # (path tuple, message, hint, severity)
Rule = Callable[[dict], Iterator[Finding]]
RULES: list[Rule] = []

SECRET_VALUE = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"  # AWS access key ids: long-term (AKIA) and temporary (ASIA)
    r"|\bsk_live_[0-9A-Za-z]{8,}"
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}"  # GitHub tokens
    r"|\bglpat-[A-Za-z0-9_-]{20,}"  # GitLab personal access tokens
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}"  # Slack tokens
    r"|\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"  # JWTs
    r"|\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"  # URLs with a password
)
# An AWS secret access key: 40 base64 characters. Mixed case and a digit are required, so a git
# commit sha (40 lowercase hex) is not taken for one.
SECRET_KEY_40 = re.compile(r"(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[0-9])"
                           r"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
SECRET_REF = re.compile(
    r"^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+(:[^:]*(:[^:]*(:[^:]*)?)?)?"
    r"|arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+"
    r"|secretsmanager:[A-Za-z0-9/_+=.@-]+(:[A-Za-z0-9_.-]+)?"
    r"|ssm:/[A-Za-z0-9/_.-]+)$"
)
SHIFTING = ("blue_green", "canary", "linear")


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


@rule
def fargate_cpu_memory(m):
    """On Fargate, cpu and memory must be one of the pairs AWS accepts."""
    if _get(m, "platform", default="fargate") != "fargate":
        return
    cpu, memory = _get(m, "cpu", default=256), _get(m, "memory", default=512)
    if not (_int(cpu) and _int(memory)):
        return
    if cpu not in FARGATE_CPU:
        yield ("cpu",), f"{cpu} is not a Fargate CPU size", f"use one of {', '.join(map(str, FARGATE_CPU))}", "error"
    elif memory not in fargate_memory_options(cpu):
        yield ("memory",), f"{memory} MiB is not valid with cpu {cpu} on Fargate", f"with cpu {cpu} use {describe_options(cpu)}", "error"


@rule
def immutable_image(m):
    """Images must be pinned (a tag other than latest, or a digest) so a rollback restores the same
    bits: the main image and every container's (issue #17)."""
    if _get(m, "allow_mutable_tag") is True:
        return
    for path, image in [(("image",), _get(m, "image"))] + [(("containers", i, "image"), c.get("image")) for i, c in sidecars(m)]:
        if not isinstance(image, str) or "@sha256:" in image or "@" in image.rsplit("/", 1)[-1]:
            continue
        last = image.rsplit("/", 1)[-1]
        tag = last.split(":", 1)[1] if ":" in last else None
        if tag is None:
            yield path, "image has no tag (it would mean `latest`, which moves)", "pin a version tag or a digest, or set allow_mutable_tag: true", "error"
        elif tag == "latest":
            yield path, "image tag `latest` is mutable", "pin a version tag or a digest, or set allow_mutable_tag: true", "error"
        elif tag == "":
            yield path, "image tag is empty", "write repository:tag, e.g. app:v1", "error"


def _environments(m) -> list[tuple[tuple, dict, dict]]:
    """(path prefix, environment, secrets) of the main container and of each of `containers:`."""
    out: list[tuple[tuple, object, object]] = [((), _get(m, "environment"), _get(m, "secrets"))]
    out += [(("containers", i), c.get("environment"), c.get("secrets")) for i, c in sidecars(m)]
    return [(prefix, env if isinstance(env, dict) else {}, secrets if isinstance(secrets, dict) else {}) for prefix, env, secrets in out]


# What `import` also takes for a secret in a live task definition (strict): names that usually
# hold credentials besides SECRET_NAME's, and long random-looking values.
IMPORT_SECRET_NAME = re.compile(r"(?:^|_)(KEY|DSN|DATABASE_URL|DB_URL|CONNECTION_STRING|CONN_STR|PWD)(?:_|$)", re.I)
HIGH_ENTROPY_MIN_LENGTH = 20
HIGH_ENTROPY_BITS_PER_CHAR = 3.5
# URLs without credentials, paths, versions, words, git commit shas, UUIDs: random-looking, not secret.
NOT_RANDOM = re.compile(r"^(https?://[^@]*|[\w./-]*/[\w./-]*|[0-9.]+|[a-z_.-]+|[0-9a-f]{7,40}"
                        r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def plaintext_secret(key: str, value, strict: bool = False) -> str | None:
    """Why an environment entry looks like a plaintext secret ("value" or "name"), or None.

    `validate` refuses these in `environment:`; `import --strict` (strict=True) also takes names
    with KEY, DSN, DATABASE_URL... and high-entropy values (>= 20 characters of >= 3.5 bits each),
    since a live service's environment is where the plaintext secrets of a clicked-together service are."""
    if not isinstance(value, str) or value == "" or value.startswith(("arn:", "ssm:", "secretsmanager:")):
        return None
    if SECRET_VALUE.search(value) or SECRET_KEY_40.search(value):
        return "value"
    if SECRET_NAME.search(key) or (strict and IMPORT_SECRET_NAME.search(key)):
        return "name"
    if strict and _high_entropy(value):
        return "value"
    return None


def _high_entropy(value: str) -> bool:
    if len(value) < HIGH_ENTROPY_MIN_LENGTH or " " in value or NOT_RANDOM.match(value):
        return False
    counts = {c: value.count(c) for c in set(value)}
    bits = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return bits >= HIGH_ENTROPY_BITS_PER_CHAR


@rule
def no_plaintext_secrets(m):
    """An environment value must not look like a secret: those belong in `secrets:`."""
    for prefix, env, _ in _environments(m):
        for key, value in env.items():
            why = plaintext_secret(key, value)
            if why == "value":
                yield prefix + ("environment", key), "value looks like secret material (a key, token or password)", "store it in Secrets Manager and reference it under `secrets:`", "error"
            elif why == "name":
                yield prefix + ("environment", key), "looks like a secret but has a literal value", f"move it to `secrets:` ({key}: secretsmanager:NAME); environment values are readable by anyone who can read the task definition", "error"


@rule
def no_plaintext_log_secrets(m):
    """FireLens `logs.options` go into the task definition as plain text: an API key or password there
    belongs in `logs.secret_options` (botocore ecs LogConfiguration.secretOptions)."""
    options = _get(m, "logs", "options")
    for key, value in (options.items() if isinstance(options, dict) else ()):
        if plaintext_secret(key, value):
            yield ("logs", "options", key), "looks like a secret but has a literal value", \
                f"move it to logs.secret_options ({key}: secretsmanager:NAME)", "error"


@rule
def task_role_or_permissions(m):
    """`task_role` is a role ecsship never changes: permissions for it cannot be granted here."""
    if _get(m, "task_role") and _get(m, "permissions"):
        yield ("permissions",), "cannot be granted to an existing task_role (ecsship never changes that role)", \
            "remove `permissions:` and grant them on the role itself, or remove `task_role:` to let ecsship create one", "error"


@rule
def secret_references(m):
    """A secret is a reference: an ARN, secretsmanager:NAME[:jsonkey], or ssm:/path."""
    references = [(prefix + ("secrets",), secrets, env) for prefix, env, secrets in _environments(m)]
    options = _get(m, "logs", "secret_options")
    if isinstance(options, dict):
        references.append((("logs", "secret_options"), options, {}))
    for path, secrets, env in references:
        for key, ref in secrets.items():
            if key in env:
                yield path + (key,), f"'{key}' is set both in environment and in secrets", "keep only the secrets entry", "error"
            if isinstance(ref, str) and not SECRET_REF.match(ref):
                hint = "ssm paths start with '/': ssm:/path/name" if ref.startswith("ssm:") else "write an ARN, secretsmanager:NAME[:jsonkey], or ssm:/path"
                # Never echo the value: a user may have pasted the secret itself here.
                yield path + (key,), "is not a secret reference", hint, "error"


@rule
def scaling_bounds(m):
    """scaling.min <= scaling.max, cooldowns >= 0, schedules within sensible bounds."""
    scaling = _get(m, "scaling")
    if not isinstance(scaling, dict):
        return
    lo, hi = scaling.get("min"), scaling.get("max")
    if _int(lo) and _int(hi) and lo > hi:
        yield ("scaling", "min"), f"min ({lo}) is greater than max ({hi})", None, "error"
    for key in ("scale_in_cooldown", "scale_out_cooldown"):
        value = scaling.get(key)
        if _int(value) and value < 0:
            yield ("scaling", key), f"cooldown cannot be negative (got {value})", None, "error"
    if scaling.get("requests_per_target") is not None and not isinstance(_get(m, "load_balancer"), dict):
        yield ("scaling", "requests_per_target"), "requests_per_target needs a load_balancer", None, "error"
    elif scaling.get("requests_per_target") is not None and _get(m, "deploy", "strategy") in SHIFTING:
        # ALBRequestCountPerTarget names one target group (ResourceLabel); blue/green moves production
        # to the other group with every deployment, so the policy would track the idle one (issue #12 item 13).
        yield (("scaling", "requests_per_target"),
               f"requests_per_target tracks one target group, but strategy {_get(m, 'deploy', 'strategy')} moves production between two",
               "scale on cpu and/or memory with blue_green, canary or linear", "error")
    for i, schedule in enumerate(scaling.get("schedules") or [] if isinstance(scaling.get("schedules"), list) else []):
        if isinstance(schedule, dict) and _int(schedule.get("min")) and _int(schedule.get("max")) and schedule["min"] > schedule["max"]:
            yield ("scaling", "schedules", i, "min"), "schedule min is greater than its max", None, "error"


@rule
def count_or_scaling(m):
    """`count` is a fixed desired count; with `scaling:` Application Auto Scaling owns the count."""
    if "count" in m and isinstance(_get(m, "scaling"), dict):
        yield (("count",), "`count` and `scaling` both set the number of tasks",
               "keep `count` for a fixed number, or `scaling.min`/`scaling.max` to let it scale", "error")


@rule
def shifting_needs_load_balancer(m):
    """blue_green, canary and linear shift traffic, so they need a load balancer (and their step settings)."""
    deploy = _get(m, "deploy")
    if not isinstance(deploy, dict):
        return
    strategy = deploy.get("strategy", "rolling")
    if strategy in SHIFTING and not isinstance(_get(m, "load_balancer"), dict):
        yield ("deploy", "strategy"), f"strategy {strategy} shifts traffic between two target groups and needs a load_balancer", "add load_balancer:, or use strategy: rolling", "error"
    if strategy in ("canary", "linear") and not isinstance(deploy.get(strategy), dict):
        yield ("deploy", "strategy"), f"strategy {strategy} needs `deploy.{strategy}: {{percent, interval}}`", None, "error"
    for other in ("canary", "linear"):
        if other in deploy and strategy != other:
            yield ("deploy", other), f"`{other}` settings are ignored with strategy {strategy}", None, "warning"
    if strategy == "rolling":
        if deploy.get("approval") == "manual":
            yield ("deploy", "approval"), "manual approval needs a blue_green, canary or linear strategy", None, "error"
        if deploy.get("controller") == "codedeploy":
            yield ("deploy", "controller"), "CodeDeploy runs blue_green, canary or linear deployments, not rolling", "use strategy: blue_green, canary or linear", "error"
    lb = _get(m, "load_balancer")
    test_port = deploy.get("test_listener_port")
    if isinstance(lb, dict) and _int(test_port) and test_port == lb.get("listener_port", 443):
        yield ("deploy", "test_listener_port"), "the test listener must differ from the production listener", None, "error"
    if isinstance(lb, dict) and isinstance(lb.get("create"), dict):
        # An owned ALB's port 80 is the plain-HTTP redirect to HTTPS: production or test traffic there
        # would be served without TLS (or not at all), despite the certificate.
        for path, port in ((("load_balancer", "listener_port"), lb.get("listener_port", 443)),
                           (("deploy", "test_listener_port"), test_port)):
            if port == 80:
                yield path, "port 80 on an ALB ecsship creates is the HTTP-to-HTTPS redirect; it cannot serve HTTPS traffic", \
                    "use 443 (the default) or another port such as 8443", "error"


# botocore ecs model, LinearConfiguration.stepPercent: "Valid values are multiples of 0.1 from 3.0 to
# 100.0"; CanaryConfiguration.canaryPercent: "from 0.1 to 100.0"; stepBakeTimeInMinutes and
# canaryBakeTimeInMinutes: "Valid values are 0 to 1440 minutes (24 hours)". CodeDeploy's
# TimeBasedLinear/TimeBasedCanary intervals are whole minutes too (linearInterval, canaryInterval).
ECS_STEP_MIN_PERCENT = {"linear": 3, "canary": 1}
ECS_STEP_MAX_MINUTES = 1440


@rule
def traffic_step_limits(m):
    """Canary/linear steps within what ECS (and CodeDeploy) accept: whole minutes, ECS limits on percent and time."""
    deploy = _get(m, "deploy")
    if not isinstance(deploy, dict):
        return
    strategy = deploy.get("strategy", "rolling")
    step = deploy.get(strategy) if strategy in ("canary", "linear") else None
    if not isinstance(step, dict):
        return
    try:
        seconds = parse_duration(step.get("interval"))
    except ValueError:
        seconds = None  # the schema reports it
    if seconds is not None and seconds % 60:
        yield (("deploy", strategy, "interval"), f"{strategy} steps are whole minutes (got {seconds}s)",
               f"use {max(1, seconds // 60)}m or {seconds // 60 + 1}m", "error")
    if deploy.get("controller", "ecs") != "ecs":
        return
    if seconds is not None and seconds // 60 > ECS_STEP_MAX_MINUTES:
        yield (("deploy", strategy, "interval"), f"ECS waits at most {ECS_STEP_MAX_MINUTES} minutes (24h) between steps",
               None, "error")
    percent = step.get("percent")
    if _int(percent) and percent < ECS_STEP_MIN_PERCENT[strategy]:
        yield (("deploy", strategy, "percent"), f"ECS {strategy} steps shift at least {ECS_STEP_MIN_PERCENT[strategy]}% of traffic",
               "raise percent, or use controller: codedeploy", "error")


@rule
def load_balancer_shape(m):
    """A load balancer needs a container port, one ALB (named or created), and sane health-check settings."""
    lb = _get(m, "load_balancer")
    if not isinstance(lb, dict):
        return
    if "port" not in m:
        yield ("load_balancer",), "a load balancer needs the container `port`", None, "error"
    if "alb" in lb and "create" in lb:
        yield ("load_balancer", "create"), "give either `alb` (an existing ALB) or `create`, not both", None, "error"
    elif "alb" not in lb and "create" not in lb:
        yield ("load_balancer",), "name an existing ALB with `alb:` or let ecsship create one with `create:`", None, "error"
    if "host" not in lb and "path" not in lb:
        yield ("load_balancer",), "a listener rule needs a `host` and/or a `path`", None, "error"
    strategy = _get(m, "deploy", "strategy", default="rolling")
    if "target_group" in lb and strategy in SHIFTING:
        # A shifting strategy routes through two groups ecsship makes (blue and green); an adopted
        # group is one, and ECS or CodeDeploy would move traffic off it on the first deployment.
        yield (("load_balancer", "target_group"), f"an existing target group is routed with strategy rolling only (not {strategy})",
               "keep strategy rolling while the service routes through its own target group", "error")
    hc = lb.get("health_check")
    if isinstance(hc, dict):
        path = hc.get("path")
        if isinstance(path, str) and not path.startswith("/"):
            yield ("load_balancer", "health_check", "path"), f"health-check path must start with '/' (got '{_short(path)}')", None, "error"
        # Checked on the merged values (issue #12 item 9): `timeout: 40` alone is 40 against the
        # default interval of 30, which CreateTargetGroup refuses ("The timeout must be smaller
        # than the interval", ELB docs, HealthCheckTimeoutSeconds).
        timeout, interval = hc.get("timeout", ALB_HEALTH_DEFAULTS["timeout"]), hc.get("interval", ALB_HEALTH_DEFAULTS["interval"])
        if _int(timeout) and _int(interval) and timeout >= interval:
            where = "timeout" if "timeout" in hc else "interval"
            yield (("load_balancer", "health_check", where),
                   f"timeout ({timeout}s{'' if 'timeout' in hc else ', the default'}) must be less than interval "
                   f"({interval}s{'' if 'interval' in hc else ', the default'})", None, "error")


@rule
def capacity_fits_platform(m):
    """Capacity providers must fit the platform: FARGATE/FARGATE_SPOT on fargate; no FARGATE_SPOT on arm64."""
    capacity = _get(m, "capacity")
    if not isinstance(capacity, list):
        return
    platform = _get(m, "platform", default="fargate")
    arch = _get(m, "architecture", default="x86_64")
    seen = set()
    for i, item in enumerate(capacity):
        provider = item.get("provider") if isinstance(item, dict) else None
        if not isinstance(provider, str):
            continue
        if provider in seen:
            yield ("capacity", i, "provider"), f"provider {provider} is listed twice", None, "error"
        seen.add(provider)
        fargate = provider in ("FARGATE", "FARGATE_SPOT")
        if platform == "fargate" and not fargate:
            yield ("capacity", i, "provider"), f"{provider} is not a Fargate capacity provider", "on platform fargate use FARGATE or FARGATE_SPOT", "error"
        elif platform == "ec2" and fargate:
            yield ("capacity", i, "provider"), f"{provider} needs platform: fargate", "name your EC2 capacity provider, or set platform: fargate", "error"
        elif provider == "FARGATE_SPOT" and arch == "arm64":
            yield ("capacity", i, "provider"), "FARGATE_SPOT is not available for arm64 tasks", "use FARGATE, or architecture: x86_64", "error"
    bases = [item.get("base", 0) for item in capacity if isinstance(item, dict) and _int(item.get("base", 0))]
    if sum(1 for b in bases if b > 0) > 1:
        yield ("capacity",), "only one capacity provider may have a base greater than 0", None, "error"


@rule
def subnet_count(m):
    """Listed subnet ids: at least two (in two AZs) so one AZ outage does not take the service down."""
    subnets = _get(m, "network", "subnets")
    if isinstance(subnets, list) and len(subnets) == 1:
        yield ("network", "subnets"), "only one subnet listed: the service cannot survive an AZ outage", "list subnets in at least two availability zones", "warning"


@rule
def exec_needs_ssmmessages_endpoint(m):
    """ECS Exec opens its channels through Systems Manager Session Manager (ssmmessages): tasks that
    reach AWS through VPC endpoints need an `ssmmessages` one (ECS Developer Guide, "Using Amazon ECS
    Exec for debugging"; botocore `ecs TargetNotConnectedException`: "There is an interface Amazon VPC
    endpoint for Amazon ECS, but there is not one for Systems Manager Session Manager")."""
    endpoints = _get(m, "network", "endpoints")
    if _get(m, "execute_command") is True and isinstance(endpoints, list) and endpoints and "ssmmessages" not in endpoints:
        yield (("execute_command",), "tasks use VPC endpoints but there is none for ssmmessages: `ecsship exec` cannot connect "
               "without a NAT route", "add ssmmessages to network.endpoints", "warning")


@rule
def rollback_alarms_exist(m):
    """`rollback_alarms: [auto]` wires the alarms ecsship creates; without any there is nothing to wire."""
    alarms = _get(m, "deploy", "rollback_alarms")
    if isinstance(alarms, list) and "auto" in alarms and not isinstance(_get(m, "observability", "alarms"), dict) and not isinstance(_get(m, "scaling"), dict):
        yield ("deploy", "rollback_alarms"), "`auto` names the alarms ecsship creates, but observability.alarms is not set", None, "warning"


@rule
def running_below_min_needs_insights(m):
    """The running-below-min alarm reads RunningTaskCount, which only Container Insights publishes."""
    if _get(m, "observability", "alarms", "running_below_min") is True and _get(m, "observability", "container_insights") is not True:
        yield (("observability", "alarms", "running_below_min"),
               "running_below_min needs Container Insights (RunningTaskCount is published only by it)",
               "set observability.container_insights: true, or drop running_below_min", "error")


@rule
def least_privilege_permissions(m):
    """The task role gets exactly what is listed: no `*` or `service:*` actions; `*` resources warned."""
    permissions = _get(m, "permissions")
    if not isinstance(permissions, list):
        return
    for i, grant in enumerate(permissions):
        if not isinstance(grant, dict):
            continue
        actions = [a for a in (grant.get("actions") if isinstance(grant.get("actions"), list) else []) if isinstance(a, str)]
        for j, action in enumerate(actions):
            if action == "*" or action.endswith(":*"):
                yield ("permissions", i, "actions", j), f"'{action}' grants every action of the service", "list the actions the app calls, e.g. s3:GetObject", "error"
            elif action.split(":", 1)[0].lower() in PRIVILEGE_SERVICES and ("*" in action or "?" in action):
                # iam:P* covers iam:PassRole and iam:PutRolePolicy: a way to any permission at all.
                yield ("permissions", i, "actions", j), f"'{action}': wildcards are not allowed in {action.split(':', 1)[0]} actions", "list each action by its full name", "error"
        resources = grant.get("resources")
        if isinstance(resources, list) and "*" in resources:
            from ecsship.desired.policies import STAR_RESOURCE_ACTIONS  # here: ecsship.desired imports this module

            writes = [a for a in actions if not _read_action(a) and a not in STAR_RESOURCE_ACTIONS and a not in STAR_RESOURCE_WRITES]
            if writes:
                yield ("permissions", i, "resources"), f"'*' lets write actions ({', '.join(writes[:3])}) act on every resource in the account", "name the resource ARNs; put read-only or resource-less actions in their own grant", "error"
            else:
                yield ("permissions", i, "resources"), "'*' grants the actions on every resource in the account", "name the resource ARNs (only a few actions, like cloudwatch:PutMetricData, need '*')", "warning"


# Services where a wildcard action is a path to every permission (IAM: AWS's "Grant least privilege").
PRIVILEGE_SERVICES = frozenset({"iam", "sts", "kms", "organizations"})
# Write actions AWS only authorizes on Resource "*" (no resource-level permissions; Service
# Authorization Reference, "Resource types" column empty).
STAR_RESOURCE_WRITES = frozenset({"cloudwatch:PutMetricData", "xray:PutTraceSegments", "xray:PutTelemetryRecords"})
_READ_VERBS = ("Get", "List", "Describe", "BatchGet", "Head", "Query", "Scan", "Search", "Lookup", "Select")


def _read_action(action: str) -> bool:
    verb = action.split(":", 1)[-1]
    return verb.startswith(_READ_VERBS)


@rule
def container_health_check(m):
    """A container health check needs a command (the main container's and every container's)."""
    checks = [(("health_check",), _get(m, "health_check"))] + [(("containers", i, "health_check"), c.get("health_check")) for i, c in sidecars(m)]
    for path, hc in checks:
        if isinstance(hc, dict) and "command" not in hc and any(k in hc for k in ("interval", "timeout", "retries", "start_period")):
            yield path, "interval/timeout/retries/start_period need a `command`", None, "error"


@rule
def job_schedules(m):
    """Jobs: a schedule EventBridge Scheduler accepts (cron/rate, see manifest/schedule_expr.py), a
    known time zone, unique names, and on Fargate a cpu/memory pair Fargate accepts (the job's
    sizes override the task's: RunTask `overrides.cpu`/`overrides.memory`)."""
    jobs = _get(m, "jobs")
    if not isinstance(jobs, list):
        return
    seen: set = set()
    fargate = _get(m, "platform", default="fargate") == "fargate"
    for i, job in enumerate(jobs):
        if not isinstance(job, dict):
            continue
        name = job.get("name")
        if isinstance(name, str):
            if name in seen:
                yield ("jobs", i, "name"), f"job {name} is listed twice", None, "error"
            seen.add(name)
        expression = job.get("schedule")
        # Not cron(...)/rate(...) at all: the schema's pattern already says so, once.
        if isinstance(expression, str) and expression.startswith(("cron(", "rate(")):
            try:
                parse_schedule(expression)
            except ExpressionError as exc:
                yield ("jobs", i, "schedule"), f"{_short(expression)}: {exc}", None, "error"
            if expression.startswith("rate(") and "timezone" in job:
                yield ("jobs", i, "timezone"), "a rate runs every period whatever the time zone", "drop timezone, or use cron(...)", "warning"
        tz = job.get("timezone")
        if tz is not None:
            try:
                check_timezone(tz)
            except ExpressionError as exc:
                yield ("jobs", i, "timezone"), str(exc), None, "error"
        cpu, memory = job.get("cpu", _get(m, "cpu", default=256)), job.get("memory", _get(m, "memory", default=512))
        if fargate and ("cpu" in job or "memory" in job) and _int(cpu) and _int(memory):
            if cpu not in FARGATE_CPU:
                yield ("jobs", i, "cpu" if "cpu" in job else "memory"), f"{cpu} is not a Fargate CPU size", f"use one of {', '.join(map(str, FARGATE_CPU))}", "error"
            elif memory not in fargate_memory_options(cpu):
                yield ("jobs", i, "memory" if "memory" in job else "cpu"), f"{memory} MiB is not valid with cpu {cpu} on Fargate", f"with cpu {cpu} use {describe_options(cpu)}", "error"
    if jobs and not _get(m, "observability", "alarms", "notify"):
        yield ("jobs",), "no one hears of a job that fails", "set observability.alarms.notify to an SNS topic: ecsship then alarms when a job exits non-zero", "warning"


@rule
def daemon_and_gpu_need_ec2(m):
    """`scheduling: daemon` and `gpu` are EC2-only. botocore ecs CreateService.schedulingStrategy: DAEMON
    "deploys exactly one task on each active container instance ... you don't need to specify a desired
    number of tasks, a task placement strategy, or use Service Auto Scaling policies. Tasks using the
    Fargate launch type or the CODE_DEPLOY or EXTERNAL deployment controller types don't support the
    DAEMON scheduling strategy"; Fargate offers no GPUs (ECS guide "Amazon ECS task definitions for GPU
    workloads": GPU tasks run on EC2 container instances)."""
    platform = _get(m, "platform", default="fargate")
    if _get(m, "scheduling") == "daemon":
        if platform != "ec2":
            yield ("scheduling",), "daemon services run one task per EC2 container instance: Fargate has none", "set platform: ec2", "error"
        for key, why in (("scaling", "a daemon runs one task per instance: scale the instances instead"),
                         ("count", "a daemon's task count is the number of container instances")):
            if key in m:
                yield (key,), f"{key} cannot be combined with scheduling: daemon ({why})", f"drop {key}", "error"
        strategy = _get(m, "deploy", "strategy", default="rolling")
        if strategy != "rolling":
            yield (("deploy", "strategy"), f"daemon services deploy rolling only (got {strategy})",
                   "use strategy: rolling", "error")
        max_percent = _get(m, "deploy", "max_percent")
        if _int(max_percent) and max_percent > 100:
            yield (("deploy", "max_percent"), "a daemon has one task per instance: no room for a second during a deploy",
                   "drop max_percent (daemons deploy with 100)", "error")
    if _get(m, "gpu") is not None and platform != "ec2":
        yield ("gpu",), "Fargate has no GPUs", "set platform: ec2 with GPU instance types", "error"


@rule
def ec2_capacity(m):
    """`ec2` capacity entries: EC2 only, one architecture (the task definition's `architecture`) across
    every instance type (one AMI per launch template, one runtimePlatform per task definition), GPU
    instance types for `gpu` (x86_64: the ECS GPU AMI), min <= max. See manifest/instance_types.py."""
    capacity = _get(m, "capacity")
    if not isinstance(capacity, list):
        return
    platform = _get(m, "platform", default="fargate")
    arch = _get(m, "architecture", default="x86_64")
    gpu = _get(m, "gpu") is not None
    for i, item in enumerate(capacity):
        ec2 = item.get("ec2") if isinstance(item, dict) else None
        if not isinstance(ec2, dict):
            continue
        if "provider" in item:
            yield ("capacity", i), "give either `provider` (an existing capacity provider) or `ec2`, not both", None, "error"
        if platform != "ec2":
            yield ("capacity", i, "ec2"), "ec2 capacity needs platform: ec2 (Fargate tasks run on no instances of yours)", "set platform: ec2", "error"
        types = [t for t in ec2.get("instance_types") or [] if isinstance(t, str)] if isinstance(ec2.get("instance_types"), list) else []
        arches = {t: architecture(t) for t in types}
        if len(set(arches.values())) > 1:
            listed = ", ".join(f"{t} ({a})" for t, a in arches.items())
            yield (("capacity", i, "ec2", "instance_types"), f"instance types mix architectures: {listed}",
                   "one launch template boots one AMI: list arm64 (Graviton) or x86_64 types, not both", "error")
        elif arches and arch not in arches.values():
            yield (("capacity", i, "ec2", "instance_types"), f"{types[0]} is {next(iter(arches.values()))} but the image is {arch}",
                   f"set architecture: {next(iter(arches.values()))}, or list {arch} instance types", "error")
        if gpu:
            plain = [t for t in types if not has_gpu(t)]
            if plain:
                yield (("capacity", i, "ec2", "instance_types"), f"gpu needs GPU instance types; {', '.join(plain)} has none",
                       "use g or p families, e.g. g5.xlarge", "error")
            elif "arm64" in arches.values():
                yield (("capacity", i, "ec2", "instance_types"), "the ECS GPU AMI is x86_64 only", "use x86_64 GPU types such as g5.xlarge", "error")
        lo, hi = ec2.get("min", 0), ec2.get("max")
        if _int(lo) and _int(hi) and lo > hi:
            yield ("capacity", i, "ec2", "min"), f"min ({lo}) is greater than max ({hi})", None, "error"


RULES.extend(TASK_RULES)


def semantic_problems(data, positions: Positions, file: str) -> list[Problem]:
    if not isinstance(data, dict):
        return []
    problems = []
    for check in RULES:
        for path, message, hint, severity in check(data):
            line, col = nearest_position(positions, path)
            problems.append(Problem(file, line, col, dotted(path), message, hint, severity))
    return problems


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
