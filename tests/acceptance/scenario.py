"""The acceptance scenario: one throwaway stack walked through ecsship's whole life cycle.

The same code runs against a real AWS account (`make test-aws`, tests/acceptance/run_aws.py) and
against the local AWS inside `make test` (tests/acceptance/test_local.py). A `Target` hides the
difference: how the CLI is run, boto3 clients, the clock, and what the account offers (images,
VPC, subnets, ALB). Every step goes through the real `ecsship` CLI; boto3 only reads state back.

Walk: init -> plan -> apply -> deploy -> failed deploy (rolled back) -> rollback -> a CodeDeploy
canary (a second service) -> apply again (a no-op: `plan --detailed-exitcode` exits 0) -> destroy,
then nothing may be left behind (by tag, plus direct reads), and the cost is estimated.
"""
from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

RUN_TAG = "ecsship-acceptance"   # every resource the run creates carries RUN_TAG=<run id>

# us-east-1 list prices, Linux x86 (docs/aws-testing.md shows the arithmetic).
FARGATE_VCPU_HOUR = 0.04048
FARGATE_GB_HOUR = 0.004445
ENDPOINT_AZ_HOUR = 0.01
TASK_VCPU, TASK_GB = 0.25, 0.5    # the manifest init writes: cpu 256, memory 512
TASK_HOUR = TASK_VCPU * FARGATE_VCPU_HOUR + TASK_GB * FARGATE_GB_HOUR   # $0.0123425


SERVICES = ["web", "canary"]
CREATED_BY = "ecsship:created-by"  # what ecsship tags the VPC endpoints it creates with (reconcilers/vpc_endpoints.py)


class Result(Protocol):
    exit_code: int
    stdout: str
    stderr: str


@dataclass
class Target:
    """Where the scenario runs. `cli(*args)` runs `ecsship <args>` and returns exit code and output."""
    name: str
    cli: Callable[..., Result]
    client: Callable[[str], object]
    now: Callable[[], float]                 # seconds; the local AWS's simulated clock on the local run
    good_image: str                          # an image that starts and passes the health check
    bad_image: str                           # same repository, a tag whose tasks fail (the rollback path)
    vpc: str | None = None                   # flow YAML for network.vpc, e.g. "{tags: {Name: main}}"; None: init's
    subnets: str | None = None               # flow YAML for network.subnets
    alb: str | None = None                   # an existing ALB (name) with listeners on 443 and 8443
    host_domain: str = "example.com"
    sleep: Callable[[float], object] = time.sleep   # the local run passes the backend's clock


@dataclass
class Report:
    run_id: str
    steps: list = field(default_factory=list)        # (step, exit code, seconds)
    samples: list = field(default_factory=list)      # (t, running tasks, interface endpoint AZs)
    left_behind: list = field(default_factory=list)

    def task_hours(self) -> float:
        return self._integral(1)

    def endpoint_hours(self) -> float:
        return self._integral(2)

    def _integral(self, index: int) -> float:
        """Left Riemann sum over the samples taken after each step: a fair estimate, not a bill."""
        return sum(a[index] * (b[0] - a[0]) for a, b in zip(self.samples, self.samples[1:])) / 3600

    def cost(self) -> float:
        return self.task_hours() * TASK_HOUR + self.endpoint_hours() * ENDPOINT_AZ_HOUR

    def lines(self) -> list[str]:
        seconds = self.samples[-1][0] - self.samples[0][0] if self.samples else 0
        return [f"run {self.run_id}: {len(self.steps)} steps in {seconds / 60:.1f} min",
                f"task-hours {self.task_hours():.3f} x ${TASK_HOUR:.7f} = ${self.task_hours() * TASK_HOUR:.4f}",
                f"endpoint AZ-hours {self.endpoint_hours():.3f} x ${ENDPOINT_AZ_HOUR} = "
                f"${self.endpoint_hours() * ENDPOINT_AZ_HOUR:.4f}",
                f"estimated cost ${self.cost():.4f} (plus ALB LCUs and CloudWatch alarms, cents)",
                "left behind: " + (", ".join(self.left_behind) or "nothing")]


class StepFailed(AssertionError):
    pass


def new_run_id() -> str:
    return "acc" + secrets.token_hex(3)      # short: names like acc1a2b3c-web-exec stay under AWS limits


class Scenario:
    def __init__(self, target: Target, workdir: Path, run_id: str | None = None):
        self.t = target
        self.run_id = run_id or new_run_id()
        self.dir = Path(workdir) / self.run_id
        self.dir.mkdir(parents=True, exist_ok=True)
        self.cluster = self.run_id
        self.web = self.dir / "web.yaml"        # rolling: deploy, failed deploy, rollback
        self.canary = self.dir / "canary.yaml"  # CodeDeploy canary
        self.report = Report(self.run_id)
        self.roles: set[str] = set()

    # -- the walk --------------------------------------------------------------------------------
    def run(self) -> Report:
        try:
            self.walk()
        finally:
            self.cleanup()
        self.assert_nothing_left()
        return self.report

    def walk(self) -> None:
        t = self.t
        self.init(self.web, "web", "rolling", 100)
        self.step("plan", "plan", "-f", self.web)
        self.step("apply", "apply", "-f", self.web, "--yes")
        self.step("deploy", "deploy", "-f", self.web, "--image", t.good_image, "--force")
        bad = self.step("failed deploy", "deploy", "-f", self.web, "--image", t.bad_image, expect=1)
        if "rolled back" not in bad.stdout:
            raise StepFailed(f"the failed deploy did not roll back:\n{bad.stdout}{bad.stderr}")
        self.step("rollback", "rollback", "-f", self.web)

        self.init(self.canary, "canary", "canary", 101)
        text = self.canary.read_text()
        text = text.replace("  strategy: canary", "  strategy: canary\n  controller: codedeploy\n  termination_wait: 0m")
        self.canary.write_text(text.replace("canary: {percent: 10, interval: 5m}", "canary: {percent: 10, interval: 1m}"))
        self.step("apply canary", "apply", "-f", self.canary, "--yes")
        canary = self.step("canary deploy", "deploy", "-f", self.canary, "--image", t.good_image, "--force")
        if "production traffic:" not in canary.stdout:
            raise StepFailed(f"the canary never shifted traffic:\n{canary.stdout}")

        for manifest in (self.web, self.canary):
            self.step("apply again", "apply", "-f", manifest, "--yes")
            self.step("no-op plan", "plan", "-f", manifest, "--detailed-exitcode")
        self.remember_roles()

    def init(self, manifest: Path, service: str, strategy: str, priority: int) -> None:
        t = self.t
        self.step(f"init {service}", "init", "-f", manifest, "--service", service, "--image", t.good_image,
                  "--port", "8080", "--cluster", self.cluster, "--strategy", strategy,
                  "--host", f"{self.run_id}-{service}.{t.host_domain}", "--priority", str(priority), "--force")
        text = manifest.read_text()
        if t.vpc:
            text = re.sub(r"(?m)^  vpc: .*$", f"  vpc: {t.vpc}", text)
        if t.subnets:
            text = re.sub(r"(?m)^  subnets: .*$", f"  subnets: {t.subnets}", text)
        if t.alb:
            text = re.sub(r"(?m)^  alb: .*$", f'  alb: "{t.alb}"', text)
        text = text.replace("  health_check: {path: /healthz}", "  health_check: {path: /}")
        manifest.write_text(text + f"\ntags: {{{RUN_TAG}: {self.run_id}}}\n")

    def step(self, title: str, *args, expect: int = 0) -> Result:
        started = self.t.now()
        result = self.t.cli(*map(str, args))
        self.report.steps.append((title, result.exit_code, self.t.now() - started))
        self.sample()
        if result.exit_code != expect:
            raise StepFailed(f"{title}: `ecsship {' '.join(map(str, args))}` exited {result.exit_code}, "
                             f"expected {expect}\n{result.stdout}{result.stderr}")
        return result

    # -- cost ------------------------------------------------------------------------------------
    def sample(self) -> None:
        ecs, ec2 = self.t.client("ecs"), self.t.client("ec2")
        tasks = 0
        try:
            services = ecs.describe_services(cluster=self.cluster, services=SERVICES)["services"]
            tasks = sum(s.get("runningCount", 0) + s.get("pendingCount", 0) for s in services)
        except ecs.exceptions.ClusterNotFoundException:
            pass
        azs = sum(len(e.get("SubnetIds", [])) for e in created_endpoints(ec2, self.cluster, SERVICES)
                  if e.get("VpcEndpointType") == "Interface")
        self.report.samples.append((self.t.now(), tasks, azs))

    # -- teardown --------------------------------------------------------------------------------
    def remember_roles(self) -> None:
        """The roles ecsship made, read before destroy so that their absence can be checked after."""
        ecs = self.t.client("ecs")
        for service in ecs.describe_services(cluster=self.cluster, services=SERVICES)["services"]:
            td = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
            self.roles |= {arn.rsplit("/", 1)[1] for arn in (td.get("executionRoleArn"), td.get("taskRoleArn")) if arn}

    def cleanup(self) -> None:
        """destroy every manifest of the run (also after a failed step), then the cluster ecsship keeps."""
        for manifest in (self.canary, self.web):
            if manifest.exists():
                self.step(f"destroy {manifest.stem}", "destroy", "-f", manifest, "--yes", "--delete-logs", "--deregister")
        delete_cluster(self.t.client("ecs"), self.cluster, self.run_id)
        # No delete_endpoint_group here: destroy removes the endpoints' group it made (nothing left checks it).
        self.sample()

    def assert_nothing_left(self) -> None:
        left = leftovers(self.t.client, self.run_id, self.cluster, SERVICES, self.roles)
        self.report.left_behind = left
        if left:
            raise StepFailed("left behind: " + ", ".join(left))


def delete_cluster(ecs, cluster: str, run_id: str) -> None:
    """`ecsship destroy` keeps clusters (other services may share them); this one is the run's own."""
    found = ecs.describe_clusters(clusters=[cluster], include=["TAGS"])["clusters"]
    if found and found[0]["status"] == "ACTIVE":
        tags = {t["key"]: t["value"] for t in found[0].get("tags", [])}
        if tags.get(RUN_TAG) == run_id:
            ecs.delete_cluster(cluster=cluster)


def delete_endpoint_group(ec2, cluster: str, services: list[str], sleep, attempts: int = 30) -> None:
    """Cleanup of an interrupted run (`run_aws.py --cleanup`): `ecsship destroy` deletes the VPC endpoints
    it made and their security group `ecsship-vpc-endpoints` once no service uses them, but a destroy
    that did not finish may leave the group. DeleteVpcEndpoints is asynchronous: until the endpoints'
    network interfaces are gone, DeleteSecurityGroup fails with DependencyViolation (ec2 service-2.json),
    so this retries for up to ~5 minutes."""
    made_by = [f"{cluster}/{s}" for s in services]
    groups = ec2.describe_security_groups(Filters=[{"Name": f"tag:{CREATED_BY}", "Values": made_by}])["SecurityGroups"]
    for group in groups:
        for attempt in range(attempts):
            try:
                ec2.delete_security_group(GroupId=group["GroupId"])
                break
            except ec2.exceptions.ClientError as error:
                if error.response["Error"]["Code"] != "DependencyViolation" or attempt == attempts - 1:
                    raise
                sleep(10)


def created_endpoints(ec2, cluster: str, services: list[str]) -> list[dict]:
    """The VPC endpoints the run's services made. They are shared by every service in the VPC, so
    they carry ecsship's `ecsship:created-by` tag, not the manifest's tags (and not the run's tag)."""
    made_by = [f"{cluster}/{s}" for s in services]
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": f"tag:{CREATED_BY}", "Values": made_by}])["VpcEndpoints"]
    return [e for e in endpoints if e.get("State", "").lower() not in ("deleted", "deleting")]


def tagged(client, run_id: str) -> list[str]:
    """Every ARN carrying the run's tag. GetResources "returns all the tagged or previously tagged
    resources" in the Region, including some already deleted (resourcegroupstaggingapi service-2.json):
    leftovers() reads each kind back before calling it left behind."""
    api = client("resourcegroupstaggingapi")
    arns: list[str] = []
    for page in api.get_paginator("get_resources").paginate(TagFilters=[{"Key": RUN_TAG, "Values": [run_id]}]):
        arns += [m["ResourceARN"] for m in page["ResourceTagMappingList"]]
    return arns


def leftovers(client, run_id: str, cluster: str, services: list[str], roles: set[str]) -> list[str]:
    ecs, iam = client("ecs"), client("iam")
    left = []
    for arn in tagged(client, run_id):
        short = arn.split(":", 5)[-1]
        if ":task-definition/" in arn:
            # DeregisterTaskDefinition: INACTIVE revisions stay describable (ecs service-2.json)
            td = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
            if td["status"] != "ACTIVE":
                continue
        elif ":task/" in arn:
            # stopped tasks stay describable (and tagged) for about an hour (ecs service-2.json, DescribeTasks)
            task = ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"]
            if not task or task[0]["lastStatus"] == "STOPPED":
                continue
        elif ":service/" in arn or ":cluster/" in arn:
            continue   # read back directly below: AWS keeps INACTIVE services and clusters visible for a while
        left.append(short)
    found = ecs.describe_clusters(clusters=[cluster])["clusters"]
    if found and found[0]["status"] == "ACTIVE":
        left.append(f"cluster {cluster}")
        for service in ecs.describe_services(cluster=cluster, services=services)["services"]:
            if service["status"] != "INACTIVE":
                left.append(f"service {service['serviceName']} ({service['status']})")
    for family in (f"{cluster}-{s}" for s in services):
        if ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]:
            left.append(f"task definition family {family}")
    ec2 = client("ec2")
    left += [f"VPC endpoint {e['VpcEndpointId']} ({e['ServiceName'].rsplit('.', 1)[-1]})"
             for e in created_endpoints(ec2, cluster, services)]
    groups = ec2.describe_security_groups(Filters=[{"Name": f"tag:{CREATED_BY}", "Values": [f"{cluster}/{s}" for s in services]}])
    left += [f"security group {g['GroupId']} ({g['GroupName']})" for g in groups["SecurityGroups"]]
    for role in sorted(roles):
        try:
            iam.get_role(RoleName=role)
            left.append(f"IAM role {role}")
        except iam.exceptions.NoSuchEntityException:
            pass
    return sorted(set(left))
