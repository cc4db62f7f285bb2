"""`ecsship init`: write a commented starter manifest that validates (and, on the local AWS, applies).

On a terminal it asks for what the flags did not give (`app.prompt`); otherwise the flags and
defaults decide. With a local AWS (--local, or one already running) the VPC, subnets, ALB and free
listener priorities are read from it (app/init_local.py), so the manifest applies as is.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from ecsship.app.init_local import LocalFacts, read_local_facts
from ecsship.app.init_template import Environment, InitSpec, environment_host, render_manifest
from ecsship.errors import ManifestError, UsageError
from ecsship.files import write_new_file
from ecsship.local import client
from ecsship.manifest.document import load_manifest
from ecsship.manifest.schema import schema_path
from ecsship.manifest.semantic import SHIFTING

STRATEGIES = ("rolling", *SHIFTING)


def init(app, file: str, *, service, image, port, cluster, strategy, secret, env, host, priority, force: bool) -> None:
    out = app.out()
    target = _target(file, force)
    interactive = app.is_interactive()
    default_service = _sanitize(Path.cwd().name) or "app"
    if interactive:
        service = service or app.prompt("Service name", default=default_service)
        image = image or app.prompt("Image (with a tag or digest)")
        if port is None:
            answer = app.prompt("Container port (empty: no load balancer)", default="", show_default=False)
            port = int(answer) if answer.strip() else None
        cluster = cluster or app.prompt("Cluster", default="default")
        strategy = strategy or app.prompt("Deployment strategy (rolling, blue_green, canary, linear)", default="rolling")
        if secret is None:
            secret = _split(app.prompt("Secrets as NAME=secretsmanager:PATH or NAME=ssm:/path, comma-separated (empty: none)",
                                       default="", show_default=False))
        if env is None:
            env = _split(app.prompt("Environments, comma-separated, e.g. staging,prod (empty: none)", default="", show_default=False))
    else:
        service = service or default_service
        if not image:
            raise UsageError("--image is required when not on a terminal", "e.g. ecsship init --service api --image REPO:TAG --port 8080")
    strategy = strategy or "rolling"
    if strategy not in STRATEGIES:
        raise UsageError(f"unknown strategy '{strategy}'", f"use one of {', '.join(STRATEGIES)}")
    if strategy != "rolling" and port is None:
        raise UsageError(f"strategy {strategy} needs a load balancer, so a --port")
    cluster = cluster or "default"
    secrets = _parse_secrets(secret or [])
    env_names = list(dict.fromkeys(env or []))

    local_aws, local_port = _local_backend(app)
    facts = None
    if local_aws is not None:
        facts = read_local_facts(local_aws, image)
        if port is not None and facts.alb is None:
            raise UsageError("the local AWS has no ALB with a listener for the service",
                             "restart it without --bare (ecsship local down; ecsship local up), or init without --port")
    host = host or f"{service}.example.com"
    priorities = _priorities(facts, priority, 1 + len(env_names))
    environments = []
    for index, name in enumerate(env_names, start=1):
        environment = Environment(name, f"{cluster}-{name}", environment_host(host, name), priorities[index])
        if interactive:
            environment.cluster = app.prompt(f"  {name}: cluster", default=environment.cluster)
            if port is not None:
                environment.host = app.prompt(f"  {name}: host", default=environment.host)
                environment.priority = app.prompt(f"  {name}: listener priority", default=environment.priority, type=int)
        environments.append(environment)

    spec = InitSpec(service=service, image=image, port=port, cluster=cluster, strategy=strategy,
                    schema=str(schema_path()), secrets=secrets, environments=environments, host=host,
                    priority=priorities[0])
    if facts is not None:
        _use_local_facts(spec, facts)
    text = render_manifest(spec)
    _check_valid(text, target, file)
    write_new_file(target, text, force=force, mode=0o644, what="manifest")  # O_NOFOLLOW, O_EXCL unless --force
    out.success(f"wrote {file}" + (" (VPC, subnets, ALB and a free listener priority read from the local AWS)" if facts else ""))
    _next_steps(out, file, image, secrets, facts, local_port)


def _target(file: str, force: bool) -> Path:
    target = Path(file)
    if target.is_symlink():  # a dangling one too: writing through it creates a file elsewhere
        raise UsageError(f"{file} is a symlink; ecsship does not write a manifest through a symlink", "write to a plain path")
    if target.exists() and not force:
        raise UsageError(f"{file} already exists", "pass --force to overwrite it, or -f to write elsewhere")
    if not target.parent.is_dir():  # a typo in the path must not silently create directories
        raise UsageError(f"{file}: directory {target.parent} does not exist", "create it first, or pass -f to an existing directory")
    return target


def _split(answer: str) -> list[str]:
    return [part.strip() for part in answer.split(",") if part.strip()]


def _priorities(facts: LocalFacts | None, priority: int | None, wanted: int) -> list[int]:
    """The service's listener priority and one per environment: free ones on the local ALB when known."""
    if facts is None:
        return list(range(priority or 100, (priority or 100) + wanted))
    if priority and priority in facts.used_priorities:
        raise UsageError(f"listener priority {priority} is taken on the local ALB", "pick another --priority, or leave it out")
    return facts.free_priorities(wanted, start=priority)


def _use_local_facts(spec: InitSpec, facts: LocalFacts) -> None:
    spec.vpc, spec.subnets = facts.vpc, facts.subnets
    if facts.alb:
        spec.alb, spec.listener_port = facts.alb, facts.listener_port or spec.listener_port
        if spec.strategy != "rolling" and facts.test_listener_port is None:
            raise UsageError(f"strategy {spec.strategy} needs a test listener; the local ALB has one listener only")
        spec.test_listener_port = facts.test_listener_port or spec.test_listener_port


def _next_steps(out, file: str, image: str, secrets: dict, facts: LocalFacts | None, local_port: int) -> None:
    flag = f" -f {file}" if file != "ecsship.yaml" else ""
    # The port flag only where the default (4566, or ECSSHIP_LOCAL_PORT) would not find it.
    port_flag = "" if local_port == client.default_port() else f" --port {local_port}"
    local = "" if facts is None else " --local" + ("" if not port_flag else f" --local-port {local_port}")
    if facts is not None and facts.image_registered is False:
        out.print(f"the local ECR does not have {image.rsplit('/', 1)[-1]} yet; register it with:")
        out.print(f"  ecsship local image add {image}{port_flag}")
    for name in secrets:
        out.print(f"store {name}'s value: ecsship secret set {name}{flag}{local}")
    out.print(f"next: ecsship validate{flag}, then ecsship plan{flag}{local}"
              + ("" if facts else " (add --local to try it without AWS)"))


def _parse_secrets(pairs: list[str]) -> dict:
    secrets: dict[str, str] = {}
    for pair in pairs:
        name, sep, ref = pair.partition("=")
        if not sep or not name.strip() or not ref.strip():
            raise UsageError(f"--secret expects NAME=REF, got '{pair}'", "e.g. --secret STRIPE_KEY=secretsmanager:payments/stripe")
        secrets[name.strip()] = ref.strip()
    return secrets


def _local_backend(app):
    """The local AWS to read from: with --local (started when needed), or one already running."""
    port = app.local_port or client.default_port()
    if app.local:
        return app.aws(), port
    if app.endpoint_url or client.discover(port) is None:
        return None, port
    app.out().info(f"a local AWS runs on port {port}: reading VPC, subnets and the ALB from it")
    from ecsship.aws.session import Aws  # boto3 only when there is a local AWS to read

    return Aws(region="us-east-1", endpoint_url=client.endpoint_for(port), local=True, credentials=client.credentials(port)), port


def _check_valid(text: str, target: Path, file: str) -> None:
    """Validate before writing (every environment too): init never leaves a manifest that does not validate."""
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, target.name)
        Path(probe).write_text(text, encoding="utf-8")
        try:
            load_manifest(probe, environ={}, all_environments=True)
        except ManifestError as exc:
            problems = "; ".join(p.render().replace(probe, file) for p in exc.problems)
            raise UsageError(f"the values given do not make a valid manifest: {problems}") from None


def _sanitize(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-_")
    return cleaned[:60]
