"""The seeded account: what `ecsship local up` (without --bare) creates, the same every time.

Everything the examples in examples/ reference exists here, so they run unchanged. The secret values
live in SECRET_VALUES so tests can scan every output for them (secrets must never be printed).
"""
from __future__ import annotations

import hashlib
import json

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
AZS = ("us-east-1a", "us-east-1b")

VPC_CIDR = "10.0.0.0/16"
PRIVATE_CIDRS = ("10.0.1.0/24", "10.0.2.0/24")
PUBLIC_CIDRS = ("10.0.101.0/24", "10.0.102.0/24")

ALB_NAME = "main"
CERT_DOMAIN = "*.example.com"
PROD_LISTENER_PORT = 443
TEST_LISTENER_PORT = 8443

ECR_REPOSITORIES = ("checkout-api", "worker")
IMAGE_TAGS = ("v1", "v2", "v3", "broken")
# A sidecar's repository for examples/sidecars (issue #17): the envoy proxy at two versions and a broken one.
SIDECAR_IMAGES = {"envoy": ("v1.31.0", "v1.32.0", "broken")}

DATADOG_SECRET_NAME = "shop/datadog/api-key"
DATADOG_SECRET_VALUE = "dd-local-api-key-5c1e0f9a2b"
DB_SECRET_NAME = "shop/checkout/db"
DB_SECRET_VALUE = json.dumps({"username": "checkout", "password": "local-db-pa55w0rd-7f3k", "host": "db.internal", "port": 5432})
STRIPE_SECRET_NAME = "shop/stripe"
STRIPE_SECRET_SUFFIX = "AbCdEf"
STRIPE_SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{STRIPE_SECRET_NAME}-{STRIPE_SECRET_SUFFIX}"
STRIPE_SECRET_VALUE = "sk_test_local_51HxYzSecretStripeKey9q"
FEATURE_TOKEN_PARAMETER = "/shop/checkout/feature-token"
FEATURE_TOKEN_VALUE = "ft-local-token-3b9e1c77"

SNS_TOPICS = ("oncall", "staging")

# Every seeded secret value (and the password inside the JSON one): tests assert none is ever printed.
SECRET_VALUES = (DB_SECRET_VALUE, "local-db-pa55w0rd-7f3k", STRIPE_SECRET_VALUE, FEATURE_TOKEN_VALUE, DATADOG_SECRET_VALUE)


def image_manifest(repository: str, tag: str) -> str:
    """A Docker v2 schema 2 manifest, distinct per repository and tag so every image digest differs."""
    layer = hashlib.sha256(f"{repository}:{tag}:layer".encode()).hexdigest()
    config = hashlib.sha256(f"{repository}:{tag}:config".encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1472, "digest": f"sha256:{config}"},
            "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 2811478, "digest": f"sha256:{layer}"}],
        },
        separators=(",", ":"),
    )


def _tags(**tags: str) -> list[dict]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def seed_account(client) -> dict:
    """Create the seeded account through the ordinary AWS APIs; `client(service)` returns a boto3 client.

    Returns a summary (ids and ARNs) for `ecsship local status`.
    """
    ec2 = client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock=VPC_CIDR, TagSpecifications=[{"ResourceType": "vpc", "Tags": _tags(Name="main")}])["Vpc"]["VpcId"]
    # Fargate tasks in awsvpc mode and interface endpoints need DNS support and hostnames, as a real VPC would have.
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})

    igw = ec2.create_internet_gateway(TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": _tags(Name="main")}])
    igw_id = igw["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)

    public_rt = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=[{"ResourceType": "route-table", "Tags": _tags(Name="main-public", tier="public")}])
    public_rt_id = public_rt["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw_id)

    private, public, private_rts = [], [], []
    for index, az in enumerate(AZS):
        suffix = az[-1]
        subnet = ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=PRIVATE_CIDRS[index], AvailabilityZone=az,
            TagSpecifications=[{"ResourceType": "subnet", "Tags": _tags(Name=f"main-private-{suffix}", tier="private")}],
        )["Subnet"]["SubnetId"]
        private.append(subnet)
        rt = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=[{"ResourceType": "route-table", "Tags": _tags(Name=f"main-private-{suffix}", tier="private")}])
        rt_id = rt["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=rt_id, SubnetId=subnet)
        private_rts.append(rt_id)

        subnet = ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=PUBLIC_CIDRS[index], AvailabilityZone=az,
            TagSpecifications=[{"ResourceType": "subnet", "Tags": _tags(Name=f"main-public-{suffix}", tier="public")}],
        )["Subnet"]["SubnetId"]
        public.append(subnet)
        ec2.associate_route_table(RouteTableId=public_rt_id, SubnetId=subnet)

    alb_sg = ec2.create_security_group(
        GroupName="main-alb", Description="ALB main: HTTPS from anywhere", VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": _tags(Name="main-alb")}],
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=alb_sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            for port in (PROD_LISTENER_PORT, TEST_LISTENER_PORT)
        ],
    )

    acm = client("acm")
    cert_arn = acm.request_certificate(DomainName=CERT_DOMAIN, ValidationMethod="DNS")["CertificateArn"]

    elbv2 = client("elbv2")
    alb = elbv2.create_load_balancer(
        Name=ALB_NAME, Subnets=public, SecurityGroups=[alb_sg], Scheme="internet-facing", Type="application",
        Tags=[{"Key": "Name", "Value": ALB_NAME}],
    )["LoadBalancers"][0]
    listeners = {}
    for port in (PROD_LISTENER_PORT, TEST_LISTENER_PORT):
        listener = elbv2.create_listener(
            LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTPS", Port=port,
            Certificates=[{"CertificateArn": cert_arn}], SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
            DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain", "MessageBody": "not found"}}],
        )["Listeners"][0]
        listeners[port] = listener["ListenerArn"]

    ecr = client("ecr")
    digests: dict[str, dict[str, str]] = {}
    for repository, tags in [*((r, IMAGE_TAGS) for r in ECR_REPOSITORIES), *SIDECAR_IMAGES.items()]:
        ecr.create_repository(repositoryName=repository)
        digests[repository] = {}
        for tag in tags:
            image = ecr.put_image(repositoryName=repository, imageManifest=image_manifest(repository, tag), imageTag=tag)
            digests[repository][tag] = image["image"]["imageId"]["imageDigest"]

    secrets = client("secretsmanager")
    db_arn = secrets.create_secret(Name=DB_SECRET_NAME, SecretString=DB_SECRET_VALUE, Description="checkout database credentials")["ARN"]
    stripe_arn = _create_fixed_arn_secret(secrets)
    datadog_arn = secrets.create_secret(Name=DATADOG_SECRET_NAME, SecretString=DATADOG_SECRET_VALUE,
                                        Description="log shipping API key (examples/sidecars)")["ARN"]

    client("ssm").put_parameter(Name=FEATURE_TOKEN_PARAMETER, Value=FEATURE_TOKEN_VALUE, Type="SecureString", Description="checkout feature token")

    sns = client("sns")
    topics = {name: sns.create_topic(Name=name)["TopicArn"] for name in SNS_TOPICS}

    return {
        "account": ACCOUNT_ID,
        "region": REGION,
        "vpc": vpc_id,
        "private_subnets": private,
        "public_subnets": public,
        "private_route_tables": private_rts,
        "public_route_table": public_rt_id,
        "internet_gateway": igw_id,
        "alb": alb["LoadBalancerArn"],
        "alb_dns": alb["DNSName"],
        "alb_security_group": alb_sg,
        "certificate": cert_arn,
        "listeners": {str(port): arn for port, arn in listeners.items()},
        "ecr": {repo: sorted(tags) for repo, tags in digests.items()},
        "secrets": [db_arn, stripe_arn, datadog_arn],
        "parameters": [FEATURE_TOKEN_PARAMETER],
        "topics": list(topics.values()),
    }


def _create_fixed_arn_secret(secrets) -> str:
    """Create shop/stripe with the ARN suffix the examples use (AWS picks 6 random characters; the
    examples hard-code one, so the local account must produce exactly that ARN)."""
    from moto.secretsmanager.utils import SecretsManagerSecretIdentifier
    from moto.utilities.id_generator import moto_id_manager

    identifier = SecretsManagerSecretIdentifier(ACCOUNT_ID, REGION, STRIPE_SECRET_NAME)
    moto_id_manager.set_custom_id(identifier, STRIPE_SECRET_SUFFIX)
    try:
        return secrets.create_secret(Name=STRIPE_SECRET_NAME, SecretString=STRIPE_SECRET_VALUE, Description="Stripe API key")["ARN"]
    finally:
        moto_id_manager.unset_custom_id(identifier)
