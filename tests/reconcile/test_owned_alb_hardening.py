"""An owned ALB drops invalid header fields and never serves production traffic on plain HTTP
(issue #22, low item "Owned ALB"). botocore elbv2 LoadBalancerAttribute:
"routing.http.drop_invalid_header_fields.enabled - Indicates whether HTTP headers with invalid header
fields are removed by the load balancer (true) or routed to targets (false). The default is false."
"""
from __future__ import annotations


def _owned(manifest, aws, listener_port=None):
    certificate = aws.client("acm").list_certificates()["CertificateSummaryList"][0]["CertificateArn"]
    lb = {"create": {"subnets": {"tags": {"tier": "public"}}, "certificate": certificate},
          "host": "shop.example.com", "priority": 10}
    if listener_port is not None:
        lb["listener_port"] = listener_port
    return manifest("worker", service="shopfront", port=8080, drop=("scaling", "capacity"), load_balancer=lb)


def test_owned_alb_drops_invalid_header_fields_and_redirects_to_its_listener_port(run_cli, manifest, aws):
    path = _owned(manifest, aws, listener_port=8443)
    result = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert result.exit_code == 0, result.output
    elb = aws.client("elbv2")
    arn = elb.describe_load_balancers(Names=["shop-shopfront"])["LoadBalancers"][0]["LoadBalancerArn"]
    attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    listeners = {l["Port"]: l for l in elb.describe_listeners(LoadBalancerArn=arn)["Listeners"]}
    assert listeners[80]["DefaultActions"][0]["RedirectConfig"]["Port"] == "8443", "the redirect follows listener_port"
    # Drift: someone turns it off; the plan shows it and apply puts it back.
    elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "false"}])
    drift = run_cli("plan", "-f", path, "-v")
    assert "drop_invalid_header_fields" in drift.stdout, drift.output
    assert run_cli("apply", "--no-wait", "-f", path, "--yes").exit_code == 0
    assert run_cli("plan", "-f", path, "--detailed-exitcode").exit_code == 0


def test_listener_port_80_with_an_owned_alb_is_refused(run_cli, manifest, aws):
    result = run_cli("validate", "-f", _owned(manifest, aws, listener_port=80))
    assert result.exit_code == 2 and "port 80" in result.output and "listener_port" in result.output
