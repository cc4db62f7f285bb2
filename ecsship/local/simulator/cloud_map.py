"""Cloud Map registration of service tasks (serviceRegistries)."""
from __future__ import annotations


def register_in_cloud_map(service, revision, task) -> None:
    """ECS registers a running task's IP with each Cloud Map service of serviceRegistries (instance id
    = task id, attributes AWS_INSTANCE_IPV4, AVAILABILITY_ZONE, ECS_* as ECS writes them) and
    deregisters it when the task stops (Amazon ECS Developer Guide, "Use service discovery")."""
    if not revision.service_registries or not task.ecsship_ip:
        return
    from moto.servicediscovery.models import servicediscovery_backends

    backend = servicediscovery_backends[service._account_id][service.region_name]
    family = revision.task_definition.rsplit("/", 1)[-1].split(":")[0]
    for registry in revision.service_registries:
        service_id = (registry.get("registryArn") or "").rsplit("/", 1)[-1]
        try:
            backend.register_instance(service_id, task.id, task.id, {
                "AWS_INSTANCE_IPV4": task.ecsship_ip, "AVAILABILITY_ZONE": task.availability_zone or "",
                "AWS_INIT_HEALTH_STATUS": "HEALTHY", "ECS_CLUSTER_NAME": service.cluster_name,
                "ECS_SERVICE_NAME": service.name, "ECS_TASK_DEFINITION_FAMILY": family,
                **({"AWS_INSTANCE_PORT": str(registry["port"])} if registry.get("port") else {}),
            })
            task.ecsship_cloud_map = getattr(task, "ecsship_cloud_map", []) + [service_id]
        except Exception:  # the Cloud Map service is gone: ECS would report an event and go on
            continue


def deregister_from_cloud_map(service, task) -> None:
    registered = getattr(task, "ecsship_cloud_map", None)
    if not registered:
        return
    from moto.servicediscovery.models import servicediscovery_backends

    backend = servicediscovery_backends[service._account_id][service.region_name]
    for service_id in registered:
        try:
            backend.deregister_instance(service_id, task.id)
        except Exception:  # already removed by hand
            continue
    task.ecsship_cloud_map = []
