"""EC2 container instances: an Auto Scaling group's instances register with the cluster their user data
names, as the ECS agent does at boot (ECS Developer Guide, "Bootstrapping container instances with
Amazon EC2 user data": `ECS_CLUSTER=<name>` in /etc/ecs/ecs.config; the agent then calls
RegisterContainerInstance). An instance that leaves its group is deregistered (the agent stops; a
terminated instance's container instance goes away). Registration is immediate (no boot time).

Not modelled: managed scaling (a group keeps the desired capacity it has: its minimum, or what
UpdateAutoScalingGroup set), instance CPU/memory/GPU running out, the agent's attributes.
"""
from __future__ import annotations

import base64
import re

from ecsship.local.fidelity.ec2_capacity import name_type

ECS_CLUSTER = re.compile(r"ECS_CLUSTER=([A-Za-z0-9_-]+)")


def sync() -> None:
    from moto.autoscaling.models import autoscaling_backends
    from moto.ecs.models import ecs_backends

    for account_id, per_region in list(autoscaling_backends.items()):
        for region, backend in list(per_region.items()):
            if not backend.autoscaling_groups and not getattr(ecs_backends[account_id][region], "ecsship_agents", None):
                continue
            _sync_region(backend, ecs_backends[account_id][region])


def _sync_region(autoscaling, ecs) -> None:
    agents = getattr(ecs, "ecsship_agents", None)
    if agents is None:
        agents = ecs.ecsship_agents = {}  # EC2 instance id -> (cluster, container instance ARN)
    running = set()
    for group in list(autoscaling.autoscaling_groups.values()):
        name_type(group)
        cluster = _cluster_of(group)
        for state in group.instance_states:
            instance_id = state.instance.id
            running.add(instance_id)
            if instance_id in agents or cluster is None or cluster not in ecs.clusters:
                continue
            registered = ecs.register_container_instance(cluster, instance_id)
            agents[instance_id] = (cluster, registered.container_instance_arn)
    for instance_id, (cluster, arn) in list(agents.items()):
        if instance_id not in running:
            if cluster in ecs.clusters:
                try:
                    ecs.deregister_container_instance(cluster, arn, True)
                except Exception:  # noqa: BLE001 - already gone with its cluster
                    pass
            del agents[instance_id]


def _cluster_of(group) -> str | None:
    try:
        data = group.user_data
    except Exception:  # noqa: BLE001 - a group without a launch template or configuration
        return None
    if not data:
        return None
    try:
        text = data.decode() if hasattr(data, "decode") and not isinstance(data, str) else base64.b64decode(str(data)).decode(errors="replace")
    except ValueError:
        text = str(data)
    match = ECS_CLUSTER.search(text)
    return match.group(1) if match else None
