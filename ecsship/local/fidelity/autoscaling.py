"""Application Auto Scaling DescribeScalingActivities, which moto lacks (it answers HTTP 500, which
botocore retries). The local AWS has no metrics, so no scaling happens: an empty, well-formed list,
as AWS returns for a target that has not scaled (API Reference, DescribeScalingActivities)."""
from __future__ import annotations

import json


def apply() -> None:
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    def describe_scaling_activities(self):
        if not self._get_param("ServiceNamespace"):
            from moto.core.exceptions import JsonRESTError

            raise JsonRESTError("ValidationException", "1 validation error detected: Value null at 'serviceNamespace' failed to satisfy constraint: Member must not be null")
        return json.dumps({"ScalingActivities": []})

    ApplicationAutoScalingResponse.describe_scaling_activities = describe_scaling_activities
