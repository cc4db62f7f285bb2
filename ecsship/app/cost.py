"""`ecsship cost`: the monthly estimate of one or more services (ecsship/cost/), and the line `plan`
ends with when a change moves it."""
from __future__ import annotations

from ecsship.aws.errors import translate_botocore
from ecsship.cost import prices as price_table
from ecsship.cost.estimate import estimate, report, totals
from ecsship.cost.observed import observe
from ecsship.cost.shape import live_shape, shape_of
from ecsship.desired import build
from ecsship.errors import EcsshipError, UsageError
from ecsship.fleet.files import expand
from ecsship.manifest.document import load_manifest, parse_vars
from ecsship.ui.cost_view import cost_change_line, show_cost


def cost(app, files: list[str], env, var, *, refresh_prices: bool) -> None:
    """One estimate per region the manifests name (in the order they first appear): each priced with
    its region's table, and its shared VPC endpoints counted once per region, as AWS bills them."""
    out = app.out()
    manifests = [load_manifest(f, env=env, variables=parse_vars(var)) for f in expand(files)]
    for manifest in manifests:
        out.problems(manifest.warnings)
    by_region: dict = {}
    for manifest in manifests:
        aws = app.aws_for(manifest.data)
        by_region.setdefault(aws.region, (aws, []))[1].append(manifest)
    for aws, group in by_region.values():
        _estimate_region(app, aws, group, refresh_prices)


def _estimate_region(app, aws, manifests: list, refresh_prices: bool) -> None:
    out = app.out()
    if refresh_prices:
        _refresh(app, aws)
    prices = price_table.for_region(aws.region)
    items: list = []
    counted: dict = {}
    unread: list = []
    for manifest in manifests:
        desired = build(manifest)
        shape = shape_of(desired)
        observed = _observed(aws, desired, shape, unread)
        items += estimate(shape, prices, observed, counted_endpoints=counted)
    if unread:
        out.info(f"AWS not read ({unread[0]}): stated assumptions are used for AZs and log ingestion")
    payload = report(items, prices)
    if out.json_mode:
        out.emit_json(payload)
        return
    show_cost(out, payload)


def _observed(aws, desired, shape, unread: list) -> dict:
    """AZs and log ingestion from AWS; when it cannot be read (no credentials, offline) the estimate
    says which assumptions it used instead, and `cost` still answers."""
    if unread:
        return {}
    try:
        return observe(aws, desired, shape)
    except EcsshipError as exc:
        unread.append(exc.message)
    except Exception as exc:  # botocore: no credentials, no network
        translated = translate_botocore(exc)
        if translated is None:
            raise
        unread.append(translated.message)
    return {}


def _refresh(app, aws) -> None:
    out = app.out()
    try:
        fresh = price_table.refresh(aws.client("pricing", region="us-east-1"), aws.region)
    except price_table.PricesUnavailable as exc:
        out.warning(f"{exc.message}; using the prices shipped with ecsship")
        if exc.hint:
            out.info(exc.hint)
        return
    path = price_table.save_refreshed(aws.region, fresh)
    out.info(f"prices for {aws.region} refreshed from the AWS Price List API ({fresh['as_of']}), saved to {path}")


def plan_cost_line(run) -> str | None:
    """`plan`'s last line: the monthly cost before → after, when the change moves it; None otherwise
    (or when ecsship has no prices for the region)."""
    try:
        prices = price_table.for_region(run.aws.region)
    except EcsshipError:
        return None
    after = shape_of(run.desired)
    before = live_shape(after, run.plan)
    azs = len(((run.plan.inputs or {}).get("network") or {}).get("azs") or []) or None
    observed = {"availability_zones": azs} if azs else {}
    new = totals(estimate(after, prices, observed))
    old = totals(estimate(before, prices, observed)) if before is not None else (0.0, 0.0)
    if [round(x, 2) for x in new] == [round(x, 2) for x in old]:
        return None
    return cost_change_line(old, new, prices.as_of)


def rightsize(app, file: str, env, var, *, days: int) -> None:
    """Propose a task size and scaling target from the service's utilisation, with the monthly saving."""
    from ecsship.cost.observed import utilisation
    from ecsship.cost.rightsize import MIN_HOURS, propose, resized
    from ecsship.ui.cost_view import show_rightsize

    if not 1 <= days <= 63:
        raise UsageError("--days must be 1 to 63", "CloudWatch keeps hourly datapoints for 63 days")
    out = app.out()
    manifest = load_manifest(file, env=env, variables=parse_vars(var))
    out.problems(manifest.warnings)
    if manifest.data.get("platform") == "ec2":
        raise UsageError(f"rightsize proposes Fargate task sizes; {manifest.data['service']} runs on EC2 (platform: ec2)",
                         "size EC2 tasks against the instance types of `capacity:`")
    desired = build(manifest)
    shape = shape_of(desired)
    aws = app.aws_for(manifest.data)
    insights = bool((manifest.data.get("observability") or {}).get("container_insights"))
    cpu, memory, source = utilisation(aws, shape.cluster, shape.service, days, insights)
    target = (manifest.data.get("scaling") or {}).get("cpu")
    proposal = propose(shape.cpu, shape.memory, cpu, memory, float(target) if target is not None else None)
    payload = {"service": shape.service, "source": source, "days": days, "hours_of_data": proposal.hours,
               "enough_data": proposal.enough_data,
               "current": {"cpu": shape.cpu, "memory": shape.memory, "scaling_cpu_target": proposal.scaling_target}}
    if proposal.enough_data:
        prices = price_table.for_region(aws.region)
        now = totals([i for i in estimate(shape, prices) if i.kind in ("fargate", "fargate_spot")])
        then = totals([i for i in estimate(resized(shape, proposal), prices) if i.kind in ("fargate", "fargate_spot")])
        payload.update(
            proposed={"cpu": proposal.new_cpu, "memory": proposal.new_memory, "scaling_cpu_target": proposal.new_scaling_target},
            peaks={"cpu_percent": round(proposal.cpu_peak, 1), "memory_percent": round(proposal.memory_peak, 1)},
            monthly_saving={"min": round(now[0] - then[0], 2), "max": round(now[1] - then[1], 2)},
            prices_as_of=prices.as_of)
    else:
        payload["reason"] = (f"not enough data: {proposal.hours} hours of CPU and memory metrics in the last {days} days "
                             f"({source}); at least {MIN_HOURS} are needed")
    if out.json_mode:
        out.emit_json(payload)
        return
    show_rightsize(out, payload)
