"""Failure injection, the deployment circuit breaker, alarm rollback and the service deployments API."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.local.helpers import describe_service, register_task_definition, rolling_service, run_until


def _completed(service) -> bool:
    return len(service["deployments"]) == 1 and service["deployments"][0]["rolloutState"] == "COMPLETED"


def _deployments(aws) -> list[dict]:
    ecs = aws.client("ecs")
    arns = [d["serviceDeploymentArn"] for d in ecs.list_service_deployments(cluster="shop", service="checkout-api")["serviceDeployments"]]
    return ecs.describe_service_deployments(serviceDeploymentArns=arns)["serviceDeployments"] if arns else []


@pytest.mark.parametrize("mode", ["health-check", "exit"])
def test_broken_image_trips_the_circuit_breaker_and_rolls_back(aws, mode):
    aws.configure(fail_mode=mode)
    setup = rolling_service(aws, desired=2)
    good = run_until(aws, _completed)
    broken = register_task_definition(aws, tag="broken")
    aws.client("ecs").update_service(cluster="shop", service="checkout-api", taskDefinition=broken)

    failed_counts = []
    service = describe_service(aws)
    while service["deployments"][0]["taskDefinition"] == broken:
        failed_counts.append(service["deployments"][0]["failedTasks"])
        old = next(d for d in service["deployments"] if d["taskDefinition"] == setup["task_definition"])
        assert old["runningCount"] >= 2, "the old revision's tasks keep serving while the broken one fails"
        aws.advance(2)
        service = describe_service(aws)
        assert len(failed_counts) < 750
    assert max(failed_counts) >= 1 and failed_counts == sorted(failed_counts), "failedTasks only grows"
    primary, failed = service["deployments"]
    assert primary["taskDefinition"] == setup["task_definition"] and primary["status"] == "PRIMARY"
    assert failed["rolloutState"] == "FAILED" and failed["failedTasks"] >= 3, "ECS threshold: max(3, 0.5 x desired)"
    assert "circuit breaker" in failed["rolloutStateReason"]
    messages = [e["message"] for e in service["events"]]
    assert any(f"(deployment {failed['id']}) deployment failed: tasks failed to start." in m for m in messages)
    assert any(f"rolling back to deployment {good['deployments'][0]['id']}." in m for m in messages)

    stopped = aws.client("ecs").list_tasks(cluster="shop", serviceName="checkout-api", desiredStatus="STOPPED")["taskArns"]
    tasks = aws.client("ecs").describe_tasks(cluster="shop", tasks=stopped)["tasks"]
    if mode == "exit":
        assert any(t["stopCode"] == "EssentialContainerExited" and t["containers"][0]["exitCode"] == 1 for t in tasks)
    else:
        assert any(t["stoppedReason"].startswith("Task failed ELB health checks in (target-group") for t in tasks)

    service = run_until(aws, _completed)
    assert service["taskDefinition"] == setup["task_definition"] and service["runningCount"] == 2
    latest = _deployments(aws)[0]
    assert latest["status"] == "ROLLBACK_SUCCESSFUL"
    assert latest["rollback"]["serviceRevisionArn"] == latest["sourceServiceRevisions"][0]["arn"]
    assert latest["deploymentCircuitBreaker"]["status"] == "TRIGGERED" and latest["deploymentCircuitBreaker"]["threshold"] == 3


def test_alarm_in_alarm_state_stops_the_rollout_and_rolls_back(aws):
    cloudwatch = aws.client("cloudwatch")
    cloudwatch.put_metric_alarm(AlarmName="checkout-5xx", MetricName="HTTPCode_Target_5XX_Count", Namespace="AWS/ApplicationELB",
                                Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=5, ComparisonOperator="GreaterThanThreshold")
    config = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100,
              "alarms": {"alarmNames": ["checkout-5xx"], "enable": True, "rollback": True}}
    setup = rolling_service(aws, desired=2, deployment_configuration=config)
    run_until(aws, _completed)
    aws.client("ecs").update_service(cluster="shop", service="checkout-api", taskDefinition=register_task_definition(aws, tag="v2"))
    aws.advance(20)
    service = describe_service(aws)
    assert service["deployments"][0]["rolloutState"] == "IN_PROGRESS", "INSUFFICIENT_DATA does not stop a rollout"
    aws.set_alarm("checkout-5xx", "ALARM")
    aws.advance(1)
    service = describe_service(aws)
    failed = next(d for d in service["deployments"] if d["rolloutState"] == "FAILED")
    assert "checkout-5xx" in failed["rolloutStateReason"]
    assert service["deployments"][0]["taskDefinition"] == setup["task_definition"]
    current = _deployments(aws)[0]
    assert current["status"] == "ROLLBACK_IN_PROGRESS"
    assert current["alarms"] == {"status": "TRIGGERED", "alarmNames": ["checkout-5xx"], "triggeredAlarmNames": ["checkout-5xx"]}
    service = run_until(aws, _completed)
    assert service["taskDefinition"] == setup["task_definition"]
    assert _deployments(aws)[0]["status"] == "ROLLBACK_SUCCESSFUL"


def test_service_deployments_api_lists_describes_and_stops(aws):
    setup = rolling_service(aws, desired=2)
    run_until(aws, _completed)
    first = _deployments(aws)
    assert len(first) == 1 and first[0]["status"] == "SUCCESSFUL"
    assert first[0]["targetServiceRevision"]["runningTaskCount"] == 2
    ecs = aws.client("ecs")
    revision = ecs.describe_service_revisions(serviceRevisionArns=[first[0]["targetServiceRevision"]["arn"]])["serviceRevisions"][0]
    assert revision["taskDefinition"] == setup["task_definition"] and revision["containerImages"][0]["imageDigest"].startswith("sha256:")

    ecs.update_service(cluster="shop", service="checkout-api", taskDefinition=register_task_definition(aws, tag="v2"))
    aws.advance(5)
    current = _deployments(aws)[0]
    assert current["status"] == "IN_PROGRESS" and current["sourceServiceRevisions"][0]["arn"] == first[0]["targetServiceRevision"]["arn"]
    assert current["targetServiceRevision"]["requestedTaskCount"] == 2
    briefs = ecs.list_service_deployments(cluster="shop", service="checkout-api", status=["IN_PROGRESS"])["serviceDeployments"]
    assert [b["serviceDeploymentArn"] for b in briefs] == [current["serviceDeploymentArn"]]

    ecs.stop_service_deployment(serviceDeploymentArn=current["serviceDeploymentArn"], stopType="ROLLBACK")
    assert _deployments(aws)[0]["status"] == "ROLLBACK_REQUESTED"
    aws.advance(1)
    assert _deployments(aws)[0]["status"] == "ROLLBACK_IN_PROGRESS"
    run_until(aws, _completed)
    done = _deployments(aws)[0]
    assert done["status"] == "ROLLBACK_SUCCESSFUL" and describe_service(aws)["taskDefinition"] == setup["task_definition"]
    with pytest.raises(ClientError) as error:
        ecs.stop_service_deployment(serviceDeploymentArn=done["serviceDeploymentArn"], stopType="ROLLBACK")
    assert error.value.response["Error"]["Code"] == "ConflictException"
    missing = ecs.describe_service_deployments(serviceDeploymentArns=[done["serviceDeploymentArn"] + "x"])
    assert missing["failures"][0]["reason"] == "MISSING"


def test_exit_without_load_balancer_or_health_check_completes_then_crash_loops(aws):
    """ECS's circuit breaker counts tasks that fail to reach RUNNING (stage 1) and tasks failing health
    checks (stage 2, skipped without a load balancer or container health check): "How the Amazon ECS
    deployment circuit breaker detects failures"; containers-roadmap#1206. A task that reaches RUNNING
    and exits is then no failure of the deployment: it completes, and the scheduler replaces the task."""
    aws.configure(fail_mode="exit")
    # A deployment alarm makes ECS bake the deployment (Period x EvaluationPeriods): the exits happen
    # while it is still IN_PROGRESS, and still do not count.
    aws.client("cloudwatch").put_metric_alarm(AlarmName="worker-quiet", MetricName="CPUUtilization", Namespace="AWS/ECS",
                                              Statistic="Average", Period=60, EvaluationPeriods=2, Threshold=90,
                                              ComparisonOperator="GreaterThanThreshold")
    config = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100,
              "alarms": {"alarmNames": ["worker-quiet"], "enable": True, "rollback": True}}
    rolling_service(aws, desired=1, load_balancer=False, deployment_configuration=config)
    run_until(aws, _completed, limit=400)
    broken = register_task_definition(aws, tag="broken")
    aws.client("ecs").update_service(cluster="shop", service="checkout-api", taskDefinition=broken)
    service = run_until(aws, lambda s: _completed(s) and s["deployments"][0]["taskDefinition"] == broken, limit=600)
    assert service["deployments"][0]["failedTasks"] == 0
    aws.advance(120)
    service = describe_service(aws)
    assert service["deployments"][0]["rolloutState"] == "COMPLETED" and service["taskDefinition"] == broken
    ecs = aws.client("ecs")
    stopped = ecs.list_tasks(cluster="shop", serviceName="checkout-api", desiredStatus="STOPPED")["taskArns"]
    crashed = [t for t in ecs.describe_tasks(cluster="shop", tasks=stopped)["tasks"]
               if t["taskDefinitionArn"] == broken and t["stopCode"] == "EssentialContainerExited"]
    assert len(crashed) >= 2, "the scheduler keeps replacing the exiting task"
    assert all(t["containers"][0]["exitCode"] == 1 for t in crashed)
