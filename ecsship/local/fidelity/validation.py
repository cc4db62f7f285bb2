"""Input validation AWS does and moto skips, so mistakes fail locally as they would on AWS.

- ECS RegisterTaskDefinition (Fargate): task cpu/memory must be one of the documented Fargate
  combinations (Amazon ECS Developer Guide, "Task CPU and memory"); otherwise ClientException
  "No Fargate configuration exists for given values".
- ECS RegisterTaskDefinition: port mapping names are lowercase letters, numbers, `_` and `-`, at
  most 64, not starting with `-` (botocore ecs PortMapping.name); otherwise ClientException.
- ECS ListTaskDefinitions: sort=DESC lists the newest revisions first (moto ignores sort).
- CloudWatch Logs PutRetentionPolicy: retentionInDays must be one of the documented values.
- IAM CreateRole / UpdateAssumeRolePolicy: the trust policy must be JSON with a Statement
  (MalformedPolicyDocument).
"""
from __future__ import annotations

import json
import re

FARGATE_MEMORY = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4097, 1024)),
    1024: list(range(2048, 8193, 1024)),
    2048: list(range(4096, 16385, 1024)),
    4096: list(range(8192, 30721, 1024)),
    8192: list(range(16384, 61441, 4096)),
    16384: list(range(32768, 122881, 8192)),
}
RETENTION_DAYS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}


def _units(value, per_unit: int) -> int | None:
    """'0.5 vCPU' / '1 GB' / '512' -> integer units (CPU units, MiB)."""
    if value is None:
        return None
    text = str(value).strip().lower()
    for suffix in ("vcpu", "gb"):
        if text.endswith(suffix):
            return int(float(text[: -len(suffix)].strip()) * per_unit)
    return int(float(text))


def fargate_error(cpu, memory) -> str | None:
    cpu_units, memory_mib = _units(cpu, 1024), _units(memory, 1024)
    if cpu_units is None or memory_mib is None:
        return "Fargate requires that 'cpu' be defined at the task level." if cpu_units is None else \
            "Fargate requires that 'memory' be defined at the task level."
    if memory_mib not in FARGATE_MEMORY.get(cpu_units, []):
        return (f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
                "See the Amazon ECS documentation for the valid values.")
    return None


PORT_MAPPING_NAME = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,63}$")


def port_mapping_name_error(container_definitions: list) -> str | None:
    """RegisterTaskDefinition: botocore ecs PortMapping.name "can include up to 64 characters. The
    characters can include lowercase letters, numbers, underscores (_), and hyphens (-). The name
    can't start with a hyphen." moto accepts any name."""
    for container in container_definitions or []:
        for mapping in container.get("portMappings") or []:
            name = mapping.get("name")
            if name is not None and not PORT_MAPPING_NAME.match(name):
                return (f"Invalid port mapping name '{name}' in container '{container.get('name')}'. Port mapping names can "
                        "contain up to 64 lowercase letters, numbers, underscores and hyphens, and cannot start with a hyphen.")
    return None


def apply() -> None:
    from moto.core.responses import ActionResult
    from moto.ecs.exceptions import EcsClientException
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.ecs.responses import EC2ContainerServiceResponse

    original_register = EC2ContainerServiceBackend.register_task_definition

    def register_task_definition(self, family, container_definitions, *args, **kwargs):
        requires = kwargs.get("requires_compatibilities")
        if requires and "FARGATE" in requires:
            error = fargate_error(kwargs.get("cpu"), kwargs.get("memory"))
            if error:
                raise EcsClientException(error)
        error = port_mapping_name_error(container_definitions)
        if error:
            raise EcsClientException(error)
        return original_register(self, family, container_definitions, *args, **kwargs)

    EC2ContainerServiceBackend.register_task_definition = register_task_definition

    def list_task_definitions(self):
        arns = self.ecs_backend.list_task_definitions(self._get_param("familyPrefix"), self._get_param("status", "ACTIVE"))

        def key(arn: str):
            family, revision = arn.rsplit("/", 1)[1].rsplit(":", 1)
            return family, int(revision)

        arns = sorted(arns, key=key, reverse=(self._get_param("sort") or "ASC") == "DESC")
        start = int(self._get_param("nextToken") or 0)
        size = int(self._get_param("maxResults") or 100)
        result: dict = {"taskDefinitionArns": arns[start : start + size]}
        if start + size < len(arns):
            result["nextToken"] = str(start + size)
        return ActionResult(result)

    EC2ContainerServiceResponse.list_task_definitions = list_task_definitions

    from moto.logs.exceptions import InvalidParameterException
    from moto.logs.models import LogsBackend

    original_retention = LogsBackend.put_retention_policy

    def put_retention_policy(self, log_group_name, retention_in_days):
        if int(retention_in_days) not in RETENTION_DAYS:
            raise InvalidParameterException(
                constraint=f"Member must satisfy enum value set: {sorted(RETENTION_DAYS)}",
                parameter="retentionInDays", value=retention_in_days)
        return original_retention(self, log_group_name, retention_in_days)

    LogsBackend.put_retention_policy = put_retention_policy

    from moto.iam.exceptions import MalformedPolicyDocument
    from moto.iam.models import IAMBackend

    def check_trust_policy(document: str) -> None:
        try:
            parsed = json.loads(document)
        except (TypeError, ValueError):
            raise MalformedPolicyDocument("This policy contains invalid Json") from None
        statements = parsed.get("Statement") if isinstance(parsed, dict) else None
        if not statements:
            raise MalformedPolicyDocument("Syntax errors in policy.")
        for statement in statements if isinstance(statements, list) else [statements]:
            if not isinstance(statement, dict) or "Principal" not in statement or statement.get("Effect") not in ("Allow", "Deny"):
                raise MalformedPolicyDocument("Has prohibited field Resource." if isinstance(statement, dict) and "Resource" in statement
                                              else "Syntax errors in policy.")

    original_create_role = IAMBackend.create_role
    original_update_trust = IAMBackend.update_assume_role_policy

    def create_role(self, role_name, assume_role_policy_document, *args, **kwargs):
        check_trust_policy(assume_role_policy_document)
        return original_create_role(self, role_name, assume_role_policy_document, *args, **kwargs)

    def update_assume_role_policy(self, role_name, policy_document):
        check_trust_policy(policy_document)
        return original_update_trust(self, role_name, policy_document)

    IAMBackend.create_role = create_role
    IAMBackend.update_assume_role_policy = update_assume_role_policy
