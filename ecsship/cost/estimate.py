"""The monthly estimate of services at their minimum and maximum task count. Pure: a shape, the prices
and what AWS observed (observed.py) in; items out, each saying its basis.

Fargate bills vCPU and memory per second from image pull to task stop (AWS Fargate pricing); a month is
the table's hours_per_month (730). The capacity provider strategy splits tasks as ECS does: a provider's
`base` tasks first, the rest by `weight` (ECS developer guide, "Capacity provider strategies").
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from ecsship.cost.prices import RegionPrices
from ecsship.cost.shape import ServiceShape

KINDS = ("fargate", "fargate_spot", "ec2", "alb", "vpc_endpoint", "alarm", "secret", "logs")


@dataclass(frozen=True)
class Item:
    service: str
    kind: str
    name: str
    monthly_min: float
    monthly_max: float
    basis: str
    priced: bool = True  # False: no price known; shown as unknown, never as $0, and left out of the totals

    def to_json(self) -> dict:
        out = asdict(self)
        del out["priced"]  # JSON says it with null amounts
        out["monthly_min"], out["monthly_max"] = round(self.monthly_min, 2), round(self.monthly_max, 2)
        if not self.priced:
            out["monthly_min"] = out["monthly_max"] = None
        return out


def split(tasks: float, capacity: tuple) -> dict[str, float]:
    """Tasks per capacity provider: each provider's base first (in order), the rest by weight."""
    if not capacity:
        return {"FARGATE": float(tasks)}
    out = {provider: 0.0 for provider, _, _ in capacity}
    left = float(tasks)
    for provider, base, _ in capacity:
        take = min(left, base)
        out[provider] += take
        left -= take
    weights = sum(w for _, _, w in capacity)
    if left > 0 and weights:
        for provider, _, weight in capacity:
            out[provider] += left * weight / weights
    return out


def _money(x: float) -> str:
    return f"${x:,.2f}" if x >= 0.1 or x == 0 else f"${x:.4f}".rstrip("0")


def _tasks(n: float) -> str:
    return f"{n:g}"


def estimate(shape: ServiceShape, prices: RegionPrices, observed: dict | None = None,
             counted_endpoints: dict | None = None) -> list[Item]:
    """Items for one service. `counted_endpoints` (vpc, endpoint) -> service is shared by a run over several
    services, so an endpoint every service in a VPC uses is priced once."""
    observed = observed or {}
    hours = prices.hours
    a = prices.assumptions
    items: list[Item] = []
    s = shape.service

    if shape.launch == "fargate":
        rate = prices.fargate(shape.arch)
        vcpu, gb = shape.cpu / 1024, shape.memory / 1024
        per_task = (vcpu * rate["vcpu_hour"] + gb * rate["gb_hour"]) * hours
        lo, hi = split(shape.min_tasks, shape.capacity), split(shape.max_tasks, shape.capacity)
        unit = (f"{vcpu:g} vCPU × ${rate['vcpu_hour']:g} + {gb:g} GB × ${rate['gb_hour']:g} per task-hour "
                f"({shape.arch}) × {hours:g} h = {_money(per_task)}/task-month")
        od_lo = sum(v for k, v in lo.items() if k.upper() == "FARGATE")
        od_hi = sum(v for k, v in hi.items() if k.upper() == "FARGATE")
        items.append(Item(s, "fargate", "FARGATE", od_lo * per_task, od_hi * per_task,
                          f"{_tasks(od_lo)}-{_tasks(od_hi)} tasks on demand; {unit}"))
        spot_lo = sum(v for k, v in lo.items() if k.upper() == "FARGATE_SPOT")
        spot_hi = sum(v for k, v in hi.items() if k.upper() == "FARGATE_SPOT")
        if spot_hi:
            d = a["fargate_spot_discount"]
            items.append(Item(s, "fargate_spot", "FARGATE_SPOT", spot_lo * per_task * (1 - d), spot_hi * per_task * (1 - d),
                              f"{_tasks(spot_lo)}-{_tasks(spot_hi)} tasks on Spot (base and weights of the capacity strategy) "
                              f"at an assumed average {d:.0%} Spot discount; {unit}"))
    read = {g["provider"] for g in observed.get("ec2") or []}
    # Groups the manifest creates and AWS has not (yet): priced from the manifest's capacity entries.
    groups = list(observed.get("ec2") or []) + [g for g in shape.owned_ec2 if g["provider"] not in read]
    for group in groups:
        items.append(_ec2_item(s, group, prices))
    if shape.launch == "ec2" and not groups:
        items.append(Item(s, "ec2", "(capacity provider instances)", 0.0, 0.0,
                          "price unknown, not in the totals: the instances behind the cluster's capacity providers "
                          "could not be read from AWS; they are usually shared by the cluster's services", priced=False))

    if shape.creates_alb:
        lcu = a["alb_lcu"]
        monthly = (prices["alb_hour"] + lcu * prices["alb_lcu_hour"]) * hours
        items.append(Item(s, "alb", shape.creates_alb, monthly, monthly,
                          f"${prices['alb_hour']:g}/h + an assumed {lcu:g} LCU × ${prices['alb_lcu_hour']:g}/LCU-h, "
                          f"× {hours:g} h"))

    azs = observed.get("availability_zones")
    az_basis = f"{azs} AZs (the service's subnets)" if azs else f"an assumed {a['availability_zones']} AZs"
    azs = azs or a["availability_zones"]
    for endpoint in shape.endpoints:
        key = (shape.vpc, endpoint)
        owner = counted_endpoints.setdefault(key, s) if counted_endpoints is not None else s
        if owner != s:
            items.append(Item(s, "vpc_endpoint", f"{endpoint} (shared)", 0.0, 0.0, f"counted with {owner}: one per VPC"))
            continue
        monthly = azs * prices["vpc_endpoint_az_hour"] * hours
        items.append(Item(s, "vpc_endpoint", f"{endpoint} (shared)", monthly, monthly,
                          f"interface endpoint, {az_basis} × ${prices['vpc_endpoint_az_hour']:g} per AZ-hour × {hours:g} h; "
                          "shared by every service in the VPC; data processed not included"))

    metrics = sum(n for _, n in shape.alarms)
    managed = 2 * shape.scaling_policies
    if metrics or managed:
        monthly = (metrics + managed) * prices["alarm_metric_month"]
        parts = [f"{len(shape.alarms)} alarms on {metrics} metrics"] if shape.alarms else []
        if managed:
            parts.append(f"{managed} target-tracking alarms ({shape.scaling_policies} policies × 2, made by Application Auto Scaling)")
        items.append(Item(s, "alarm", f"{metrics + managed} alarm metrics", monthly, monthly,
                          f"{' + '.join(parts)} × ${prices['alarm_metric_month']:g}/alarm metric-month (standard resolution)"))

    if shape.secrets:
        monthly = len(shape.secrets) * prices["secret_month"]
        items.append(Item(s, "secret", f"{len(shape.secrets)} secrets", monthly, monthly,
                          f"{len(shape.secrets)} Secrets Manager secrets × ${prices['secret_month']:g}/month (may be shared; "
                          "API calls not included; SSM standard parameters are free)"))

    gb_month = observed.get("log_gb_month")
    if gb_month is not None:
        monthly = gb_month * prices["logs_ingest_gb"]
        items.append(Item(s, "logs", shape.log_group, monthly, monthly,
                          f"{gb_month:.2f} GB/month ingested (the log group's last 7 days) × ${prices['logs_ingest_gb']:g}/GB"))
    elif shape.log_group:
        per = a["log_gb_per_task_month"]
        items.append(Item(s, "logs", shape.log_group, shape.min_tasks * per * prices["logs_ingest_gb"],
                          shape.max_tasks * per * prices["logs_ingest_gb"],
                          f"assumed {per:g} GB/task-month ingested (no log history read) × ${prices['logs_ingest_gb']:g}/GB; "
                          "storage not included"))
    return items


def _ec2_item(service: str, group: dict, prices: RegionPrices) -> Item:
    """An Auto Scaling group behind a capacity provider: its instances at min and max size."""
    hourly = prices.ec2_hour(group["instance_type"])
    owned = group.get("owned", False)  # the manifest's own group: its instances serve this service
    name = f"{group['instance_type']} ({group['provider']}{'' if owned else ', shared'})"
    if hourly is None:
        return Item(service, "ec2", name, 0.0, 0.0,
                    f"price unknown for {group['instance_type']} in {prices.region}, not in the totals: "
                    "`ecsship cost --refresh-prices` or see the EC2 pricing page", priced=False)
    spot = float(group.get("spot_share", 0.0))
    d = prices.assumptions["ec2_spot_discount"]
    per = hourly * prices.hours * (1 - spot * d)
    spot_words = f", {spot:.0%} Spot at an assumed {d:.0%} discount" if spot else ", on demand"
    return Item(service, "ec2", name, group["min"] * per, group["max"] * per,
                f"{group['min']}-{group['max']} instances × ${hourly:g}/h × {prices.hours:g} h{spot_words}; "
                + ("from the manifest's capacity (not read from AWS)" if owned else "shared by every service on the capacity provider"))


def totals(items: list[Item]) -> tuple[float, float]:
    return sum(i.monthly_min for i in items), sum(i.monthly_max for i in items)


def report(items: list[Item], prices: RegionPrices) -> dict:
    """The JSON shape of `ecsship cost --output json` (issue #19)."""
    lo, hi = totals(items)
    return {"currency": "USD", "region": prices.region, "prices_as_of": prices.as_of,
            "monthly": {"min": round(lo, 2), "max": round(hi, 2)}, "items": [i.to_json() for i in items]}
