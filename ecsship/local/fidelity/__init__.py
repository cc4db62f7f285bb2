"""Where moto 5.2.5 departs from AWS in ways ecsship depends on, the fix.

Each fix is a small, documented patch of one moto response or backend method, applied once per
process by `apply()` (the local server and test fixtures call it; product code never imports this).
Every fix has a test in tests/local/test_fidelity.py stating the AWS behaviour it restores.

- ecs.py         create_service keeps every parameter; duplicate create fails; update_service starts
                 deployments; CODE_DEPLOY services reject task definition updates; service deployments API
- cloudwatch.py  new alarms start INSUFFICIENT_DATA; an update keeps the state; DescribeAlarmHistory
- autoscaling.py capacity bounds move ECS desiredCount; DescribeScalingActivities
- ec2_capacity.py mixed instances groups' instance types; StartInstanceRefresh, DescribeInstanceRefreshes
- ec2.py         deleted VPC endpoints go deleting -> deleted -> gone; the vpc-endpoint-id filter
- elbv2.py       a target group's LoadBalancerArns follow the rules and listeners forwarding to it; DeleteRule of a missing rule fails;
                 GetResources lists listener rules
- codedeploy.py  update/delete deployment group, deployment configs, alarmConfiguration kept, ...
- ssm.py         DescribeParameters examines a few parameters per call (empty pages with a NextToken)
- misc.py        ACM certificates issue at once, with one key per process; IAM managed policies parsed once;
                 GetResources lists EventBridge rules
- logs.py        FilterLogEvents honours logStreamNamePrefix
- sts.py         AssumeRole needs an existing role whose trust policy allows the caller (and its external id)
- validation.py  Fargate cpu/memory, list_task_definitions sort, log retention values, IAM trust policies
"""
from __future__ import annotations

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    _applied = True
    from ecsship.local.fidelity import autoscaling, cloudwatch, codedeploy, ec2, ec2_capacity, ecs, elbv2, logs, misc, ssm, sts, validation

    for module in (misc, cloudwatch, ec2, ec2_capacity, elbv2, ecs, codedeploy, autoscaling, ssm, validation, logs, sts):
        module.apply()
