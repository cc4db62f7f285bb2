"""elbv2 tags asked in batches (issue #20 item 2). botocore elbv2 DescribeTags.ResourceArns: "You can
specify up to 20 resources in a single call"; a write may change tags, so it ends what was kept."""
from __future__ import annotations

from ecsship.reconcilers import elb_tags


class FakeElb:
    def __init__(self):
        self.requests: list[list[str]] = []

    def describe_tags(self, ResourceArns):
        assert len(ResourceArns) <= 20, "AWS refuses more than 20 ARNs"
        self.requests.append(list(ResourceArns))
        return {"TagDescriptions": [{"ResourceArn": a, "Tags": [{"Key": "n", "Value": a[-2:]}]} for a in ResourceArns
                                    if not a.endswith("gone")]}


class FakeCalls:
    def __init__(self):
        self.writes: list = []


class FakeAws:
    def __init__(self):
        self.elb, self.calls = FakeElb(), FakeCalls()

    def client(self, name):
        assert name == "elbv2"
        return self.elb


def test_each_arn_is_asked_once_in_calls_of_at_most_20():
    aws = FakeAws()
    arns = [f"arn:tg/{i:02d}" for i in range(25)]
    elb_tags.tags_of(aws, arns + ["arn:rule/gone"], "x")
    assert [len(r) for r in aws.elb.requests] == [20, 6]
    again = elb_tags.tags_of(aws, [arns[3], "arn:rule/gone"], "x")
    assert again == {arns[3]: {"n": "03"}, "arn:rule/gone": {}} and len(aws.elb.requests) == 2


def test_prefetch_asks_once_for_every_reader_and_a_write_starts_over():
    aws = FakeAws()

    class Reader:
        def __init__(self, arns):
            self.arns = arns

        def elb_tag_arns(self, aws, res, spec):
            return self.arns

    elb_tags.prefetch(aws, [(Reader(["arn:tg/a", "arn:tg/b"]), None, {}), (Reader(["arn:rule/1"]), None, {})])
    assert aws.elb.requests == [["arn:tg/a", "arn:tg/b", "arn:rule/1"]]
    assert elb_tags.tags_of(aws, ["arn:rule/1"], "x") == {"arn:rule/1": {"n": "/1"}} and len(aws.elb.requests) == 1
    aws.calls.writes.append(("elbv2", "AddTags"))
    elb_tags.tags_of(aws, ["arn:rule/1"], "x")
    assert aws.elb.requests[-1] == ["arn:rule/1"]


def test_a_failing_prefetch_keeps_nothing_and_raises_nothing():
    aws = FakeAws()

    class Broken:
        def elb_tag_arns(self, aws, res, spec):
            raise RuntimeError("AccessDenied")

    elb_tags.prefetch(aws, [(Broken(), None, {})])
    assert aws.elb.requests == []


def test_one_failing_reader_does_not_cost_the_others_their_batch():
    aws = FakeAws()

    class Reader:
        def elb_tag_arns(self, aws, res, spec):
            return ["arn:tg/a"]

    class Broken:
        def elb_tag_arns(self, aws, res, spec):
            raise RuntimeError("TargetGroupNotFound")

    elb_tags.prefetch(aws, [(Broken(), None, {}), (Reader(), None, {})])
    assert aws.elb.requests == [["arn:tg/a"]]
