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
