"""`ecsship cost` and `ecsship rightsize`: what services cost a month, and what they could (ecsship/app/cost.py)."""
from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import manifest_options

FilesOpt = Annotated[Optional[List[str]], typer.Option("--file", "-f", help="Manifest(s) to price: repeatable, a directory or a glob (default ecsship.yaml).")]


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Infrastructure")
    @guarded
    @manifest_options
    def cost(
        ctx: typer.Context,
        refresh_prices: Annotated[bool, typer.Option("--refresh-prices", help="Read current prices from the AWS Price List API first.")] = False,
        *, file: FilesOpt = None, env, var,
    ) -> None:
        """Monthly estimate in USD per service at its minimum and maximum task count; each line says its basis.

        Prices come from a dated table shipped with ecsship (the output says its date); --refresh-prices
        reads the AWS Price List API. Log ingestion and AZs are read from AWS when it can be reached.

        Example: ecsship cost -f services/ --region eu-west-1

        Exit 0 with the estimate; 2 on an invalid manifest or a region without prices.
        """
        from ecsship.app.cost import cost as cost_flow

        cost_flow(ctx.obj, file or ["ecsship.yaml"], env, var, refresh_prices=refresh_prices)

    @app.command(rich_help_panel="Infrastructure")
    @guarded
    @manifest_options
    def rightsize(
        ctx: typer.Context,
        days: Annotated[int, typer.Option("--days", help="How many days of CloudWatch metrics to read (1-63).")] = 14,
        *, file, env, var,
    ) -> None:
        """Propose a valid Fargate size and scaling target from the service's CPU and memory use, with the saving.

        Reads Container Insights when the manifest turns it on, else the AWS/ECS service metrics; says so
        when there are fewer than 72 hours of data.

        Example: ecsship rightsize --days 28

        Exit 0 with a proposal or the reason there is none; 1 when AWS could not be read; 2 on an
        invalid manifest.
        """
        from ecsship.app.cost import rightsize as rightsize_flow

        rightsize_flow(ctx.obj, file, env, var, days=days)
