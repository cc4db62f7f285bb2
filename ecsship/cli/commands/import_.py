"""`ecsship import`: a manifest from a live service, a Copilot or an ecspresso configuration
(the flow: ecsship/app/import_service.py)."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import EnvOpt


def register(app: typer.Typer) -> None:
    @app.command("import", rich_help_panel="Infrastructure")
    @guarded
    def import_(
        ctx: typer.Context,
        cluster: Annotated[Optional[str], typer.Option("--cluster", help="Cluster of the live service to import.")] = None,
        service: Annotated[Optional[str], typer.Option("--service", help="The live service to import.")] = None,
        out: Annotated[Optional[str], typer.Option("--out", "-o", help="Write the manifest here (default: standard output).")] = None,
        move_secrets: Annotated[bool, typer.Option("--move-secrets", help="Store plaintext secrets of the live environment in Secrets Manager as <cluster>/<service>/<NAME> and reference them.")] = False,
        from_copilot: Annotated[Optional[str], typer.Option("--from-copilot", help="Convert a Copilot service manifest (copilot/<svc>/manifest.yml).")] = None,
        from_ecspresso: Annotated[Optional[str], typer.Option("--from-ecspresso", help="Convert an ecspresso config (ecspresso.yml) with its task and service definitions.")] = None,
        env: EnvOpt = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --out file.")] = False,
    ) -> None:
        """Write a manifest for a service that exists: reads the service, task definition, target group
        and listener rule, scaling and alarms (read calls only; --move-secrets also stores secrets).

        The manifest keeps the desired count, container name, task role, security groups and log group,
        validates, and ends with a commented list of what could not be mapped. Then `plan --adopt`.
        With --from-copilot (and --env NAME for its environments: overrides) or --from-ecspresso it
        converts a file instead, without AWS.

        Example: ecsship import --cluster shop --service api -o ecsship.yaml

        Exit 0 when the manifest was written; 1 when AWS could not be read (no such service, access
        denied); 2 on bad usage or a file that cannot be converted.
        """
        from ecsship.app.import_service import import_service

        import_service(ctx.obj, cluster, service, out, move_secrets=move_secrets, force=force,
                       from_copilot=from_copilot, from_ecspresso=from_ecspresso, env=env)
