"""deploy, rollback, status, history end to end: the CLI against the local backend's rollout simulator.

Simulated time: every sleep of the watcher advances the backend's clock (`aws.advance`), so a
rollout that takes minutes on AWS takes well under a second here.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ecsship.deploy.lastgood import DEPLOYED_AT

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WORKER = str(EXAMPLES / "worker" / "ecsship.yaml")
WEB = str(EXAMPLES / "web" / "ecsship.yaml")


@pytest.fixture
def sim(simulated_watch_time, monkeypatch):
    """The simulated clock `run_cli` hands to each run (tests/conftest.py); a test may swap its on_sleep."""
    monkeypatch.delenv("CI", raising=False)
    return simulated_watch_time


def applied(run_cli, aws, manifest, service, cluster="shop"):
    result = run_cli("apply", "-f", manifest, "--yes")
    assert result.exit_code == 0, result.output
    ecs = aws.client("ecs")
    for _ in range(60):  # the first rollout, if apply did not already wait for it
        svc = ecs.describe_services(cluster=cluster, services=[service])["services"][0]
        if all(d.get("rolloutState") == "COMPLETED" for d in svc["deployments"]) and len(svc["deployments"]) == 1:
            return svc
        aws.advance(15)
    raise AssertionError(f"the first rollout of {service} never completed: {svc['deployments']}")


def service_of(aws, service, cluster="shop"):
    return aws.client("ecs").describe_services(cluster=cluster, services=[service])["services"][0]


def td_tags(aws, arn):
    return {t["key"]: t["value"] for t in aws.client("ecs").describe_task_definition(taskDefinition=arn, include=["TAGS"]).get("tags", [])}


def test_rolling_success_then_broken_image_rolls_back(sim, run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    ok = run_cli("deploy", "-f", WORKER, "--image-tag", "v2")
    assert ok.exit_code == 0, ok.output
    assert "deployed shop-worker:2" in ok.stdout
    svc = service_of(aws, "worker")
    assert svc["taskDefinition"].endswith("shop-worker:2")
    assert DEPLOYED_AT in td_tags(aws, svc["taskDefinition"])
    image = aws.client("ecs").describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]["containerDefinitions"][0]["image"]
    assert image.endswith("/worker:v2")

    bad = run_cli("deploy", "-f", WORKER, "--image-tag", "broken")
    assert bad.exit_code == 1, bad.output
    assert "rolled back" in bad.stdout and "shop-worker:2 serves" in bad.stdout
    assert service_of(aws, "worker")["taskDefinition"].endswith("shop-worker:2")
    assert DEPLOYED_AT not in td_tags(aws, svc["taskDefinition"].replace("shop-worker:2", "shop-worker:3"))


def test_rollback_twice_goes_back_two_good_revisions(sim, run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    for tag, code in (("v2", 0), ("v3", 0), ("broken", 1), ("v1", 0)):
        result = run_cli("deploy", "-f", WORKER, "--image-tag", tag)
        assert result.exit_code == code, (tag, result.output)
    assert service_of(aws, "worker")["taskDefinition"].endswith("shop-worker:5")
    first = run_cli("rollback", "-f", WORKER)
    assert first.exit_code == 0, first.output
    assert service_of(aws, "worker")["taskDefinition"].endswith("shop-worker:3")
    second = run_cli("rollback", "-f", WORKER)
    assert second.exit_code == 0, second.output
    assert service_of(aws, "worker")["taskDefinition"].endswith("shop-worker:2")


def test_rollback_alarm_going_off_mid_rollout_rolls_back(sim, run_cli, aws, secret_values):
    svc = applied(run_cli, aws, WEB, "checkout-api")
    alarm = svc["deploymentConfiguration"]["alarms"]["alarmNames"][0]
    fired = []

    def on_sleep(seconds):
        aws.advance(seconds)
        if not fired:  # the rollout has started: the alarm goes off
            aws.set_alarm(alarm, "ALARM")
            fired.append(sim.t)

    sim._on_sleep = on_sleep
    result = run_cli("deploy", "-f", WEB, "--image-tag", "v2")
    assert fired
    assert result.exit_code == 1, result.output
    assert f"alarm {alarm}: ALARM" in result.stdout
    assert "rolled back" in result.stdout and "shop-checkout-api:1 serves" in result.stdout
    assert alarm in result.stdout.splitlines()[-1]  # the closing line says why
    assert service_of(aws, "checkout-api")["taskDefinition"].endswith("shop-checkout-api:1")
    outputs = [result.output] + [run_cli(*args, "-f", WEB).output for args in (("status",), ("--output", "json", "status"), ("history",))]
    for value in secret_values:
        assert not any(value in text for text in outputs)


def test_ctrl_c_leaves_the_rollout_running_then_rollback_stops_it(sim, run_cli, aws, monkeypatch):
    applied(run_cli, aws, WORKER, "worker")
    sleeps = []

    def on_sleep(seconds):
        aws.advance(seconds)
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    sim._on_sleep = on_sleep
    result = run_cli("deploy", "-f", WORKER, "--image-tag", "v2")
    assert result.exit_code == 130, result.output
    assert "still running" in result.stdout and "ecsship rollback" in result.stdout
    svc = service_of(aws, "worker")
    assert [d["rolloutState"] for d in svc["deployments"] if d["status"] == "PRIMARY"] == ["IN_PROGRESS"]

    sim._on_sleep = aws.advance
    sent = _record_sends(monkeypatch)
    status = run_cli("status", "-f", WORKER)
    assert status.exit_code == 0 and "in_progress" in status.stdout
    # One DescribeServices (issue #20 item 1): the rollout part's read of the service is status's own,
    # waited for in flight under the run's read cache rather than sent again.
    assert sent.count("ecs.DescribeServices") == 1, sent
    back = run_cli("rollback", "-f", WORKER)
    assert back.exit_code == 0, back.output
    assert "stopping deployment" in back.stdout and "shop-worker:1 serves" in back.stdout
    assert service_of(aws, "worker")["taskDefinition"].endswith("shop-worker:1")


def test_infrastructure_changes_are_refused_unless_with_infra(sim, run_cli, aws, tmp_path):
    applied(run_cli, aws, WORKER, "worker")
    manifest = tmp_path / "ecsship.yaml"
    text = open(WORKER).read()
    manifest.write_text(text.replace("retention_days: 14", "retention_days: 30").replace("CONCURRENCY: 8", "CONCURRENCY: 16"))
    refused = run_cli("deploy", "-f", manifest, "--image-tag", "v2")
    assert refused.exit_code == 1
    assert "infrastructure changes" in refused.stderr and "log group" in refused.stderr and "--with-infra" in refused.stderr
    assert service_of(aws, "worker")["taskDefinition"].endswith("shop-worker:1")

    done = run_cli("deploy", "-f", manifest, "--image-tag", "v2", "--with-infra")
    assert done.exit_code == 0, done.output
    logs = aws.client("logs").describe_log_groups(logGroupNamePrefix="/ecs/shop/worker")["logGroups"]
    assert logs[0]["retentionInDays"] == 30
    td = aws.client("ecs").describe_task_definition(taskDefinition=service_of(aws, "worker")["taskDefinition"])["taskDefinition"]
    env = {e["name"]: e["value"] for e in td["containerDefinitions"][0]["environment"]}
    assert env["CONCURRENCY"] == "16"  # the manifest's task definition changes ship with the deploy
    assert td["containerDefinitions"][0]["image"].endswith("worker:v2")


BLUEGREEN = str(EXAMPLES / "bluegreen" / "ecsship.yaml")
# The example's canary waits 5 minutes and keeps the old task set 5 more: the same shape, shorter,
# keeps these tests quick (fewer polls) without changing what they check.
FAST_CANARY = ("  strategy: canary\n  controller: codedeploy\n  canary: {percent: 10, interval: 1m}\n"
               "  test_listener_port: 8443\n  termination_wait: 1m\n  rollback_alarms: [auto]\n  timeout: 30m\n")


def test_codedeploy_canary_success_then_failure_with_automatic_rollback(sim, run_cli, aws, tmp_path):
    manifest = manifest_with_deploy(tmp_path, BLUEGREEN, FAST_CANARY)
    assert run_cli("apply", "-f", manifest, "--yes").exit_code == 0
    ok = run_cli("deploy", "-f", manifest, "--image-tag", "v2")
    assert ok.exit_code == 0, ok.output
    traffic = [line.split("] ", 1)[1] for line in ok.stdout.splitlines() if "production traffic:" in line]
    assert "production traffic: shop-checkout-api-bg:2 10%, shop-checkout-api-bg:1 90%" in traffic
    assert traffic[-1].startswith("production traffic: shop-checkout-api-bg:2 100%")
    assert "deployed shop-checkout-api-bg:2" in ok.stdout
    assert "alarm shop-checkout-api-bg-5xx: " in ok.stdout  # the deployment group's rollback alarms are watched
    cd = aws.client("codedeploy")
    # Text names the deployment by a short id (names.short_deployment); AWS's list has the whole one.
    deployment_id, = cd.list_deployments(applicationName="shop-checkout-api-bg", deploymentGroupName="shop-checkout-api-bg")["deployments"]
    # CodeDeploy's ids are `d-` and 9 letters or digits (AWS CLI reference: `get-deployment --deployment-id d-USUAELQEX`)
    assert re.fullmatch(r"d-[A-Z0-9]{9}", deployment_id), deployment_id
    assert f"(deployment {deployment_id[:10]})" in ok.stdout
    assert cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == "Succeeded"

    bad = run_cli("deploy", "-f", manifest, "--image-tag", "broken")
    assert bad.exit_code == 1, bad.output
    assert "rolled back, shop-checkout-api-bg:2 serves" in bad.stdout
    assert "Task failed ELB health checks" in bad.stdout
    primary = [t for t in service_of(aws, "checkout-api-bg")["taskSets"] if t["status"] == "PRIMARY"]
    assert primary[0]["taskDefinition"].endswith("shop-checkout-api-bg:2")


def manifest_with_deploy(tmp_path, base: str, deploy: str):
    import re

    from ecsship.manifest.semantic import SHIFTING

    text = re.sub(r"deploy:\n(  .*\n)+", "deploy:\n" + deploy, open(base).read())
    if re.search(r"^  strategy: (%s)\b" % "|".join(SHIFTING), deploy, re.M):
        # ALBRequestCountPerTarget tracks one target group (its ResourceLabel), and a traffic-shifting
        # strategy moves production between two: validate refuses it (issue #12 item 13), so the
        # manifest scales on cpu and memory only.
        text = "".join(line for line in text.splitlines(keepends=True) if "requests_per_target" not in line)
    path = tmp_path / "ecsship.yaml"
    path.write_text(text)
    return path


def test_codedeploy_rollback_returns_to_the_previous_good_revision_and_status_shows_it(sim, run_cli, aws, tmp_path):
    manifest = manifest_with_deploy(tmp_path, BLUEGREEN, FAST_CANARY)
    assert run_cli("apply", "-f", manifest, "--yes").exit_code == 0
    for tag in ("v2", "v3"):
        result = run_cli("deploy", "-f", manifest, "--image-tag", tag)
        assert result.exit_code == 0, result.output
    back = run_cli("rollback", "-f", manifest)
    assert back.exit_code == 0, back.output
    assert "rolling back from shop-checkout-api-bg:3 to shop-checkout-api-bg:2" in back.stdout
    primary = [t for t in service_of(aws, "checkout-api-bg")["taskSets"] if t["status"] == "PRIMARY"]
    assert primary[0]["taskDefinition"].endswith("shop-checkout-api-bg:2")
    history = run_cli("--output", "json", "history", "-f", manifest)
    rows = json.loads(history.stdout)["deployments"]
    assert [r["revision"] for r in rows[:3]] == ["shop-checkout-api-bg:2", "shop-checkout-api-bg:3", "shop-checkout-api-bg:2"]
    assert all(r["outcome"] == "succeeded" for r in rows[:3])

    status = run_cli("--output", "json", "status", "-f", manifest)
    assert status.exit_code == 0, status.output
    data = json.loads(status.stdout)
    assert data["controller"] == "CODE_DEPLOY"
    assert [(t["status"], t["revision"]) for t in data["task_sets"]] == [("PRIMARY", "shop-checkout-api-bg:2")]
    assert "shop-checkout-api-bg-5xx" in {a["name"] for a in data["alarms"]}
    text = run_cli("status", "-f", manifest)
    assert "task sets:" in text.stdout and "alarms: " in text.stdout


def test_ecs_native_linear_timeout_stops_with_rollback(sim, run_cli, aws, tmp_path):
    import re

    manifest = manifest_with_deploy(tmp_path, WEB, "  strategy: linear\n  controller: ecs\n  linear: {percent: 25, interval: 1m}\n"
                                    "  test_listener_port: 8443\n  bake_time: 1m\n  timeout: 30m\n")
    assert run_cli("apply", "-f", manifest, "--yes").exit_code == 0
    result = run_cli("deploy", "-f", manifest, "--image-tag", "v2", "--timeout", "90s")
    assert result.exit_code == 1, result.output
    assert "production traffic: shop-checkout-api:2 25%, shop-checkout-api:1 75%" in result.stdout
    for new, old in re.findall(r"production traffic: \S+ ([\d.]+)%, \S+ ([\d.]+)%", result.stdout):
        assert float(new) + float(old) == 100
    # The rollback watch carries on, it does not start over: one header line (short deployment id, no ARN).
    assert len(re.findall(r"\] deployment \S+: shop-checkout-api:1 → shop-checkout-api:2", result.stdout)) == 1
    assert "arn:" not in result.stdout
    assert "rolled back" in result.stdout and "shop-checkout-api:1 serves" in result.stdout
    # No step countdown once the rollback is requested: ServiceDeploymentStatus is no longer IN_PROGRESS.
    assert "linear step" not in result.stdout.split("✖ rolling back", 1)[1]
    assert service_of(aws, "checkout-api")["taskDefinition"].endswith("shop-checkout-api:1")



def test_deploy_refuses_when_the_service_must_be_replaced(sim, run_cli, aws, tmp_path):
    applied(run_cli, aws, WEB, "checkout-api")
    manifest = manifest_with_deploy(tmp_path, WEB, "  strategy: canary\n  controller: codedeploy\n  canary: {percent: 10, interval: 5m}\n"
                                    "  test_listener_port: 8443\n")
    result = run_cli("deploy", "-f", manifest, "--image-tag", "v2")
    assert result.exit_code == 1, result.output
    assert "must be replaced" in result.stderr and "--allow-replace" in result.stderr
    assert "Traceback" not in result.output
    assert service_of(aws, "checkout-api")["taskDefinition"].endswith("shop-checkout-api:1")


def test_timeouts_roll_back_unless_no_rollback(sim, run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    left = run_cli("deploy", "-f", WORKER, "--image-tag", "v2", "--timeout", "3s", "--no-rollback")
    assert left.exit_code == 1, left.output
    assert "timed out" in left.stdout and "left running" in left.stdout
    primary = [d for d in service_of(aws, "worker")["deployments"] if d["status"] == "PRIMARY"][0]
    assert primary["taskDefinition"].endswith("shop-worker:2") and primary["rolloutState"] == "IN_PROGRESS"
    aws.advance(600)  # it completes on its own

    rolled = run_cli("deploy", "-f", WORKER, "--image-tag", "v3", "--timeout", "3s")
    assert rolled.exit_code == 1, rolled.output
    assert "timed out" in rolled.stdout and "shop-worker:2 serves" in rolled.stdout
    assert service_of(aws, "worker")["taskDefinition"].endswith("shop-worker:2")


def _record_sends(monkeypatch) -> list[str]:
    """"service.Operation" of every request as it leaves botocore, in the order they are sent."""
    import botocore.endpoint

    sent: list[str] = []
    make_request = botocore.endpoint.Endpoint.make_request

    def recording(self, operation_model, request_dict):
        sent.append(f"{operation_model.service_model.endpoint_prefix}.{operation_model.name}")
        return make_request(self, operation_model, request_dict)

    monkeypatch.setattr(botocore.endpoint.Endpoint, "make_request", recording)
    return sent


def test_concurrent_deploy_refused_and_status_watch_follows_the_running_one(sim, run_cli, aws, monkeypatch):
    applied(run_cli, aws, WORKER, "worker")
    sent = _record_sends(monkeypatch)
    started = run_cli("--debug", "deploy", "-f", WORKER, "--image-tag", "v2", "--no-wait")
    assert started.exit_code == 0 and "deployment started" in started.stdout
    # The chain of `deploy --no-wait` under latency (issue #20 item 1): the lock first (nothing is read
    # before it is held); the in-progress guard's read and the family's newest revision (botocore ecs
    # RegisterTaskDefinition is needed only when it differs) beside the plan's reads, not after them;
    # then the registration beside the service's shipped-image tag (neither needs the other's answer),
    # UpdateService, the lock's release.
    assert sent[0] == "ssm.PutParameter", sent
    assert sent.index("ecs.ListServiceDeployments") < sent.index("ecs.DescribeServices"), sent
    assert sent.index("ecs.DescribeTaskDefinition") < sent.index("ecs.DescribeServices"), sent
    assert sorted(sent[-4:-2]) == ["ecs.RegisterTaskDefinition", "ecs.TagResource"], sent
    assert sent[-2:] == ["ecs.UpdateService", "ssm.DeleteParameter"], sent
    # deploy --no-wait: 33 calls -> 25 (issue #20). The pre-rollout checks read each thing once (the
    # run's read cache around the image check, the drift plan and the revision: ECR DescribeImages,
    # DescribeServices include=TAGS, the serving DescribeTaskDefinition); the in-progress guard and
    # UpdateService start from the service the plan read under the lock; the lock is deleted without
    # reading it back.
    calls = re.search(r"AWS calls: (\d+) \(\d+ reads, \d+ writes\): (.*)", started.stderr)
    assert calls is not None, started.stderr
    assert int(calls.group(1)) <= 25, calls.group(0)
    repeated = {op: n for op, n in re.findall(r"([\w-]+\.\w+) x(\d+)", calls.group(2))}
    # the serving revision and the family's latest; iam: two roles (each read once)
    assert {op: n for op, n in repeated.items() if not op.startswith("iam.")} == {"ecs.DescribeTaskDefinition": "2"}, calls.group(0)
    assert "ssm.GetParameter" not in calls.group(2)
    refused = run_cli("deploy", "-f", WORKER, "--image-tag", "v3")
    assert refused.exit_code == 1
    assert "in progress" in refused.stderr and "--force" in refused.stderr
    assert service_of(aws, "worker")["taskDefinition"].endswith("shop-worker:2")

    sleeps = []

    def on_sleep(seconds):
        aws.advance(seconds)
        sleeps.append(seconds)
        if len(sleeps) == 20:
            raise KeyboardInterrupt

    sim._on_sleep = on_sleep
    watched = run_cli("--output", "json", "status", "-f", WORKER, "--watch")
    assert watched.exit_code == 130
    frames = [json.loads(line) for line in watched.stdout.splitlines()]
    assert len(frames) == 20  # one JSON object per refresh
    assert frames[0]["deployments"][0]["rollout_state"] == "IN_PROGRESS"
    assert frames[-1]["deployments"][0]["rollout_state"] == "COMPLETED" and frames[-1]["revision"] == "shop-worker:2"


def test_json_lines_then_status_and_history_also_through_the_real_console_script(sim, run_cli, run_ecsship, aws):
    applied(run_cli, aws, WORKER, "worker")
    result = run_cli("--output", "json", "deploy", "-f", WORKER, "--image-tag", "v2")
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[-1]["event"] == "outcome" and events[-1]["status"] == "succeeded"
    assert any(e["event"] == "tasks" and e["role"] == "new" for e in events)
    status = run_ecsship("--output", "json", "status", "-f", WORKER)
    assert status.exit_code == 0, status.output
    data = json.loads(status.stdout)
    assert data["revision"] == "shop-worker:2" and data["deployments"][0]["rollout_state"] == "COMPLETED"
    assert data["scaling"]["min"] == 1
    text = run_cli("history", "-f", WORKER)
    assert text.exit_code == 0, text.output
    assert "shop-worker:2" in text.stdout and "succeeded" in text.stdout
    assert "Traceback" not in result.output + status.output + text.output


def test_ecs_native_canary_traffic_steps_then_a_pause_hook_and_promote(sim, run_cli, aws, tmp_path):
    manifest = manifest_with_deploy(tmp_path, WEB, "  strategy: canary\n  controller: ecs\n  canary: {percent: 10, interval: 5m}\n"
                                    "  test_listener_port: 8443\n  bake_time: 2m\n  timeout: 30m\n")
    assert run_cli("apply", "-f", manifest, "--yes").exit_code == 0
    assert service_of(aws, "checkout-api")["deploymentConfiguration"]["strategy"] == "CANARY"
    result = run_cli("deploy", "-f", manifest, "--image-tag", "v2")
    assert result.exit_code == 0, result.output
    lines = [line.split("] ", 1)[1] for line in result.stdout.splitlines() if line.startswith("[")]
    steps = [line for line in lines if line.startswith("production traffic:")]
    assert steps == ["production traffic: shop-checkout-api:2 0%, shop-checkout-api:1 100%",
                     "production traffic: shop-checkout-api:2 10%, shop-checkout-api:1 90%",
                     "production traffic: shop-checkout-api:2 100%, shop-checkout-api:1 0%"]
    assert "canary bake: 5m left" in lines and "phase: BAKE_TIME" in lines
    assert "deployed shop-checkout-api:2" in result.stdout
    assert service_of(aws, "checkout-api")["taskDefinition"].endswith("shop-checkout-api:2")

    # `approval: manual` on an ECS-native strategy: apply configures a PAUSE lifecycle hook before
    # production traffic shifts; the watch stops there and promote continues it.
    manifest = manifest_with_deploy(tmp_path, WEB, "  strategy: canary\n  controller: ecs\n  canary: {percent: 10, interval: 5m}\n"
                                    "  test_listener_port: 8443\n  bake_time: 2m\n  timeout: 30m\n  approval: manual\n")
    # (IMAGE_TAG keeps the image deploy shipped: the manifest is the truth, and v1 would be a rollback)
    applied_hook = run_cli("apply", "-f", manifest, "--yes", "--var", "IMAGE_TAG=v2")
    assert applied_hook.exit_code == 0, applied_hook.output
    assert "Plan: 0 to create, 1 to update, 0 to replace, 0 to delete." in applied_hook.stdout  # the service only
    assert "lifecycleHooks" in applied_hook.stdout
    hooks = service_of(aws, "checkout-api")["deploymentConfiguration"]["lifecycleHooks"]
    assert hooks == [{"targetType": "PAUSE", "lifecycleStages": ["PRE_PRODUCTION_TRAFFIC_SHIFT"]}]
    assert run_cli("plan", "-f", manifest, "--detailed-exitcode", "--var", "IMAGE_TAG=v2").exit_code == 0
    waiting = run_cli("deploy", "-f", manifest, "--image-tag", "v3")
    assert waiting.exit_code == 3, waiting.output
    assert "waiting for approval" in waiting.stdout
    assert "shop-checkout-api:3 10%" not in waiting.stdout
    promoted = run_cli("promote", "-f", manifest)
    assert promoted.exit_code == 0, promoted.output
    assert "production traffic: shop-checkout-api:3 10%, shop-checkout-api:2 90%" in promoted.stdout
    # Issue #12 item 11. botocore ecs DeploymentLifecycleHook.lifecycleStages: PRE_PRODUCTION_TRAFFIC_SHIFT
    # "For linear and canary deployments, this stage is invoked before every traffic shift step":
    # the canary pauses again before its second step, and promote (which approved the deployment)
    # continues it instead of timing out and rolling back what the operator approved.
    assert "paused again before the next traffic step: continuing (approved)" in promoted.stdout
    assert "rolling back" not in promoted.stdout
    assert "deployed shop-checkout-api:3" in promoted.stdout
    assert service_of(aws, "checkout-api")["taskDefinition"].endswith("shop-checkout-api:3")
    # Issue #13 item 9: ECS-native blue/green text (deploy, apply, approval, promote) fits 100 columns, no ARN.
    # A manifest problem starts with the manifest's path, as long as pytest's tmp directory makes it: measured
    # as the user's own relative path (the xray deprecation warning names file:line:col).
    outputs = (r.stdout + r.stderr for r in (result, applied_hook, waiting, promoted))
    lines = [line.replace(str(manifest), "ecsship.yaml") for out in outputs for line in out.splitlines()]
    assert not [line for line in lines if len(line) > 100 or "arn:aws:" in line]


def test_codedeploy_manual_approval_rollback_abandons_then_continue_ships(sim, run_cli, aws, tmp_path):
    manifest = manifest_with_deploy(tmp_path, BLUEGREEN, FAST_CANARY + "  approval: manual\n")
    assert run_cli("apply", "-f", manifest, "--yes").exit_code == 0
    cd = aws.client("codedeploy")

    waiting = waiting_text = run_cli("deploy", "-f", manifest, "--image-tag", "v2")
    assert waiting.exit_code == 3 and "waiting for approval" in waiting.stdout and "ecsship promote" in waiting.stdout
    # Issue #13: status says where each listener sends traffic. CodeDeploy's AllowTestTraffic has pointed the test
    # listener at the replacement; production still goes to the original (CodeDeploy guide, "What happens during
    # an Amazon ECS deployment"); read from the listeners' rules (ELBv2 DescribeRules ForwardConfig weights).
    status = run_cli("--output", "json", "status", "-f", manifest)
    blue, green = "shop-checkout-api-bg-blue", "shop-checkout-api-bg-green"
    assert json.loads(status.stdout)["listeners"] == {"production": {blue: 100.0, green: 0.0}, "test": {blue: 0.0, green: 100.0}}
    text = run_cli("status", "-f", manifest)
    assert f"listeners: production {blue} 100%; test {green} 100%" in text.stdout.splitlines()
    assert f"target group {green} (idle): 2 healthy" in text.stdout  # the replacement's group, from its task set
    abandoned = run_cli("rollback", "-f", manifest)
    assert abandoned.exit_code == 0, abandoned.output
    assert "stopping deployment" in abandoned.stdout and "shop-checkout-api-bg:1 serves" in abandoned.stdout
    sets = service_of(aws, "checkout-api-bg")["taskSets"]
    assert [t["taskDefinition"].rsplit("/", 1)[1] for t in sets if t["status"] == "PRIMARY"] == ["shop-checkout-api-bg:1"]
    assert run_cli("promote", "-f", manifest).exit_code == 1  # nothing is waiting any more

    waiting = run_cli("--output", "json", "deploy", "-f", manifest, "--image-tag", "v3")
    assert waiting.exit_code == 3, waiting.output
    events = [json.loads(line) for line in waiting.stdout.splitlines()]
    assert not [e for e in events if e["event"] == "traffic" and e["traffic"].get("shop-checkout-api-bg:3")]  # nothing shifted yet
    assert events[-1]["event"] == "outcome" and events[-1]["status"] == "waiting_approval"
    deployment_id = events[-1]["deployment_id"]  # the whole id: text shows a short one
    assert cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == "Ready"
    promoted = run_cli("deploy", "-f", manifest, "--continue")
    assert promoted.exit_code == 0, promoted.output
    assert "production traffic: shop-checkout-api-bg:3 10%, shop-checkout-api-bg:1 90%" in promoted.stdout
    assert "deployed shop-checkout-api-bg:3" in promoted.stdout
    assert "has started 2 tasks" not in promoted.stdout  # events told before promote are not repeated
    assert cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == "Succeeded"
    # Issue #13 item 9: the blue/green journey's text (deploy to approval, status, rollback, promote) fits
    # 100 columns and names no full ARN (JSON keeps them).
    lines = [line for r in (waiting_text, text, abandoned, promoted) for line in (r.stdout + r.stderr).splitlines()]
    assert not [line for line in lines if len(line) > 100 or "arn:aws:" in line]


def test_apply_of_a_new_image_on_a_codedeploy_service_ships_it_through_codedeploy(sim, run_cli, aws, tmp_path):
    manifest = manifest_with_deploy(tmp_path, BLUEGREEN, FAST_CANARY)
    assert run_cli("apply", "-f", manifest, "--yes").exit_code == 0
    result = run_cli("apply", "-f", manifest, "--yes", "--var", "IMAGE_TAG=v2")
    assert result.exit_code == 0, result.output
    assert "deployed shop-checkout-api-bg:2" in result.stdout
    deployments = aws.client("codedeploy").list_deployments(applicationName="shop-checkout-api-bg", deploymentGroupName="shop-checkout-api-bg")["deployments"]
    assert len(deployments) == 1
    assert service_of(aws, "checkout-api-bg")["taskDefinition"].endswith("shop-checkout-api-bg:2")
    assert run_cli("plan", "-f", manifest, "--detailed-exitcode", "--var", "IMAGE_TAG=v2").exit_code == 0


def test_apply_after_a_codedeploy_deployment_is_a_noop_and_ships_network_changes_through_codedeploy(sim, run_cli, aws, tmp_path):
    """Issue #12 item 1. After a CodeDeploy blue/green deployment DescribeServices names the other
    target group of the pair (ecspresso#936, terraform-provider-aws#13192); botocore ecs UpdateService:
    "For services using the blue/green (CODE_DEPLOY) deployment controller, only the desired count,
    deployment configuration, health check grace period, task placement constraints and strategies,
    enable ECS managed tags option, and propagate tags can be updated using this API. If the network
    configuration, platform version, task definition, or load balancer need to be updated, create a
    new CodeDeploy deployment." So: no drift after the swap, and a network change is a deployment."""
    manifest = manifest_with_deploy(tmp_path, BLUEGREEN, FAST_CANARY)
    assert run_cli("apply", "-f", manifest, "--yes").exit_code == 0
    elb = aws.client("elbv2")
    blue, green = (elb.describe_target_groups(Names=[f"shop-checkout-api-bg-{c}"])["TargetGroups"][0]["TargetGroupArn"] for c in ("blue", "green"))
    assert service_of(aws, "checkout-api-bg")["loadBalancers"][0]["targetGroupArn"] == blue
    shipped = run_cli("apply", "-f", manifest, "--yes", "--var", "IMAGE_TAG=v2")
    assert shipped.exit_code == 0, shipped.output
    assert service_of(aws, "checkout-api-bg")["loadBalancers"][0]["targetGroupArn"] == green
    again = run_cli("plan", "-f", manifest, "--detailed-exitcode", "--var", "IMAGE_TAG=v2")
    assert again.exit_code == 0, again.output

    ec2 = aws.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]
    extra = ec2.create_security_group(GroupName="checkout-extra", Description="extra", VpcId=vpc)["GroupId"]
    text = open(manifest).read().replace("network:\n", f"network:\n  security_groups: [{extra}]\n", 1)
    changed = tmp_path / "network.yaml"
    changed.write_text(text)
    result = run_cli("apply", "-f", str(changed), "--yes", "--var", "IMAGE_TAG=v2")
    assert result.exit_code == 0, result.output
    assert "deployed shop-checkout-api-bg:2" in result.stdout
    service = service_of(aws, "checkout-api-bg")
    assert extra in service["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"]
    assert service["loadBalancers"][0]["targetGroupArn"] == blue  # swapped back by the second deployment
    cd = aws.client("codedeploy")
    latest = cd.list_deployments(applicationName="shop-checkout-api-bg", deploymentGroupName="shop-checkout-api-bg")["deployments"]
    appspecs = [json.loads(cd.get_deployment(deploymentId=d)["deploymentInfo"]["revision"]["appSpecContent"]["content"]) for d in latest]
    assert any(extra in a["Resources"][0]["TargetService"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"] for a in appspecs)
    final = run_cli("plan", "-f", str(changed), "--detailed-exitcode", "--var", "IMAGE_TAG=v2")
    assert final.exit_code == 0, final.output


def test_long_cluster_and_service_names_apply_and_deploy_through_codedeploy(sim, run_cli, aws, tmp_path):
    """Issue 14: apply names the CodeDeploy application and group `<cluster>-<service>` fitted to
    100 characters with a hash (CreateApplication's `applicationName`: "The name of the application.
    This name must be unique ... Minimum length of 1. Maximum length of 100."); deploy must look
    for the very same names, not recompute `<cluster>-<service>` (111 characters here)."""
    cluster, service = "c" * 32 + "-cluster", "s" * 62 + "-service"
    assert (len(cluster), len(service)) == (40, 70)
    manifest = manifest_with_deploy(tmp_path, BLUEGREEN, FAST_CANARY)
    text = manifest.read_text().replace("service: checkout-api-bg", f"service: {service}")
    manifest.write_text(text.replace("cluster: shop", f"cluster: {cluster}"))
    applied = run_cli("apply", "-f", manifest, "--yes")
    assert applied.exit_code == 0, applied.output
    (application,) = aws.client("codedeploy").list_applications()["applications"]
    assert len(application) == 100
    shipped = run_cli("deploy", "-f", manifest, "--image-tag", "v2")
    assert shipped.exit_code == 0, shipped.output
    deployments = aws.client("codedeploy").list_deployments(applicationName=application, deploymentGroupName=application)
    assert len(deployments["deployments"]) == 1
    primary = [t for t in service_of(aws, service, cluster)["taskSets"] if t["status"] == "PRIMARY"]
    assert primary[0]["taskDefinition"].endswith(":2")


def test_first_codedeploy_deployment_is_health_gated(sim, run_cli, aws, tmp_path):
    """Issue #12 item 14. ELB runs no health checks for a target group no listener or rule forwards
    to (TargetHealth `unused`, Target.NotInUse: ELB API Reference), so ECS cannot wait for the
    replacement task set's health there. The production rule forwards to both groups of the pair
    (blue 100, green 0) from the start, so a broken first replacement fails before traffic moves."""
    manifest = manifest_with_deploy(tmp_path, BLUEGREEN, FAST_CANARY)
    assert run_cli("apply", "-f", manifest, "--yes").exit_code == 0
    elb = aws.client("elbv2")
    blue, green = (elb.describe_target_groups(Names=[f"shop-checkout-api-bg-{c}"])["TargetGroups"][0]["TargetGroupArn"] for c in ("blue", "green"))
    assert elb.describe_target_groups(TargetGroupArns=[green])["TargetGroups"][0]["LoadBalancerArns"]  # in use from the start
    bad = run_cli("deploy", "-f", manifest, "--image-tag", "broken")
    assert bad.exit_code == 1, bad.output
    assert "rolled back" in bad.stdout
    assert "production traffic: shop-checkout-api-bg:2 10%" not in bad.stdout  # no production traffic ever reached it
    primary = [t for t in service_of(aws, "checkout-api-bg")["taskSets"] if t["status"] == "PRIMARY"]
    assert primary[0]["taskDefinition"].endswith("checkout-api-bg:1")
