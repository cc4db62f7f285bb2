"""The local AWS's model of a multi-container task's start (simulator/container_start.py), after the
botocore ecs model: ContainerDefinition.essential (an essential container's failure stops the task, a
non-essential one's "doesn't affect the rest") and ContainerDependency.condition (SUCCESS waits for the
dependency to exit with a zero status)."""
from __future__ import annotations

from ecsship.local.simulator.container_start import plan_start


def broken(image: str) -> bool:
    return image.endswith(":broken")


def c(name, image="repo/x:v1", essential=True, **depends):
    return {"name": name, "image": image, "essential": essential,
            "dependsOn": [{"containerName": k, "condition": v} for k, v in depends.items()]}


def test_an_init_container_exiting_zero_lets_its_success_dependant_start():
    plan = plan_start([c("app", **{"init": "SUCCESS"}), c("init", essential=False)], broken)
    assert (plan.fails, plan.exits, plan.blocked) == (False, {"init": 0}, [])


def test_a_broken_init_container_blocks_its_essential_dependant_and_fails_the_task():
    plan = plan_start([c("app", **{"init": "SUCCESS"}), c("init", "repo/x:broken", essential=False)], broken)
    assert (plan.fails, plan.failed, plan.exits, plan.blocked) == (True, "init", {"init": 1}, ["app"])


def test_a_broken_non_essential_container_nobody_waits_for_does_not_fail_the_task():
    plan = plan_start([c("app"), c("daemon", "repo/d:broken", essential=False)], broken)
    assert (plan.fails, plan.exits) == (False, {"daemon": 1})


def test_a_broken_essential_sidecar_fails_the_task():
    plan = plan_start([c("app"), c("envoy", "repo/envoy:broken", **{"app": "HEALTHY"})], broken)
    assert (plan.fails, plan.failed) == (True, "envoy")


def test_complete_accepts_a_non_zero_exit():
    plan = plan_start([c("app", **{"init": "COMPLETE"}), c("init", "repo/x:broken", essential=False)], broken)
    assert (plan.fails, plan.blocked) == (False, [])
