"""Identifiers shaped like AWS's, drawn from moto's seeded random generator (deterministic runs)."""
from __future__ import annotations

import string


def _random():
    from moto.moto_api._internal import mock_random

    return mock_random


def digits(n: int) -> str:
    return "".join(_random().choice(string.digits[1:] if i == 0 else string.digits) for i in range(n))


def token(n: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(_random().choice(alphabet) for _ in range(n))


def uuid() -> str:
    return str(_random().uuid4())


def ecs_deployment_id() -> str:
    """ECS Deployment.id, e.g. ecs-svc/1234567890123456789."""
    return f"ecs-svc/{digits(19)}"


def codedeploy_deployment_id() -> str:
    """CodeDeploy deploymentId: `d-` and 9 upper-case letters or digits (AWS CLI reference,
    `aws deploy get-deployment --deployment-id d-USUAELQEX`; moto issues UUIDs)."""
    alphabet = string.ascii_uppercase + string.digits
    return "d-" + "".join(_random().choice(alphabet) for _ in range(9))
