"""`cost` of a manifest whose `capacity:` creates EC2 instances, when AWS has no group to read (not applied
yet, or the local AWS): the instances are priced from the manifest's instance types; a type without a
price is "price unknown for <type>", never $0, and left out of the totals. On demand, a mixed instances
policy launches its overrides in priority order (EC2 Auto Scaling user guide, "Allocation strategies":
`prioritized` is the on-demand default), so the first type is the one priced."""
from __future__ import annotations

import re
from pathlib import Path

from ecsship.cost.estimate import estimate, report
from ecsship.cost.prices import for_region
from ecsship.cost.shape import shape_of
from ecsship.desired import build
from ecsship.manifest.document import load_manifest

GPU = Path(__file__).parents[3] / "examples" / "gpu-worker" / "ecsship.yaml"


def _report(tmp_path, types: str) -> dict:
    text = re.sub(r"instance_types: \[[^\]]*\]", f"instance_types: [{types}]", GPU.read_text()).replace("gpu: 1", "")
    path = tmp_path / "ecsship.yaml"
    path.write_text(text)
    prices = for_region("us-east-1")
    return report(estimate(shape_of(build(load_manifest(str(path)))), prices, {}), prices)


def test_the_manifests_instance_types_are_priced_when_aws_has_no_group(tmp_path):
    payload = _report(tmp_path, "m5.large, m6i.large")
    (ec2,) = [i for i in payload["items"] if i["kind"] == "ec2"]
    assert ec2["name"].startswith("m5.large") and "credentials" not in ec2["basis"]
    assert (ec2["monthly_min"], ec2["monthly_max"]) == (round(1 * 0.096 * 730, 2), round(8 * 0.096 * 730, 2))


def test_an_unpriced_type_is_unknown_and_out_of_the_totals(tmp_path):
    payload = _report(tmp_path, "c7i.large")
    (ec2,) = [i for i in payload["items"] if i["kind"] == "ec2"]
    assert ec2["monthly_min"] is None and "price unknown for c7i.large" in ec2["basis"]
    others = sum(i["monthly_max"] for i in payload["items"] if i["kind"] != "ec2")
    assert payload["monthly"]["max"] == round(others, 2)
