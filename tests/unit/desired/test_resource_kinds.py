"""Resource kinds inherit Resource's dataclass methods instead of each being a @dataclass (issue #20
item 4: 31 re-generated classes cost ~20 ms of every start). That is right only while a kind adds no
field: an annotated attribute on an undecorated kind would silently be a class attribute."""
from __future__ import annotations

import dataclasses
import typing

import pytest

from ecsship.desired.resources import Cluster, Resource, kinds


def test_a_kind_adds_a_field_only_as_a_dataclass_of_its_own():
    assert len(kinds()) > 20
    for cls in kinds().values():
        own = {n for n, t in vars(cls).get("__annotations__", {}).items() if "ClassVar" not in str(t)}
        if "__dataclass_fields__" not in vars(cls):
            assert not own, f"{cls.__name__} annotates {own}: make it a @dataclass(frozen=True, kw_only=True)"
            assert [f.name for f in dataclasses.fields(cls)] == [f.name for f in dataclasses.fields(Resource)]


def test_every_kind_is_a_frozen_value():
    cluster = Cluster(key="cluster", name="shop", spec={"a": 1})
    assert cluster == Cluster(key="cluster", name="shop", spec={"a": 1}) and repr(cluster).startswith("Cluster(key=")
    assert cluster != Resource(key="cluster", name="shop", spec={"a": 1})  # another class is another value
    assert dataclasses.replace(cluster, name="web").name == "web" and typing.get_type_hints(Cluster)["key"] is str
    for assign in (lambda: setattr(cluster, "name", "x"), lambda: setattr(cluster, "extra", 1),
                   lambda: delattr(cluster, "name")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            assign()
