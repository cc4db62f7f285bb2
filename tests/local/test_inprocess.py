"""The in-process variant of the backend (moto's mock_aws): same seed, fixes and simulator."""
from __future__ import annotations

from tests.local.helpers import describe_service, register_task_definition, rolling_service, run_until


def test_inprocess_backend_is_seeded_and_simulates(inprocess_aws):
    aws = inprocess_aws
    ec2 = aws.client("ec2")
    assert ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"]
    rolling_service(aws, desired=2)
    service = run_until(aws, lambda s: s["deployments"][0]["rolloutState"] == "COMPLETED")
    assert service["runningCount"] == 2
    aws.client("ecs").update_service(cluster="shop", service="checkout-api", taskDefinition=register_task_definition(aws, tag="v2"))
    assert [d["status"] for d in describe_service(aws)["deployments"]] == ["PRIMARY", "ACTIVE"]


def test_inprocess_reset_between_tests(inprocess_aws):
    assert inprocess_aws.client("ecs").list_clusters()["clusterArns"] == []
