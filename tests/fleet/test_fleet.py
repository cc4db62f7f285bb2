"""Many services in one command (issue #19 "Many services"), end to end on the local AWS: three services,
`after:` between two, plan/apply/deploy in one command each, in order, one summary; a broken image in one
gives exit 1 and skips its dependant. Ordering, waves and the runner are unit-tested in tests/unit/fleet."""
from __future__ import annotations

import json
from pathlib import Path

from tests.deploy.test_e2e import WORKER, sim  # noqa: F401

BASE = Path(WORKER).read_text()


def fleet(tmp_path: Path) -> Path:
    root = tmp_path / "services"
    for name, after, tag in (("jobs", "", "${JOBS_TAG:-v1}"), ("mailer", "after: [jobs]\n", "v1"), ("indexer", "", "v1")):
        (root / name).mkdir(parents=True)
        text = BASE.replace("service: worker\n", f"service: {name}\n{after}").replace("worker:${IMAGE_TAG:-v1}", f"worker:{tag}")
        (root / name / "ecsship.yaml").write_text(text)
    return root


def created(aws, service: str):
    svc = aws.client("ecs").describe_services(cluster="shop", services=[service])["services"][0]
    return max(d["createdAt"] for d in svc["deployments"])


def test_three_services_plan_apply_deploy_in_order_and_a_failure_skips_its_dependant(sim, run_cli, aws, tmp_path):  # noqa: F811
    root = fleet(tmp_path)
    plan = run_cli("plan", "-f", str(root), "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert plan.stdout.count("+ ECS cluster shop") == 1, plan.stdout  # shared: planned once
    assert "shared, planned once: ECS cluster shop (with indexer)" in plan.stdout
    sections, summary = plan.stdout.split("\necsship plan: 3 services\n")
    assert all(line.split(" |")[0] in ("indexer", "jobs", "mailer") for line in sections.splitlines() if line)
    assert "jobs     7 to create" in summary
    events = [json.loads(line) for line in run_cli("plan", "-f", str(root), "-o", "json").stdout.splitlines()]
    assert {e["service"] for e in events if e.get("event") != "summary"} == {"indexer", "jobs", "mailer"}
    assert [s["service"] for s in events[-1]["services"]] == ["indexer", "jobs", "mailer"]

    applied = run_cli("apply", "-f", str(root), "--yes")
    assert applied.exit_code == 0, applied.output
    assert "ecsship apply: 3 services" in applied.stdout
    assert created(aws, "mailer") > created(aws, "jobs")  # after: [jobs]

    shipped = run_cli("deploy", "-f", str(root), "--image-tag", "v2")
    assert shipped.exit_code == 0, shipped.output
    summary = shipped.stdout.split("ecsship deploy: 3 services")[1]
    for name, revision in (("indexer", "shop-indexer:2"), ("jobs", "shop-jobs:2"), ("mailer", "shop-mailer:2")):
        assert any(line.split()[0] == name and "deployed" in line and revision in line for line in summary.splitlines()[2:]), summary
    assert created(aws, "mailer") > created(aws, "jobs")

    summary = tmp_path / "summary.md"  # GitHub's job summary (docs/ci.md): each deploy appends its outcome
    broken = run_cli("deploy", "-f", str(root), env={"JOBS_TAG": "broken", "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert broken.exit_code == 1, broken.output
    jobs = summary.read_text().split("### ecsship deploy: shop/jobs")[1].split("### ")[0]
    assert "`shop-jobs:2` → `shop-jobs:3`" in jobs and "❌ failed, rolled back" in jobs and "**Why it stopped:**" in jobs, jobs
    rows = {line.split()[0]: line for line in broken.stdout.split("ecsship deploy: 3 services")[1].splitlines()[2:]}
    assert "failed, rolled back" in rows["jobs"] and "skipped: comes after jobs" in rows["mailer"], rows
    assert "deployed" in rows["indexer"]  # independent of jobs: it went ahead
    assert aws.client("ecs").describe_services(cluster="shop", services=["mailer"])["services"][0]["taskDefinition"].endswith("shop-mailer:2")
