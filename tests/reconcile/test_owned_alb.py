"""load_balancer.create: ecsship owns the ALB, its security group and listeners."""
from __future__ import annotations


def test_owned_alb_with_https_and_redirect(run_cli, manifest, aws):
    certificate = aws.client("acm").list_certificates()["CertificateSummaryList"][0]["CertificateArn"]
    path = manifest("worker", service="shopfront", port=8080, drop=("scaling", "capacity"),
                    load_balancer={"create": {"subnets": {"tags": {"tier": "public"}}, "certificate": certificate},
                                   "host": "shop.example.com", "priority": 10})
    result = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert result.exit_code == 0, result.output
    elb, ec2 = aws.client("elbv2"), aws.client("ec2")
    lb = elb.describe_load_balancers(Names=["shop-shopfront"])["LoadBalancers"][0]
    assert lb["Scheme"] == "internet-facing"
    public = {s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "tag:tier", "Values": ["public"]}])["Subnets"]}
    assert {z["SubnetId"] for z in lb["AvailabilityZones"]} == public
    listeners = {l["Port"]: l for l in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
    assert listeners[443]["Protocol"] == "HTTPS" and listeners[443]["Certificates"][0]["CertificateArn"] == certificate
    assert listeners[443]["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    assert listeners[80]["DefaultActions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"
    tasks = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["shop-shopfront-tasks"]}])["SecurityGroups"][0]
    assert [pair["GroupId"] for p in tasks["IpPermissions"] for pair in p["UserIdGroupPairs"]] == lb["SecurityGroups"]
    assert run_cli("plan", "-f", path, "--detailed-exitcode").exit_code == 0
    assert run_cli("destroy", "-f", path, "--yes").exit_code == 0
    assert elb.describe_load_balancers()["LoadBalancers"] and all(l["LoadBalancerName"] != "shop-shopfront" for l in elb.describe_load_balancers()["LoadBalancers"])
