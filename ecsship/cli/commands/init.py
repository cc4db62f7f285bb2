"""`ecsship init`: write a commented starter manifest that validates."""
from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ecsship.cli.guard import guarded

STRATEGIES = ("rolling", "blue_green", "canary", "linear")


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
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    ) -> None:
        """Write a starter manifest: prompts on a terminal, flags otherwise.

        Example: ecsship init --service api --image 1234.dkr.ecr.us-east-1.amazonaws.com/api:v1 --port 8080
        """
        import os
        from pathlib import Path

        from ecsship.cli.init_template import render_manifest
        from ecsship.errors import ManifestError, UsageError

        out = ctx.obj.out()
        target = Path(file)
        if target.exists() and not force:
            raise UsageError(f"{file} already exists", "pass --force to overwrite it, or -f to write elsewhere")
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
        default_service = _sanitize(Path.cwd().name) or "app"
        if interactive:
            service = service or typer.prompt("Service name", default=default_service)
            image = image or typer.prompt("Image (with a tag or digest)")
            if port is None:
                answer = typer.prompt("Container port (empty: no load balancer)", default="", show_default=False)
                port = int(answer) if answer.strip() else None
            cluster = cluster or typer.prompt("Cluster", default="default")
            strategy = strategy or typer.prompt("Deployment strategy (rolling, blue_green, canary, linear)", default="rolling")
        else:
            service = service or default_service
            if not image:
                raise UsageError("--image is required when not on a terminal", "e.g. ecsship init --service api --image REPO:TAG --port 8080")
        strategy = strategy or "rolling"
        if strategy not in STRATEGIES:
            raise UsageError(f"unknown strategy '{strategy}'", f"use one of {', '.join(STRATEGIES)}")
        if strategy != "rolling" and port is None:
            raise UsageError(f"strategy {strategy} needs a load balancer, so a --port")
        text = render_manifest(service=service, image=image, port=port, cluster=cluster or "default", strategy=strategy)

        # Validate before writing: init never leaves a manifest that does not validate.
        import tempfile

        from ecsship.manifest.document import load_manifest

        with tempfile.TemporaryDirectory() as tmp:
            probe = os.path.join(tmp, target.name)
            Path(probe).write_text(text, encoding="utf-8")
            try:
                load_manifest(probe, environ={})
            except ManifestError as exc:
                problems = "; ".join(p.render().replace(probe, file) for p in exc.problems)
                raise UsageError(f"the values given do not make a valid manifest: {problems}") from None
        if target.parent and not target.parent.exists():
            target.parent.mkdir(parents=True)
        target.write_text(text, encoding="utf-8")
        out.success(f"wrote {file}")
        out.print(f"next: ecsship validate -f {file}, then ecsship plan -f {file} (add --local to try it without AWS)")


def _sanitize(name: str) -> str:
    import re

    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-_")
    return cleaned[:60]
