"""The starter manifest `ecsship init` writes: commented, so it teaches the format."""
from __future__ import annotations

import json


def _q(value: str) -> str:
    # JSON strings are valid YAML scalars: safe quoting for any user input.
    return json.dumps(value)


def render_manifest(service: str, image: str, port: int | None, cluster: str, strategy: str) -> str:
    lines = [
        "# yaml-language-server: $schema=https://ecsship.dev/schemas/ecsship.schema.json",
        "# ecsship manifest: `ecsship validate`, `ecsship plan`, `ecsship apply`, `ecsship deploy`.",
        f"service: {_q(service)}",
        f"cluster: {_q(cluster)}",
        "# region: us-east-1                  # else AWS_REGION or the profile's region",
        "",
        "# Pin a tag or digest; `ecsship deploy --image-tag TAG` replaces the tag.",
        f"image: {_q(image)}",
    ]
    if port is not None:
        lines.append(f"port: {port}")
    lines += [
        "cpu: 256                               # Fargate CPU units",
        "memory: 512                            # MiB; a valid Fargate pair with cpu",
        "",
        "network:",
        "  vpc: {tags: {Name: main}}            # or an id: vpc-0abc...",
        "  subnets: {tags: {tier: private}}     # or a list of subnet ids; tasks never get a public IP",
        "  endpoints: [ecr.api, ecr.dkr, s3, logs]   # so image pulls and logs skip the NAT gateway",
    ]
    if port is not None:
        lines += [
            "",
            "load_balancer:",
            "  alb: main                            # an existing ALB, by name or ARN",
            "  listener_port: 443",
            f"  host: {_q(service + '.example.com')}",
            "  path: /*",
            "  priority: 100",
            "  health_check: {path: /healthz}",
        ]
    lines += [
        "",
        "# environment: {LOG_LEVEL: info}",
        "# secrets: {DB_PASSWORD: secretsmanager:my/db}   # references only, never values",
        "",
        "scaling:",
        "  min: 1",
        "  max: 4",
        "  cpu: 60",
        "",
        "deploy:",
        f"  strategy: {strategy}                # rolling | blue_green | canary | linear",
    ]
    if strategy == "canary":
        lines.append("  canary: {percent: 10, interval: 5m}")
    elif strategy == "linear":
        lines.append("  linear: {percent: 25, interval: 2m}")
    if strategy == "rolling":
        lines.append("  circuit_breaker: true")
    else:
        lines.append("  test_listener_port: 8443")
    lines += [
        "  timeout: 15m",
        "",
        "logs:",
        "  retention_days: 30",
        "",
    ]
    return "\n".join(lines)
