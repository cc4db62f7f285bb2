"""desired.names: deterministic names within AWS's length limits."""
from __future__ import annotations

import pytest

from ecsship.desired import names


def test_a_short_name_is_kept():
    assert names.fit("shop-web", 32) == "shop-web"


def test_characters_the_resource_rejects_become_dashes():
    assert names.fit("shop_web.v2", 32) == "shop-web-v2"


def test_a_long_name_is_cut_with_a_stable_hash():
    long = "a" * 50
    fitted = names.fit(long, 32)
    assert len(fitted) == 32 and fitted == names.fit(long, 32) and fitted.endswith("-" + names.short_hash(long))


def test_names_sharing_a_long_prefix_stay_distinct():
    assert names.fit("x" * 40 + "-one", 32) != names.fit("x" * 40 + "-two", 32)


def test_codedeploy_name_fits_100_characters():
    """CreateApplication `applicationName`: "Maximum length of 100" (botocore codedeploy model)."""
    cluster, service = "c" * 40, "s" * 70
    name = names.codedeploy_name(cluster, service)
    assert len(name) == 100 and name.startswith(cluster + "-")
    assert names.codedeploy_name("shop", "web") == "shop-web"


def test_target_group_name_keeps_the_colour_within_32():
    name = names.target_group_name("c" * 30, "s" * 30, "green")
    assert len(name) <= 32 and name.endswith("-green")


def test_role_name_fits_64():
    assert len(names.role_name("c" * 40, "s" * 40, "execution")) == 64


@pytest.mark.parametrize("arn", ["arn:aws:ecs:us-east-1:123456789012:task-definition/shop-web:7", "shop-web:7"])
def test_family_of_an_arn_or_a_revision(arn):
    assert names.family_of(arn) == "shop-web"


def test_task_family_is_scoped_by_cluster():
    assert names.task_family("shop", "web") == "shop-web"
    assert names.legacy_task_family("web") == "web"
