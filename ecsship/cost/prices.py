"""The price table: shipped with ecsship (prices.json, dated), or refreshed from the AWS Price List API
into the user's cache (`ecsship cost --refresh-prices`), whichever is newer.

Price List API (botocore `pricing` GetProducts): "Returns a list of all products that match the filter
criteria"; each PriceList entry is a JSON string with `product.attributes` (usagetype, regionCode, ...)
and `terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD`. The API has endpoints in us-east-1 (and a few
other regions) only, whatever region is priced.
"""
from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ecsship.aws.errors import aws_call, translate_botocore
from ecsship.errors import EcsshipError, UsageError

SHIPPED = Path(__file__).with_name("prices.json")


@dataclass(frozen=True)
class RegionPrices:
    region: str
    as_of: str
    data: dict
    assumptions: dict
    hours: float

    def fargate(self, arch: str) -> dict:
        return self.data["fargate"]["arm64" if arch.lower() in ("arm64", "arm") else "x86_64"]

    def __getitem__(self, key: str):
        return self.data[key]

    def ec2_hour(self, instance_type: str) -> float | None:
        return (self.data.get("ec2_hour") or {}).get(instance_type)


def cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ecsship" / "prices.json"


def load_table() -> dict:
    """The shipped table, with regions a newer refreshed cache holds laid over it."""
    table = json.loads(SHIPPED.read_text())
    try:
        cached = json.loads(cache_path().read_text())
    except (OSError, ValueError):
        return table
    for region, prices in (cached.get("regions") or {}).items():
        if isinstance(prices, dict) and prices.get("as_of", "") >= table["as_of"]:
            table["regions"][region] = {**table["regions"].get(region, {}), **prices}
    return table


def for_region(region: str, table: dict | None = None) -> RegionPrices:
    table = table or load_table()
    data = table["regions"].get(region)
    if data is None:
        known = ", ".join(sorted(table["regions"]))
        raise UsageError(f"no prices for region {region} in ecsship's table (it has {known})",
                         "run `ecsship cost --refresh-prices` to read them from the AWS Price List API")
    return RegionPrices(region, data.get("as_of", table["as_of"]), data, table["assumptions"], table["hours_per_month"])


# -- refreshing from the Price List API --------------------------------------------------------------
# (service code, filters on product attributes, the table key, how to pick the price among the results)
QUERIES = [
    ("AmazonECS", {"usagetype": "{p}-Fargate-vCPU-Hours:perCPU"}, ("fargate", "x86_64", "vcpu_hour")),
    ("AmazonECS", {"usagetype": "{p}-Fargate-GB-Hours"}, ("fargate", "x86_64", "gb_hour")),
    ("AmazonECS", {"usagetype": "{p}-Fargate-ARM-vCPU-Hours:perCPU"}, ("fargate", "arm64", "vcpu_hour")),
    ("AmazonECS", {"usagetype": "{p}-Fargate-ARM-GB-Hours"}, ("fargate", "arm64", "gb_hour")),
    ("AWSELB", {"usagetype": "{p}-LoadBalancerUsage", "productFamily": "Load Balancer-Application"}, ("alb_hour",)),
    ("AWSELB", {"usagetype": "{p}-LCUUsage", "productFamily": "Load Balancer-Application"}, ("alb_lcu_hour",)),
    ("AmazonVPC", {"usagetype": "{p}-VpcEndpoint-Hours"}, ("vpc_endpoint_az_hour",)),
    ("AWSSecretsManager", {"usagetype": "{p}-AWSSecretsManager-Secrets"}, ("secret_month",)),
    ("AmazonCloudWatch", {"usagetype": "{p}-CW:AlarmMonitorUsage"}, ("alarm_metric_month",)),
    ("AmazonCloudWatch", {"usagetype": "{p}-DataProcessing-Bytes"}, ("logs_ingest_gb",)),
]
# Usage type prefixes (AWS billing: "USE1" for us-east-1, ...); us-east-1 has none on some services.
USAGE_PREFIX = {"us-east-1": "USE1", "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2", "eu-west-1": "EU",
                "eu-west-2": "EUW2", "eu-west-3": "EUW3", "eu-central-1": "EUC1", "eu-north-1": "EUN1",
                "ap-southeast-1": "APS1", "ap-southeast-2": "APS2", "ap-northeast-1": "APN1", "ap-south-1": "APS3",
                "ca-central-1": "CAN1", "sa-east-1": "SAE1"}


def on_demand_usd(price_item: str | dict) -> float | None:
    """The first non-zero USD price of a Price List product (tiers: the first paid one)."""
    item = json.loads(price_item) if isinstance(price_item, str) else price_item
    prices = []
    for term in (item.get("terms", {}).get("OnDemand") or {}).values():
        for dim in (term.get("priceDimensions") or {}).values():
            usd = dim.get("pricePerUnit", {}).get("USD")
            if usd is not None:
                prices.append((float(dim.get("beginRange", "0") or 0), float(usd)))
    paid = [p for _, p in sorted(prices) if p > 0]
    return paid[0] if paid else None


class PricesUnavailable(EcsshipError):
    pass


def refresh(pricing_client, region: str, today: datetime.date | None = None) -> dict:
    """Read `region`'s prices from the Price List API; returns the region's table (with `as_of`).
    Raises PricesUnavailable (with what to do) when the API cannot be reached or has no such prices."""
    prefix = USAGE_PREFIX.get(region)
    if prefix is None:
        raise UsageError(f"ecsship does not know the Price List usage prefix of {region}",
                         f"known: {', '.join(sorted(USAGE_PREFIX))}")
    found: dict = {"as_of": (today or datetime.date.today()).isoformat()}
    for service, filters, key in QUERIES:
        prices = _query(pricing_client, service, filters, prefix, region)
        if not prices:
            continue
        target = found
        for part in key[:-1]:
            target = target.setdefault(part, {})
        target[key[-1]] = prices[0]
    if len(found) == 1:
        raise PricesUnavailable(f"the AWS Price List API returned no prices for {region}",
                                "the shipped prices are used; check the region name")
    return found


def _query(pricing_client, service: str, filters: dict, prefix: str, region: str) -> list[float]:
    """Prices of the products matching `filters` (usage type prefixed by the region's code; us-east-1's
    usage types are sometimes unprefixed, so that form is tried too)."""
    forms = [prefix + "-"] + ([""] if region == "us-east-1" else [])
    for form in forms:
        flt = [{"Type": "TERM_MATCH", "Field": field, "Value": value.replace("{p}-", form)} for field, value in filters.items()]
        try:
            with aws_call(f"{service} prices in {region}", "pricing:GetProducts"):
                answer = pricing_client.get_products(ServiceCode=service, Filters=flt, MaxResults=10)
        except Exception as exc:  # an AWS error, or no network: either way the shipped table serves
            error = exc if isinstance(exc, EcsshipError) else translate_botocore(exc)
            if error is None:
                raise
            raise PricesUnavailable(f"the AWS Price List API cannot be read: {error.message}",
                                    "the shipped prices are used meanwhile; the API needs network access to "
                                    "api.pricing.us-east-1.amazonaws.com and pricing:GetProducts permission") from None
        prices = [p for p in (on_demand_usd(i) for i in answer.get("PriceList", [])) if p is not None]
        if prices:
            return prices
    return []


def save_refreshed(region: str, prices: dict) -> Path:
    path = cache_path()
    try:
        cached = json.loads(path.read_text())
    except (OSError, ValueError):
        cached = {"regions": {}}
    cached.setdefault("regions", {})[region] = prices
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cached, indent=2, sort_keys=True) + "\n")
    return path
