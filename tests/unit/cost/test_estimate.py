"""The estimate (ecsship/cost/), pure. The web example against a hand computation from the published
us-east-1 prices (docs/cost.md): Fargate x86 $0.04048/vCPU-h and $0.004445/GB-h, interface endpoint
$0.01/AZ-h, alarm $0.10/metric-month, secret $0.40/month, log ingestion $0.50/GB, 730 h a month."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ecsship.cost.estimate import KINDS, estimate, report, split
from ecsship.cost.prices import PricesUnavailable, for_region, on_demand_usd, refresh
from ecsship.cost.shape import ServiceShape, live_shape, shape_of
from ecsship.desired import build
from ecsship.manifest.document import load_manifest
from ecsship.plan.model import Change, FieldChange, Plan

ROOT = Path(__file__).resolve().parents[3]
WEB = ROOT / "examples" / "web" / "ecsship.yaml"


def hand_computed_web() -> tuple[float, float]:
    task_month = (0.5 * 0.04048 + 1 * 0.004445) * 730
    endpoints = 5 * 2 * 0.01 * 730                  # s3 is a gateway endpoint
    alarms = (5 + 3 * 2) * 0.10                      # 4 alarms on 5 metrics + 3 target-tracking policies x 2
    secrets = 2 * 0.40
    at_min = 2 * task_month + endpoints + alarms + secrets + 2 * 1 * 0.50
    at_max = 6.5 * task_month + 13.5 * task_month * 0.30 + endpoints + alarms + secrets + 20 * 1 * 0.50
    return at_min, at_max


def web_report() -> dict:
    prices = for_region("us-east-1")
    return report(estimate(shape_of(build(load_manifest(str(WEB)))), prices), prices)


def test_web_example_matches_the_hand_computation_within_2_percent():
    lo, hi = hand_computed_web()
    got = web_report()
    assert got["monthly"]["min"] == pytest.approx(lo, rel=0.02) and got["monthly"]["max"] == pytest.approx(hi, rel=0.02)
    # docs/cost.md states the same totals.
    doc = (ROOT / "docs" / "cost.md").read_text()
    stated = re.search(r"\*\*\$([\d.]+) a month at 2 tasks, \$([\d.]+) at 20 tasks\*\*", doc)
    assert stated and float(stated.group(1)) == pytest.approx(lo, abs=0.01) and float(stated.group(2)) == pytest.approx(hi, abs=0.01)


def test_published_us_east_1_prices_are_the_shipped_ones():
    p = for_region("us-east-1")
    assert p.fargate("x86_64") == {"vcpu_hour": 0.04048, "gb_hour": 0.004445}
    assert p.fargate("arm64") == {"vcpu_hour": 0.03238, "gb_hour": 0.00356}
    assert (p["alb_hour"], p["alb_lcu_hour"], p["vpc_endpoint_az_hour"]) == (0.0225, 0.008, 0.01)
    assert (p["alarm_metric_month"], p["secret_month"], p["logs_ingest_gb"]) == (0.10, 0.40, 0.50)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.as_of)


def test_json_shape_and_kinds():
    got = web_report()
    assert set(got) == {"currency", "region", "prices_as_of", "monthly", "items"} and got["currency"] == "USD"
    assert set(got["monthly"]) == {"min", "max"}
    for item in got["items"]:
        assert set(item) == {"service", "kind", "name", "monthly_min", "monthly_max", "basis"}
        assert item["kind"] in KINDS and item["basis"]


def test_capacity_split_base_first_then_weights():
    strategy = (("FARGATE", 2, 1), ("FARGATE_SPOT", 0, 3))
    assert split(1, strategy) == {"FARGATE": 1, "FARGATE_SPOT": 0}
    assert split(10, strategy) == {"FARGATE": 4, "FARGATE_SPOT": 6}
    assert split(3, ()) == {"FARGATE": 3}


def test_created_alb_arm64_and_observed_values():
    shape = ServiceShape("api", "c", arch="arm64", cpu=1024, memory=2048, min_tasks=1, max_tasks=1,
                         creates_alb="api-alb", log_group="/ecs/c/api", endpoints=("logs",))
    items = {i.kind: i for i in estimate(shape, for_region("us-east-1"), {"availability_zones": 3, "log_gb_month": 10})}
    assert items["fargate"].monthly_min == pytest.approx((0.03238 + 2 * 0.00356) * 730)
    assert items["alb"].monthly_min == pytest.approx((0.0225 + 0.008) * 730) and "LCU" in items["alb"].basis
    assert items["vpc_endpoint"].monthly_min == pytest.approx(3 * 0.01 * 730) and "3 AZs" in items["vpc_endpoint"].basis
    assert items["logs"].monthly_max == pytest.approx(5.0) and "last 7 days" in items["logs"].basis


def test_an_endpoint_shared_by_two_services_is_priced_once():
    counted: dict = {}
    a, b = (ServiceShape(n, "c", endpoints=("logs",), vpc="main") for n in ("a", "b"))
    first = estimate(a, for_region("us-east-1"), counted_endpoints=counted)
    second = estimate(b, for_region("us-east-1"), counted_endpoints=counted)
    assert [i.monthly_min for i in first if i.kind == "vpc_endpoint"] == [14.6]
    assert [(i.monthly_min, i.basis) for i in second if i.kind == "vpc_endpoint"] == [(0.0, "counted with a: one per VPC")]


def test_live_shape_from_the_plans_old_values():
    after = ServiceShape("w", "c", cpu=512, memory=1024, min_tasks=1, max_tasks=12, alarms=(("w-x", 1),))
    plan = Plan("w", "c", [
        Change("task_definition", "task_definition", "task definition", "c-w", "update",
               [FieldChange("cpu", "256", "512"), FieldChange("memory", "512", "1024")]),
        Change("autoscaling", "autoscaling", "scaling", "w", "update", [FieldChange("MaxCapacity", 10, 12)]),
        Change("alarm.x", "alarm", "alarm", "w-x", "create"),
    ], "x")
    before = live_shape(after, plan)
    assert (before.cpu, before.memory, before.max_tasks, before.alarms) == (256, 512, 10, ())
    assert live_shape(after, Plan("w", "c", [Change("service", "service", "service", "w", "create")], "x")) is None


def test_price_list_parsing_and_refresh():
    item = {"product": {"attributes": {"usagetype": "USE1-Fargate-vCPU-Hours:perCPU"}},
            "terms": {"OnDemand": {"T": {"priceDimensions": {"D": {"pricePerUnit": {"USD": "0.0404800000"}, "beginRange": "0"}}}}}}
    assert on_demand_usd(json.dumps(item)) == 0.04048

    class Pricing:
        def __init__(self):
            self.filters = []

        def get_products(self, ServiceCode, Filters, MaxResults):
            self.filters.append((ServiceCode, {f["Field"]: f["Value"] for f in Filters}))
            return {"PriceList": [json.dumps(item)] if "Fargate-vCPU" in Filters[0]["Value"] else []}

    fake = Pricing()
    fresh = refresh(fake, "eu-central-1")
    assert fresh["fargate"]["x86_64"]["vcpu_hour"] == 0.04048 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", fresh["as_of"])
    assert ("AmazonECS", {"usagetype": "EUC1-Fargate-vCPU-Hours:perCPU"}) in fake.filters

    class Down:
        def get_products(self, **_):
            from botocore.exceptions import EndpointConnectionError

            raise EndpointConnectionError(endpoint_url="https://api.pricing.us-east-1.amazonaws.com")

    with pytest.raises(PricesUnavailable, match="cannot be read: cannot reach AWS"):
        refresh(Down(), "us-east-1")
