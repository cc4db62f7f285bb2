"""`ecsship init`: write a commented starter manifest that validates (and, on the local AWS, applies)."""
from __future__ import annotations

import sys
from typing import Annotated, List, Optional

import typer

from ecsship.cli.errors_to_exit import guarded


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Manifest")
    @guarded
    def init(
        ctx: typer.Context,
        file: Annotated[str, typer.Option("--file", "-f", help="Where to write the manifest.")] = "ecsship.yaml",
        service: Annotated[Optional[str], typer.Option(help="Service name.")] = None,
        image: Annotated[Optional[str], typer.Option(help="Image with an immutable tag, e.g. 1234.dkr.ecr.us-east-1.amazonaws.com/app:v1.")] = None,
        port: Annotated[Optional[int], typer.Option(help="Container port; with one, the service sits behind an ALB.")] = None,
        cluster: Annotated[Optional[str], typer.Option(help="ECS cluster name.")] = None,
        strategy: Annotated[Optional[str], typer.Option(help="rolling, blue_green, canary or linear.")] = None,
        secret: Annotated[Optional[List[str]], typer.Option("--secret", metavar="NAME=REF", help="A secret: NAME=secretsmanager:PATH or NAME=ssm:/path (repeatable).")] = None,
        env: Annotated[Optional[List[str]], typer.Option("--env", metavar="NAME", help="An environment with its own cluster, host and priority, e.g. staging (repeatable).")] = None,
        host: Annotated[Optional[str], typer.Option(help="Host name the listener rule matches (default SERVICE.example.com).")] = None,
        priority: Annotated[Optional[int], typer.Option(help="Listener rule priority (default: the first free one from 100).")] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    ) -> None:
        """Write a starter manifest: prompts on a terminal, flags otherwise.

        With --local (or when a local AWS runs) the VPC, subnets, ALB and listener priority are read
        from it, so the manifest applies as is.

        Example: ecsship init --service api --image 1234.dkr.ecr.us-east-1.amazonaws.com/api:v1 --port 8080
        """
        from pathlib import Path

        from ecsship.cli.init_template import Environment, InitSpec, environment_host, render_manifest
        from ecsship.errors import UsageError
        from ecsship.manifest.schema import schema_path

        options = ctx.obj
        out = options.out()
        target = Path(file)
        if target.is_symlink():  # a dangling one too: writing through it creates a file elsewhere
            raise UsageError(f"{file} is a symlink; ecsship does not write a manifest through a symlink", "write to a plain path")
        if target.exists() and not force:
            raise UsageError(f"{file} already exists", "pass --force to overwrite it, or -f to write elsewhere")
        if not target.parent.is_dir():  # a typo in the path must not silently create directories
            raise UsageError(f"{file}: directory {target.parent} does not exist", "create it first, or pass -f to an existing directory")
        interactive = on_terminal()
        default_service = _sanitize(Path.cwd().name) or "app"
        if interactive:
            service = service or typer.prompt("Service name", default=default_service)
            image = image or typer.prompt("Image (with a tag or digest)")
            if port is None:
                answer = typer.prompt("Container port (empty: no load balancer)", default="", show_default=False)
                port = int(answer) if answer.strip() else None
            cluster = cluster or typer.prompt("Cluster", default="default")
            strategy = strategy or typer.prompt("Deployment strategy (rolling, blue_green, canary, linear)", default="rolling")
            if secret is None:
                answer = typer.prompt("Secrets as NAME=secretsmanager:PATH or NAME=ssm:/path, comma-separated (empty: none)",
                                      default="", show_default=False)
                secret = [s.strip() for s in answer.split(",") if s.strip()]
            if env is None:
                answer = typer.prompt("Environments, comma-separated, e.g. staging,prod (empty: none)", default="", show_default=False)
                env = [e.strip() for e in answer.split(",") if e.strip()]
        else:
            service = service or default_service
            if not image:
                raise UsageError("--image is required when not on a terminal", "e.g. ecsship init --service api --image REPO:TAG --port 8080")
        strategy = strategy or "rolling"
        from ecsship.manifest.semantic import SHIFTING  # in the body: `--help` loads no manifest code (yaml)

        strategies = ("rolling", *SHIFTING)
        if strategy not in strategies:
            raise UsageError(f"unknown strategy '{strategy}'", f"use one of {', '.join(strategies)}")
        if strategy != "rolling" and port is None:
            raise UsageError(f"strategy {strategy} needs a load balancer, so a --port")
        cluster = cluster or "default"
        secrets = _parse_secrets(secret or [])
        env_names = list(dict.fromkeys(env or []))

        local_aws, local_port = _local_backend(options)
        facts = None
        if local_aws is not None:
            from ecsship.cli.init_local import read_local_facts

            facts = read_local_facts(local_aws, image)
            if port is not None and facts.alb is None:
                raise UsageError("the local AWS has no ALB with a listener for the service",
                                 "restart it without --bare (ecsship local down; ecsship local up), or init without --port")
        host = host or f"{service}.example.com"
        wanted = 1 + len(env_names)
        if facts is not None:
            taken = facts.used_priorities & ({priority} if priority else set())
            if taken:
                raise UsageError(f"listener priority {priority} is taken on the local ALB", "pick another --priority, or leave it out")
            priorities = facts.free_priorities(wanted, start=priority)
        else:
            priorities = list(range(priority or 100, (priority or 100) + wanted))
        environments = []
        for index, name in enumerate(env_names, start=1):
            environment = Environment(name, f"{cluster}-{name}", environment_host(host, name), priorities[index])
            if interactive:
                environment.cluster = typer.prompt(f"  {name}: cluster", default=environment.cluster)
                if port is not None:
                    environment.host = typer.prompt(f"  {name}: host", default=environment.host)
                    environment.priority = typer.prompt(f"  {name}: listener priority", default=environment.priority, type=int)
            environments.append(environment)

        spec = InitSpec(service=service, image=image, port=port, cluster=cluster, strategy=strategy,
                        schema=str(schema_path()), secrets=secrets, environments=environments, host=host,
                        priority=priorities[0])
        if facts is not None:
            spec.vpc, spec.subnets = facts.vpc, facts.subnets
            if facts.alb:
                spec.alb, spec.listener_port = facts.alb, facts.listener_port
                if strategy != "rolling" and facts.test_listener_port is None:
                    raise UsageError(f"strategy {strategy} needs a test listener; the local ALB has one listener only")
                spec.test_listener_port = facts.test_listener_port or spec.test_listener_port
        text = render_manifest(spec)
        _check_valid(text, target, file)
        from ecsship.files import write_new_file

        write_new_file(target, text, force=force, mode=0o644, what="manifest")  # O_NOFOLLOW, O_EXCL unless --force
        out.success(f"wrote {file}" + (" (VPC, subnets, ALB and a free listener priority read from the local AWS)" if facts else ""))
        flag = f" -f {file}" if file != "ecsship.yaml" else ""
        # The port flag only where the default (4566, or ECSSHIP_LOCAL_PORT) would not find it.
        from ecsship.local.client import default_port

        port_flag = "" if local_port == default_port() else f" --port {local_port}"
        local = "" if facts is None else " --local" + ("" if not port_flag else f" --local-port {local_port}")
        if facts is not None and facts.image_registered is False:
            out.print(f"the local ECR does not have {image.rsplit('/', 1)[-1]} yet; register it with:")
            out.print(f"  ecsship local image add {image}{port_flag}")
        for name in secrets:
            out.print(f"store {name}'s value: ecsship secret set {name}{flag}{local}")
        out.print(f"next: ecsship validate{flag}, then ecsship plan{flag}{local}"
                  + ("" if facts else " (add --local to try it without AWS)"))


def on_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _parse_secrets(pairs: list[str]) -> dict:
    from ecsship.errors import UsageError

    secrets: dict[str, str] = {}
    for pair in pairs:
        name, sep, ref = pair.partition("=")
        if not sep or not name.strip() or not ref.strip():
            raise UsageError(f"--secret expects NAME=REF, got '{pair}'", "e.g. --secret STRIPE_KEY=secretsmanager:payments/stripe")
        secrets[name.strip()] = ref.strip()
    return secrets


def _local_backend(options):
    """The local AWS to read from: with --local (started when needed), or one already running."""
    from ecsship.local import client

    port = options.local_port or client.default_port()
    if options.local:
        return options.aws(), port
    if options.endpoint_url or client.discover(port) is None:
        return None, port
    from ecsship.aws.session import Aws

    options.out().info(f"a local AWS runs on port {port}: reading VPC, subnets and the ALB from it")
    return Aws(region="us-east-1", endpoint_url=client.endpoint_for(port), local=True), port


def _check_valid(text: str, target, file: str) -> None:
    """Validate before writing (every environment too): init never leaves a manifest that does not validate."""
    import os
    import tempfile
    from pathlib import Path

    from ecsship.errors import ManifestError, UsageError
    from ecsship.manifest.document import load_manifest

    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, target.name)
        Path(probe).write_text(text, encoding="utf-8")
        try:
            load_manifest(probe, environ={}, all_environments=True)
        except ManifestError as exc:
            problems = "; ".join(p.render().replace(probe, file) for p in exc.problems)
            raise UsageError(f"the values given do not make a valid manifest: {problems}") from None


def _sanitize(name: str) -> str:
    import re

    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-_")
    return cleaned[:60]
