"""ExecuteCommand (moto lacks it; it answered 501).

AWS (botocore `ecs ExecuteCommand`; ECS Developer Guide "Using Amazon ECS Exec for debugging"):
- a task started without enableExecuteCommand: InvalidParameterException "The execute command failed
  because execute command was not enabled when the task was run or the execute command agent isn't
  running. Wait and try again or run a new task with execute command enabled and try again.";
- only interactive mode is supported ("Interactive is the only mode supported currently.");
- a task that is not RUNNING cannot be reached.
What the local AWS cannot do: open a session. No SSM agent runs in a simulated task, so an enabled,
running task answers TargetNotConnectedException, the error AWS gives when the agent is not
reachable ("The SSM agent is not installed or is not running").
"""
from __future__ import annotations

NOT_ENABLED = ("The execute command failed because execute command was not enabled when the task was run or the execute "
               "command agent isn't running. Wait and try again or run a new task with execute command enabled and try again.")
NO_SESSION = ("The execute command failed: the ecsship local AWS runs no SSM agent and cannot open an ECS Exec session "
              "(the checks before a session can be rehearsed; the session itself needs AWS).")


def install(Response) -> None:
    from moto.ecs.exceptions import ECSException, InvalidParameterException

    def execute_command(self):
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster") or "default")
        wanted = self._get_param("task") or ""
        task = next((t for t in backend.tasks.get(cluster.name, {}).values()
                     if t.task_arn == wanted or t.task_arn.endswith("/" + wanted)), None)
        if task is None:
            raise InvalidParameterException(f"The specified task {wanted} is not found.")
        if not self._get_param("interactive"):
            raise InvalidParameterException("Interactive is the only mode supported currently.")
        if not getattr(task, "enable_execute_command", False):
            raise InvalidParameterException(NOT_ENABLED)
        if getattr(task, "last_status", "RUNNING") != "RUNNING":
            raise InvalidParameterException("The execute command failed because the task is not in the RUNNING state.")
        raise ECSException("TargetNotConnectedException", NO_SESSION)

    Response.execute_command = execute_command
