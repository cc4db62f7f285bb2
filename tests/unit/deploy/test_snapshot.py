"""deploy.strategies.ecs: recorded DescribeServices / DescribeServiceDeployments answers -> Snapshot.

The responses follow the botocore ecs model's shapes (Deployment: `rolloutState` IN_PROGRESS |
COMPLETED | FAILED, `rolloutStateReason`; ServiceDeployment: `status`, `lifecycleStage`,
`deploymentCircuitBreaker`), trimmed to what the tracker reads.
"""
from __future__ import annotations

from datetime import datetime, timezone

from ecsship.deploy.clock import FakeClock
from ecsship.deploy.model import IN_PROGRESS, ROLLED_BACK, ROLLING_BACK, SUCCEEDED, WAITING_APPROVAL
from ecsship.deploy.settings import DeploySettings
from ecsship.deploy.strategies.ecs import EcsStrategy, EcsTracker

from tests.doubles import FakeAws

TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/shop-web:{}"
SD = "arn:aws:ecs:us-east-1:123456789012:service-deployment/shop/web/abc"
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def deployment(id_, rev, status, rollout, running=2, desired=2, failed=0, reason=""):
    return {"id": id_, "taskDefinition": TD.format(rev), "status": status, "rolloutState": rollout, "rolloutStateReason": reason,
            "desiredCount": desired, "runningCount": running, "pendingCount": desired - running, "failedTasks": failed, "createdAt": T0}


class RecordedEcs:
    def __init__(self, service, service_deployment=None):
        self.service, self.sd = service, service_deployment

    def describe_services(self, cluster, services):
        return {"services": [self.service]}

    def describe_service_deployments(self, serviceDeploymentArns):
        return {"serviceDeployments": [self.sd] if self.sd else []}

    def describe_tasks(self, **_):
        return {"tasks": []}

    def list_tasks(self, **_):
        return {"taskArns": []}


def tracker(service, sd=None, strategy="rolling"):
    ecs = RecordedEcs({"serviceName": "web", "status": "ACTIVE", "taskDefinition": TD.format(2), "events": [], **service}, sd)
    settings = DeploySettings(cluster="shop", service="web", strategy=strategy)
    return EcsTracker(EcsStrategy(FakeAws(ecs), settings, FakeClock()), TD.format(1), TD.format(2), "ecs-svc/2", SD if sd else "")


def test_a_rolling_update_in_progress():
    snap = tracker({"deployments": [deployment("ecs-svc/2", 2, "PRIMARY", "IN_PROGRESS", running=1),
                                    deployment("ecs-svc/1", 1, "ACTIVE", "COMPLETED")]}).poll()
    assert snap.state == IN_PROGRESS and snap.serving == ""
    assert {(r.revision, r.role, r.running, r.pending) for r in snap.revisions} == {("shop-web:1", "old", 2, 0), ("shop-web:2", "new", 1, 1)}


def test_completed_primary_is_success_and_names_what_serves():
    snap = tracker({"deployments": [deployment("ecs-svc/2", 2, "PRIMARY", "COMPLETED")]}).poll()
    assert (snap.state, snap.serving) == (SUCCEEDED, "shop-web:2")


def test_circuit_breaker_rollback_in_progress_then_done():
    reason = "ECS deployment circuit breaker: tasks failed to start."
    rolling_back = tracker({"deployments": [deployment("ecs-svc/3", 1, "PRIMARY", "IN_PROGRESS", running=1),
                                            deployment("ecs-svc/2", 2, "ACTIVE", "FAILED", running=0, failed=3, reason=reason)]}).poll()
    assert rolling_back.state == ROLLING_BACK and rolling_back.reason == reason
    done = tracker({"deployments": [deployment("ecs-svc/3", 1, "PRIMARY", "COMPLETED")]}).poll()
    assert (done.state, done.serving) == (ROLLED_BACK, "shop-web:1")


def test_the_service_deployment_record_decides_when_there_is_one():
    sd = {"serviceDeploymentArn": SD, "status": "ROLLBACK_SUCCESSFUL", "statusReason": "Service deployment rolled back because the circuit breaker threshold was exceeded.",
          "deploymentCircuitBreaker": {"status": "TRIGGERED", "failureCount": 3, "threshold": 3}}
    snap = tracker({"deployments": [deployment("ecs-svc/3", 1, "PRIMARY", "COMPLETED")]}, sd).poll()
    assert snap.state == ROLLED_BACK and "circuit breaker" in snap.reason and snap.deployment_id == SD


def test_a_lifecycle_hook_awaiting_action_is_waiting_for_approval():
    sd = {"serviceDeploymentArn": SD, "status": "IN_PROGRESS", "lifecycleStage": "POST_TEST_TRAFFIC_SHIFT",
          "lifecycleHookDetails": [{"hookId": "hook-1", "status": "AWAITING_ACTION"}]}
    snap = tracker({"deployments": [deployment("ecs-svc/2", 2, "PRIMARY", "IN_PROGRESS")]}, sd, strategy="canary").poll()
    assert (snap.state, snap.hook_id, snap.phase) == (WAITING_APPROVAL, "hook-1", "POST_TEST_TRAFFIC_SHIFT")


def test_service_events_since_the_rollout_began():
    events = [{"id": "new", "createdAt": T0, "message": "(service web) has started 1 tasks"},
              {"id": "old", "createdAt": datetime(2025, 1, 1, tzinfo=timezone.utc), "message": "(service web) has reached a steady state."}]
    t = tracker({"deployments": [deployment("ecs-svc/2", 2, "PRIMARY", "IN_PROGRESS", running=1)], "events": events})
    t.started_at = T0
    assert [e.id for e in t.poll().events] == ["new"]
