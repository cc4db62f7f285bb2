"""`ecsship services`: the services of many manifests in `after:` waves (the flow: ecsship/app/fleet.py)."""
from __future__ import annotations

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import EnvOpt, FilesOpt, OnlyOpt, VarOpt


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Manifest")
    @guarded
    def services(ctx: typer.Context, file: FilesOpt = None, env: EnvOpt = None, var: VarOpt = None, only: OnlyOpt = None) -> None:
        """List the services of the manifests (-f repeated, a directory, a glob) in `after:` waves.

        With --output json, in the shape a GitHub Actions matrix takes: `waves[i].include` is one wave's
        services, so CI fans a fleet out over many runners, one job per service, waves in order. No AWS calls.

        Example: ecsship services -f services/ --only api -o json

        Exit 0 when the manifests are valid; 2 when one is not, or `after:` names a missing service or a cycle.
        """
        from ecsship.app.fleet import services as services_flow

        services_flow(ctx.obj, file or ["."], env, var, only=only)
