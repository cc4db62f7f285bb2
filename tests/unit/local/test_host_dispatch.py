"""The local AWS asks moto "which backend serves this Host?" once per host, not twice per request
(moto answers by listing its package directory and trying every service's URL patterns)."""
from __future__ import annotations

from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from ecsship.local.backend import _host_memoizing_dispatcher

HOSTS = ("ecs.us-east-1.amazonaws.com", "elasticloadbalancing.us-east-1.amazonaws.com", "iam.amazonaws.com", None)


def test_each_host_gets_moto_s_answer_and_is_looked_up_once(monkeypatch):
    expected = {host: DomainDispatcherApplication(create_backend_app).get_backend_for_host(host) for host in HOSTS}
    listed = []
    original = backends.list_of_moto_modules
    monkeypatch.setattr(backends, "list_of_moto_modules", lambda: listed.append(1) or original())
    dispatcher = _host_memoizing_dispatcher()
    for _ in range(3):
        assert {host: dispatcher.get_backend_for_host(host) for host in HOSTS} == expected
    assert expected["ecs.us-east-1.amazonaws.com"] == "ecs"
    assert len(listed) == 3, "one lookup per host with a name (None needs none)"
