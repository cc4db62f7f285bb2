"""A small in-memory ECS that behaves like AWS for one service, over a FakeClock.

Only what the ECS strategy reads and writes. Behaviour per task definition image:
`ok` images complete after 10 s; `broken` ones fail a task every 5 s until the circuit breaker
(threshold 3) rolls back, which completes 10 s later; `hang` ones never finish.
`service_deployments=False` makes the service-deployments API answer like an endpoint without it.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


def td_arn(family, n):
    return f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/{family}:{n}"


class FakeEcs:
    def __init__(self, clock, service_deployments=True, desired=2):
        self.clock = clock
        self.sd_api = service_deployments
        self.desired = desired
        self.task_defs = {}          # arn -> {"taskDefinition": {...}, "tags": [...]}
        self.calls = []
        self.seq = 0
        self.events = []
        self.stopped_tasks = []
        self.sds = {}                # arn -> dict
        self.register("web", "repo/web:v1")
        first = td_arn("web", 1)
        self.service = {"serviceName": "web", "status": "ACTIVE", "taskDefinition": first, "desiredCount": desired,
                        "deploymentConfiguration": {}, "loadBalancers": [], "deployments": [
                            self._deployment(first, "PRIMARY", running=desired, state="COMPLETED")]}
        self.rollouts = []           # [deployment, sd_arn, behaviour, started_at, kind]

    # -- helpers ------------------------------------------------------------------------
    def now(self):
        return EPOCH + timedelta(seconds=self.clock.t)

    def _deployment(self, td, status, running=0, state="IN_PROGRESS"):
        self.seq += 1
        return {"id": f"ecs-svc/{self.seq}", "status": status, "taskDefinition": td, "desiredCount": self.desired,
                "pendingCount": 0, "runningCount": running, "failedTasks": 0, "rolloutState": state, "createdAt": self.now()}

    def _event(self, message):
        self.seq += 1
        self.events.insert(0, {"id": f"ev{self.seq}", "createdAt": self.now(), "message": message})

    def _unsupported(self, op):
        raise ClientError({"Error": {"Code": "InternalFailure", "Message": "not implemented"},
                           "ResponseMetadata": {"HTTPStatusCode": 500}}, op)

    def register(self, family, image):
        n = 1 + sum(1 for a in self.task_defs if a.rsplit("/", 1)[1].startswith(family + ":"))
        arn = td_arn(family, n)
        self.task_defs[arn] = {"taskDefinition": {"taskDefinitionArn": arn, "family": family, "revision": n,
                                                  "containerDefinitions": [{"name": family, "image": image, "essential": True}]},
                               "tags": [{"key": "ecsship:cluster", "value": "shop"}]}  # as ecsship tags its revisions
        return arn

    def behaviour(self, td):
        image = self.task_defs[td]["taskDefinition"]["containerDefinitions"][0]["image"]
        return "broken" if "broken" in image else "hang" if "hang" in image else "ok"

    # -- the simulation -----------------------------------------------------------------
    def advance(self):
        for rollout in list(self.rollouts):
            dep, sd_arn, behaviour, started, kind = rollout
            age = self.clock.t - started
            sd = self.sds.get(sd_arn)
            if behaviour == "ok" and age >= 10 and dep["rolloutState"] == "IN_PROGRESS":
                dep.update(runningCount=self.desired, pendingCount=0, rolloutState="COMPLETED")
                self.service["deployments"] = [dep]
                self.service["taskDefinition"] = dep["taskDefinition"]
                self._event("(service web) has reached a steady state.")
                if sd:
                    sd["status"] = "ROLLBACK_SUCCESSFUL" if kind == "rollback" else "SUCCESSFUL"
                    sd["finishedAt"] = self.now()
                self.rollouts.remove(rollout)
            elif behaviour == "ok" and 0 < age < 10 and dep["runningCount"] == 0:
                dep.update(pendingCount=self.desired)
                self._event(f"(service web) has started {self.desired} tasks.")
            elif behaviour == "broken" and dep["rolloutState"] == "IN_PROGRESS":
                failures = min(3, int(age // 5))
                while dep["failedTasks"] < failures:
                    dep["failedTasks"] += 1
                    self.stopped_tasks.append({"taskArn": f"t{self.seq}", "taskDefinitionArn": dep["taskDefinition"],
                                               "stoppedReason": "Task failed ELB health checks in (target-group web)", "containers": []})
                    self.seq += 1
                if dep["failedTasks"] >= 3:
                    dep.update(rolloutState="FAILED", rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.")
                    self._event("(service web) deployment failed: tasks failed to start.")
                    self._roll_back(dep, sd, "circuit breaker")
                    self.rollouts.remove(rollout)

    def _roll_back(self, dep, sd, reason):
        old = next(d for d in self.service["deployments"] if d is not dep)
        dep["status"] = "ACTIVE"
        back = self._deployment(old["taskDefinition"], "PRIMARY", running=old["runningCount"])
        self.service["deployments"] = [back, dep]
        self._event(f"(service web) rolling back to deployment {old['id']}.")
        if sd:
            sd.update(status="ROLLBACK_IN_PROGRESS", rollback={"reason": reason})
        self.rollouts.append([back, sd["serviceDeploymentArn"] if sd else "", "ok", self.clock.t, "rollback"])

    # -- the API --------------------------------------------------------------------------
    def describe_services(self, cluster, services):
        self.calls.append("DescribeServices")
        self.advance()
        svc = dict(self.service, events=list(self.events))
        return {"services": [svc]}

    def update_service(self, cluster, service, taskDefinition, forceNewDeployment=False):
        self.calls.append("UpdateService")
        for d in self.service["deployments"]:
            d["status"] = "ACTIVE"
        dep = self._deployment(taskDefinition, "PRIMARY")
        self.service["deployments"].insert(0, dep)
        sd_arn = ""
        if self.sd_api:
            sd_arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:service-deployment/shop/web/sd{self.seq}"
            self.sds[sd_arn] = {"serviceDeploymentArn": sd_arn, "status": "IN_PROGRESS", "createdAt": self.now(),
                                "startedAt": self.now(), "targetServiceRevision": {"arn": f"rev/{taskDefinition}"}}
            self.service["currentServiceDeployment"] = sd_arn
        self.rollouts.append([dep, sd_arn, self.behaviour(taskDefinition), self.clock.t, "deploy"])
        return {"service": dict(self.service)}

    def list_service_deployments(self, cluster, service, status=None, maxResults=None, **_):
        self.calls.append("ListServiceDeployments")
        if not self.sd_api:
            self._unsupported("ListServiceDeployments")
        found = [{"serviceDeploymentArn": a, "status": sd["status"]} for a, sd in self.sds.items() if not status or sd["status"] in status]
        return {"serviceDeployments": list(reversed(found))}

    def describe_service_deployments(self, serviceDeploymentArns):
        self.calls.append("DescribeServiceDeployments")
        if not self.sd_api:
            self._unsupported("DescribeServiceDeployments")
        self.advance()
        return {"serviceDeployments": [dict(self.sds[a]) for a in serviceDeploymentArns if a in self.sds]}

    def describe_service_revisions(self, serviceRevisionArns):
        self.calls.append("DescribeServiceRevisions")
        out = []
        for arn in serviceRevisionArns:
            td = arn[len("rev/"):]
            image = self.task_defs[td]["taskDefinition"]["containerDefinitions"][0]["image"]
            out.append({"serviceRevisionArn": arn, "taskDefinition": td, "containerImages": [{"containerName": "web", "image": image}]})
        return {"serviceRevisions": out}

    def stop_service_deployment(self, serviceDeploymentArn, stopType):
        self.calls.append("StopServiceDeployment")
        for rollout in list(self.rollouts):
            if rollout[1] == serviceDeploymentArn:
                self.rollouts.remove(rollout)
                sd = self.sds[serviceDeploymentArn]
                sd["status"] = "ROLLBACK_REQUESTED"
                self._roll_back(rollout[0], sd, "stopped by the user")
        return {"serviceDeploymentArn": serviceDeploymentArn}

    def list_tasks(self, cluster, serviceName, desiredStatus):
        self.calls.append("ListTasks")
        return {"taskArns": [t["taskArn"] for t in self.stopped_tasks]}

    def describe_tasks(self, cluster, tasks):
        self.calls.append("DescribeTasks")
        return {"tasks": [t for t in self.stopped_tasks if t["taskArn"] in tasks]}

    def tag_resource(self, resourceArn, tags):
        self.calls.append("TagResource")
        existing = {t["key"]: t for t in self.task_defs[resourceArn]["tags"]}
        existing.update({t["key"]: t for t in tags})
        self.task_defs[resourceArn]["tags"] = list(existing.values())

    def describe_task_definition(self, taskDefinition, include=None):
        self.calls.append("DescribeTaskDefinition")
        if not taskDefinition.startswith("arn:"):
            family, _, n = taskDefinition.partition(":")
            arns = sorted((a for a in self.task_defs if a.rsplit("/", 1)[1].split(":")[0] == family), key=lambda a: int(a.rsplit(":", 1)[1]))
            taskDefinition = td_arn(family, int(n)) if n else arns[-1]
        entry = self.task_defs[taskDefinition]
        return {"taskDefinition": entry["taskDefinition"], "tags": list(entry["tags"])}

    def register_task_definition(self, family, containerDefinitions, tags=None, **_):
        self.calls.append("RegisterTaskDefinition")
        arn = self.register(family, containerDefinitions[0]["image"])
        return {"taskDefinition": self.task_defs[arn]["taskDefinition"]}

    def get_paginator(self, name):
        fake = self

        class Pages:
            def paginate(self, familyPrefix, **_):
                fake.calls.append("ListTaskDefinitions")
                yield {"taskDefinitionArns": [a for a in fake.task_defs if a.rsplit("/", 1)[1].startswith(familyPrefix + ":")]}
        return Pages()
