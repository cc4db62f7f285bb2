"""The starter manifest `ecsship init` writes: commented, so it teaches the format."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field


def _q(value: str) -> str:
    # JSON strings are valid YAML scalars: safe quoting for any user input.
    return json.dumps(value)


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def _flow(value) -> str:
    """A selector or id list as one line of flow YAML: `{tags: {Name: main}}`; anything that is not a
    plain word is quoted as JSON (which YAML reads as the same string)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    text = str(value)
    return text if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS else _q(text)


@dataclass
class Environment:
    name: str
    cluster: str
    host: str | None = None
    priority: int | None = None


@dataclass
class InitSpec:
    service: str
    image: str
    port: int | None
    cluster: str
    strategy: str
    schema: str                                   # where `$schema=` points: the schema file shipped with ecsship
    secrets: dict = field(default_factory=dict)   # NAME -> reference
    environments: list = field(default_factory=list)
    host: str | None = None
    priority: int = 100
    vpc: object = field(default_factory=lambda: {"tags": {"Name": "main"}})
    subnets: object = field(default_factory=lambda: {"tags": {"tier": "private"}})
    alb: str = "main"
    listener_port: int = 443
    test_listener_port: int = 8443


def render_manifest(spec: InitSpec) -> str:
    lines = [
        f"# yaml-language-server: $schema={spec.schema}",
        "# ecsship manifest: `ecsship validate`, `ecsship plan`, `ecsship apply`, `ecsship deploy`.",
        f"service: {_q(spec.service)}",
        f"cluster: {_q(spec.cluster)}",
        "# region: us-east-1                  # else AWS_REGION or the profile's region",
        "",
        "# Pin a tag or digest; `ecsship deploy --image-tag TAG` replaces the tag.",
        f"image: {_q(spec.image)}",
    ]
    if spec.port is not None:
        lines.append(f"port: {spec.port}")
    lines += [
        "cpu: 256                               # Fargate CPU units",
        "memory: 512                            # MiB; a valid Fargate pair with cpu",
        "",
        "network:",
        f"  vpc: {_flow(spec.vpc)}    # a tag selector or an id: vpc-0abc...",
        f"  subnets: {_flow(spec.subnets)}    # or a list of subnet ids; tasks never get a public IP",
        "  endpoints: [ecr.api, ecr.dkr, s3, logs]   # so image pulls and logs skip the NAT gateway",
    ]
    if spec.port is not None:
        lines += [
            "",
            "load_balancer:",
            f"  alb: {_q(spec.alb)}    # an existing ALB, by name or ARN",
            f"  listener_port: {spec.listener_port}",
            f"  host: {_q(spec.host or spec.service + '.example.com')}",
            "  path: /*",
            f"  priority: {spec.priority}    # unique on the listener; lower wins",
            "  health_check: {path: /healthz}",
        ]
    lines += ["", "# environment: {LOG_LEVEL: info}"]
    if spec.secrets:
        lines.append("secrets:    # references only, never values: `ecsship secret set NAME` stores one")
        lines += [f"  {name}: {_q(ref)}" for name, ref in spec.secrets.items()]
    else:
        lines.append("# secrets: {DB_PASSWORD: secretsmanager:my/db}   # references only, never values")
    lines += [
        "",
        "scaling:",
        "  min: 1",
        "  max: 4",
        "  cpu: 60",
        "",
        "deploy:",
        f"  strategy: {spec.strategy}    # rolling | blue_green | canary | linear",
    ]
    if spec.strategy == "canary":
        lines.append("  canary: {percent: 10, interval: 5m}")
    elif spec.strategy == "linear":
        lines.append("  linear: {percent: 25, interval: 2m}")
    if spec.strategy == "rolling":
        lines.append("  circuit_breaker: true")
    else:
        lines.append(f"  test_listener_port: {spec.test_listener_port}")
    lines += [
        "  timeout: 15m",
        "",
        "logs:",
        "  retention_days: 30",
    ]
    if spec.environments:
        lines += ["", "# `--env NAME` merges one of these over everything above (maps merge, lists replace)."]
        lines.append("environments:")
        for env in spec.environments:
            lines.append(f"  {env.name}:")
            lines.append(f"    cluster: {_q(env.cluster)}")
            if spec.port is not None:
                lines.append(f"    load_balancer: {{host: {_q(env.host)}, priority: {env.priority}}}")
    lines.append("")
    return "\n".join(lines)


def environment_host(host: str, env: str) -> str:
    """`billing-api.example.com` -> `billing-api-staging.example.com`: one label, so a wildcard
    certificate for the domain (*.example.com) still covers it."""
    first, dot, rest = host.partition(".")
    return f"{first}-{env}{dot}{rest}"
