"""Test doubles shared by the tests that drive the deploy engine without a server (one copy each)."""
from __future__ import annotations


class FakeAws:
    """Stands in for `ecsship.aws.session.Aws`: hands out the fake clients it was given.

    `FakeAws(ecs)` or `FakeAws(ecs=..., codedeploy=..., application_autoscaling=...)` (an
    underscore in a keyword is the hyphen of the service name). Asking for any other client is a
    test error: the code under test called a service the test did not expect.
    """

    run_id = "test-run"
    clock = None  # as Aws.clock: the run's clock for the core's waits (None: deploy/clock.clock_for's default)

    def __init__(self, ecs=None, /, **clients):
        self.clients = {name.replace("_", "-"): client for name, client in clients.items()}
        if ecs is not None:
            self.clients["ecs"] = ecs

    def client(self, name, region=None):  # region: as Aws.client (another region's client); one fake serves all
        if name not in self.clients:
            raise AssertionError(f"unexpected client {name}")
        return self.clients[name]


class TaggingEcs:
    """Records the last-good tag the engine puts on a revision that succeeded."""

    def __init__(self):
        self.tagged = []

    def tag_resource(self, resourceArn, tags):
        self.tagged.append((resourceArn, tags))


class View:
    """A deploy view that records what it is told (events and notes) and renders nothing."""

    def __init__(self):
        self.events = []
        self.notes = []

    def event(self, e):
        self.events.append(e)

    def snapshot(self, s, t):
        pass

    def note(self, text, severity="info"):
        self.notes.append(text)

    def close(self):
        pass
