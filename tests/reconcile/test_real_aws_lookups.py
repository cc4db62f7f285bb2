"""Issue #12 (right on real AWS): lookups and names that moto accepted but AWS refuses or answers differently."""
from __future__ import annotations


def test_a_service_with_capitals_registers_a_valid_port_mapping_name(run_cli, manifest, aws):
    """botocore ecs PortMapping.name: lowercase letters, numbers, underscores and hyphens only (the
    local AWS refuses others as ECS does); ECS service names may use capitals, so `CheckoutApi` must
    yield `checkoutapi-8080`."""
    path = manifest("web", service="CheckoutApi")
    applied = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert applied.exit_code == 0, applied.stderr
    family = aws.client("ecs").list_task_definitions(familyPrefix="shop-CheckoutApi")["taskDefinitionArns"][-1]
    container = aws.client("ecs").describe_task_definition(taskDefinition=family)["taskDefinition"]["containerDefinitions"][0]
    assert container["portMappings"][0]["name"] == "checkoutapi-8080"
