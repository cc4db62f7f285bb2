"""Application Auto Scaling for ECS services: the capacity bounds act on the service, and scaling
activities are recorded.

AWS (Application Auto Scaling API Reference, RegisterScalableTarget / DescribeScalingActivities):
registering or updating a scalable target whose current capacity is outside [MinCapacity,
MaxCapacity] scales it into the range at once, and that shows as a scaling activity ("Setting
desired count to 2."). moto stores the bounds without touching the service, and does not implement
DescribeScalingActivities (HTTP 500, which botocore retries). The local AWS has no metrics, so
target-tracking and step policies never fire; only the bounds move capacity.
"""
from __future__ import annotations

import json


def _service_for(backend, resource_id: str):
    from moto.ecs.models import ecs_backends

    parts = resource_id.split("/")
    if len(parts) != 3 or parts[0] != "service":
        return None
    return ecs_backends[backend.account_id][backend.region_name].services.get(f"{parts[1]}:{parts[2]}")


def _record(backend, target, desired: int, cause: str) -> None:
    from ecsship.local import runtime
    from ecsship.local.simulator import ids

    now = runtime.now_dt()
    activities = getattr(backend, "ecsship_activities", None)
    if activities is None:
        activities = backend.ecsship_activities = []
    activities.insert(0, {
        "ActivityId": ids.uuid(), "ServiceNamespace": target.service_namespace, "ResourceId": target.resource_id,
        "ScalableDimension": target.scalable_dimension, "Description": f"Setting desired count to {desired}.",
        "Cause": cause, "StartTime": now, "EndTime": now, "StatusCode": "Successful",
        "StatusMessage": f"Successfully set desired count to {desired}. Change successfully fulfilled by ecs.",
    })


def apply() -> None:
    from moto.applicationautoscaling.models import ApplicationAutoscalingBackend
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    original_register = ApplicationAutoscalingBackend.register_scalable_target

    def register_scalable_target(self, namespace, r_id, dimension, min_capacity, max_capacity, role_arn, suspended_state):
        target = original_register(self, namespace, r_id, dimension, min_capacity, max_capacity, role_arn, suspended_state)
        if namespace == "ecs" and dimension == "ecs:service:DesiredCount":
            service = _service_for(self, r_id)
            if service is not None and service.status == "ACTIVE":
                current = int(service.desired_count or 0)
                low, high = int(target.min_capacity), int(target.max_capacity)
                wanted = min(max(current, low), high)
                if wanted != current:
                    bound = "minimum" if wanted == low and current < low else "maximum"
                    service.desired_count = wanted
                    _record(self, target, wanted, f"{bound} capacity was set to {wanted}")
                    if getattr(service, "ecsship", None) is not None:
                        from ecsship.local.simulator.ecs_view import sync

                        primary = service.ecsship.primary()
                        if primary is not None:
                            primary.desired_count = wanted
                        sync(service, service.ecsship)
        return target

    def describe_scaling_activities(self):
        if not self._get_param("ServiceNamespace"):
            from moto.core.exceptions import JsonRESTError

            raise JsonRESTError("ValidationException", "1 validation error detected: Value null at 'serviceNamespace' failed to satisfy constraint: Member must not be null")
        activities = getattr(self.applicationautoscaling_backend, "ecsship_activities", [])
        for key, field in (("ServiceNamespace", "ServiceNamespace"), ("ResourceId", "ResourceId"), ("ScalableDimension", "ScalableDimension")):
            wanted = self._get_param(key)
            if wanted:
                activities = [a for a in activities if a[field] == wanted]
        limit = int(self._get_param("MaxResults") or 50)
        return json.dumps({"ScalingActivities": activities[:limit]}, default=lambda value: value.timestamp())

    ApplicationAutoscalingBackend.register_scalable_target = register_scalable_target
    ApplicationAutoScalingResponse.describe_scaling_activities = describe_scaling_activities
