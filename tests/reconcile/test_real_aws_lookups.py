"""Issue #12 (right on real AWS): lookups and names that moto accepted but AWS refuses or answers differently."""
from __future__ import annotations

import json


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


def _task_secrets(aws, family: str) -> dict:
    ecs = aws.client("ecs")
    arn = ecs.list_task_definitions(familyPrefix=family, sort="DESC")["taskDefinitionArns"][0]
    container = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]["containerDefinitions"][0]
    return {s["name"]: s["valueFrom"] for s in container.get("secrets", [])}


def test_a_parameter_behind_an_empty_first_page_is_found(run_cli, example, aws):
    """botocore ssm DescribeParameters: "The number of items returned ... can be between zero and the
    value of MaxResults. If the service reaches an internal limit ... returns the matching values up
    to that point and a NextToken." The local AWS examines two parameters per call, so with three
    parameters sorting before the referenced one the first pages are empty with a NextToken."""
    ssm = aws.client("ssm")
    for name in ("/a/one", "/a/two", "/a/three"):
        ssm.put_parameter(Name=name, Value="x", Type="String")
    first = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": ["/shop/checkout/feature-token"]}])
    assert first["Parameters"] == [] and first.get("NextToken")  # the AWS behaviour the product must handle

    plan = run_cli("plan", "-f", example("web"))
    assert plan.exit_code == 0, plan.stderr
    listed = run_cli("secret", "list", "-f", example("web"), "-o", "json")
    rows = json.loads(listed.stdout)["secrets"]
    token = next(r for r in rows if r["key"] == "FEATURE_TOKEN")
    assert token["exists"] is True


def test_secrets_and_parameters_in_another_region_are_read_there(run_cli, manifest, aws):
    """A secret or parameter ARN names its region (Secrets Manager / SSM ARN formats); ECS accepts
    the full ARN of a secret in another region in `valueFrom` (Amazon ECS Developer Guide, "Pass
    Secrets Manager secrets": "If the secret exists in a different Region ... specify the full ARN").
    The local AWS keeps each region's secrets apart, as AWS does."""
    west_sm = boto3_client(aws, "secretsmanager", "us-west-2")
    secret_arn = west_sm.create_secret(Name="shop/west-db", SecretString="s3cret-west")["ARN"]
    boto3_client(aws, "ssm", "us-west-2").put_parameter(Name="/shop/west-token", Value="w", Type="SecureString")
    param_arn = "arn:aws:ssm:us-west-2:123456789012:parameter/shop/west-token"
    path = manifest("web", secrets={"DB_PASSWORD": secret_arn, "FEATURE_TOKEN": param_arn})
    applied = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert applied.exit_code == 0, applied.stderr
    secrets = _task_secrets(aws, "shop-checkout-api")
    assert secrets == {"DB_PASSWORD": secret_arn, "FEATURE_TOKEN": param_arn}
    listed = run_cli("secret", "list", "-f", path, "-o", "json")
    rows = json.loads(listed.stdout)["secrets"]
    assert all(r["exists"] for r in rows if r["key"] in ("DB_PASSWORD", "FEATURE_TOKEN")), rows


def boto3_client(aws, service: str, region: str):
    import boto3

    return boto3.client(service, region_name=region, endpoint_url=aws.endpoint_url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_an_ecr_image_in_another_region_is_looked_up_there(run_cli, manifest, aws):
    """An ECR image URI names its registry's region (`<account>.dkr.ecr.<region>.amazonaws.com`);
    ECR repositories are regional, so DescribeImages must be asked in that region."""
    from ecsship.local.images import image_manifest

    west = boto3_client(aws, "ecr", "us-west-2")
    west.create_repository(repositoryName="west-api")
    west.put_image(repositoryName="west-api", imageTag="v1", imageManifest=image_manifest("west-api", "v1"))
    plan = run_cli("plan", "-f", manifest("web", image="123456789012.dkr.ecr.us-west-2.amazonaws.com/west-api:v1"))
    assert plan.exit_code == 0, plan.stderr
    missing = run_cli("plan", "-f", manifest("web", image="123456789012.dkr.ecr.us-west-2.amazonaws.com/west-api:v9"))
    assert missing.exit_code == 1 and "image not found in ECR" in missing.stderr
