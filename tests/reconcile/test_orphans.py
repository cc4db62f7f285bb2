"""`destroy` with a manifest whose shape changed also removes what the former shape left (plan/orphans.py)."""
from __future__ import annotations

import json


def test_destroy_with_the_new_manifest_removes_what_the_old_shape_left(run_cli, manifest, aws):
    """A CODE_DEPLOY service, then `destroy` with the manifest already moved to rolling: the CodeDeploy
    application, group and role, the test listener rule and the blue/green target groups go too, the
    rule before the groups it forwards to (elbv2 DeleteTargetGroup: "You can delete a target group if
    it is not referenced by any actions") and each role's inline policy before the role (iam
    DeleteRole: "you must delete the items attached to the role manually, or the deletion fails")."""
    codedeploy = manifest("bluegreen", service="payments", drop=("scaling",))
    assert run_cli("apply", "--no-wait", "-f", codedeploy, "--yes").exit_code == 0
    rolling = manifest("bluegreen", service="payments", deploy={"strategy": "rolling"}, drop=("scaling",))

    destroyed = run_cli("destroy", "-f", rolling, "--yes", "--output", "json")
    assert destroyed.exit_code == 0, destroyed.output
    elb, iam = aws.client("elbv2"), aws.client("iam")
    assert not [g for g in elb.describe_target_groups()["TargetGroups"] if g["TargetGroupName"].startswith("shop-payments")]
    assert "shop-payments" not in aws.client("codedeploy").list_applications()["applications"]
    assert not [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("shop-payments")]
    listeners = elb.describe_listeners(LoadBalancerArn=elb.describe_load_balancers(Names=["main"])["LoadBalancers"][0]["LoadBalancerArn"])
    rules = [r["RuleArn"] for listener in listeners["Listeners"] for r in elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
             if not r["IsDefault"]]
    tagged = elb.describe_tags(ResourceArns=rules)["TagDescriptions"] if rules else []
    assert not [d for d in tagged if {"Key": "ecsship:service", "Value": "payments"} in d["Tags"]]
    deleted = [json.loads(line) for line in destroyed.stdout.splitlines()]
    assert deleted and "shop-payments-codedeploy" in destroyed.stdout
