"""The local AWS's speed-ups (ecsship/local/moto_speed.py) give moto's own answers, with less work."""
from __future__ import annotations

import moto.core.responses as responses
import moto.iam.models as iam
from moto.ecs.responses import EC2ContainerServiceResponse

from ecsship.local import moto_speed

FIRST, SECOND = "111111111111", "222222222222"


def test_the_account_of_an_access_key_is_moto_s_without_creating_backends():
    moto_speed.apply()
    ours, moto_s = iam.get_account_id_from, moto_speed.MOTO["get_account_id_from"]
    try:
        keys = {}
        for account in (FIRST, SECOND):
            backend = iam.iam_backends[account]["aws"]
            backend.create_user("us-east-1", "someone")
            keys[account] = backend.create_access_key("someone").access_key_id
        partitions = {account: set(dict.keys(iam.iam_backends[account])) for account in (FIRST, SECOND)}
        assert partitions == {FIRST: {"aws"}, SECOND: {"aws"}}

        found = {key: ours(key) for key in (keys[FIRST], keys[SECOND], "AKIAUNKNOWN")}
        assert {account: set(dict.keys(iam.iam_backends[account])) for account in (FIRST, SECOND)} == partitions, \
            "no backend created by the lookup"
        assert found == {key: moto_s(key) for key in found}
        assert found == {keys[FIRST]: FIRST, keys[SECOND]: SECOND, "AKIAUNKNOWN": iam.DEFAULT_ACCOUNT_ID}
        assert len(dict.keys(iam.iam_backends[FIRST])) == len(iam.PARTITION_NAMES), "moto's own lookup creates them all"
    finally:
        for account in (FIRST, SECOND):
            iam.iam_backends.pop(account, None)


def test_a_response_class_s_actions_are_moto_s_and_follow_added_methods():
    moto_speed.apply()
    ours, moto_s = responses.method_names_from_class, moto_speed.MOTO["method_names_from_class"]

    class Base(EC2ContainerServiceResponse):
        pass

    class Response(Base):
        pass

    assert ours(Response) == moto_s(Response)
    assert "create_service" in ours(Response) and "made_up_action" not in ours(Response)
    Base.made_up_action = lambda self: None  # as the simulator adds actions to moto's classes
    assert "made_up_action" in ours(Response)
    assert ours(Response) == moto_s(Response)


def test_answers_serialise_byte_for_byte_as_moto_serialises_them(monkeypatch):
    """The remembered attribute aliases change no byte of an answer (XML, query and JSON protocols)."""
    import re

    import boto3
    from moto import mock_aws
    from moto.core import serialize

    moto_speed.apply()
    ours = serialize.AttributePicker.__call__
    with mock_aws():
        session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
        ec2, elbv2, ecs, iam_client = (session.client(name) for name in ("ec2", "elbv2", "ecs", "iam"))
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
        elbv2.create_load_balancer(Name="web", Subnets=subnets, Tags=[{"Key": "owner", "Value": "ecsship"}])
        elbv2.create_target_group(Name="app", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")
        ecs.create_cluster(clusterName="shop", tags=[{"key": "owner", "value": "ecsship"}])
        ecs.register_task_definition(family="web", containerDefinitions=[
            {"name": "app", "image": "nginx", "memory": 512, "portMappings": [{"containerPort": 80}],
             "environment": [{"name": "A", "value": "1"}]}])
        iam_client.create_role(RoleName="task", AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}')
        calls = (lambda: ec2.describe_subnets(), lambda: ec2.describe_security_groups(), lambda: elbv2.describe_load_balancers(),
                 lambda: elbv2.describe_target_groups(), lambda: ecs.describe_clusters(clusters=["shop"], include=["TAGS"]),
                 lambda: ecs.describe_task_definition(taskDefinition="web"), lambda: iam_client.list_roles())
        raw: list[bytes] = []
        for client in (ec2, elbv2, ecs, iam_client):
            client.meta.events.register("before-parse", lambda response_dict, **_: raw.append(response_dict["body"]))
        bodies = {}
        for picker in (ours, moto_speed.MOTO["AttributePicker.__call__"]):
            monkeypatch.setattr(serialize.AttributePicker, "__call__", picker)
            answers = []
            for call in calls:
                call()
                answers.append(re.sub(rb"<(RequestId|requestId)>[^<]*<", b"<\\1><", raw[-1]))
            bodies[picker] = answers
        assert bodies[ours] == bodies[moto_speed.MOTO["AttributePicker.__call__"]]
        assert all(len(body) > 100 for body in bodies[ours])
