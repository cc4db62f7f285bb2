"""An AWS Copilot service manifest (copilot/<svc>/manifest.yml) → an ecsship manifest. Pure.

Load Balanced Web Service, Backend Service and Worker Service: image (location or port), cpu,
memory, platform, count (a number, or range / cpu_percentage / memory_percentage / requests),
variables, secrets (SSM parameter names, `secretsmanager:` objects, ARNs), http (path, alias,
healthcheck), exec, network security groups, and `environments:` overrides (with --env NAME merged
into the result; without, as ecsship `environments:`). The rest is listed as not mapped.
Field meanings: the Copilot manifest reference (aws.github.io/copilot-cli/docs/manifest/lb-web-service,
backend-service, worker-service).
"""
from __future__ import annotations

import re

import yaml

from ecsship.errors import UsageError
from ecsship.manifest.from_live import Imported, secret_name
from ecsship.manifest.schema import load_schema
from ecsship.manifest.semantic import plaintext_secret
from ecsship.manifest.yamlsource import located

TYPES = ("Load Balanced Web Service", "Backend Service", "Worker Service")
MAPPED = {"name", "type", "image", "cpu", "memory", "platform", "count", "variables", "secrets", "http", "exec",
          "network", "environments"}
PLACEHOLDER_IMAGE = "ACCOUNT.dkr.ecr.REGION.amazonaws.com/{name}:${{IMAGE_TAG:-v1}}"


def from_copilot(text: str, env: str | None = None, path: str = "<copilot manifest>") -> Imported:
    try:
        doc = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        raise UsageError(located(path, text, exc, "not a Copilot manifest (YAML): ").render()) from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not a Copilot manifest (YAML): {exc}") from None
    if not isinstance(doc, dict) or doc.get("type") not in TYPES:
        raise UsageError(f"{path}: not a Copilot service manifest: `type` must be one of {', '.join(TYPES)}")
    overrides = doc.get("environments") or {}
    if env is not None:
        if env not in overrides:
            raise UsageError(f"the Copilot manifest has no environments.{env}", f"environments: {', '.join(overrides) or 'none'}")
        return convert(merge(doc, overrides[env]), env)
    base = convert(doc, None)
    per_env = {}
    allowed = environment_fields()
    for name, override in overrides.items():
        merged = convert(merge(doc, override or {}), None).manifest
        diff = {k: v for k, v in merged.items() if base.manifest.get(k) != v}
        for key in sorted(set(diff) - allowed):
            base.unmapped.append(f"environments.{name}: {key} (not an ecsship per-environment field; import with --env {name})")
            diff.pop(key)
        if diff:
            per_env[name] = diff
    if per_env:
        base.manifest["environments"] = per_env
    return base


def environment_fields() -> set:
    """The fields ecsship's `environments.<name>` may override (the schema says)."""
    names = load_schema()["properties"]["environments"]["additionalProperties"]["propertyNames"]["enum"]
    return set(names)


def merge(base: dict, override: dict) -> dict:
    """Copilot's environment override: maps merge, anything else replaces."""
    out = dict(base)
    for key, value in (override or {}).items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def convert(doc: dict, env: str | None) -> Imported:
    name = str(doc.get("name") or "service")
    cluster = env or "default"
    m: dict = {"service": name, "cluster": cluster}
    out = Imported(m)
    unmapped = out.unmapped
    unmapped.append("cluster: Copilot names it after its stack (<app>-<env>-Cluster-...): set `cluster:`")
    image = doc.get("image") or {}
    if isinstance(image, dict) and image.get("location"):
        m["image"] = image["location"]
    else:
        m["image"] = PLACEHOLDER_IMAGE.format(name=name)
        unmapped.append("image.build: Copilot builds the image; push it to ECR and set `image:`")
    port = image.get("port") if isinstance(image, dict) else None
    if port:
        m["port"] = int(port)
    for key in ("cpu", "memory"):
        if doc.get(key):
            m[key] = int(doc[key])
    platform = str(doc.get("platform") or "linux/x86_64")
    if platform.endswith("arm64"):
        m["architecture"] = "arm64"
    elif not platform.startswith("linux"):
        unmapped.append(f"platform {platform} (ecsship runs Linux tasks)")
    m["network"] = {"vpc": {"tags": {"copilot-environment": cluster}}, "subnets": {"tags": {"copilot-environment": cluster}}}
    unmapped.append("network: the VPC and subnets are selected by the copilot-environment tag; check them (private subnets)")
    groups = ((doc.get("network") or {}).get("vpc") or {}).get("security_groups") or []
    if isinstance(groups, dict):
        groups = groups.get("groups") or []
    ids = [g for g in groups if isinstance(g, str) and re.match(r"^sg-[0-9a-f]+$", g)]
    if ids:
        m["network"]["security_groups"] = ids
    _count(doc.get("count"), m, unmapped)
    _variables_and_secrets(doc, name, cluster, m, out)
    if doc["type"] == "Load Balanced Web Service":
        _http(doc.get("http") or {}, m, unmapped)
    elif doc.get("http"):
        unmapped.append("http (only a Load Balanced Web Service has one)")
    if doc["type"] == "Worker Service" and doc.get("subscribe"):
        unmapped.append("subscribe: the SNS topics and SQS queue Copilot made stay as they are; grant the queue under `permissions:`")
    if doc.get("exec"):
        m["execute_command"] = True
    for key in sorted(set(doc) - MAPPED - {"subscribe"}):
        unmapped.append(f"{key} (no ecsship field)")
    return out


def _count(count, m: dict, unmapped: list) -> None:
    if count is None:
        return
    if isinstance(count, int):
        m["count"] = count
        return
    if not isinstance(count, dict):
        unmapped.append(f"count {count!r}")
        return
    rng = count.get("range")
    scaling: dict = {}
    if isinstance(rng, str) and re.match(r"^\d+-\d+$", rng):
        low, high = rng.split("-")
        scaling.update(min=int(low), max=int(high))
    elif isinstance(rng, dict):
        scaling.update(min=int(rng.get("min", 1)), max=int(rng.get("max", 1)))
        if rng.get("spot_from") is not None:
            unmapped.append("count.range.spot_from (use `capacity:` with FARGATE_SPOT)")
    for src, dst in (("cpu_percentage", "cpu"), ("memory_percentage", "memory"), ("requests", "requests_per_target")):
        value = count.get(src)
        if isinstance(value, dict):
            value = value.get("value")
        if value is not None:
            scaling[dst] = value
    for key in sorted(set(count) - {"range", "cpu_percentage", "memory_percentage", "requests", "cooldown"}):
        unmapped.append(f"count.{key}")
    if scaling:
        m["scaling"] = scaling


def _variables_and_secrets(doc: dict, name: str, cluster: str, m: dict, out: Imported) -> None:
    env: dict = {}
    secrets: dict = {}
    for key, value in (doc.get("variables") or {}).items():
        if isinstance(value, dict):
            out.unmapped.append(f"variables.{key} (from_cfn: no ecsship field)")
        elif plaintext_secret(key, str(value), strict=True):
            # A plaintext secret in the manifest: referenced, never copied (the caller says how to store it).
            out.plaintext[key] = "name"
            secrets[key] = f"secretsmanager:{secret_name(cluster, name, key)}"
        else:
            env[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
    for key, value in (doc.get("secrets") or {}).items():
        if isinstance(value, dict) and value.get("secretsmanager"):
            secrets[key] = f"secretsmanager:{value['secretsmanager']}"
        elif isinstance(value, str) and value.startswith("arn:"):
            secrets[key] = value
        elif isinstance(value, str):
            secrets[key] = "ssm:" + (value if value.startswith("/") else f"/{value}")  # an SSM parameter name
        else:
            out.unmapped.append(f"secrets.{key}")
    if env:
        m["environment"] = env
    if secrets:
        m["secrets"] = dict(sorted(secrets.items()))


def _http(http, m: dict, unmapped: list) -> None:
    if http is False or not isinstance(http, dict):
        return
    lb: dict = {"alb": "REPLACE-ME", "priority": 100}
    unmapped.append("load_balancer.alb: Copilot's environment ALB; set its name (or `create:`) and a free priority")
    path = str(http.get("path") or "/")
    lb["path"] = "/*" if path.strip("/") == "" else f"/{path.strip('/')}*"
    alias = http.get("alias")
    if isinstance(alias, list):
        alias = alias[0] if alias else None
    if isinstance(alias, str):
        lb["host"] = alias
    hc = http.get("healthcheck")
    check: dict = {}
    if isinstance(hc, str):
        check["path"] = hc
    elif isinstance(hc, dict):
        if hc.get("path"):
            check["path"] = hc["path"]
        for src, dst in (("healthy_threshold", "healthy_threshold"), ("unhealthy_threshold", "unhealthy_threshold"),
                         ("interval", "interval"), ("timeout", "timeout")):
            if hc.get(src) is not None:
                check[dst] = _seconds(hc[src])
        if hc.get("grace_period") is not None:
            m.setdefault("health_check", {})["grace_period"] = _seconds(hc["grace_period"])
    if check:
        lb["health_check"] = check
    m["load_balancer"] = lb
    if not m.get("port"):
        m["port"] = 80
        unmapped.append("image.port: not given; Copilot's default 80 assumed")


def _seconds(value) -> int:
    """Copilot durations: 10s, 1m, 1m30s, or a number."""
    if isinstance(value, (int, float)):
        return int(value)
    total = 0
    for amount, unit in re.findall(r"(\d+)([hms])", str(value)):
        total += int(amount) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total
