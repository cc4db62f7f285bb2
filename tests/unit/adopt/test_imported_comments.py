"""The comments `ecsship import` writes fit 100 columns (the project's text width): wrapped at a word,
continuation lines still comments; the manifest body is unchanged."""
from __future__ import annotations

import yaml

from ecsship.manifest.imported_text import render

LONG = ("placementConstraints memberOf(attribute:ecs.instance-type =~ c5.*) on the task definition "
        "arn:aws:ecs:us-east-1:123456789012:task-definition/shop-checkout-api:42 has no ecsship field yet")


def test_comment_lines_fit_100_columns_and_stay_comments():
    text = render({"service": "api", "image": "repo/api:v1"}, "ecspresso config /very/long/path/" + "deep/" * 12 + "ecspresso.yml",
                  [LONG, "short item"], notes=[LONG])
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines), [line for line in lines if len(line) > 100]
    comments = [line for line in lines if line.startswith("#")]
    assert len(comments) > 6 and "#   - short item" in comments
    assert "arn:aws:ecs:us-east-1:123456789012:task-definition/shop-checkout-api:42" in text  # whole, copyable
    assert yaml.safe_load(text) == {"service": "api", "image": "repo/api:v1"}
