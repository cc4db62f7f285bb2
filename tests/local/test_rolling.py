"""The ECS rolling update state machine, walked through plain boto3 with the manual clock."""
from __future__ import annotations

from tests.local.helpers import describe_service, register_task_definition, rolling_service, run_until


def _messages(service) -> list[str]:
    return [e["message"] for e in service["events"]]


def _completed(service) -> bool:
    return len(service["deployments"]) == 1 and service["deployments"][0]["rolloutState"] == "COMPLETED"


def test_first_deployment_starts_tasks_registers_targets_and_reaches_steady_state(aws):
    setup = rolling_service(aws, desired=2)
    ecs, elbv2 = aws.client("ecs"), aws.client("elbv2")
    aws.advance(1)
    service = describe_service(aws)
    assert service["desiredCount"] == 2 and service["pendingCount"] == 2 and service["runningCount"] == 0
    tasks = ecs.describe_tasks(cluster="shop", tasks=ecs.list_tasks(cluster="shop", serviceName="checkout-api")["taskArns"])["tasks"]
    assert len(tasks) == 2 and {t["lastStatus"] for t in tasks} == {"PROVISIONING"}
    assert all(t["desiredStatus"] == "RUNNING" and t["group"] == "service:checkout-api" for t in tasks)

    aws.advance(15)
    tasks = ecs.describe_tasks(cluster="shop", tasks=[t["taskArn"] for t in tasks])["tasks"]
    assert {t["lastStatus"] for t in tasks} == {"RUNNING"}
    ips = {d["value"] for t in tasks for a in t["attachments"] for d in a["details"] if d["name"] == "privateIPv4Address"}
    assert all(ip.startswith(("10.0.1.", "10.0.2.")) for ip in ips), ips  # inside the private subnets
    assert {t["availabilityZone"] for t in tasks} == {"us-east-1a", "us-east-1b"}
    health = elbv2.describe_target_health(TargetGroupArn=setup["target_group"])["TargetHealthDescriptions"]
    assert {h["Target"]["Id"] for h in health} == ips
    assert {h["TargetHealth"]["State"] for h in health} == {"initial"}
    assert describe_service(aws)["deployments"][0]["rolloutState"] == "IN_PROGRESS"

    service = run_until(aws, _completed)
    health = elbv2.describe_target_health(TargetGroupArn=setup["target_group"])["TargetHealthDescriptions"]
    assert {h["TargetHealth"]["State"] for h in health} == {"healthy"}
    assert service["runningCount"] == 2 and service["pendingCount"] == 0
    messages = _messages(service)
    assert any("has started 2 tasks" in m for m in messages)
    assert any(f"registered 2 targets in (target-group {setup['target_group']})" in m for m in messages)
    assert messages[0] == "(service checkout-api) has reached a steady state."
    # boto3's waiters agree (they only look, so one attempt each)
    ecs.get_waiter("services_stable").wait(cluster="shop", services=["checkout-api"], WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    ecs.get_waiter("tasks_running").wait(cluster="shop", tasks=[t["taskArn"] for t in tasks], WaiterConfig={"Delay": 0, "MaxAttempts": 1})


def test_rolling_update_replaces_tasks_within_min_and_max_percent(aws):
    rolling_service(aws, desired=2)
    first = run_until(aws, _completed)
    v2 = register_task_definition(aws, tag="v2")
    aws.client("ecs").update_service(cluster="shop", service="checkout-api", taskDefinition=v2)
    seen_running = []
    service = describe_service(aws)
    assert [d["status"] for d in service["deployments"]] == ["PRIMARY", "ACTIVE"]
    assert service["deployments"][1]["id"] == first["deployments"][0]["id"]
    while not _completed(service):
        primary, *others = service["deployments"]
        total = sum(d["runningCount"] + d["pendingCount"] for d in service["deployments"])
        assert total <= 4, "maximumPercent 200 caps running + pending at 4"
        if others:
            seen_running.append((primary["runningCount"], others[0]["runningCount"]))
        aws.advance(1)
        service = describe_service(aws)
    assert service["deployments"][0]["taskDefinition"] == v2 and service["taskDefinition"] == v2
    assert service["runningCount"] == 2
    assert (2, 2) in seen_running, "old tasks kept until the new ones are healthy (minimumHealthyPercent 100)"
    assert any(p == 2 and o < 2 for p, o in seen_running), "then old tasks drained"
    stopped = aws.client("ecs").list_tasks(cluster="shop", serviceName="checkout-api", desiredStatus="STOPPED")["taskArns"]
    assert len(stopped) == 2
    old = aws.client("ecs").describe_tasks(cluster="shop", tasks=stopped)["tasks"]
    assert {t["lastStatus"] for t in old} == {"STOPPED"} and {t["stopCode"] for t in old} == {"ServiceSchedulerInitiated"}


def test_service_without_load_balancer_completes(aws):
    rolling_service(aws, desired=1, load_balancer=False)
    service = run_until(aws, _completed, limit=120)
    assert service["runningCount"] == 1


def test_running_tasks_register_in_cloud_map(aws):
    discovery = aws.client("servicediscovery")
    vpc = aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]
    operation = discovery.create_private_dns_namespace(Name="shop.local", Vpc=vpc)["OperationId"]
    namespace = discovery.get_operation(OperationId=operation)["Operation"]["Targets"]["NAMESPACE"]
    registry = discovery.create_service(Name="checkout-api", NamespaceId=namespace,
                                        DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 10}]})["Service"]
    rolling_service(aws, desired=2, load_balancer=False, serviceRegistries=[{"registryArn": registry["Arn"]}])
    run_until(aws, _completed, limit=120)
    instances = discovery.list_instances(ServiceId=registry["Id"])["Instances"]
    tasks = aws.client("ecs").list_tasks(cluster="shop", serviceName="checkout-api")["taskArns"]
    assert {i["Id"] for i in instances} == {t.rsplit("/", 1)[-1] for t in tasks}
    assert all(i["Attributes"]["AWS_INSTANCE_IPV4"].startswith("10.0.") for i in instances)
    aws.client("ecs").update_service(cluster="shop", service="checkout-api", desiredCount=1)
    aws.advance(30)
    assert len(discovery.list_instances(ServiceId=registry["Id"])["Instances"]) == 1


def test_stopped_task_is_replaced_scale_to_zero_and_delete(aws):
    rolling_service(aws, desired=2)
    run_until(aws, _completed)
    ecs = aws.client("ecs")
    victim = ecs.list_tasks(cluster="shop", serviceName="checkout-api")["taskArns"][0]
    ecs.stop_task(cluster="shop", task=victim, reason="chaos test")
    aws.advance(3)
    stopped = ecs.describe_tasks(cluster="shop", tasks=[victim])["tasks"][0]
    assert stopped["desiredStatus"] == "STOPPED" and stopped["stopCode"] == "UserInitiated" and stopped["stoppedReason"] == "chaos test"
    assert stopped["lastStatus"] in ("DEACTIVATING", "STOPPING", "DEPROVISIONING")
    run_until(aws, lambda s: s["runningCount"] == 2 and len(aws.client("ecs").list_tasks(cluster="shop", serviceName="checkout-api")["taskArns"]) == 2)
    assert victim not in ecs.list_tasks(cluster="shop", serviceName="checkout-api")["taskArns"], "the scheduler replaced it"

    ecs.update_service(cluster="shop", service="checkout-api", desiredCount=0)
    run_until(aws, lambda s: s["runningCount"] == 0 and s["pendingCount"] == 0)
    assert ecs.list_tasks(cluster="shop", serviceName="checkout-api")["taskArns"] == []
    ecs.update_service(cluster="shop", service="checkout-api", desiredCount=1)
    aws.advance(2)
    deleted = ecs.delete_service(cluster="shop", service="checkout-api", force=True)["service"]
    assert deleted["status"] == "DRAINING"
    aws.advance(60)
    assert describe_service(aws)["status"] == "INACTIVE"
    ecs.get_waiter("services_inactive").wait(cluster="shop", services=["checkout-api"], WaiterConfig={"Delay": 0, "MaxAttempts": 1})


def test_tasks_carry_propagated_and_managed_tags(aws):
    rolling_service(aws, desired=1, load_balancer=False, propagateTags="SERVICE", enableECSManagedTags=True,
                    tags=[{"key": "team", "value": "payments"}])
    aws.advance(2)
    ecs = aws.client("ecs")
    task = ecs.describe_tasks(cluster="shop", tasks=ecs.list_tasks(cluster="shop", serviceName="checkout-api")["taskArns"], include=["TAGS"])["tasks"][0]
    tags = {t["key"]: t["value"] for t in task["tags"]}
    assert tags == {"team": "payments", "aws:ecs:clusterName": "shop", "aws:ecs:serviceName": "checkout-api"}
