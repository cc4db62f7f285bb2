"""`ecsship cost` of manifests in several regions: one estimate per region, each priced with its own
region's table (Fargate, endpoints and alarms are priced per region: AWS Fargate pricing), never all
at the first manifest's region."""
from __future__ import annotations

import json
from pathlib import Path

from ecsship.app.application import Application
from ecsship.app.cost import cost
from ecsship.errors import EcsshipError
from ecsship.ui.cost_view import show_cost

WORKER = Path(__file__).parents[3] / "examples" / "worker" / "ecsship.yaml"


class OfflineAws:
    """AWS that cannot be read: cost then uses its stated assumptions (no network in a unit test)."""

    def __init__(self, region: str):
        self.region = region

    def client(self, *_args, **_kwargs):
        raise EcsshipError("offline")


class RegionalApplication(Application):
    def aws_for(self, manifest_data: dict):
        return OfflineAws(manifest_data["region"])


def test_two_regions_make_two_estimates_each_at_its_own_prices(tmp_path, capsys):
    east = tmp_path / "east.yaml"
    east.write_text(WORKER.read_text())
    west = tmp_path / "west.yaml"
    west.write_text(WORKER.read_text().replace("region: us-east-1", "region: eu-central-1")
                    .replace("service: worker", "service: worker-eu"))
    cost(RegionalApplication(output="json"), [str(east), str(west)], None, [], refresh_prices=False)
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["region"] for r in reports] == ["us-east-1", "eu-central-1"]
    assert [{i["service"] for i in r["items"]} for r in reports] == [{"worker"}, {"worker-eu"}]
    fargate = [next(i for i in r["items"] if i["kind"] == "fargate") for r in reports]
    assert fargate[0]["monthly_max"] < fargate[1]["monthly_max"]  # eu-central-1 Fargate costs more


class Lines:
    def __init__(self):
        self.lines: list[str] = []

    def print(self, text: str, style: str = "") -> None:
        self.lines.append(text)


def test_a_name_cut_to_its_column_is_said_whole_under_the_row():
    name = "com.amazonaws.us-east-1.secretsmanager (shared)"
    out = Lines()
    show_cost(out, {"region": "us-east-1", "prices_as_of": "2026-11-01", "monthly": {"min": 1.0, "max": 1.0},
                    "items": [{"service": "web", "kind": "vpc_endpoint", "name": name, "monthly_min": 1.0,
                               "monthly_max": 1.0, "basis": "2 AZs"}]})
    row = next(line for line in out.lines if "vpc_endpoint" in line)
    assert "…" in row and name not in row
    assert any(line.strip().startswith(f"{name}: 2 AZs") for line in out.lines)
    assert all(len(line) <= 100 for line in out.lines)
