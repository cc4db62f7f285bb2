"""controller: ecs with a canary: target group pair, weighted rules, test listener, the role ECS uses."""
from __future__ import annotations

NATIVE = dict(service="checkout-native", load_balancer={"alb": "main", "host": "native.example.com", "priority": 120},
              deploy={"strategy": "canary", "controller": "ecs", "canary": {"percent": 10, "interval": "5m"},
                      "test_listener_port": 8443, "bake_time": "5m"})


def test_native_canary_plumbing_and_traffic_moves_are_not_drift(run_cli, manifest, aws):
    path = manifest("bluegreen", **NATIVE)
    result = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert result.exit_code == 0, result.output
    ecs, elb = aws.client("ecs"), aws.client("elbv2")
    service = ecs.describe_services(cluster="shop", services=["checkout-native"])["services"][0]
    config = service["deploymentConfiguration"]
    assert config["strategy"] == "CANARY" and config["bakeTimeInMinutes"] == 5
    assert config["canaryConfiguration"] == {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5}
    lb = service["loadBalancers"][0]
    blue, green = (elb.describe_target_groups(Names=[f"shop-checkout-native-{c}"])["TargetGroups"][0]["TargetGroupArn"] for c in ("blue", "green"))
    advanced = lb["advancedConfiguration"]
    assert (lb["targetGroupArn"], advanced["alternateTargetGroupArn"]) == (blue, green)
    assert advanced["roleArn"].endswith(":role/shop-checkout-native-ecs-lb")
    prod = elb.describe_rules(RuleArns=[advanced["productionListenerRule"]])["Rules"][0]
    weights = {g["TargetGroupArn"]: g["Weight"] for g in prod["Actions"][0]["ForwardConfig"]["TargetGroups"]}
    assert weights == {blue: 100, green: 0}
    assert advanced["testListenerRule"] != advanced["productionListenerRule"]

    # ECS shifts traffic by rewriting the weights: that is the controller's job, not drift.
    elb.modify_rule(RuleArn=prod["RuleArn"], Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"TargetGroupArn": blue, "Weight": 0}, {"TargetGroupArn": green, "Weight": 100}]}}])
    plan = run_cli("plan", "-f", path, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_back_to_rolling_sends_strategy_and_no_hooks_explicitly(run_cli, manifest, aws):
    """Issue #12 item 18. botocore ecs DeploymentConfiguration: `strategy` and `lifecycleHooks` are
    optional members; UpdateService keeps what a request leaves out (the local AWS merges, as the
    stricter reading), so leaving rolling to the default would keep CANARY and the PAUSE hook."""
    shifting = manifest("bluegreen", **{**NATIVE, "deploy": {**NATIVE["deploy"], "approval": "manual"}})
    assert run_cli("apply", "--no-wait", "-f", shifting, "--yes").exit_code == 0
    ecs = aws.client("ecs")
    before = ecs.describe_services(cluster="shop", services=["checkout-native"])["services"][0]["deploymentConfiguration"]
    assert before["strategy"] == "CANARY" and before["lifecycleHooks"]
    rolling = manifest("bluegreen", service="checkout-native", load_balancer=NATIVE["load_balancer"], deploy={"strategy": "rolling"})
    result = run_cli("apply", "--no-wait", "-f", rolling, "--yes")
    assert result.exit_code == 0, result.output
    after = ecs.describe_services(cluster="shop", services=["checkout-native"])["services"][0]["deploymentConfiguration"]
    assert after["strategy"] == "ROLLING" and after["lifecycleHooks"] == []
    plan = run_cli("plan", "-f", rolling, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
