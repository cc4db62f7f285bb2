"""An existing cluster is used as is (providers attached only); network selectors are verified."""
from __future__ import annotations

import json


def test_existing_cluster_only_gets_providers_attached(run_cli, example, aws):
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="shop", capacityProviders=["FARGATE"], settings=[{"name": "containerInsights", "value": "enabled"}])
    plan = run_cli("plan", "-f", example("worker"), "--output", "json")
    cluster = next(c for c in json.loads(plan.stdout)["changes"] if c["kind"] == "cluster")
    assert cluster["action"] == "update"
    # A list field also says what is added and removed (issue #21).
    assert cluster["fields"] == [{"field": "capacityProviders", "old": ["FARGATE"], "new": ["FARGATE", "FARGATE_SPOT"],
                                  "added": ["FARGATE_SPOT"], "removed": []}]
    assert "not created by ecsship" in cluster["note"]
    assert run_cli("apply", "--no-wait", "-f", example("worker"), "--yes").exit_code == 0
    live = ecs.describe_clusters(clusters=["shop"], include=["SETTINGS", "TAGS"])["clusters"][0]
    assert sorted(live["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert {s["name"]: s["value"] for s in live["settings"]}["containerInsights"] == "enabled"  # not ours to change
    assert not any(t["key"].startswith("ecsship:") for t in live.get("tags", []))
    converged = run_cli("plan", "-f", example("worker"))
    assert "ECS cluster shop  [unchanged]" in converged.stdout and "not created by ecsship" in converged.stdout
    assert "No changes" in converged.stdout


def test_network_selectors_are_verified(run_cli, manifest, aws):
    ec2 = aws.client("ec2")
    main = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]
    private = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [main]}, {"Name": "tag:tier", "Values": ["private"]}])["Subnets"]
    one = manifest("worker", network={"vpc": main, "subnets": [private[0]["SubnetId"]]})
    warned = run_cli("plan", "-f", one)
    assert warned.exit_code == 0 and "all task subnets are in one availability zone" in warned.stderr

    other = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    stray = ec2.create_subnet(VpcId=other, CidrBlock="10.99.1.0/24")["Subnet"]["SubnetId"]
    wrong = run_cli("plan", "-f", manifest("worker", network={"vpc": main, "subnets": [private[0]["SubnetId"], stray]}))
    assert wrong.exit_code == 1 and f"{stray} not in VPC {main}" in wrong.stderr

    nothing = run_cli("plan", "-f", manifest("worker", network={"vpc": {"tags": {"Name": "nope"}}, "subnets": {"tags": {"tier": "private"}}}))
    assert nothing.exit_code == 1 and "no VPC matches Name=nope" in nothing.stderr
