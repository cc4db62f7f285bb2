"""The CodeDeploy application is read through its deployment group (issue #20 item 2): botocore codedeploy
DeploymentGroupInfo.computePlatform is "The destination platform type for the deployment" and
CreateDeploymentGroup takes none of its own (a group's is its application's); GetDeploymentGroup of a
missing application fails ApplicationDoesNotExistException. The group's own read asks the same request,
which the plan's read cache answers, so a converged plan makes one CodeDeploy call for both."""
from __future__ import annotations

from botocore.exceptions import ClientError

from ecsship.desired import resources as r
from ecsship.reconcilers.codedeploy import ApplicationReconciler

TAGS = {"ecsship:service": "api", "ecsship:cluster": "shop"}


class FakeCodeDeploy:
    def __init__(self, app: bool = True, group: bool = True):
        self.app, self.group, self.calls = app, group, []

    def _missing(self, code, op):
        raise ClientError({"Error": {"Code": code, "Message": "does not exist"}}, op)

    def get_deployment_group(self, applicationName, deploymentGroupName):
        self.calls.append("GetDeploymentGroup")
        if not self.app:
            self._missing("ApplicationDoesNotExistException", "GetDeploymentGroup")
        if not self.group:
            self._missing("DeploymentGroupDoesNotExistException", "GetDeploymentGroup")
        return {"deploymentGroupInfo": {"applicationName": applicationName, "computePlatform": "ECS"}}

    def get_application(self, applicationName):
        self.calls.append("GetApplication")
        if not self.app:
            self._missing("ApplicationDoesNotExistException", "GetApplication")
        return {"application": {"applicationName": applicationName, "computePlatform": "ECS"}}

    def list_tags_for_resource(self, ResourceArn):
        self.calls.append("ListTagsForResource")
        return {"Tags": [{"Key": k, "Value": v} for k, v in TAGS.items()]}


class FakeAws:
    region, partition, account_id = "us-east-1", "aws", "111122223333"

    def __init__(self, codedeploy):
        self.codedeploy = codedeploy

    def client(self, name):
        return self.codedeploy


def _read(codedeploy):
    res = r.CodeDeployApp(key="codedeploy_app", name="shop-api", tags=TAGS,
                          spec={"computePlatform": "ECS", "deploymentGroupName": "shop-api"})
    return ApplicationReconciler().read(FakeAws(codedeploy), res, res.spec)


def test_an_application_with_its_group_needs_no_get_application():
    codedeploy = FakeCodeDeploy()
    live = _read(codedeploy)
    assert live.state["computePlatform"] == "ECS" and live.managed
    assert "GetApplication" not in codedeploy.calls


def test_an_application_without_its_group_is_read_itself_and_a_missing_one_is_none():
    codedeploy = FakeCodeDeploy(group=False)
    assert _read(codedeploy).state["computePlatform"] == "ECS"
    assert codedeploy.calls[:2] == ["GetDeploymentGroup", "GetApplication"]
    assert _read(FakeCodeDeploy(app=False)) is None
