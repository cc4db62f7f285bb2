"""DAEMON services: exactly one task on each active container instance of the cluster.

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
    """Put a new task of a DAEMON service on an instance that has none of the service's live tasks."""
    if not is_daemon(service):
        return
    taken = {getattr(t, "container_instance_arn", None) for t in sim.tasks
             if t is not task and t.desired_status == "RUNNING" and t.last_status != "STOPPED"}
    free = [ci for ci in active_instances(backend, service.cluster_name) if ci.container_instance_arn not in taken]
    if free:
        task.container_instance_arn = free[0].container_instance_arn
