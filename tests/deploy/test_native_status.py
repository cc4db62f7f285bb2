"""Issue 13 item 7: `status` of an ECS-native blue/green service names the live target group (after a
swap it is the service's `alternateTargetGroupArn`) with its production weight, the rollout phase and
a pending approval; deploy headers and the outcome name the same old revision (the one running tasks).

ELBv2 DescribeRules gives the production rule's ForwardConfig.TargetGroups[].Weight; ECS
LoadBalancer.advancedConfiguration names the pair (targetGroupArn, alternateTargetGroupArn).
"""
from __future__ import annotations

import json

from tests.deploy.test_e2e import WEB, manifest_with_deploy, sim  # noqa: F401 (fixture)

NATIVE = "  strategy: canary\n  controller: ecs\n  canary: {percent: 10, interval: 5m}\n  test_listener_port: 8443\n  bake_time: 2m\n  timeout: 30m\n"


def test_status_follows_the_live_group_after_a_swap_and_shows_approval(sim, run_cli, aws, tmp_path):
    manifest = manifest_with_deploy(tmp_path, WEB, NATIVE)
    assert run_cli("apply", "-f", manifest, "--yes").exit_code == 0
    deployed = run_cli("deploy", "-f", manifest, "--image-tag", "v2", "--output", "json")
    assert deployed.exit_code == 0, deployed.output
    objects = [json.loads(line) for line in deployed.stdout.splitlines()]
    started = next(o for o in objects if o["event"] == "started")
    assert started["old"] == objects[-1]["old_revision"] == "shop-checkout-api:1"

    status = run_cli("status", "-f", manifest)
    assert status.exit_code == 0, status.output
    lines = [line for line in status.stdout.splitlines() if line.startswith("target group")]
    live = [line for line in lines if "(live, 100% of production traffic)" in line]
    assert len(live) == 1 and "healthy" in live[0] and "no targets" not in live[0], status.stdout
    assert any("(idle)" in line for line in lines)
    data = json.loads(run_cli("status", "-f", manifest, "--output", "json").stdout)
    assert sorted(data["traffic"].values()) == [0.0, 100.0] and data["rollout"] is None

    manifest = manifest_with_deploy(tmp_path, WEB, NATIVE + "  approval: manual\n")
    assert run_cli("apply", "-f", manifest, "--yes", "--var", "IMAGE_TAG=v2").exit_code == 0
    waiting = run_cli("deploy", "-f", manifest, "--image-tag", "v3", "--output", "json")
    assert waiting.exit_code == 3, waiting.output
    assert json.loads(waiting.stdout.splitlines()[-1])["status"] == "waiting_approval"
    paused = run_cli("status", "-f", manifest)
    assert "waiting for approval" in paused.stdout and "phase " in paused.stdout, paused.stdout
    assert "shop-checkout-api:2 → shop-checkout-api:3" in paused.stdout
