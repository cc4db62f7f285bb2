"""Issue 13: environments of one service in one account never share revisions, and "good" is what ECS says.

Task definition families are account-wide (RegisterTaskDefinition: "family ... a name for your task
definition"; ListTaskDefinitions filters by familyPrefix only), while `environments:` switches the
cluster: so the family is scoped by cluster, and every read of "our revisions" is this service's in
this cluster (ListServiceDeployments takes `cluster` and `service`).
"""
from __future__ import annotations

import json

from tests.deploy.test_e2e import WEB, WORKER, applied, service_of, sim  # noqa: F401 (fixture)

STAGING = ("--env", "staging")
PROD = ("--env", "prod")


def _family(arn: str) -> str:
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


def _env_of(aws, arn: str) -> dict:
    container = aws.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]["containerDefinitions"][0]
    return {e["name"]: e["value"] for e in container["environment"]}


def test_staging_and_prod_keep_separate_revisions_rollback_and_destroy(sim, run_cli, aws):
    result = run_cli("apply", "-f", WEB, *PROD, "--yes")
    assert result.exit_code == 0, result.output
    result = run_cli("apply", "-f", WEB, *STAGING, "--yes")
    assert result.exit_code == 0, result.output
    prod, staging = service_of(aws, "checkout-api"), service_of(aws, "checkout-api", cluster="shop-staging")
    assert _family(prod["taskDefinition"]) == "shop-checkout-api"
    assert _family(staging["taskDefinition"]) == "shop-staging-checkout-api"

    # Staging's apply is not prod's drift.
    assert run_cli("plan", "-f", WEB, *PROD, "--detailed-exitcode").exit_code == 0

    for env, tag in ((PROD, "v2"), (STAGING, "v2"), (STAGING, "v3")):
        result = run_cli("deploy", "-f", WEB, *env, "--image-tag", tag)
        assert result.exit_code == 0, result.output
    back = run_cli("rollback", "-f", WEB, *PROD)
    assert back.exit_code == 0, back.output
    serving = service_of(aws, "checkout-api")["taskDefinition"]
    assert serving.endswith("task-definition/shop-checkout-api:1"), serving
    assert _env_of(aws, serving)["LOG_LEVEL"] == "info", "prod never runs staging's settings"

    gone = run_cli("destroy", "-f", WEB, *STAGING, "--yes", "--deregister")
    assert gone.exit_code == 0, gone.output
    assert run_cli("deploy", "-f", WEB, *PROD, "--image-tag", "v3").exit_code == 0
    again = run_cli("rollback", "-f", WEB, *PROD)
    assert again.exit_code == 0, again.output
    assert service_of(aws, "checkout-api")["taskDefinition"].endswith("shop-checkout-api:2")


def test_a_deploy_nobody_watched_to_the_end_counts_as_good(sim, run_cli, aws):
    """ListServiceDeployments: SUCCESSFUL is ECS's word that the deployment completed, whoever watched."""
    applied(run_cli, aws, WORKER, "worker")
    started = run_cli("deploy", "-f", WORKER, "--image-tag", "v2", "--no-wait")
    assert started.exit_code == 0, started.output
    for _ in range(80):
        if service_of(aws, "worker")["deployments"][0]["rolloutState"] == "COMPLETED":
            break
        aws.advance(5)
    assert run_cli("deploy", "-f", WORKER, "--image-tag", "v3").exit_code == 0
    history = json.loads(run_cli("history", "-f", WORKER, "--output", "json").stdout)
    rows = history["deployments"] if isinstance(history, dict) else history
    assert [r["outcome"] for r in rows if r["revision"] == "shop-worker:2"] == ["succeeded"]
    back = run_cli("rollback", "-f", WORKER)
    assert back.exit_code == 0, back.output
    assert "to shop-worker:2" in back.stdout
    assert service_of(aws, "worker")["taskDefinition"].endswith("shop-worker:2")


def test_rollback_never_picks_a_failed_revision_and_warns_when_told_to(sim, run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    assert run_cli("deploy", "-f", WORKER, "--image-tag", "v2").exit_code == 0
    assert run_cli("deploy", "-f", WORKER, "--image-tag", "broken").exit_code == 1
    assert run_cli("deploy", "-f", WORKER, "--image-tag", "v3").exit_code == 0
    back = run_cli("rollback", "-f", WORKER)
    assert back.exit_code == 0 and "to shop-worker:2" in back.stdout, back.output
    told = run_cli("rollback", "-f", WORKER, "--to-revision", "3")
    assert "shop-worker:3 never deployed successfully" in told.output
    missing = run_cli("rollback", "-f", WORKER, "--to-revision", "99")
    assert missing.exit_code == 1 and "task definition shop-worker:99 does not exist" in missing.output
    assert "Traceback" not in missing.output and "ClientException" not in missing.output
    zero = run_cli("rollback", "-f", WORKER, "--to-revision", "0")
    assert zero.exit_code == 2 and "numbered from 1" in zero.output


def test_plan_compares_with_the_revision_the_service_runs(sim, run_cli, aws):
    """DescribeServices `taskDefinition`: "The task definition to use for tasks in the service" -
    what runs, which after a rollback is not the newest registration of the family."""
    applied(run_cli, aws, WORKER, "worker")
    assert run_cli("deploy", "-f", WORKER, "--image-tag", "v3").exit_code == 0
    assert run_cli("deploy", "-f", WORKER, "--image-tag", "broken").exit_code == 1
    assert service_of(aws, "worker")["taskDefinition"].endswith("shop-worker:2")
    plan = run_cli("plan", "-f", WORKER, "--var", "IMAGE_TAG=v3", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    apply = run_cli("apply", "-f", WORKER, "--var", "IMAGE_TAG=v3", "--yes")
    assert apply.exit_code == 0 and "started" not in apply.stdout.lower().split("deploy")[0]


def test_a_service_on_the_old_shared_family_moves_without_an_outage(sim, run_cli, aws):
    """The service keeps running its `<service>:N` revision until the new family's revision deploys;
    the plan says what it renames."""
    applied(run_cli, aws, WORKER, "worker")
    ecs = aws.client("ecs")
    current = ecs.describe_task_definition(taskDefinition=service_of(aws, "worker")["taskDefinition"], include=["TAGS"])
    legacy = {k: v for k, v in current["taskDefinition"].items() if k in (
        "containerDefinitions", "taskRoleArn", "executionRoleArn", "networkMode", "requiresCompatibilities", "cpu", "memory", "runtimePlatform")}
    old = ecs.register_task_definition(family="worker", tags=current["tags"], **legacy)["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster="shop", service="worker", taskDefinition=old)
    for _ in range(80):
        if len(service_of(aws, "worker")["deployments"]) == 1:
            break
        aws.advance(5)
    plan = run_cli("plan", "-f", WORKER)
    assert 'family: "worker" -> "shop-worker"' in plan.stdout, plan.stdout
    assert "keeps running worker:1 until the new revision deploys" in plan.stdout
    result = run_cli("apply", "-f", WORKER, "--yes")
    assert result.exit_code == 0, result.output
    assert _family(service_of(aws, "worker")["taskDefinition"]) == "shop-worker"
    assert ecs.describe_task_definition(taskDefinition="worker:1")["taskDefinition"]["status"] == "ACTIVE", "the old revision stays"


def test_a_rerun_deploy_attaches_and_wait_exits_by_the_outcome(sim, run_cli, aws):
    """Re-attach (issue 13 item 5): the same revision rolling out is followed, not refused."""
    applied(run_cli, aws, WORKER, "worker")
    assert run_cli("wait", "-f", WORKER).exit_code == 0, "nothing in flight: 0"
    assert run_cli("deploy", "-f", WORKER, "--image-tag", "v2", "--no-wait").exit_code == 0
    again = run_cli("deploy", "-f", WORKER, "--image-tag", "v2")
    assert again.exit_code == 0, again.output
    assert "already rolling out shop-worker:2: following it" in again.stdout
    assert "deployed shop-worker:2" in again.stdout and "(simulated time)" in again.stdout

    assert run_cli("deploy", "-f", WORKER, "--image-tag", "v3", "--no-wait").exit_code == 0
    ok = run_cli("wait", "-f", WORKER)
    assert ok.exit_code == 0 and "deployed shop-worker:3" in ok.stdout, ok.output
    assert run_cli("deploy", "-f", WORKER, "--image-tag", "broken", "--no-wait").exit_code == 0
    bad = run_cli("wait", "-f", WORKER, "--output", "json")
    assert bad.exit_code == 1, bad.output
    outcome = json.loads(bad.stdout.strip().splitlines()[-1])
    assert outcome["status"] == "rolled_back" and outcome["exit_code"] == 1
    assert service_of(aws, "worker")["taskDefinition"].endswith("shop-worker:3")


def test_apply_json_is_one_object_per_line(sim, run_cli, aws):
    """--output json is JSON Lines: apply's result is followed by the rollout's events (issue 13 item 10)."""
    result = run_cli("apply", "-f", WORKER, "--yes", "--output", "json")
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    # Waits during the changes (a VPC endpoint becoming available) are progress objects before the result.
    while objects and objects[0].get("event") == "progress":
        assert objects.pop(0)["message"]
    assert objects[0]["ok"] is True and objects[-1]["event"] == "outcome", objects[-1]
    assert all(o.get("event") not in (None, "progress") for o in objects[1:]), "rollout events follow the result"


def test_destroy_reports_progress_while_the_service_drains(sim, run_cli, aws):
    """DeleteService: the service is DRAINING while its tasks stop, then INACTIVE (ECS API reference,
    DeleteService); a person waiting on destroy sees that wait move (issue 13 item 9)."""
    applied(run_cli, aws, WORKER, "worker")
    gone = run_cli("destroy", "-f", WORKER, "--yes")
    assert gone.exit_code == 0, gone.output
    assert "ECS service worker: draining, 1 task(s) still running" in gone.stderr, gone.stderr
