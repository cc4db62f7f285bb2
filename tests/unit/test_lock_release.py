"""The service lock's release (ecsship/lock.py): one SSM call, not two, while the lock is surely ours.

SSM PutParameter with Overwrite=False creates the parameter for exactly one caller (botocore ssm
PutParameter.Overwrite, ParameterAlreadyExists); another run replaces a lock only once it expired or
its process is gone, so well within its TTL the run that holds it deletes it without reading it
first (one read less in every deploy's watch, issue #20). Past half its TTL the token is checked."""
from __future__ import annotations

import json

from ecsship.lock import ServiceLock


class ParameterNotFound(Exception):
    pass


class ParameterAlreadyExists(Exception):
    pass


class FakeSsm:
    class exceptions:
        ParameterNotFound = ParameterNotFound
        ParameterAlreadyExists = ParameterAlreadyExists

    def __init__(self):
        self.values: dict[str, str] = {}
        self.calls: list[str] = []

    def put_parameter(self, Name, Value, Overwrite=False, **_):
        self.calls.append("PutParameter")
        if Name in self.values and not Overwrite:
            raise ParameterAlreadyExists(Name)
        self.values[Name] = Value

    def get_parameter(self, Name):
        self.calls.append("GetParameter")
        if Name not in self.values:
            raise ParameterNotFound(Name)
        return {"Parameter": {"Value": self.values[Name]}}

    def delete_parameter(self, Name):
        self.calls.append("DeleteParameter")
        if self.values.pop(Name, None) is None:
            raise ParameterNotFound(Name)


class OneClient:
    def __init__(self, ssm):
        self.ssm = ssm

    def client(self, name, region=None):
        assert name == "ssm"
        return self.ssm


def test_a_lock_released_well_within_its_ttl_is_deleted_without_reading_it():
    now = [1000.0]
    ssm = FakeSsm()
    lock = ServiceLock(OneClient(ssm), "shop", "worker", clock=lambda: now[0], sleep=lambda s: None)
    lock.acquire("deploy", ttl=600)
    now[0] += 5
    lock.release()
    assert ssm.calls == ["PutParameter", "DeleteParameter"]
    assert ssm.values == {}


def test_past_half_its_ttl_the_token_is_checked_and_someone_elses_lock_is_kept():
    now = [1000.0]
    ssm = FakeSsm()
    lock = ServiceLock(OneClient(ssm), "shop", "worker", clock=lambda: now[0], sleep=lambda s: None)
    lock.acquire("deploy", ttl=600)
    now[0] += 400
    ssm.values[lock.name] = json.dumps({"owner": "b@host pid 1", "command": "apply", "token": "theirs",
                                        "acquired_at": now[0], "expires_at": now[0] + 600})
    lock.release()
    assert ssm.calls == ["PutParameter", "GetParameter"]
    assert json.loads(ssm.values[lock.name])["token"] == "theirs"
