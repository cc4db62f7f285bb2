"""ECS-native canary (traffic, bake, approval) and CodeDeploy tracking, on scripted API responses.

Each fake returns, poll after poll, what the AWS API reference says these calls return at each
stage; the tests check the snapshots and the actions (continue, stop) the strategies call.
"""
from __future__ import annotations

import json

from ecsship.deploy.clock import FakeClock
from ecsship.deploy.model import WAITING_APPROVAL
from ecsship.deploy.rollout import follow, roll_out
from ecsship.deploy.settings import DeploySettings
from ecsship.deploy.strategies.codedeploy import build_appspec

from tests.doubles import FakeAws, View

TD1 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
TD2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"
SD = "arn:aws:ecs:us-east-1:123456789012:service-deployment/shop/web/abc"


def service(deployments, **extra):
    return {"serviceName": "web", "status": "ACTIVE", "taskDefinition": deployments[0]["taskDefinition"],
            "deployments": deployments, "events": [], **extra}


def dep(id_, td, status, running, state="IN_PROGRESS", desired=2):
    return {"id": id_, "taskDefinition": td, "status": status, "desiredCount": desired, "runningCount": running,
            "pendingCount": 0, "failedTasks": 0, "rolloutState": state}


class NativeEcs:
    """ECS-native canary: scale up, 10 % for the canary bake, a PAUSE hook, 100 %, bake, done."""

    def __init__(self):
        self.stage = 0
        self.calls = []
        self.stages = [
            ("IN_PROGRESS", "SCALE_UP", 0.0, None),
            ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 10.0, None),
            ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 10.0, None),
            ("IN_PROGRESS", "PRE_PRODUCTION_TRAFFIC_SHIFT", 10.0, "AWAITING_ACTION"),
            ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", 100.0, "SUCCEEDED"),
            ("IN_PROGRESS", "BAKE_TIME", 100.0, "SUCCEEDED"),
            ("SUCCESSFUL", "CLEAN_UP", 100.0, "SUCCEEDED"),
        ]
        self.paused_at = 3
        self.started = False

    def describe_services(self, cluster, services):
        if not self.started:
            return {"services": [service([dep("ecs-svc/1", TD1, "PRIMARY", 2, "COMPLETED")])]}
        done = self.stages[self.stage][0] == "SUCCESSFUL"
        deps = [dep("ecs-svc/2", TD2, "PRIMARY", 2, "COMPLETED" if done else "IN_PROGRESS")]
        if not done:
            deps.append(dep("ecs-svc/1", TD1, "ACTIVE", 2, "COMPLETED"))
        return {"services": [service(deps, currentServiceDeployment=SD)]}

    def update_service(self, **kw):
        self.calls.append("UpdateService")
        self.started = True
        return {"service": service([dep("ecs-svc/2", TD2, "PRIMARY", 0), dep("ecs-svc/1", TD1, "ACTIVE", 2, "COMPLETED")],
                                   currentServiceDeployment=SD)}

    def list_service_deployments(self, status=None, **kw):
        active = self.started and self.stages[self.stage][0] == "IN_PROGRESS"
        return {"serviceDeployments": [{"serviceDeploymentArn": SD, "status": "IN_PROGRESS"}] if active else []}

    def describe_service_deployments(self, serviceDeploymentArns):
        status, stage, weight, hook = self.stages[self.stage]
        if self.stage != self.paused_at and self.stage < len(self.stages) - 1:
            self.stage += 1
        sd = {"serviceDeploymentArn": SD, "status": status, "lifecycleStage": stage,
              "targetServiceRevision": {"arn": "rev2", "requestedProductionTrafficWeight": weight},
              "sourceServiceRevisions": [{"arn": "rev1", "requestedProductionTrafficWeight": 100.0 - weight}],
              "deploymentConfiguration": {"strategy": "CANARY", "bakeTimeInMinutes": 5,
                                          "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5}}}
        if hook:
            sd["lifecycleHookDetails"] = [{"hookId": "hook-1", "targetType": "PAUSE", "status": hook}]
        return {"serviceDeployments": [sd]}

    def continue_service_deployment(self, serviceDeploymentArn, hookId, action):
        self.calls.append(("Continue", hookId, action))
        self.stage = self.paused_at + 1

    def tag_resource(self, **kw):
        self.calls.append("TagResource")


def test_ecs_native_canary_shows_traffic_steps_pauses_for_approval_then_completes():
    ecs = NativeEcs()
    aws = FakeAws(ecs=ecs)
    settings = DeploySettings(cluster="shop", service="web", strategy="canary", approval="manual", timeout=3600)
    clock, view = FakeClock(), View()
    outcome = roll_out(aws, settings, TD2, view, clock=clock)
    assert outcome.status == "waiting_approval" and outcome.exit_code == 3
    traffic = [e.message for e in view.events if e.kind == "traffic"]
    assert traffic == ["production traffic: web:2 0%, web:1 100%", "production traffic: web:2 10%, web:1 90%"]
    assert any(e.kind == "wait" and e.data["wait"] == "canary bake" for e in view.events)

    # promote: continue the paused hook and watch to the end
    from ecsship.deploy.strategies.ecs import EcsStrategy

    tracker = EcsStrategy(aws, settings, clock).attach()
    assert tracker.new_td == TD2 and tracker.old_td == TD1
    assert tracker.sd_arn == SD
    snap = tracker.poll()
    assert snap.state == WAITING_APPROVAL and snap.hook_id == "hook-1"
    tracker.continue_(snap.hook_id)
    assert ("Continue", "hook-1", "CONTINUE") in ecs.calls
    view2 = View()
    final = follow(aws, settings, tracker, view2, clock, stop_when_waiting=False)
    assert final.status == "succeeded", final
    assert "production traffic: web:2 100%, web:1 0%" in [e.message for e in view2.events]
    assert "phase: BAKE_TIME" in [e.message for e in view2.events]


class CodeDeploy:
    def __init__(self, statuses, rollback_status=None):
        self.statuses = list(statuses)
        self.rollback_status = rollback_status
        self.calls = []

    def list_deployments(self, **kw):
        return {"deployments": []}

    def get_deployment_group(self, applicationName, deploymentGroupName):
        return {"deploymentGroupInfo": {"alarmConfiguration": {"enabled": True, "alarms": [{"name": "web-5xx"}]}}}

    def create_deployment(self, **kw):
        self.calls.append(("CreateDeployment", kw))
        return {"deploymentId": "d-NEW"}

    def get_deployment(self, deploymentId):
        if deploymentId == "d-RB":
            return {"deploymentInfo": {"deploymentId": "d-RB", "status": self.rollback_status}}
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        info = {"deploymentId": "d-NEW", "status": status}
        if status in ("Failed", "Stopped") and self.rollback_status:
            info["rollbackInfo"] = {"rollbackDeploymentId": "d-RB", "rollbackMessage": "Automatic rollback: alarm web-5xx"}
            info["errorInformation"] = {"code": "ALARM_ACTIVE", "message": "One or more alarms have been activated"}
        return {"deploymentInfo": info}

    def get_deployment_target(self, deploymentId, targetId):
        self.calls.append(("GetDeploymentTarget", targetId))
        return {"deploymentTarget": {"ecsTarget": {"taskSetsInfo": [
            {"taskSetLabel": "Blue", "trafficWeight": 90.0}, {"taskSetLabel": "Green", "trafficWeight": 10.0}],
            "lifecycleEvents": [{"lifecycleEventName": "AllowTraffic", "status": "InProgress"}]}}}

    def stop_deployment(self, deploymentId, autoRollbackEnabled):
        self.calls.append(("StopDeployment", autoRollbackEnabled))

    def continue_deployment(self, deploymentId, deploymentWaitType):
        self.calls.append(("ContinueDeployment", deploymentWaitType))


class CdEcs:
    def __init__(self):
        self.calls = []

    def describe_services(self, cluster, services):
        return {"services": [{
            "serviceName": "web", "status": "ACTIVE", "taskDefinition": TD1, "deployments": [], "events": [],
            "deploymentController": {"type": "CODE_DEPLOY"},
            "loadBalancers": [{"containerName": "web", "containerPort": 8080}],
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a", "subnet-b"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}},
            "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 2}],
            "taskSets": [{"taskDefinition": TD1, "status": "PRIMARY", "computedDesiredCount": 2, "runningCount": 2, "pendingCount": 0},
                         {"taskDefinition": TD2, "status": "ACTIVE", "computedDesiredCount": 2, "runningCount": 2, "pendingCount": 0, "externalId": "d-NEW"}],
        }]}

    def tag_resource(self, **kw):
        self.calls.append("TagResource")

    def list_tasks(self, **kw):
        return {"taskArns": []}


class CloudWatch:
    def __init__(self, state="OK"):
        self.state = state

    def describe_alarms(self, AlarmNames):
        return {"MetricAlarms": [{"AlarmName": n, "StateValue": self.state} for n in AlarmNames]}


CD_SETTINGS = DeploySettings(cluster="shop", service="web", strategy="canary", controller="codedeploy", timeout=3600,
                             hooks={"after_allow_test_traffic": "arn:aws:lambda:us-east-1:123456789012:function:smoke"})


def test_codedeploy_canary_success_builds_the_appspec_and_tracks_the_deployment_id():
    cd, ecs = CodeDeploy(["Created", "InProgress", "InProgress", "Succeeded"]), CdEcs()
    view = View()
    outcome = roll_out(FakeAws(ecs=ecs, codedeploy=cd, cloudwatch=CloudWatch()), CD_SETTINGS, TD2, view, clock=FakeClock())
    assert outcome.status == "succeeded" and outcome.deployment_id == "d-NEW"
    assert "alarm web-5xx: OK" in [e.message for e in view.events]  # the group's alarms are watched too
    create = cd.calls[0][1]
    assert create["applicationName"] == "shop-web" and create["deploymentGroupName"] == "shop-web"
    spec = json.loads(create["revision"]["appSpecContent"]["content"])
    props = spec["Resources"][0]["TargetService"]["Properties"]
    assert props["TaskDefinition"] == TD2
    assert props["LoadBalancerInfo"] == {"ContainerName": "web", "ContainerPort": 8080}
    assert props["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "DISABLED"
    assert props["CapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE", "Base": 2, "Weight": 1}]
    assert spec["Hooks"] == [{"AfterAllowTestTraffic": "arn:aws:lambda:us-east-1:123456789012:function:smoke"}]
    assert ("GetDeploymentTarget", "shop:web") in cd.calls
    assert "production traffic: web:2 10%, web:1 90%" in [e.message for e in view.events]
    assert "phase: AllowTraffic" in [e.message for e in view.events]
    assert "TagResource" in ecs.calls


def test_codedeploy_failure_with_automatic_rollback_is_exit_1_with_the_reason():
    cd = CodeDeploy(["InProgress", "Failed"], rollback_status="Succeeded")
    outcome = roll_out(FakeAws(ecs=CdEcs(), codedeploy=cd, cloudwatch=CloudWatch("ALARM")), CD_SETTINGS, TD2, View(), clock=FakeClock())
    assert outcome.status == "rolled_back" and outcome.exit_code == 1
    assert "alarms have been activated" in outcome.reason and "Automatic rollback" in outcome.reason


def test_codedeploy_timeout_stops_with_rollback():
    cd = CodeDeploy(["InProgress"], rollback_status="Succeeded")
    clock = FakeClock()

    def on_stop(*a, **kw):
        cd.calls.append(("StopDeployment", kw.get("autoRollbackEnabled")))
        cd.statuses = ["Stopped"]

    cd.stop_deployment = on_stop
    outcome = roll_out(FakeAws(ecs=CdEcs(), codedeploy=cd, cloudwatch=CloudWatch()), CD_SETTINGS, TD2, View(), clock=clock, timeout=120)
    assert ("StopDeployment", True) in cd.calls
    assert outcome.status == "timed_out" and outcome.exit_code == 1 and "rolled back" in outcome.reason


def test_codedeploy_ready_is_waiting_for_approval_and_continue_uses_ready_wait():
    cd = CodeDeploy(["InProgress", "Ready"])
    aws = FakeAws(ecs=CdEcs(), codedeploy=cd, cloudwatch=CloudWatch())
    outcome = roll_out(aws, CD_SETTINGS, TD2, View(), clock=FakeClock())
    assert outcome.status == "waiting_approval"
    from ecsship.deploy.strategies.codedeploy import CodeDeployStrategy, CodeDeployTracker

    tracker = CodeDeployTracker(CodeDeployStrategy(aws, CD_SETTINGS, FakeClock()), TD1, TD2, "d-NEW")
    tracker.continue_()
    assert ("ContinueDeployment", "READY_WAIT") in cd.calls


def test_appspec_without_port_is_a_clear_error():
    import pytest

    from ecsship.errors import EcsshipError

    with pytest.raises(EcsshipError):
        build_appspec({"loadBalancers": []}, TD2, DeploySettings(cluster="c", service="s"))
