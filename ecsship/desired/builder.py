"""Manifest -> desired model. Pure: no AWS calls, same input, same output."""
from __future__ import annotations

import json
from dataclasses import replace

from ecsship.desired import names, policies
from ecsship.desired import resources as r
from ecsship.desired.containers import Containers, secret_refs, sidecar_images, task_volumes
from ecsship.desired.image_and_secret_refs import parse_image, parse_secret
from ecsship.desired.output_refs import Concat, Ref, refs_of
from ecsship.desired.resources import kinds_by_key_root
from ecsship.manifest.defaults import ALB_HEALTH_DEFAULTS, DEREGISTRATION_DELAY_DEFAULT
from ecsship.manifest.durations import parse_duration
from ecsship.manifest.instance_types import ami_parameter
from ecsship.manifest.semantic import SHIFTING


def build(manifest, image_override: str | None = None, image_overrides: dict[str, str] | None = None) -> r.Desired:
    """The desired model of a validated Manifest. `image_override` replaces the main image URI;
    `image_overrides` (container name -> URI) those of the manifest's `containers:`."""
    return Builder(manifest.data, image_override, image_overrides).desired()


class Builder:
    def __init__(self, data: dict, image_override: str | None = None, image_overrides: dict[str, str] | None = None):
        self.m = data
        self.image_overrides = dict(image_overrides or {})
        self.service = data["service"]
        self.cluster = data["cluster"]
        self.region = data.get("region")
        self.image_uri = image_override or data["image"]
        # Without an explicit image, apply keeps the image a deploy shipped while the manifest's is
        # unchanged since the last apply (deploy/image_record.py).
        self.keep_running_image = image_override is None
        self.image = parse_image(self.image_uri)
        self.tags = {**{k: str(v) for k, v in (data.get("tags") or {}).items()},
                     "ecsship:service": self.service, "ecsship:cluster": self.cluster}
        self.deploy = data.get("deploy") or {}
        self.strategy = self.deploy.get("strategy", "rolling")
        self.controller = self.deploy.get("controller", "ecs") if self.strategy in SHIFTING else "ecs"
        self.lb = data.get("load_balancer")
        self.shifting = self.strategy in SHIFTING and self.lb is not None
        self.alarms_cfg = (data.get("observability") or {}).get("alarms") or {}
        self.scaling = data.get("scaling")
        self.container_insights = bool((data.get("observability") or {}).get("container_insights", False))
        self.container_name = data.get("container_name") or self.service
        self.daemon = data.get("scheduling") == "daemon"
        # An imported service keeps its log group and task role (manifest/from_live.py).
        self.log_group_name = (data.get("logs") or {}).get("group") or names.log_group_name(self.cluster, self.service)
        self.task_role = data.get("task_role") or Ref("role.task", "arn")
        self.out: list[r.Resource] = []

    def add(self, resource: r.Resource) -> None:
        self.out.append(resource)

    def desired(self) -> r.Desired:
        self.lookups()
        self.ec2_capacity()
        self.cluster_()
        self.log_group()
        self.roles()
        self.load_balancing()
        self.security_group()
        self.endpoints()
        self.task_definition()
        # Data flows through arguments: the service and the deployment group get the rollback
        # alarms' names from what alarms() made, so no method depends on another having run.
        alarm_names = rollback_alarm_names(self.deploy.get("rollback_alarms") or [], self.alarms())
        self.codedeploy(alarm_names)
        self.discovery()
        self.service_(alarm_names)
        self.autoscaling()
        self.jobs()
        ordered = _prune_and_order(self.out)
        return r.Desired(self.service, self.cluster, self.region, tuple(ordered), self.container_name, dict(self.m))

    # -- lookups ---------------------------------------------------------------------------
    def lookups(self) -> None:
        net = self.m["network"]
        self.add(r.Network(key="network", name=_selector_label(net["vpc"]), spec={
            "vpc": net["vpc"], "subnets": net["subnets"],
        }))
        self.add(r.Image(key="image", name=self.image_uri, spec={
            "uri": self.image_uri, "registry": self.image.account, "region": self.image.region,
            "repository": self.image.repository, "tag": self.image.tag, "digest": self.image.digest,
        }))
        secrets = secret_refs(self.m)
        if secrets:
            refs = {env: parse_secret(env, ref) for env, ref in sorted(secrets.items())}
            self.add(r.SecretRefs(key="secrets", name=f"{len(refs)} reference(s)", spec={
                "account": Ref("network", "account_id"),
                "refs": {env: {"source": s.source, "id": s.ident, "json_key": s.json_key,
                               **({"region": s.region} if s.region else {}), **({"owner": s.account} if s.account else {})}
                         for env, s in refs.items()},
            }))
        for volume in self.m.get("volumes") or []:
            self.add(r.EfsLookup(key=f"efs.{volume['name']}", name=volume["efs"]["file_system"], spec={
                "volume": volume["name"], "file_system": volume["efs"]["file_system"], "access_point": volume["efs"]["access_point"],
                "tasks_group": f"{names.base(self.cluster, self.service)}-tasks"}))
        named = sorted(a for a in self.deploy.get("rollback_alarms") or [] if a != "auto")
        if named:
            self.add(r.AlarmsLookup(key="rollback_alarms", name=", ".join(named), spec={"names": named}))
        if self.lb and self.lb.get("create"):
            self.add(r.Network(key="alb_network", name=_selector_label(self.lb["create"]["subnets"]), spec={
                "vpc": net["vpc"], "subnets": self.lb["create"]["subnets"]}))
        if self.lb and self.lb.get("alb"):
            ports = [self.lb.get("listener_port", 443)]
            if self.deploy.get("test_listener_port") and self.shifting:
                ports.append(self.deploy["test_listener_port"])
            self.add(r.LoadBalancerLookup(key="alb", name=self.lb["alb"], spec={"alb": self.lb["alb"], "ports": ports}))

    # -- core -------------------------------------------------------------------------------
    def cluster_(self) -> None:
        providers = sorted({self.provider_name(i, c) for i, c in enumerate(self.m.get("capacity") or [])})
        insights = self.container_insights
        owned = tuple(f"capacity_provider.{i}" for i, c in enumerate(self.m.get("capacity") or []) if c.get("ec2"))
        self.add(r.Cluster(key="cluster", name=self.cluster, tags=dict(self.tags), spec={
            "containerInsights": "enabled" if insights else "disabled", "capacityProviders": providers,
        }, depends_on=owned))

    def provider_name(self, index: int, entry: dict) -> str:
        """A capacity entry's provider: the one it names, or the one ecsship makes for its `ec2`."""
        return names.ec2_capacity_name(self.cluster, self.service, index) if entry.get("ec2") else entry["provider"]

    # -- owned EC2 capacity -----------------------------------------------------------------
    def ec2_capacity(self) -> None:
        """Per `ec2` entry: the AMI (public SSM parameter), a launch template, an Auto Scaling group in
        the task subnets and a capacity provider; shared by the entries: the instance role and profile
        and the instances' security group."""
        entries = [(i, c["ec2"]) for i, c in enumerate(self.m.get("capacity") or []) if c.get("ec2")]
        if not entries:
            return
        base = names.base(self.cluster, self.service)
        managed = [Concat(("arn:", Ref("network", "partition"), f":iam::aws:policy/{p}")) for p in INSTANCE_POLICIES]
        self.add(r.Role(key="role.instance", name=names.role_name(self.cluster, self.service, "instance"), tags=dict(self.tags), spec={
            "trust": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "policy": None, "managedPolicies": managed,
            "description": f"ecsship: EC2 container instances of {self.cluster}/{self.service}", "region": REGION,
        }))
        self.add(r.InstanceProfile(key="instance_profile", name=names.instance_profile_name(self.cluster, self.service), tags=dict(self.tags), spec={
            "role": Ref("role.instance", "name")}))
        self.add(r.SecurityGroup(key="security_group.instances", name=f"{base}-instances", tags=dict(self.tags), spec={
            # awsvpc tasks have their own interfaces and groups: the instances take no inbound traffic.
            "description": f"ecsship: EC2 container instances of {self.cluster}/{self.service}",
            "vpcId": Ref("network", "vpc_id"), "ingress": [], "egress": "open",
        }))
        gpu = self.m.get("gpu") is not None
        for index, ec2 in entries:
            name = names.ec2_capacity_name(self.cluster, self.service, index)
            types = list(ec2["instance_types"])
            self.add(r.AmiLookup(key=f"ami.{index}", name=ami_parameter(types, gpu), spec={"parameter": ami_parameter(types, gpu)}))
            user_data = f"#!/bin/bash\necho ECS_CLUSTER={self.cluster} >> /etc/ecs/ecs.config\n"
            self.add(r.LaunchTemplate(key=f"launch_template.{index}", name=name, tags=dict(self.tags), spec={
                "ImageId": Ref(f"ami.{index}", "image_id"),
                "IamInstanceProfile": {"Arn": Ref("instance_profile", "arn")},
                "SecurityGroupIds": [Ref("security_group.instances", "id")],
                # IMDSv2 only; one hop, so a task's container cannot reach the instance's credentials.
                "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
                "UserData": user_data,
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
                    "VolumeSize": ec2.get("root_volume", 30), "VolumeType": "gp3", "Encrypted": True, "DeleteOnTermination": True}}],
                "_group": name,  # the Auto Scaling group an AMI change refreshes
            }, note="a new AMI rolls the instances through the group's instance refresh"))
            spot = bool(ec2.get("spot", False))
            self.add(r.AutoScalingGroup(key=f"autoscaling_group.{index}", name=name, tags=dict(self.tags), spec={
                "MinSize": ec2.get("min", 0), "MaxSize": ec2["max"],
                "VPCZoneIdentifier": [Ref("network", "subnet_ids")],
                "MixedInstancesPolicy": {
                    "LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateId": Ref(f"launch_template.{index}", "id"), "Version": "$Default"},
                                       "Overrides": [{"InstanceType": t} for t in types]},
                    "InstancesDistribution": {"OnDemandPercentageAboveBaseCapacity": 0 if spot else 100,
                                              **({"SpotAllocationStrategy": "capacity-optimized"} if spot else {})}},
                # Managed termination protection needs it (botocore ecs AutoScalingGroupProvider.managedTerminationProtection).
                "NewInstancesProtectedFromScaleIn": True, "CapacityRebalance": spot,
            }))
            self.add(r.CapacityProvider(key=f"capacity_provider.{index}", name=name, tags=dict(self.tags), spec={
                "autoScalingGroupArn": Ref(f"autoscaling_group.{index}", "arn"),
                "managedScaling": {"status": "ENABLED", "targetCapacity": ec2.get("target_capacity", 100)},
                "managedTerminationProtection": "ENABLED", "managedDraining": "ENABLED",
            }))

    def log_group(self) -> None:
        retention = (self.m.get("logs") or {}).get("retention_days", 30)
        self.add(r.LogGroup(key="log_group", name=self.log_group_name, tags=dict(self.tags),
                            spec={"retentionInDays": retention}))

    def roles(self) -> None:
        sources = {parse_secret(k, v).source for k, v in secret_refs(self.m).items()}
        images = [self.image] + [parse_image(uri) for uri in sidecar_images(self.m, self.image_overrides).values()]
        obs = self.m.get("observability") or {}
        self.add(r.Role(key="role.execution", name=names.role_name(self.cluster, self.service, "exec"), tags=dict(self.tags), spec={
            # ECS documents aws:SourceArn for the task role only; the execution role gets the account.
            "trust": policies.trust("ecs-tasks.amazonaws.com", ACCOUNT),
            "policy": policies.execution_policy(images, sources),
            "description": f"ecsship: ECS task execution role of {self.cluster}/{self.service}", "region": REGION,
        }))
        if self.m.get("task_role"):
            return  # an existing role (an imported service's): used as is, never created or changed
        self.add(r.Role(key="role.task", name=names.role_name(self.cluster, self.service, "task"), tags=dict(self.tags), spec={
            "trust": policies.trust("ecs-tasks.amazonaws.com", ACCOUNT, _arn("ecs", "*")),
            "policy": policies.task_policy(self.m.get("permissions") or [], obs.get("tracing") == "xray", bool(self.m.get("execute_command")),
                                           otel=obs.get("tracing") == "otel",
                                           efs=[(v["name"], bool(v.get("read_only", False))) for v in self.m.get("volumes") or []]),
            "description": f"ecsship: task role of {self.cluster}/{self.service}", "region": REGION,
        }))

    def security_group(self) -> None:
        ingress = []
        if self.lb is not None:
            source = Ref("load_balancer", "security_group_id") if self.lb.get("create") else Ref("alb", "security_group_ids")
            ingress.append({"protocol": "tcp", "port": self.m["port"], "sources": [source]})
        self.add(r.SecurityGroup(key="security_group.tasks", name=f"{names.base(self.cluster, self.service)}-tasks", tags=dict(self.tags), spec={
            "description": f"ecsship: tasks of {self.cluster}/{self.service}",
            "vpcId": Ref("network", "vpc_id"),
            "ingress": ingress,
            "egress": self.m["network"].get("egress", "open"),
        }))

    def endpoints(self) -> None:
        wanted = sorted(self.m["network"].get("endpoints") or [])
        if not wanted:
            return
        self.add(r.VpcEndpoints(key="vpc_endpoints", name=", ".join(wanted), tags=dict(self.tags), spec={
            "vpcId": Ref("network", "vpc_id"), "subnetIds": Ref("network", "subnet_ids"),
            "endpointSubnetIds": Ref("network", "endpoint_subnet_ids"), "services": wanted, "clientSecurityGroupId": Ref("security_group.tasks", "id"),
            "endpointPolicy": self.m["network"].get("endpoint_policy", "none"),
            "user": f"{self.cluster}/{self.service}",
        }))

    def task_definition(self) -> None:
        m = self.m
        platform = m.get("platform", "fargate")
        containers = Containers(m, self.cluster, self.service, self.image_uri, self.image_overrides).definitions()
        family = names.task_family(self.cluster, self.service)
        self.add(r.TaskDefinition(key="task_definition", name=family, tags=dict(self.tags), spec={
            "family": family,
            # Meta (never sent): which service's running revision the plan compares with, and the
            # family it may still run from before families were scoped by cluster.
            "_service": {"cluster": self.cluster, "service": self.service,
                         "legacy_family": names.legacy_task_family(self.service),
                         "manifest_image": self.m["image"], "keep_running_image": self.keep_running_image},
            "taskRoleArn": self.task_role,
            "executionRoleArn": Ref("role.execution", "arn"),
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE" if platform == "fargate" else "EC2"],
            "cpu": str(m.get("cpu", 256)),
            "memory": str(m.get("memory", 512)),
            "runtimePlatform": {"cpuArchitecture": "ARM64" if m.get("architecture") == "arm64" else "X86_64", "operatingSystemFamily": "LINUX"},
            "containerDefinitions": containers,
            **({"ephemeralStorage": {"sizeInGiB": m["storage"]}} if m.get("storage") else {}),
            **({"volumes": task_volumes(m)} if m.get("volumes") else {}),
        }, depends_on=("image", "log_group")))

    def service_(self, alarm_names: list[str]) -> None:
        m = self.m
        spec: dict = {
            "cluster": self.cluster,
            "serviceName": self.service,
            "taskDefinition": Ref("task_definition", "arn"),
            "desiredCount": self.scaling.get("min", 1) if self.scaling else m.get("count", 1),
            "networkConfiguration": {"awsvpcConfiguration": self.task_network()},
            "deploymentController": {"type": "CODE_DEPLOY" if self.controller == "codedeploy" and self.shifting else "ECS"},
            "propagateTags": "SERVICE",
            "enableECSManagedTags": True,
            "enableExecuteCommand": bool(m.get("execute_command", False)),
            # Meta keys (leading '_') steer the reconciler and are never sent to AWS.
            "_autoscaled": bool(self.scaling),
        }
        spec.update(self.placement())
        if self.daemon:
            # DAEMON: one task per container instance, so no desiredCount (botocore ecs
            # CreateService.desiredCount: "If schedulingStrategy is DAEMON then this isn't required"),
            # and the EC2 launch type: the instances of every EC2 provider of the cluster run it.
            spec["schedulingStrategy"] = "DAEMON"
            spec.pop("desiredCount")
            spec.pop("capacityProviderStrategy", None)
            spec["launchType"] = "EC2"
        if spec["deploymentController"]["type"] == "ECS":
            spec["deploymentConfiguration"] = self.deployment_configuration(alarm_names)
        if self.lb is not None:
            spec["loadBalancers"] = [self.service_load_balancer()]
            if spec["deploymentController"]["type"] == "CODE_DEPLOY":
                spec["_targetGroupPair"] = [Ref("target_group.blue", "arn"), Ref("target_group.green", "arn")]
            spec["healthCheckGracePeriodSeconds"] = (m.get("health_check") or {}).get("grace_period", 60)
        if m.get("service_discovery"):
            spec["serviceRegistries"] = [{"registryArn": Ref("discovery_service", "arn")}]
        # The manifest's image at this apply: what the next plan compares the manifest with (image_record).
        tags = {**self.tags, names.MANIFEST_IMAGE_TAG: names.image_tag_value(m["image"])}
        self.add(r.Service(key="service", name=self.service, tags=tags, spec=spec,
                           note="desiredCount is left to autoscaling after creation" if self.scaling else ""))

    def task_network(self) -> dict:
        """The awsvpc configuration of the service's tasks (and its jobs'): the task subnets, its groups."""
        return {"subnets": [Ref("network", "subnet_ids")],
                "securityGroups": [Ref("security_group.tasks", "id"), *sorted(self.m["network"].get("security_groups") or [])],
                "assignPublicIp": "DISABLED"}

    def placement(self) -> dict:
        """Where the service's tasks (and its jobs') run: its capacity provider strategy, else a launch type."""
        if self.m.get("capacity"):
            return {"capacityProviderStrategy": [{"capacityProvider": self.provider_name(i, c), "weight": c.get("weight", 1), "base": c.get("base", 0)}
                                                 for i, c in enumerate(self.m["capacity"])]}
        return {"launchType": "FARGATE" if self.m.get("platform", "fargate") == "fargate" else "EC2"}

    def deployment_configuration(self, alarm_names: list[str]) -> dict:
        d = self.deploy
        config: dict = {
            # A daemon has one task per instance: the old one stops before the new one starts.
            "maximumPercent": 100 if self.daemon else d.get("max_percent", 200),
            "minimumHealthyPercent": d.get("min_healthy_percent", 0 if self.daemon else 100),
            "deploymentCircuitBreaker": {"enable": d.get("circuit_breaker", True), "rollback": d.get("circuit_breaker", True)},
        }
        if alarm_names:
            config["alarms"] = {"alarmNames": alarm_names, "enable": True, "rollback": True}
        # Sent explicitly, always: UpdateService keeps what a request leaves out, so a move from a
        # shifting strategy back to rolling must say ROLLING and no hooks (issue #12 item 18).
        config["strategy"] = "ROLLING"
        config["lifecycleHooks"] = []
        if self.shifting:
            config["strategy"] = {"blue_green": "BLUE_GREEN", "canary": "CANARY", "linear": "LINEAR"}[self.strategy]
            config["bakeTimeInMinutes"] = parse_duration(d.get("bake_time", 0)) // 60
            if self.strategy == "canary":
                c = d.get("canary") or {"percent": 10, "interval": "5m"}
                config["canaryConfiguration"] = {"canaryPercent": float(c["percent"]), "canaryBakeTimeInMinutes": parse_duration(c["interval"]) // 60}
            if self.strategy == "linear":
                c = d.get("linear") or {"percent": 10, "interval": "1m"}
                config["linearConfiguration"] = {"stepPercent": float(c["percent"]), "stepBakeTimeInMinutes": parse_duration(c["interval"]) // 60}
            if self.controller == "ecs" and d.get("approval") == "manual":
                # approval: manual: ECS pauses the rollout before production traffic moves until
                # ContinueServiceDeployment (`ecsship promote`); CodeDeploy uses its ready wait instead.
                config["lifecycleHooks"] = [{"targetType": "PAUSE", "lifecycleStages": ["PRE_PRODUCTION_TRAFFIC_SHIFT"]}]
        return config

    def service_load_balancer(self) -> dict:
        lb = {"targetGroupArn": Ref("target_group.blue" if self.shifting else "target_group", "arn"),
              "containerName": self.container_name, "containerPort": self.m["port"]}
        if self.shifting and self.controller == "ecs":
            advanced = {"alternateTargetGroupArn": Ref("target_group.green", "arn"),
                        "productionListenerRule": Ref("listener_rule.prod", "arn"),
                        "roleArn": Ref("role.ecs_infrastructure", "arn")}
            if self.deploy.get("test_listener_port"):
                advanced["testListenerRule"] = Ref("listener_rule.test", "arn")
            lb["advancedConfiguration"] = advanced
        return lb

    # -- load balancing ------------------------------------------------------------------------
    def load_balancing(self) -> None:
        lb = self.lb
        if lb is None:
            return
        alb_key = "load_balancer" if lb.get("create") else "alb"
        if lb.get("create"):
            create = lb["create"]
            self.add(r.LoadBalancer(key="load_balancer", name=names.fit(names.base(self.cluster, self.service), names.ALB_MAX), tags=dict(self.tags), spec={
                "subnets": Ref("alb_network", "subnet_ids"), "certificateArn": create["certificate"],
                "scheme": "internal" if create.get("internal") else "internet-facing",
                "vpcId": Ref("network", "vpc_id"), "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "ports": [lb.get("listener_port", 443)] + ([self.deploy["test_listener_port"]] if self.shifting and self.deploy.get("test_listener_port") else []),
                "ingress": self.alb_ingress(),
            }))
        hc = {**ALB_HEALTH_DEFAULTS, **(lb.get("health_check") or {})}
        colours = ["blue", "green"] if self.shifting else [None]
        # An adopted service keeps the group it serves from (`load_balancer.target_group`; rolling only).
        group_names = [lb.get("target_group") or names.target_group_name(self.cluster, self.service, c) for c in colours]
        for colour, group_name in zip(colours, group_names):
            key = f"target_group.{colour}" if colour else "target_group"
            self.add(r.TargetGroup(key=key, name=group_name, tags=dict(self.tags), spec={
                "Protocol": "HTTP", "Port": self.m["port"], "TargetType": "ip", "VpcId": Ref("network", "vpc_id"),
                "HealthCheckProtocol": "HTTP", "HealthCheckPath": hc["path"], "HealthCheckIntervalSeconds": hc["interval"],
                "HealthCheckTimeoutSeconds": hc["timeout"], "HealthyThresholdCount": hc["healthy_threshold"],
                "UnhealthyThresholdCount": hc["unhealthy_threshold"], "Matcher": {"HttpCode": hc["matcher"]},
                "deregistrationDelay": lb.get("deregistration_delay", DEREGISTRATION_DELAY_DEFAULT),
                "siblings": group_names,
                "_keepPort": bool(lb.get("target_group")),  # see TargetGroupReconciler.desired_state
            }))
        conditions = []
        if lb.get("host"):
            conditions.append({"Field": "host-header", "Values": [lb["host"]]})
        if lb.get("path"):
            conditions.append({"Field": "path-pattern", "Values": [lb["path"]]})
        if not conditions:
            conditions.append({"Field": "path-pattern", "Values": ["/*"]})
        ports = [("prod", lb.get("listener_port", 443))]
        if self.shifting and self.deploy.get("test_listener_port"):
            ports.append(("test", self.deploy["test_listener_port"]))
        forward_to = "target_group.blue" if self.shifting else "target_group"
        for role, port in ports:
            target = forward_to if role == "prod" or self.controller == "codedeploy" else "target_group.green"
            self.add(r.ListenerRule(key=f"listener_rule.{role}", name=f"{self.service} on :{port}", tags=dict(self.tags), spec={
                "ListenerArn": Ref(alb_key, f"listener:{port}"), "Priority": lb.get("priority", 100),
                "listeners": [Ref(alb_key, f"listener:{p}") for _, p in ports],
                "Conditions": conditions, "targetGroupArn": Ref(target, "arn"),
                # Known before the group's ARN is: an untagged rule forwarding to a group of this name
                # is this service's to adopt (reconcilers/listener_rule.py).
                "targetGroupName": group_names[colours.index(target.partition(".")[2] or None)],
                # The production rule forwards to both groups (blue 100, green 0) from the start, as
                # ECS needs and CodeDeploy converges to: the green group is then in use by the ALB, so
                # its targets are health checked and a first CodeDeploy replacement is health-gated.
                "weighted": self.shifting and (self.controller == "ecs" or role == "prod"),
                "alternateTargetGroupArn": Ref("target_group.green", "arn") if self.shifting and role == "prod" else None,
                # The controller moves traffic within the pair: the plan must not call that drift.
                "pair": [Ref("target_group.blue", "arn"), Ref("target_group.green", "arn")] if self.shifting else None,
            }))
        if self.shifting and self.controller == "ecs":
            self.add(r.Role(key="role.ecs_infrastructure", name=names.role_name(self.cluster, self.service, "ecs-lb"), tags=dict(self.tags), spec={
                "trust": policies.trust("ecs.amazonaws.com", ACCOUNT), "policy": policies.ecs_infrastructure_policy(),
                "description": f"ecsship: lets ECS shift traffic for {self.cluster}/{self.service}", "region": REGION,
            }))

    def alb_ingress(self) -> dict:
        """Who may reach each listener of an owned ALB: production (and the port 80 redirect) from
        anywhere; the test listener, which serves a version not yet approved, only from the VPC's
        CIDR blocks unless `load_balancer.create.test_listener_cidrs` says otherwise (issue #22 item 6)."""
        lb = self.lb
        ingress: dict = {str(port): ["0.0.0.0/0"] for port in (80, lb.get("listener_port", 443))}
        test_port = self.deploy.get("test_listener_port") if self.shifting else None
        if test_port:
            cidrs = lb["create"].get("test_listener_cidrs")
            ingress[str(test_port)] = sorted(cidrs) if cidrs is not None else Ref("network", "vpc_cidrs")
        return ingress

    # -- alarms, scaling, codedeploy, discovery -------------------------------------------
    def alarm_prefix(self) -> str:
        return names.base(self.cluster, self.service)

    def alarms(self) -> list[r.Alarm]:
        """Adds the alarms the manifest asks for; returns them."""
        cfg = self.alarms_cfg
        if not cfg:
            return []
        notify = cfg.get("notify") or []
        notify = [notify] if isinstance(notify, str) else sorted(notify)
        alb_key = "load_balancer" if self.lb and self.lb.get("create") else "alb"
        prod_tg = "target_group.blue" if self.shifting else "target_group"
        lb_dims = [{"Name": "LoadBalancer", "Value": Ref(alb_key, "full_name")}, {"Name": "TargetGroup", "Value": Ref(prod_tg, "full_name")}]
        common = {"ActionsEnabled": True, "AlarmActions": notify, "OKActions": notify, "InsufficientDataActions": [],
                  "TreatMissingData": "notBreaching"}
        if self.lb is not None and self.shifting:
            self.pair_alarms(cfg, common, alb_key)
        if self.lb is not None and not self.shifting and cfg.get("http_5xx_percent") is not None:
            def metric(mid, name):
                return {"Id": mid, "ReturnData": False, "MetricStat": {"Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": name, "Dimensions": lb_dims}, "Period": 60, "Stat": "Sum"}}
            self._alarm("5xx", "target 5xx responses above {}% of requests".format(cfg["http_5xx_percent"]), {
                **common, "Metrics": [metric("errors", "HTTPCode_Target_5XX_Count"), metric("requests", "RequestCount"),
                                      {"Id": "rate", "Expression": "IF(requests > 0, 100 * errors / requests, 0)", "Label": "5xx percent", "ReturnData": True}],
                "ComparisonOperator": "GreaterThanThreshold", "Threshold": float(cfg["http_5xx_percent"]), "EvaluationPeriods": 3, "DatapointsToAlarm": 2})
        if self.lb is not None and not self.shifting and cfg.get("p99_latency_ms") is not None:
            self._alarm("p99-latency", f"p99 target response time above {cfg['p99_latency_ms']} ms", {
                **common, "Namespace": "AWS/ApplicationELB", "MetricName": "TargetResponseTime", "Dimensions": lb_dims,
                "ExtendedStatistic": "p99", "Period": 60, "EvaluationPeriods": 5, "DatapointsToAlarm": 3,
                "Threshold": float(cfg["p99_latency_ms"]) / 1000.0, "ComparisonOperator": "GreaterThanThreshold"})
        if self.lb is not None and not self.shifting and cfg.get("unhealthy_targets") is not None:
            self._alarm("unhealthy-targets", f"at least {cfg['unhealthy_targets']} unhealthy target(s)", {
                **common, "Namespace": "AWS/ApplicationELB", "MetricName": "UnHealthyHostCount", "Dimensions": lb_dims,
                "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 3, "DatapointsToAlarm": 2,
                "Threshold": float(cfg["unhealthy_targets"]), "ComparisonOperator": "GreaterThanOrEqualToThreshold"})
        # RunningTaskCount is published by Container Insights only (ECS/ContainerInsights namespace):
        # without it the alarm sits in INSUFFICIENT_DATA forever and guards nothing (issue #12 item 19).
        if self.scaling and cfg.get("running_below_min", True) and self.container_insights:
            self._alarm("running-below-min", f"running tasks below the minimum of {self.scaling.get('min', 1)}", {
                **common, "Namespace": "ECS/ContainerInsights", "MetricName": "RunningTaskCount",
                "Dimensions": [{"Name": "ClusterName", "Value": self.cluster}, {"Name": "ServiceName", "Value": self.service}],
                "Statistic": "Minimum", "Period": 60, "EvaluationPeriods": 5, "DatapointsToAlarm": 5,
                "Threshold": float(self.scaling.get("min", 1)), "ComparisonOperator": "LessThanThreshold",
                "TreatMissingData": "missing"})
        return [res for res in self.out if isinstance(res, r.Alarm)]

    def pair_alarms(self, cfg: dict, common: dict, alb_key: str) -> None:
        """Blue/green, canary, linear: production moves between the two target groups with every
        deployment, so each alarm reads both groups and combines them with metric math (CloudWatch
        "Using metric math": FILL(m, 0) for the idle group's missing data; MAX over an array is taken
        per timestamp) and keeps watching whichever group serves (issue #12 item 13)."""
        def stat(mid: str, name: str, colour: str, statistic: str) -> dict:
            dims = [{"Name": "LoadBalancer", "Value": Ref(alb_key, "full_name")},
                    {"Name": "TargetGroup", "Value": Ref(f"target_group.{colour}", "full_name")}]
            return {"Id": f"{mid}_{colour}", "ReturnData": False, "MetricStat": {
                "Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": name, "Dimensions": dims}, "Period": 60, "Stat": statistic}}

        def both(mid: str, name: str, statistic: str) -> list:
            return [stat(mid, name, "blue", statistic), stat(mid, name, "green", statistic)]

        if cfg.get("http_5xx_percent") is not None:
            requests = "(FILL(requests_blue, 0) + FILL(requests_green, 0))"
            errors = "(FILL(errors_blue, 0) + FILL(errors_green, 0))"
            self._alarm("5xx", "target 5xx responses above {}% of requests (both target groups)".format(cfg["http_5xx_percent"]), {
                **common, "Metrics": [*both("errors", "HTTPCode_Target_5XX_Count", "Sum"), *both("requests", "RequestCount", "Sum"),
                                      {"Id": "rate", "Expression": f"IF({requests} > 0, 100 * {errors} / {requests}, 0)", "Label": "5xx percent", "ReturnData": True}],
                "ComparisonOperator": "GreaterThanThreshold", "Threshold": float(cfg["http_5xx_percent"]), "EvaluationPeriods": 3, "DatapointsToAlarm": 2})
        if cfg.get("p99_latency_ms") is not None:
            self._alarm("p99-latency", f"p99 target response time above {cfg['p99_latency_ms']} ms (either target group)", {
                **common, "Metrics": [*both("latency", "TargetResponseTime", "p99"),
                                      {"Id": "worst", "Expression": "MAX([FILL(latency_blue, 0), FILL(latency_green, 0)])", "Label": "p99 seconds", "ReturnData": True}],
                "EvaluationPeriods": 5, "DatapointsToAlarm": 3,
                "Threshold": float(cfg["p99_latency_ms"]) / 1000.0, "ComparisonOperator": "GreaterThanThreshold"})
        if cfg.get("unhealthy_targets") is not None:
            self._alarm("unhealthy-targets", f"at least {cfg['unhealthy_targets']} unhealthy target(s) (both target groups)", {
                **common, "Metrics": [*both("unhealthy", "UnHealthyHostCount", "Maximum"),
                                      {"Id": "total", "Expression": "FILL(unhealthy_blue, 0) + FILL(unhealthy_green, 0)", "Label": "unhealthy targets", "ReturnData": True}],
                "EvaluationPeriods": 3, "DatapointsToAlarm": 2,
                "Threshold": float(cfg["unhealthy_targets"]), "ComparisonOperator": "GreaterThanOrEqualToThreshold"})

    def _alarm(self, suffix: str, description: str, spec: dict) -> None:
        name = names.alarm_name(self.cluster, self.service, suffix)
        self.add(r.Alarm(key=f"alarm.{suffix}", name=name, tags=dict(self.tags),
                         spec={"AlarmDescription": f"ecsship: {self.cluster}/{self.service}: {description}", **spec}))

    def codedeploy(self, alarm_names: list[str]) -> None:
        if not (self.shifting and self.controller == "codedeploy"):
            return
        d = self.deploy
        base = names.codedeploy_name(self.cluster, self.service)
        # deploymentGroupName: the application is read through its group's GetDeploymentGroup (one call for both).
        self.add(r.CodeDeployApp(key="codedeploy_app", name=base, tags=dict(self.tags), spec={
            "computePlatform": "ECS", "account": Ref("network", "account_id"), "deploymentGroupName": base}))
        config_name = _builtin_config(self.strategy, d)
        own_config = config_name is None  # a custom deployment config, made here
        if config_name is None:
            step = d.get(self.strategy) or {}
            percent, minutes = step["percent"], parse_duration(step["interval"]) // 60
            config_name = f"ecsship-{self.strategy}-{percent}pct-{minutes}min"
            kind = "TimeBasedCanary" if self.strategy == "canary" else "TimeBasedLinear"
            field = "timeBasedCanary" if self.strategy == "canary" else "timeBasedLinear"
            interval_key = "canaryInterval" if self.strategy == "canary" else "linearInterval"
            pct_key = "canaryPercentage" if self.strategy == "canary" else "linearPercentage"
            self.add(r.CodeDeployConfig(key="codedeploy_config", name=config_name, spec={
                "computePlatform": "ECS", "trafficRoutingConfig": {"type": kind, field: {pct_key: percent, interval_key: minutes}}}))
        topics = self.alarms_cfg.get("notify") or []
        topics = [topics] if isinstance(topics, str) else list(topics)
        hooks = sorted((d.get("hooks") or {}).values())
        service_arn = Ref("cluster", "service_arn_prefix")
        self.add(r.Role(key="role.codedeploy", name=names.role_name(self.cluster, self.service, "codedeploy"), tags=dict(self.tags), spec={
            "trust": policies.trust("codedeploy.amazonaws.com", ACCOUNT, _arn("codedeploy", f"deploymentgroup:{base}/{base}")),
            "policy": policies.codedeploy_policy(Concat((service_arn, self.service)), Concat((Ref("cluster", "task_set_prefix"), f"{self.service}/*")), [self.task_role, Ref("role.execution", "arn")], topics, hooks),
            "description": f"ecsship: CodeDeploy blue/green of {self.cluster}/{self.service}", "region": REGION,
        }))
        termination = parse_duration(d.get("termination_wait", "5m")) // 60
        approval = d.get("approval", "auto")
        test_port = d.get("test_listener_port")
        alb_key = "load_balancer" if self.lb.get("create") else "alb"
        self.add(r.CodeDeployGroup(key="codedeploy_group", name=base, tags=dict(self.tags), spec={
            "account": Ref("network", "account_id"),
            "applicationName": base,
            "deploymentGroupName": base,
            "serviceRoleArn": Ref("role.codedeploy", "arn"),
            "deploymentConfigName": config_name,
            "ecsServices": [{"serviceName": self.service, "clusterName": self.cluster}],
            "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
            "blueGreenDeploymentConfiguration": {
                "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": termination},
                "deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT" if approval == "manual" else "CONTINUE_DEPLOYMENT",
                                          **({"waitTimeInMinutes": max(1, parse_duration(d.get("timeout", "30m")) // 60)} if approval == "manual" else {})},
            },
            "loadBalancerInfo": {"targetGroupPairInfoList": [{
                "targetGroups": [{"name": Ref("target_group.blue", "name")}, {"name": Ref("target_group.green", "name")}],
                "prodTrafficRoute": {"listenerArns": [Ref(alb_key, f"listener:{self.lb.get('listener_port', 443)}")]},
                **({"testTrafficRoute": {"listenerArns": [Ref(alb_key, f"listener:{test_port}")]}} if test_port else {}),
            }]},
            "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
            "alarmConfiguration": {"enabled": bool(alarm_names), "ignorePollAlarmFailure": False,
                                   "alarms": [{"name": n} for n in alarm_names]},
        }, depends_on=("service", "codedeploy_app") + (("codedeploy_config",) if own_config else ())))

    def discovery(self) -> None:
        sd = self.m.get("service_discovery")
        if not sd:
            return
        self.add(r.Namespace(key="namespace", name=sd["namespace"], tags=dict(self.tags), spec={"vpcId": Ref("network", "vpc_id")}))
        self.add(r.DiscoveryService(key="discovery_service", name=self.service, tags=dict(self.tags), spec={
            "NamespaceId": Ref("namespace", "id"), "DnsConfig": {"RoutingPolicy": "MULTIVALUE", "DnsRecords": [{"Type": "A", "TTL": 10}]},
            "HealthCheckCustomConfig": {"FailureThreshold": 1}}))

    def autoscaling(self) -> None:
        s = self.scaling
        if not s:
            return
        resource_id = f"service/{self.cluster}/{self.service}"
        prefix = names.base(self.cluster, self.service)
        policies_: dict = {}
        cooldowns = {"ScaleInCooldown": s.get("scale_in_cooldown", 300), "ScaleOutCooldown": s.get("scale_out_cooldown", 60)}
        if s.get("cpu") is not None:
            policies_[f"{prefix}-cpu"] = {"TargetValue": float(s["cpu"]), "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}, **cooldowns}
        if s.get("memory") is not None:
            policies_[f"{prefix}-memory"] = {"TargetValue": float(s["memory"]), "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageMemoryUtilization"}, **cooldowns}
        if s.get("requests_per_target") is not None and self.lb is not None:
            alb_key = "load_balancer" if self.lb.get("create") else "alb"
            tg = "target_group.blue" if self.shifting else "target_group"
            policies_[f"{prefix}-requests"] = {"TargetValue": float(s["requests_per_target"]), "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ALBRequestCountPerTarget", "ResourceLabel": Concat((Ref(alb_key, "full_name"), "/", Ref(tg, "full_name")))}, **cooldowns}
        schedules = {}
        for item in s.get("schedules") or []:
            action = {"Schedule": item["cron"], "Timezone": item.get("timezone", "UTC"), "ScalableTargetAction": {}}
            if item.get("min") is not None:
                action["ScalableTargetAction"]["MinCapacity"] = item["min"]
            if item.get("max") is not None:
                action["ScalableTargetAction"]["MaxCapacity"] = item["max"]
            schedules[f"{prefix}-{item['name']}"] = action
        self.add(r.Autoscaling(key="autoscaling", name=resource_id, tags=dict(self.tags), spec={
            "ResourceId": resource_id, "MinCapacity": s.get("min", 1), "MaxCapacity": s.get("max", max(1, s.get("min", 1))),
            "policies": policies_, "schedules": schedules, "policyPrefix": prefix,
        }, depends_on=("service",)))


    # -- scheduled jobs ------------------------------------------------------------------------
    def jobs(self) -> None:
        """Per job an EventBridge Scheduler schedule running the service's revision with the job's
        command and size (RunTask overrides), in the service's network and capacity; their role, their
        dead-letter queue, and (with alarms.notify) an alarm when a job's task exits non-zero."""
        jobs = self.m.get("jobs") or []
        if not jobs:
            return
        family = names.task_family(self.cluster, self.service)
        queue = names.jobs_queue_name(self.cluster, self.service)
        self.add(r.Queue(key="queue.jobs", name=queue, tags=dict(self.tags), spec={
            # 14 days (the SQS maximum): a missed job stays inspectable; SQS-managed encryption.
            "MessageRetentionPeriod": "1209600", "SqsManagedSseEnabled": "true"}))
        self.add(r.Role(key="role.scheduler", name=names.role_name(self.cluster, self.service, "scheduler"), tags=dict(self.tags), spec={
            "trust": policies.trust("scheduler.amazonaws.com", ACCOUNT),
            "policy": policies.scheduler_policy(_arn("ecs", f"task-definition/{family}:*"), Ref("cluster", "arn"),
                                                [self.task_role, Ref("role.execution", "arn")], Ref("queue.jobs", "arn")),
            "description": f"ecsship: EventBridge Scheduler starts the jobs of {self.cluster}/{self.service}", "region": REGION,
        }))
        placement = self.placement()
        ecs: dict = {"TaskCount": 1, "NetworkConfiguration": {"awsvpcConfiguration": {
            "Subnets": [Ref("network", "subnet_ids")], "SecurityGroups": self.task_network()["securityGroups"], "AssignPublicIp": "DISABLED"}}}
        if "launchType" in placement:
            ecs["LaunchType"] = placement["launchType"]
        else:
            ecs["CapacityProviderStrategy"] = placement["capacityProviderStrategy"]
        schedules = {}
        for job in jobs:
            overrides: dict = {"containerOverrides": [{"name": self.container_name, "command": list(job["command"])}]}
            for size in ("cpu", "memory"):
                if job.get(size) is not None:
                    overrides[size] = str(job[size])
            schedules[names.schedule_name(self.cluster, self.service, job["name"])] = {
                "Description": f"{self.job_marker()} job {job['name']}",
                "ScheduleExpression": job["schedule"], "ScheduleExpressionTimezone": job.get("timezone", "UTC"),
                "FlexibleTimeWindow": {"Mode": "OFF"}, "State": "ENABLED",
                "Target": {
                    "Arn": Ref("cluster", "arn"), "RoleArn": Ref("role.scheduler", "arn"),
                    "DeadLetterConfig": {"Arn": Ref("queue.jobs", "arn")},
                    "RetryPolicy": {"MaximumRetryAttempts": job.get("retries", 2), "MaximumEventAgeInSeconds": JOB_EVENT_AGE},
                    # The RunTask overrides (ECS TaskOverride): the job's command and size.
                    "Input": json.dumps(overrides, sort_keys=True),
                    # The revision the service runs: a deploy moves the jobs to its new revision.
                    "EcsParameters": {**ecs, "TaskDefinitionArn": Ref("task_definition", "arn"), "Group": names.job_group(job["name"])},
                }}
        self.add(r.Schedules(key="schedules", name=", ".join(j["name"] for j in jobs), tags=dict(self.tags), spec={
            "schedules": schedules, "marker": self.job_marker(), "prefix": names.schedule_prefix(self.cluster, self.service)}, depends_on=("service",)))
        notify = self.alarms_cfg.get("notify") or []
        notify = [notify] if isinstance(notify, str) else sorted(notify)
        if notify:
            self.job_failure_alarm(family, notify)

    def job_marker(self) -> str:
        return names.job_marker(self.cluster, self.service)

    def job_failure_alarm(self, family: str, notify: list) -> None:
        """An alarm when a job's task stops with a non-zero exit code. ECS sends "ECS Task State Change"
        events to EventBridge (ECS guide "Amazon ECS task state change events": detail.group,
        detail.taskDefinitionArn, detail.containers[].exitCode); a rule matching a stopped job task
        whose container exited non-zero counts its matches as the `MatchedEvents` metric (namespace
        AWS/Events, dimension RuleName: EventBridge User Guide, "Monitoring Amazon EventBridge"), and
        the alarm fires on any match. No target, so no resource policy on anyone's SNS topic."""
        rule = names.jobs_rule_name(self.cluster, self.service)
        self.add(r.EventRule(key="event_rule.jobs", name=rule, tags=dict(self.tags), spec={
            "Description": f"{self.job_marker()} a job's task exited non-zero", "State": "ENABLED",
            "EventPattern": {"source": ["aws.ecs"], "detail-type": ["ECS Task State Change"], "detail": {
                "clusterArn": [Ref("cluster", "arn")], "lastStatus": ["STOPPED"],
                "group": [{"prefix": names.JOB_GROUP_PREFIX}],
                "taskDefinitionArn": [{"prefix": _arn("ecs", f"task-definition/{family}:")}],
                "containers": {"exitCode": [{"anything-but": 0}]}}},
        }))
        self._alarm("jobs-failed", "a scheduled job's task exited non-zero", {
            "ActionsEnabled": True, "AlarmActions": notify, "OKActions": [], "InsufficientDataActions": [],
            "TreatMissingData": "notBreaching", "Namespace": "AWS/Events", "MetricName": "MatchedEvents",
            "Dimensions": [{"Name": "RuleName", "Value": rule}], "Statistic": "Sum", "Period": 300,
            "EvaluationPeriods": 1, "Threshold": 0.0, "ComparisonOperator": "GreaterThanThreshold"})


ACCOUNT = Ref("network", "account_id")
# The AWS managed policies of an ECS container instance: the agent's (register, pull, log) and Session
# Manager's (ECS Developer Guide, "Amazon ECS container instance IAM role").
INSTANCE_POLICIES = ("service-role/AmazonEC2ContainerServiceforEC2Role", "AmazonSSMManagedInstanceCore")
# How long EventBridge Scheduler keeps retrying to start a job (MaximumEventAgeInSeconds, 60..86400):
# a job more than an hour late is better reported (dead-letter queue) than run at a surprising time.
JOB_EVENT_AGE = 3600
REGION = Ref("network", "region")


def _arn(service: str, resource: str) -> Concat:
    """An ARN of `service` in this manifest's partition, region and account."""
    return Concat(("arn:", Ref("network", "partition"), f":{service}:", Ref("network", "region"), ":", ACCOUNT, f":{resource}"))


def _builtin_config(strategy: str, deploy: dict) -> str | None:
    if strategy == "blue_green":
        return "CodeDeployDefault.ECSAllAtOnce"
    step = deploy.get(strategy) or {}
    percent = step.get("percent")
    minutes = parse_duration(step.get("interval", 0)) // 60 if step else None
    builtins = {("canary", 10, 5): "CodeDeployDefault.ECSCanary10Percent5Minutes",
                ("canary", 10, 15): "CodeDeployDefault.ECSCanary10Percent15Minutes",
                ("linear", 10, 1): "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
                ("linear", 10, 3): "CodeDeployDefault.ECSLinear10PercentEvery3Minutes"}
    return builtins.get((strategy, percent, minutes))


def rollback_alarm_names(wanted: list, alarms: list) -> list[str]:
    """The alarms a rollout watches: those named in `deploy.rollback_alarms`, and for "auto" the
    alarms ecsship makes (`alarms`, what Builder.alarms() returned)."""
    names_out: list = []
    for entry in wanted:
        if entry == "auto":
            names_out += [a.name for a in alarms]
        else:
            names_out.append(entry)
    return sorted(set(names_out))


def _selector_label(selector) -> str:
    if isinstance(selector, str):
        return selector
    return ",".join(f"{k}={v}" for k, v in sorted(selector.get("tags", {}).items()))


class ModelError(RuntimeError):
    """The builder made a model that cannot be right: a bug here, never a user error."""


def check_keys(resources: list) -> None:
    """Every key starts with its kind, every Ref (and depends_on) names a key the model can have,
    and every Ref reads an output that kind has (`Resource.outputs`).

    A Ref to a resource this manifest does not need (no test listener) is dropped by
    `_prune_and_order`; a Ref to a key no resource can have, or to an attribute its kind does not
    output, is a typo, and fails here (else it would resolve to nothing at plan time)."""
    kind_of, seen = kinds_by_key_root(), set()
    for res in resources:
        if res.key.split(".")[0] not in (res.kind, *res.key_roots):
            raise ModelError(f"{res.key}: the key of a {res.kind} starts with {res.kind!r}")
        if res.key in seen:
            raise ModelError(f"{res.key}: two resources with this key")
        seen.add(res.key)
        for key in res.depends_on:
            if key.split(".")[0] not in kind_of:
                raise ModelError(f"{res.key}: depends_on {key!r} names no resource the model can have")
        for ref in refs_of(res.spec) + refs_of(res.tags):
            what = f"Ref({ref.key!r}, {ref.attr!r})"
            target = kind_of.get(ref.key.split(".")[0])
            if target is None:
                raise ModelError(f"{res.key}: {what} names no resource the model can have")
            if not target.has_output(ref.attr):
                raise ModelError(f"{res.key}: {what}: a {target.kind} has no output {ref.attr!r} "
                                 f"(it has {', '.join(target.outputs) or 'none'}; desired/resources.py lists them)")


def _prune_and_order(resources: list) -> list:
    """Drop refs to resources the model does not have (e.g. no test listener), then order by dependencies."""
    check_keys(resources)
    keys = {res.key for res in resources}

    def prune(value):
        if isinstance(value, Ref):
            return value if value.key in keys else None
        if isinstance(value, dict):
            return {k: prune(v) for k, v in value.items()}
        if isinstance(value, list):
            return [p for p in (prune(v) for v in value) if p is not None]
        if isinstance(value, Concat):
            return value if all(not isinstance(p, Ref) or p.key in keys for p in value.parts) else None
        return value

    pruned = [replace(res, spec=prune(res.spec)) for res in resources]
    ordered, done = [], set()
    pending = list(pruned)
    while pending:
        progressed = False
        for res in list(pending):
            if all(dep in done or dep not in keys for dep in res.dependencies()):
                ordered.append(res)
                done.add(res.key)
                pending.remove(res)
                progressed = True
        if not progressed:  # a cycle is a bug in this module, not a user error
            raise RuntimeError(f"dependency cycle among {[res.key for res in pending]}")
    return ordered
