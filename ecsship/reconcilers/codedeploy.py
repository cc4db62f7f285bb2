"""CodeDeploy for ECS blue/green: application, custom deployment config, deployment group."""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.deploy import clock as clocks
from ecsship.reconcilers import tag_index
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, converge_existing, owned, tag_dict, tag_list, while_role_propagates

MISSING = ("ApplicationDoesNotExistException", "DeploymentGroupDoesNotExistException", "DeploymentConfigDoesNotExistException")


def _arn(aws, account: str | None, kind: str, name: str) -> str:
    return f"arn:{aws.partition}:codedeploy:{aws.region}:{account or aws.account_id}:{kind}:{name}"


def _tags(aws, res, arn: str) -> dict:
    known = tag_index.known_tags(aws, arn, res)
    if known is not None:
        return known
    with aws_call(res.label, "codedeploy:ListTagsForResource"):
        return tag_dict(aws.client("codedeploy").list_tags_for_resource(ResourceArn=arn).get("Tags"))


class ApplicationReconciler(Reconciler):
    on_destroy = OnDestroy()
    kind = "codedeploy_app"
    replace_fields = ("computePlatform",)

    def read(self, aws, res, spec):
        try:
            platform = self._platform(aws, res, spec)
        except Exception as exc:
            if getattr(exc, "code", "") in MISSING:
                return None
            raise
        arn = _arn(aws, spec.get("account"), "application", res.name)
        tags = _tags(aws, res, arn)
        return Live(state={"computePlatform": platform, "tags": tags}, outputs={"name": res.name, "arn": arn},
                    managed=owned(tags, res))

    def _platform(self, aws, res, spec) -> str | None:
        """The application's compute platform, from its deployment group when it has one: the group's
        read asks the same GetDeploymentGroup (the run's read cache answers it once), so a converged
        plan makes no GetApplication. A group's `computePlatform` is its application's (botocore
        codedeploy DeploymentGroupInfo.computePlatform; CreateDeploymentGroup takes none of its own), and
        GetDeploymentGroup of a missing application fails ApplicationDoesNotExistException."""
        client = aws.client("codedeploy")
        group = spec.get("deploymentGroupName")
        if group:
            try:
                with aws_call(res.label, "codedeploy:GetDeploymentGroup"):
                    info = client.get_deployment_group(applicationName=res.name, deploymentGroupName=group)["deploymentGroupInfo"]
                if info.get("computePlatform"):
                    return info["computePlatform"]
            except Exception as exc:
                if getattr(exc, "code", "") != "DeploymentGroupDoesNotExistException":
                    raise
        with aws_call(res.label, "codedeploy:GetApplication"):
            return client.get_application(applicationName=res.name)["application"].get("computePlatform")

    def desired_state(self, res, spec, live=None):
        return {"computePlatform": spec["computePlatform"], "tags": dict(res.tags)}

    def create(self, aws, res, spec):
        try:
            with aws_call(res.label, "codedeploy:CreateApplication"):
                aws.client("codedeploy").create_application(applicationName=res.name, computePlatform=spec["computePlatform"], tags=tag_list(res.tags))
        except Exception as exc:
            if getattr(exc, "code", "") != "ApplicationAlreadyExistsException":
                raise
            return converge_existing(self, aws, res, spec, exc)  # ours from a lost answer, else the error stands
        return {"name": res.name, "arn": _arn(aws, spec.get("account"), "application", res.name)}

    def update(self, aws, res, spec, live, fields):
        self.adopt(aws, res, spec, live)
        return live.outputs

    def adopt(self, aws, res, spec, live):
        _tag(aws, res, live.outputs["arn"])

    def delete(self, aws, res, live):
        with aws_call(res.label, "codedeploy:DeleteApplication"):
            aws.client("codedeploy").delete_application(applicationName=res.name)


class DeploymentConfigReconciler(Reconciler):
    """A custom canary/linear config; configs are immutable, so any change is a replace."""
    on_destroy = OnDestroy(keep="deployment configs are shared by name")

    kind = "codedeploy_config"
    replace_fields = ("computePlatform", "trafficRoutingConfig")
    requires_ownership = False  # configs have no tags; the `ecsship-` name prefix marks ours

    def read(self, aws, res, spec):
        try:
            with aws_call(res.label, "codedeploy:GetDeploymentConfig"):
                info = aws.client("codedeploy").get_deployment_config(deploymentConfigName=res.name)["deploymentConfigInfo"]
        except Exception as exc:
            if getattr(exc, "code", "") in MISSING:
                return None
            raise
        return Live(state={"computePlatform": info.get("computePlatform"), "trafficRoutingConfig": info.get("trafficRoutingConfig")},
                    outputs={"name": res.name})

    def desired_state(self, res, spec, live=None):
        return {"computePlatform": spec["computePlatform"], "trafficRoutingConfig": spec["trafficRoutingConfig"]}

    def create(self, aws, res, spec):
        try:
            with aws_call(res.label, "codedeploy:CreateDeploymentConfig"):
                aws.client("codedeploy").create_deployment_config(deploymentConfigName=res.name, **self.desired_state(res, spec))
        except Exception as exc:
            # Immutable and untagged: the same name with the same content is ours (a lost answer).
            live = self.read(aws, res, spec) if getattr(exc, "code", "") == "DeploymentConfigAlreadyExistsException" else None
            if live is None or live.state != self.desired_state(res, spec):
                raise
        return {"name": res.name}

    def delete(self, aws, res, live):
        with aws_call(res.label, "codedeploy:DeleteDeploymentConfig"):
            aws.client("codedeploy").delete_deployment_config(deploymentConfigName=res.name)


def _group_state(g: dict) -> dict:
    bg = g.get("blueGreenDeploymentConfiguration") or {}
    terminate = bg.get("terminateBlueInstancesOnDeploymentSuccess") or {}
    ready = bg.get("deploymentReadyOption") or {}
    pairs = (g.get("loadBalancerInfo") or {}).get("targetGroupPairInfoList") or []
    pair = pairs[0] if pairs else {}
    rollback = g.get("autoRollbackConfiguration") or {}
    alarms = g.get("alarmConfiguration") or {}
    return {
        "serviceRoleArn": g.get("serviceRoleArn"),
        "deploymentConfigName": g.get("deploymentConfigName"),
        "ecsServices": sorted(({"serviceName": s["serviceName"], "clusterName": s["clusterName"]} for s in g.get("ecsServices") or []), key=str),
        "deploymentStyle": dict(g.get("deploymentStyle") or {}),
        "termination": {"action": terminate.get("action"), "waitMinutes": terminate.get("terminationWaitTimeInMinutes", 0)},
        "ready": {"actionOnTimeout": ready.get("actionOnTimeout"), "waitMinutes": ready.get("waitTimeInMinutes", 0)},
        "targetGroups": [t["name"] for t in pair.get("targetGroups") or []],
        "prodListeners": sorted((pair.get("prodTrafficRoute") or {}).get("listenerArns") or []),
        "testListeners": sorted((pair.get("testTrafficRoute") or {}).get("listenerArns") or []),
        "autoRollback": {"enabled": bool(rollback.get("enabled")), "events": sorted(rollback.get("events") or [])},
        "alarms": {"enabled": bool(alarms.get("enabled")), "names": sorted(a["name"] for a in alarms.get("alarms") or [])},
    }


class DeploymentGroupReconciler(Reconciler):
    on_destroy = OnDestroy(deleted_with="codedeploy_app")  # DeleteApplication deletes its groups
    kind = "codedeploy_group"

    def read(self, aws, res, spec):
        try:
            with aws_call(res.label, "codedeploy:GetDeploymentGroup"):
                group = aws.client("codedeploy").get_deployment_group(applicationName=spec["applicationName"], deploymentGroupName=res.name)["deploymentGroupInfo"]
        except Exception as exc:
            if getattr(exc, "code", "") in MISSING:
                return None
            raise
        arn = _arn(aws, spec.get("account"), "deploymentgroup", f"{spec['applicationName']}/{res.name}")
        tags = _tags(aws, res, arn)
        return Live(state={**_group_state(group), "tags": tags}, outputs={"name": res.name, "arn": arn, "id": group.get("deploymentGroupId")},
                    managed=owned(tags, res))

    def desired_state(self, res, spec, live=None):
        return {**_group_state(self._api(spec)), "tags": dict(res.tags)}

    def _api(self, spec) -> dict:
        return {k: v for k, v in spec.items() if k not in ("account",)}

    def create(self, aws, res, spec):
        try:
            def create():
                with aws_call(res.label, "codedeploy:CreateDeploymentGroup"):
                    return aws.client("codedeploy").create_deployment_group(**self._api(spec), tags=tag_list(res.tags))["deploymentGroupId"]

            group_id = while_role_propagates(create, clocks.clock_for(aws).sleep)
        except Exception as exc:
            if getattr(exc, "code", "") != "DeploymentGroupAlreadyExistsException":
                raise
            return converge_existing(self, aws, res, spec, exc)  # ours from a lost answer, else the error stands
        return {"name": res.name, "id": group_id, "arn": _arn(aws, spec.get("account"), "deploymentgroup", f"{spec['applicationName']}/{res.name}")}

    def update(self, aws, res, spec, live, fields):
        kwargs = self._api(spec)
        kwargs.pop("deploymentGroupName")
        def update():
            with aws_call(res.label, "codedeploy:UpdateDeploymentGroup"):
                aws.client("codedeploy").update_deployment_group(currentDeploymentGroupName=res.name, **kwargs)

        while_role_propagates(update, clocks.clock_for(aws).sleep)  # serviceRoleArn may name a role this run created
        if any(f.path.startswith("tags") for f in fields):
            self.adopt(aws, res, spec, live)
        return live.outputs

    def adopt(self, aws, res, spec, live):
        _tag(aws, res, live.outputs["arn"])

    def delete(self, aws, res, live):
        with aws_call(res.label, "codedeploy:DeleteDeploymentGroup"):
            aws.client("codedeploy").delete_deployment_group(applicationName=res.spec["applicationName"], deploymentGroupName=res.name)


def _tag(aws, res, arn: str) -> None:
    """Applications and deployment groups are tagged the same way (adopt, or tags drifted)."""
    with aws_call(res.label, "codedeploy:TagResource"):
        aws.client("codedeploy").tag_resource(ResourceArn=arn, Tags=tag_list(res.tags))
