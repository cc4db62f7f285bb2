"""With 30 % of AWS calls faulted (throttling, 500/503, timeouts, dropped connections) and a fifth
of mutating calls' answers lost (AWS did the work, botocore resends), `apply` of every example
converges to the same state as a clean run, and a `deploy` still ends correctly. With every
mutating call's first answer lost, `apply` still converges: no create is resent blindly.

The figures (attempts, faults, lost answers) are printed with `-s`; docs/reliability.md quotes them.
"""
from __future__ import annotations

from pprint import pformat

import pytest

from ecsship.aws.faults import FaultInjector
from ecsship.desired.names import family_of, task_family

from tests.reliability.helpers import EXAMPLES, SERVICES, clean_snapshot, diff_snapshots, snapshot

pytestmark = pytest.mark.reliability

RATE, LOST, SEED = 0.3, 0.2, 7


def inject(monkeypatch, rate: float, lost: float) -> list[FaultInjector]:
    """Every Aws object the in-process CLI makes from now on gets its own seeded injector."""
    injectors: list[FaultInjector] = []

    def make():
        injector = FaultInjector(rate=rate, seed=SEED + len(injectors), lost_response_rate=lost)
        injectors.append(injector)
        return injector

    monkeypatch.setattr(FaultInjector, "from_environment", classmethod(lambda cls: make()))
    return injectors


def totals(injectors) -> tuple[int, int, int]:
    attempts = sum(i.calls for i in injectors)
    faults = sum(v for i in injectors for k, v in i.injected.items() if k != "lost")
    lost = sum(i.injected.get("lost", 0) for i in injectors)
    return attempts, faults, lost


@pytest.mark.parametrize("name", ["worker", "web", "bluegreen"])
def test_apply_under_faults_converges_to_the_clean_state(name, aws, run_cli, monkeypatch):
    expected = clean_snapshot(aws, run_cli, name)
    injectors = inject(monkeypatch, RATE, LOST)
    result = run_cli("apply", "--no-wait", "-f", EXAMPLES[name], "--yes")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    attempts, faults, lost = totals(injectors)
    assert faults >= 0.2 * attempts, (attempts, faults, lost)
    difference = diff_snapshots(expected, snapshot(aws))
    assert difference == {}, pformat(difference)
    print(f"\nfaults apply {name}: attempts={attempts} faults={faults} lost={lost}")


# bluegreen has every kind of create the other examples have, plus target groups, a listener rule
# and CodeDeploy; one example keeps the suite fast.
@pytest.mark.parametrize("name", ["bluegreen"])
def test_apply_with_every_mutating_answer_lost_converges(name, aws, run_cli, monkeypatch):
    """The hardest case for creates: each mutating call's first answer is lost and resent."""
    expected = clean_snapshot(aws, run_cli, name)
    injectors = inject(monkeypatch, 0.0, 1.0)
    result = run_cli("apply", "--no-wait", "-f", EXAMPLES[name], "--yes")
    assert result.exit_code == 0, result.output
    attempts, _, lost = totals(injectors)
    assert lost >= 15
    difference = diff_snapshots(expected, snapshot(aws))
    assert difference == {}, pformat(difference)
    print(f"\nlost answers apply {name}: attempts={attempts} lost={lost}")


# A rolling (ECS) deploy and a CodeDeploy canary; worker's rolling deploy is the same path as web's.
@pytest.mark.parametrize("name", ["web", "bluegreen"])
def test_deploy_under_faults_ends_correctly(name, aws, run_cli, monkeypatch):
    applied = run_cli("apply", "-f", EXAMPLES[name], "--yes")
    assert applied.exit_code == 0, applied.output
    injectors = inject(monkeypatch, RATE, LOST)
    deployed = run_cli("deploy", "-f", EXAMPLES[name], "--image-tag", "v2")
    assert deployed.exit_code == 0, deployed.output
    ecs = aws.client("ecs")
    service = ecs.describe_services(cluster="shop", services=[SERVICES[name]])["services"][0]
    image = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]["containerDefinitions"][0]["image"]
    assert image.endswith(":v2"), image
    tasks = ecs.list_tasks(cluster="shop", serviceName=SERVICES[name], desiredStatus="RUNNING")["taskArns"]
    running = ecs.describe_tasks(cluster="shop", tasks=tasks)["tasks"] if tasks else []
    assert running and all(t["taskDefinitionArn"] == service["taskDefinition"] for t in running)
    # exactly two revisions (v1, v2): no duplicate from a resent register
    family = task_family("shop", SERVICES[name])  # families are per cluster since issue 13
    revisions = ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
    assert len([r for r in revisions if family_of(r) == family]) == 2, revisions
    attempts, faults, lost = totals(injectors)
    assert faults >= 0.2 * attempts
    print(f"\nfaults deploy {name}: attempts={attempts} faults={faults} lost={lost}")


def test_destroy_with_every_mutating_answer_lost_removes_everything(aws, run_cli, monkeypatch):
    """Deletes resent after a lost answer find the thing gone: that is success, not an error."""
    from tests.reliability.helpers import destroyed_snapshot

    gone = destroyed_snapshot(aws, run_cli, "bluegreen")
    assert run_cli("apply", "--no-wait", "-f", EXAMPLES["bluegreen"], "--yes").exit_code == 0
    injectors = inject(monkeypatch, 0.0, 1.0)
    result = run_cli("destroy", "-f", EXAMPLES["bluegreen"], "--yes")
    assert result.exit_code == 0, result.output
    attempts, _, lost = totals(injectors)
    assert lost >= 10
    difference = diff_snapshots(gone, snapshot(aws))
    assert difference == {}, pformat(difference)
    print(f"\nlost answers destroy bluegreen: attempts={attempts} lost={lost}")
