"""service_discovery: the namespace is created when missing and the service registered in it."""
from __future__ import annotations


def test_namespace_created_and_service_registered(run_cli, manifest, aws):
    path = manifest("worker", service="orders", service_discovery={"namespace": "shop.local"}, drop=("scaling",))
    result = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert result.exit_code == 0, result.output
    sd = aws.client("servicediscovery")
    namespaces = [n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == "shop.local"]
    assert len(namespaces) == 1
    services = sd.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [namespaces[0]["Id"]], "Condition": "EQ"}])["Services"]
    assert [s["Name"] for s in services] == ["orders"]
    ecs_service = aws.client("ecs").describe_services(cluster="shop", services=["orders"])["services"][0]
    assert ecs_service["serviceRegistries"] == [{"registryArn": services[0]["Arn"]}]
    assert run_cli("plan", "-f", path, "--detailed-exitcode").exit_code == 0
    destroyed = run_cli("destroy", "-f", path, "--yes")
    assert destroyed.exit_code == 0, destroyed.output
    assert sd.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [namespaces[0]["Id"]], "Condition": "EQ"}])["Services"] == []
    assert [n["Name"] for n in sd.list_namespaces()["Namespaces"]].count("shop.local") == 1  # shared: kept
