"""Tasks on container instances. DAEMON services: exactly one task on each active container instance of
the cluster; a replica service's EC2 tasks spread over the instances.

botocore ecs CreateService.schedulingStrategy: "DAEMON-The daemon scheduling strategy deploys exactly
one task on each active container instance that meets all of the task placement constraints that you
specify in your cluster"; DescribeServices then reports the number of those instances as the service's
desiredCount. Container instances are what registered with the cluster (RegisterContainerInstance, as
the ECS agent does; the local AWS registers an owned Auto Scaling group's instances itself). Not
modelled: placement constraints, an instance's CPU/memory/GPU running out.
"""
from __future__ import annotations


def is_daemon(service) -> bool:
    return getattr(service, "scheduling_strategy", "REPLICA") == "DAEMON"


def active_instances(backend, cluster_name: str) -> list:
    found = backend.container_instances.get(cluster_name, {}).values()
    return sorted((ci for ci in found if ci.status == "ACTIVE"), key=lambda ci: ci.container_instance_arn)


def refresh(backend, service) -> None:
    """A DAEMON service wants one task per active instance."""
    if is_daemon(service):
        service.desired_count = len(active_instances(backend, service.cluster_name))


def place(backend, service, sim, task) -> None:
    """Put a new task of a DAEMON service on an instance that has none of the service's live tasks; an
    EC2 task of a REPLICA service on the instance with the fewest of them (ECS's default spread over
    instances). A replica task on EC2 with no instance registered still starts (not modelled: waiting
    for capacity)."""
    if not is_daemon(service) and not _on_ec2(task):
        return
    live = [getattr(t, "container_instance_arn", None) for t in sim.tasks
            if t is not task and t.desired_status == "RUNNING" and t.last_status != "STOPPED"]
    instances = active_instances(backend, service.cluster_name)
    if is_daemon(service):
        instances = [ci for ci in instances if ci.container_instance_arn not in live]
    if instances:
        task.container_instance_arn = min(instances, key=lambda ci: live.count(ci.container_instance_arn)).container_instance_arn


def _on_ec2(task) -> bool:
    provider = getattr(task, "capacity_provider_name", None)
    if provider:
        return provider not in ("FARGATE", "FARGATE_SPOT")
    return getattr(task, "launch_type", None) == "EC2"
