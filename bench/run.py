"""`make bench`: every benchmark in bench/, side by side in one run, against a local backend this
script starts on its own port (BENCH_PORT, default 4610) and stops; writes docs/benchmarks.md and
the raw figures to bench/results/latest.json.

Usage: python bench/run.py [--quick] [--runs N] [--speed X] [--only SECTION,...] [--port P]
  --quick    few repetitions (develop a section without the full run)
  --only     startup,calls,account,many,peer,floor,latency (default: all)

Every AWS call of every tool is recorded the same way, outside the tool: bench/hook/sitecustomize.py
wraps botocore's BaseClient._make_api_call in the child process. A section that cannot run (a command
missing or failing) is reported as "not measured: <reason>", never filled in.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness as h  # noqa: E402
import report  # noqa: E402
import startup  # noqa: E402

EXAMPLE_NAMES = ("web", "bluegreen", "worker")
# The write that starts a rollout; watching is everything from its answer to the process's exit.
ROLLOUT_STARTS = {"UpdateService", "CreateDeployment", "CreateService"}
DEPLOY_CAP = 150  # seconds: a deploy still running after this is killed and reported as not completed
SEED_COUNT = 500
MANY = 20


class NotMeasured(Exception):
    """A measurement that could not be taken; the message says why."""


def require_ok(r: h.Run, what: str, ok=(0,)) -> h.Run:
    if r.rc not in ok:
        raise NotMeasured(f"{what} exited {r.rc}: {r.tail(3)}")
    return r


# -- completion observer -------------------------------------------------------------------
class RolloutObserver:
    """Watches, from the bench process, for the simulated rollout's completion (polls every `every` s).

    ECS controller: the service's PRIMARY deployment uses a task definition other than the one it had
    at the start, and its rolloutState is COMPLETED (or, without rolloutState, it is the only deployment
    and runs its desired count). CodeDeploy controller: the newest CodeDeploy deployment created after
    the start reaches Succeeded.
    """

    def __init__(self, backend: h.Backend, cluster: str, service: str, every: float = 0.2):
        self.backend, self.cluster, self.service, self.every = backend, cluster, service, every
        self.completed_at: float | None = None
        self.failed_state: str | None = None
        self._stop = threading.Event()
        self._ecs = backend.client("ecs")
        svc = self._describe()
        self.initial_td = (svc or {}).get("taskDefinition")
        self.codedeploy = ((svc or {}).get("deploymentController") or {}).get("type") == "CODE_DEPLOY"
        self._known_cd = set(self._cd_ids()) if self.codedeploy else set()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _describe(self) -> dict | None:
        services = self._ecs.describe_services(cluster=self.cluster, services=[self.service]).get("services") or []
        return services[0] if services else None

    def _cd_ids(self) -> list[str]:
        return self.backend.client("codedeploy").list_deployments().get("deployments", [])

    def _done(self) -> bool:
        if self.codedeploy:
            cd = self.backend.client("codedeploy")
            for dep_id in self._cd_ids():
                if dep_id in self._known_cd:
                    continue
                status = cd.get_deployment(deploymentId=dep_id)["deploymentInfo"]["status"]
                if status == "Succeeded":
                    return True
                if status in ("Failed", "Stopped"):
                    self.failed_state = status
            return False
        svc = self._describe()
        if not svc:
            return False
        deployments = svc.get("deployments") or []
        primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
        if primary is None or primary.get("taskDefinition") == self.initial_td:
            return False
        state = primary.get("rolloutState")
        if state == "FAILED":
            self.failed_state = "FAILED"
        if state is not None:
            return state == "COMPLETED"
        return len(deployments) == 1 and primary.get("runningCount") == primary.get("desiredCount")

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if self._done():
                    self.completed_at = time.time()
                    return
            except Exception:  # the backend is busy or a call failed: try again next tick
                pass
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)


def watch_figures(r: h.Run, observer: RolloutObserver | None) -> dict:
    """Completion-to-exit latency and reads per minute of watching (from the last write to exit)."""
    writes = [c for c in r.calls if not c.read]
    starts = [c for c in writes if c.op in ROLLOUT_STARTS]
    start = starts[0].t1 if starts else max((c.t1 for c in writes), default=r.started)
    watch_seconds = max(r.ended - start, 1e-9)
    watch_reads = sum(1 for c in r.calls if c.read and c.t0 >= start)
    out = {"watch_s": round(watch_seconds, 2), "watch_reads": watch_reads,
           "reads_per_min": round(watch_reads / (watch_seconds / 60), 1) if watch_seconds >= 1 else None}
    # polls: bursts of reads, a new one after 0.5 s without a call
    times = sorted(c.t0 for c in r.calls if c.read and c.t0 >= start)
    polls = [t for i, t in enumerate(times) if i == 0 or t - times[i - 1] > 0.5]
    gaps = [b - a for a, b in zip(polls, polls[1:])]
    out["polls"] = len(polls)
    out["max_poll_gap_s"] = round(max(gaps), 2) if gaps else None
    watch_ops: dict[str, int] = {}
    for c in r.calls:
        if c.read and c.t0 >= start:
            watch_ops[f"{c.svc}.{c.op}"] = watch_ops.get(f"{c.svc}.{c.op}", 0) + 1
    out["watch_ops"] = dict(sorted(watch_ops.items()))
    if observer is not None:
        out["completed_observed"] = observer.completed_at is not None
        if observer.completed_at is not None:
            out["completion_to_exit_s"] = round(r.ended - observer.completed_at, 2)
            # the poll interval in force when the rollout completed: the gap between the reads around it
            before = [t for t in polls if t <= observer.completed_at]
            after = [t for t in polls if t > observer.completed_at]
            if before and after:
                out["poll_interval_at_completion_s"] = round(after[0] - before[-1], 2)
    return out


# -- sections ------------------------------------------------------------------------------
class Bench:
    def __init__(self, args):
        self.args = args
        self.backend = h.Backend(args.port, speed=args.speed)
        self.results: dict = {"sections": {}, "errors": {}}
        self.tmp = Path(tempfile.mkdtemp(prefix="ecsship-bench-manifests-"))

    # helpers
    def cli(self, *args, **kw) -> h.Run:
        return h.ecsship(*args, port=self.backend.port, **kw)

    def fresh(self) -> None:
        self.backend.reset()

    def service_of(self, manifest: Path) -> tuple[str, str]:
        data = h.manifest_fields(manifest)
        return data["cluster"], data["service"]

    def apply(self, manifest: Path) -> h.Run:
        """Apply without watching the new service's first rollout, then let the simulator finish that
        rollout at once (its clock skips ahead) so the next measurement starts from a steady service."""
        r = require_ok(self.cli("apply", "-f", manifest, "--yes", "--no-wait", timeout=180),
                       f"apply {manifest.parent.name}")
        if not self.settle(*self.service_of(manifest)):
            raise NotMeasured(f"the first rollout of {manifest.parent.name} did not finish on the simulator after "
                              "skipping its clock ahead")
        return r

    def settle(self, cluster: str, service: str, limit: float = 20.0) -> bool:
        """Skip the simulator's clock ahead until the service has one deployment running its desired count."""
        from ecsship.local import client

        ecs = self.backend.client("ecs")
        deadline = time.time() + limit
        while time.time() < deadline:
            client.control(self.backend.port, "advance", seconds=600)
            svc = (ecs.describe_services(cluster=cluster, services=[service]).get("services") or [{}])[0]
            deps = svc.get("deployments") or []
            if len(deps) == 1 and deps[0].get("rolloutState") in (None, "COMPLETED") and \
                    deps[0].get("runningCount") == deps[0].get("desiredCount"):
                return True
            time.sleep(0.2)
        return False

    def deploy(self, manifest: Path, tag: str, *extra: str) -> tuple[h.Run, dict]:
        cluster, service = self.service_of(manifest)
        observer = RolloutObserver(self.backend, cluster, service) if "--no-wait" not in extra else None
        if observer is None:
            r = self.cli("deploy", "-f", manifest, "--image-tag", tag, *extra, timeout=DEPLOY_CAP)
            return r, {}
        with observer:
            r = self.cli("deploy", "-f", manifest, "--image-tag", tag, *extra, timeout=DEPLOY_CAP)
            time.sleep(0 if observer.completed_at else 0.3)  # a last observation right after exit
        return r, watch_figures(r, observer)

    # 1. cold start --------------------------------------------------------------------------
    def section_startup(self) -> dict:
        runs = self.args.runs
        cases = dict(startup.CASES)
        plan_case = None
        converged = self.converged_example()
        if converged is not None:
            plan_case = f"ecsship plan (converged {converged.parent.name}, local backend)"
            cases[plan_case] = [h.ECSSHIP, "--local", "--local-port", str(self.backend.port), "plan", "-f",
                                str(converged), "--detailed-exitcode"]
        samples = startup.measure_samples(cases, runs)
        out = {"runs": runs, "cases": {k: {"median_s": v["median"], "rc": v["rc"],
                                           "min_s": min(v["samples"]), "max_s": max(v["samples"])}
                                       for k, v in samples.items()},
               "targets": {startup.HELP: 0.15, startup.VALIDATE: 0.3}, "plan_case": plan_case}
        out["boto3_rss_mb"] = h.run([sys.executable, "-c", "import boto3"]).maxrss_kb / 1024
        out["imports"] = {name: startup.import_breakdown(cases[name])
                          for name in (startup.HELP, startup.VALIDATE, plan_case) if name}
        if plan_case:
            hooked = [self.cli("plan", "-f", converged) for _ in range(3)]
            out["plan_call_seconds"] = h.median([r.call_seconds for r in hooked])
            out["plan_client_seconds"] = h.median([r.client_seconds for r in hooked])
            out["plan_hooked_wall_seconds"] = h.median([r.wall for r in hooked])
            out["plan_calls"] = hooked[0].summary()
        else:
            out["plan_not_measured"] = self.results["errors"].get("converged", "no example converges")
        return out

    def converged_example(self) -> Path | None:
        """The first example whose apply succeeds and whose next plan is empty (exit 0 with
        --detailed-exitcode); the backend is left holding it."""
        reasons = []
        for name in ("worker", "web", "bluegreen"):
            self.fresh()
            manifest = h.example(name)
            try:
                self.apply(manifest)
            except NotMeasured as exc:
                reasons.append(str(exc))
                continue
            p = self.cli("plan", "-f", manifest, "--detailed-exitcode")
            if p.rc == 0:
                return manifest
            reasons.append(f"{name}: plan after apply exited {p.rc} (not converged)")
        self.results["errors"]["converged"] = "; ".join(reasons)
        return None

    # 2. API calls per command (and deploy watching, memory) ----------------------------------
    def section_calls(self) -> dict:
        out = {}
        for name in EXAMPLE_NAMES:
            manifest = h.example(name)
            entry: dict = {}
            out[name] = entry
            self.fresh()
            apply_run = self.cli("apply", "-f", manifest, "--yes", timeout=180)
            entry["first_apply"] = apply_run.summary()
            if apply_run.rc != 0:
                entry["first_apply"]["error"] = apply_run.tail(3)
                entry["not_measured"] = f"first apply exited {apply_run.rc}: {apply_run.tail(2)}"
                continue
            plan = self.cli("--debug", "plan", "-f", manifest, "--detailed-exitcode")
            # cross-check: ecsship's own count (--debug's last line) against the hook's
            own = h.debug_counts(plan.stderr)
            entry["noop_plan"] = {**plan.summary(), "no_changes": plan.rc == 0,
                                  "ecsship_debug_counts": own,
                                  "hook_matches_debug": own == (len(plan.calls), plan.reads, plan.writes) if own else None}
            if plan.rc not in (0, 2):
                entry["noop_plan"]["error"] = plan.tail(3)
            r, watch = self.deploy(manifest, "v2")
            entry["deploy"] = {**r.summary(), **watch}
            if r.rc != 0:
                entry["deploy"]["error"] = r.tail(3)
        return out

    # 3. account size -----------------------------------------------------------------------
    def seed_unrelated(self, count: int, cluster: str) -> dict:
        """`count` each of ECS services, target groups, log groups, IAM roles and CodeDeploy applications,
        created with boto3 directly, none of them related to the example."""
        b = self.backend
        ecs, elbv2, logs, iam, cd, ec2 = (b.client(s) for s in ("ecs", "elbv2", "logs", "iam", "codedeploy", "ec2"))
        started = time.time()
        vpc_id = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        td = ecs.register_task_definition(family="unrelated", containerDefinitions=[
            {"name": "app", "image": "public.ecr.aws/docker/library/busybox:latest", "memory": 64}])
        td_arn = td["taskDefinition"]["taskDefinitionArn"]
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})

        def one(i: int) -> None:
            ecs.create_service(cluster=cluster, serviceName=f"unrelated-svc-{i:03d}", taskDefinition=td_arn,
                               desiredCount=0)
            elbv2.create_target_group(Name=f"unrelated-tg-{i:03d}", Protocol="HTTP", Port=80, VpcId=vpc_id,
                                      TargetType="ip")
            logs.create_log_group(logGroupName=f"/unrelated/app-{i:03d}")
            iam.create_role(RoleName=f"unrelated-role-{i:03d}", AssumeRolePolicyDocument=trust)
            cd.create_application(applicationName=f"unrelated-app-{i:03d}", computePlatform="ECS")

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(one, range(count)))
        return {"count_each": count, "kinds": ["ECS services", "target groups", "log groups", "IAM roles",
                                               "CodeDeploy applications"],
                "services_cluster": cluster, "seconds": round(time.time() - started, 1)}

    def section_account(self) -> dict:
        runs = max(3, self.args.runs // 3)  # 5 in a full run
        manifest = None
        reasons = []
        for name in ("web", "worker", "bluegreen"):
            self.fresh()
            try:
                self.apply(h.example(name))
            except NotMeasured as exc:
                reasons.append(str(exc))
                continue
            manifest = h.example(name)
            break
        if manifest is None:
            raise NotMeasured("no example applies: " + "; ".join(reasons))
        cluster, _ = self.service_of(manifest)  # unrelated services go into the example's own cluster

        def plans() -> list[h.Run]:
            return [self.cli("plan", "-f", manifest) for _ in range(runs)]

        empty = plans()
        seeded = self.seed_unrelated(SEED_COUNT, cluster)
        full = plans()
        failed = [r for r in empty + full if r.rc not in (0, 2)]
        if failed:
            raise NotMeasured(f"plan of {manifest.parent.name} exited {failed[0].rc}: {failed[0].tail(2)}")
        t0 = [r.wall for r in empty]
        t1 = [r.wall for r in full]
        noise = max(3 * max(h.mad(t0), h.mad(t1)), 0.05 * h.median(t0))
        return {"example": manifest.parent.name, "runs": runs, "seed": seeded,
                "empty": {**empty[0].summary(), "median_s": h.median(t0), "mad_s": h.mad(t0)},
                "seeded": {**full[0].summary(), "median_s": h.median(t1), "mad_s": h.mad(t1)},
                "calls_identical": all(r.by_operation() == empty[0].by_operation() for r in empty + full),
                "noise_s": noise, "time_within_noise": h.median(t1) - h.median(t0) <= noise,
                "rcs": sorted({r.rc for r in empty + full})}

    # 4. many services ----------------------------------------------------------------------
    def generate_manifests(self, base: Path, count: int) -> list[Path]:
        import yaml

        data = h.manifest_fields(base)
        paths = []
        for i in range(count):
            d = json.loads(json.dumps(data))
            d["service"] = f"bench-svc-{i + 1:02d}"
            if isinstance(d.get("load_balancer"), dict):
                d["load_balancer"]["priority"] = 500 + i
                d["load_balancer"]["host"] = f"svc{i + 1:02d}.bench.example.com"
            d.pop("environments", None)
            path = self.tmp / f"svc-{i + 1:02d}.yaml"
            path.write_text(yaml.safe_dump(d, sort_keys=False), encoding="utf-8")
            paths.append(path)
        return paths

    def multi_file_supported(self, a: Path, b: Path) -> bool:
        r = self.cli("validate", "-f", a, "-f", b, local=False)
        return r.rc == 0 and b.name in (r.stdout + r.stderr) and a.name in (r.stdout + r.stderr)

    def section_many(self) -> dict:
        base = None
        reasons = []
        for name in ("web", "worker"):
            self.fresh()
            try:
                self.apply(h.example(name))
            except NotMeasured as exc:
                reasons.append(str(exc))
                continue
            base = h.example(name)
            break
        if base is None:
            raise NotMeasured("no example applies: " + "; ".join(reasons))
        self.fresh()
        paths = self.generate_manifests(base, MANY)
        multi = self.multi_file_supported(paths[0], paths[1])
        applies, plans, unsettled = [], [], []
        for p in paths:
            # the n-th apply and plan run with n services in the account: how they grow with n.
            # apply is timed without watching the first rollout; the simulator then finishes it at once
            applies.append(self.cli("apply", "-f", p, "--yes", "--no-wait", timeout=180))
            if not self.settle(*self.service_of(p)):
                unsettled.append(p.name)
            plans.append(self.cli("plan", "-f", p, "--detailed-exitcode"))
        failed = [(p.name, r.rc, r.tail(1)) for p, r in zip(paths, applies) if r.rc != 0]

        def series(runs: list[h.Run]) -> dict:
            walls = [r.wall for r in runs]
            in_calls = [r.call_seconds for r in runs]  # time waiting on the backend
            q = max(1, len(walls) // 4)
            slope = h.linear_slope(walls)
            noise = max(3 * h.mad(walls), 0.1 * h.median(walls))
            return {"walls_s": [round(w, 3) for w in walls], "median_s": h.median(walls), "total_s": sum(walls),
                    "growth_over_series_s": slope * (len(walls) - 1), "noise_s": noise,
                    "flat": len({len(r.calls) for r in runs[1:]}) == 1 and slope * (len(walls) - 1) <= noise,
                    "first_quarter_mean_s": sum(walls[:q]) / q, "last_quarter_mean_s": sum(walls[-q:]) / q,
                    "slope_s_per_service": h.linear_slope(walls),
                    "call_s": [round(c, 3) for c in in_calls],
                    "call_slope_s_per_service": h.linear_slope(in_calls),
                    "own_slope_s_per_service": h.linear_slope([w - c for w, c in zip(walls, in_calls)]),
                    "calls": [len(r.calls) for r in runs],
                    # the first service also creates what they share (the cluster): compare from the second on
                    "calls_first": len(runs[min(1, len(runs) - 1)].calls), "calls_last": len(runs[-1].calls),
                    "reads_first": runs[0].reads, "reads_last": runs[-1].reads,
                    "rcs": sorted({r.rc for r in runs})}

        return {"base": base.parent.name, "count": MANY, "multi_file": multi,
                "invocations": 1 if multi else MANY, "apply": series(applies), "plan": series(plans),
                "apply_failures": failed[:3], "unsettled": unsettled, "plans_no_changes": sum(1 for r in plans if r.rc == 0)}

    # 5. side by side with fabfuel ecs-deploy --------------------------------------------------
    def container_for(self, cluster: str, service: str, repo: str) -> str:
        ecs = self.backend.client("ecs")
        svc = ecs.describe_services(cluster=cluster, services=[service])["services"][0]
        td = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
        for c in td["containerDefinitions"]:
            if repo in c["image"]:
                return c["name"]
        return td["containerDefinitions"][0]["name"]

    def ecs_deploy(self, manifest: Path, tag: str, timeout: int) -> tuple[h.Run, dict]:
        data = h.manifest_fields(manifest)
        cluster, service = data["cluster"], data["service"]
        image = data["image"].split(":${")[0].rsplit(":", 1)[0] if ":${" in data["image"] else data["image"].rsplit(":", 1)[0]
        container = self.container_for(cluster, service, image.rsplit("/", 1)[-1])
        argv = [h.ECS_DEPLOY, "deploy", cluster, service, "--image", container, f"{image}:{tag}",
                "--timeout", str(timeout), "--region", h.REGION]
        env = {"AWS_ENDPOINT_URL": self.backend.endpoint_url}
        if timeout == -1:
            r = h.run(argv, env=env, timeout=120)
            return r, {}
        with RolloutObserver(self.backend, cluster, service) as observer:
            r = h.run(argv, env=env, timeout=timeout + 60)
            time.sleep(0 if observer.completed_at else 0.3)
        return r, watch_figures(r, observer)

    def section_peer(self) -> dict:
        """On a second backend whose simulator runs closer to real time (--watch-speed), so that both
        tools watch a rollout long enough for their polling to show."""
        if not Path(h.ECS_DEPLOY).exists():
            raise NotMeasured("ecs-deploy is not installed (`pip install ecs-deploy`, `make bench` does it)")
        main = self.backend
        self.backend = h.Backend(main.port + 1, speed=self.args.watch_speed)
        try:
            with self.backend:
                return {"backend_port": self.backend.port, "speed": self.args.watch_speed, **self._peer()}
        finally:
            self.backend = main

    def _peer(self) -> dict:
        manifest = None
        reasons = []
        for name in ("worker", "web"):
            self.fresh()
            try:
                self.apply(h.example(name))
            except NotMeasured as exc:
                reasons.append(str(exc))
                continue
            manifest = h.example(name)
            break
        if manifest is None:
            raise NotMeasured("no ECS-controller example applies: " + "; ".join(reasons))
        version = h.run([h.ECS_DEPLOY, "--version"], record=False).stdout.strip()
        out: dict = {"example": manifest.parent.name, "ecs_deploy_version": version, "full": [], "no_wait": []}
        reps = 1 if self.args.quick else 2
        for i in range(reps):
            # alternate who goes first; each starts from the same freshly applied service on v1
            order = ("ecsship", "ecs-deploy") if i % 2 == 0 else ("ecs-deploy", "ecsship")
            for tool in order:
                self.fresh()
                self.apply(manifest)
                if tool == "ecsship":
                    r, watch = self.deploy(manifest, "v2")
                else:
                    r, watch = self.ecs_deploy(manifest, "v2", timeout=600)
                out["full"].append({"tool": tool, **r.summary(), **watch,
                                    **({"error": r.tail(3)} if r.rc != 0 else {})})
        # Half a second each, with ±0.1 s of noise run to run: five pairs, who goes first alternating.
        for i in range(5 if not self.args.quick else 1):
            for tool in (("ecsship", "ecs-deploy") if i % 2 == 0 else ("ecs-deploy", "ecsship")):
                self.fresh()
                self.apply(manifest)
                if tool == "ecsship":
                    r, _ = self.deploy(manifest, "v2", "--no-wait")
                else:
                    r, _ = self.ecs_deploy(manifest, "v2", timeout=-1)
                out["no_wait"].append({"tool": tool, **r.summary(), **({"error": r.tail(3)} if r.rc != 0 else {})})
        return out

    # 5b. the floor: the AWS CLI's own waiter -------------------------------------------------------
    # botocore's ECS waiter ServicesStable (botocore/data/ecs/2014-11-13/waiters-2.json), which
    # `aws ecs wait services-stable` runs: DescribeServices every 15 s ("delay": 15), at most 40 times
    # ("maxAttempts": 40), success when `length(services[?!(length(deployments) == `1` && runningCount ==
    # desiredCount)]) == `0``, failure on MISSING, DRAINING or INACTIVE.
    WAITER_DELAY = 15

    def aws_wait(self, cluster: str, service: str, observer: RolloutObserver) -> tuple[h.Run, dict]:
        argv = [h.AWS_CLI, "ecs", "wait", "services-stable", "--cluster", cluster, "--services", service,
                "--endpoint-url", self.backend.endpoint_url, "--region", h.REGION]
        r = h.run(argv, timeout=40 * self.WAITER_DELAY + 60)
        time.sleep(0 if observer.completed_at else 0.3)
        return r, watch_figures(r, observer)

    def section_floor(self) -> dict:
        """`aws ecs wait services-stable` after the same rollout started by `ecsship deploy --no-wait`,
        beside ecsship's own `deploy` watch of it, on the side-by-side backend (--watch-speed): the
        floor of "wait for a rollout" (one call a poll, no progress, no outcome), where it applies."""
        if not Path(h.AWS_CLI).exists():
            raise NotMeasured("the AWS CLI is not installed in .venv-bench (`make bench` installs it, pinned)")
        main = self.backend
        self.backend = h.Backend(main.port + 1, speed=self.args.watch_speed)
        try:
            with self.backend:
                return {"backend_port": self.backend.port, "speed": self.args.watch_speed, **self._floor()}
        finally:
            self.backend = main

    def _floor(self) -> dict:
        manifest = h.example("worker")
        cluster, service = self.service_of(manifest)
        version = h.run([h.AWS_CLI, "--version"], record=False)
        out: dict = {"example": manifest.parent.name, "aws_cli_version": (version.stdout + version.stderr).strip(),
                     "waiter_delay_s": self.WAITER_DELAY, "runs": []}
        for i in range(1 if self.args.quick else 2):
            for tool in ("ecsship", "aws-cli") if i % 2 == 0 else ("aws-cli", "ecsship"):
                self.fresh()
                self.apply(manifest)
                if tool == "ecsship":
                    r, watch = self.deploy(manifest, "v2")
                else:
                    with RolloutObserver(self.backend, cluster, service) as observer:
                        require_ok(self.cli("deploy", "-f", manifest, "--image-tag", "v2", "--no-wait"),
                                   "ecsship deploy --no-wait (to start the rollout the AWS CLI waits for)")
                        r, watch = self.aws_wait(cluster, service, observer)
                out["runs"].append({"tool": tool, **r.summary(), **watch, **({"error": r.tail(3)} if r.rc != 0 else {})})
        return out

    # 6. real-AWS latency ------------------------------------------------------------------------
    LATENCY_MS = 80.0

    def section_latency(self) -> dict:
        """Each example converged, then at 0 ms and at LATENCY_MS added to every AWS answer
        (`/_ecsship/config?latency_ms=`: the same backend both times): its no-op plan, its `status`, and
        `deploy --no-wait` of a new image (the pre-rollout checks, then the rollout's start), the two
        latencies alternating run by run. Target
        (issue #20 item 1), for each: at 80 ms, no more than the 0 ms time plus 40 % of (calls × 80 ms),
        a deploy's writes counted like its reads although they run one after another."""
        from ecsship.local import client

        out: dict = {"latency_ms": self.LATENCY_MS}
        runs = 2 if self.args.quick else 3
        for name in EXAMPLE_NAMES:
            manifest = h.example(name)
            self.fresh()
            try:
                self.apply(manifest)
            except NotMeasured as exc:
                out[name] = {"not_measured": str(exc)}
                continue
            entry: dict = {}
            tags = iter(["v2", "v3"] * (2 * runs))
            try:
                # Reads only: the two latencies alternate run by run, so a change in the machine's load
                # weighs on both alike; `status` is short (a round trip or two), so more runs.
                for what, argv, n in (("plan", ("plan", "-f", manifest, "--detailed-exitcode"), runs),
                                      ("status", ("status", "-f", manifest), 2 * runs + 1)):
                    by_ms: dict = {0.0: [], self.LATENCY_MS: []}
                    for i in range(n):
                        for ms in (0.0, self.LATENCY_MS) if i % 2 == 0 else (self.LATENCY_MS, 0.0):
                            client.control(self.backend.port, "config", latency_ms=str(ms))
                            by_ms[ms].append(self.cli(*argv))
                    for ms, done in by_ms.items():
                        entry[f"{what}_{ms:g}ms"] = self._latency_figure(done)
                deploys: dict = {0.0: [], self.LATENCY_MS: []}
                for i in range(runs):
                    for ms in (0.0, self.LATENCY_MS) if i % 2 == 0 else (self.LATENCY_MS, 0.0):
                        client.control(self.backend.port, "config", latency_ms=str(ms))
                        deploys[ms].append(self.cli("deploy", "-f", manifest, "--image-tag", next(tags), "--no-wait",
                                                    timeout=180))
                        client.control(self.backend.port, "config", latency_ms="0")
                        if not self.settle_rollout(manifest):  # the next deploy starts from a steady service
                            raise NotMeasured(f"a deploy of {name} did not finish on the simulator")
                for ms, done in deploys.items():
                    entry[f"deploy_{ms:g}ms"] = self._latency_figure(done)
            except NotMeasured as exc:
                entry["not_measured"] = str(exc)
            finally:
                client.control(self.backend.port, "config", latency_ms="0")
            for what in ("plan", "status", "deploy"):
                slow, fast = entry.get(f"{what}_{self.LATENCY_MS:g}ms"), entry.get(f"{what}_0ms")
                if not slow or not fast:
                    continue
                # the words: 40 % of (calls × latency), writes included though they run in order
                entry[f"{what}_target_s"] = round(fast["wall_s"] + 0.4 * slow["calls"] * self.LATENCY_MS / 1000, 3)
                entry[f"{what}_sequential_s"] = round(fast["wall_s"] + slow["calls"] * self.LATENCY_MS / 1000, 3)
            # the former keys, kept for reports of earlier runs
            if "plan_target_s" in entry:
                entry["target_s"], entry["sequential_s"] = entry["plan_target_s"], entry["plan_sequential_s"]
            out[name] = entry
        return out

    @staticmethod
    def _latency_figure(runs: list[h.Run]) -> dict:
        first = runs[0]
        return {"wall_s": round(h.median([r.wall for r in runs]), 3), "calls": len(first.calls),
                "reads": first.reads, "writes": first.writes, "rc": [r.rc for r in runs],
                **({"error": r.tail(3)} if (r := next((r for r in runs if r.rc not in (0, 2)), None)) else {})}

    def settle_rollout(self, manifest: Path, limit: float = 30.0) -> bool:
        """After a `deploy --no-wait`: skip the simulator's clock ahead until the rollout it started
        ended (CodeDeploy: no deployment of the service still running; ECS: one deployment left)."""
        from ecsship.local import client

        cluster, service = self.service_of(manifest)
        svc = (self.backend.client("ecs").describe_services(cluster=cluster, services=[service]).get("services") or [{}])[0]
        if (svc.get("deploymentController") or {}).get("type") != "CODE_DEPLOY":
            return self.settle(cluster, service, limit)
        cd = self.backend.client("codedeploy")
        deadline = time.time() + limit
        while time.time() < deadline:
            client.control(self.backend.port, "advance", seconds=600)
            ids = cd.list_deployments().get("deployments", [])
            states = [cd.get_deployment(deploymentId=i)["deploymentInfo"]["status"] for i in ids]
            if all(s in ("Succeeded", "Failed", "Stopped") for s in states):
                return True
            time.sleep(0.2)
        return False

    # driver ----------------------------------------------------------------------------------
    SECTIONS = ("startup", "calls", "account", "many", "peer", "floor", "latency")

    def run(self) -> dict:
        wanted = self.args.only.split(",") if self.args.only else list(self.SECTIONS)
        began = time.time()
        self.results["loadavg_at_start"] = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
        with self.backend:
            status = self.backend.status()
            self.results["backend"] = {"port": self.args.port, "speed": self.args.speed, "clock": status.get("clock")}
            for name in self.SECTIONS:
                if name not in wanted:
                    continue
                t = time.time()
                print(f"[bench] {name} ...", file=sys.stderr, flush=True)
                try:
                    self.results["sections"][name] = getattr(self, f"section_{name}")()
                except NotMeasured as exc:
                    self.results["sections"][name] = {"not_measured": str(exc)}
                except Exception as exc:  # a harness or product failure: report it, keep going
                    traceback.print_exc()
                    self.results["sections"][name] = {"not_measured": f"{type(exc).__name__}: {exc}"}
                self.results["sections"][name]["section_seconds"] = round(time.time() - t, 1)
                print(f"[bench] {name} done in {time.time() - t:.1f} s", file=sys.stderr, flush=True)
        self.results["total_seconds"] = round(time.time() - began, 1)
        self.results["machine"] = machine()
        self.results["args"] = {"runs": self.args.runs, "speed": self.args.speed, "watch_speed": self.args.watch_speed, "quick": self.args.quick,
                                "only": wanted}
        return self.results


def _peer_version(package: str = "ecs-deploy") -> str:
    """A peer's version as installed in the bench's own venv (not ecsship's)."""
    import subprocess

    python = Path(h.ECS_DEPLOY).parent / "python"
    try:
        out = subprocess.run([str(python), "-c", f"from importlib.metadata import version; print(version({package!r}))"],
                             capture_output=True, text=True, timeout=30)
    except OSError:
        return "not installed"
    return out.stdout.strip() if out.returncode == 0 else "not installed"


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for pkg in ("ecsship", "boto3", "botocore", "moto", "typer", "rich"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = "not installed"
    versions["ecs-deploy"] = _peer_version()
    versions["awscli"] = _peer_version("awscli")
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"cpu": cpu, "cores": os.cpu_count(), "usable_cores": affinity, "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}", "versions": versions,
            "loadavg_at_end": [round(x, 2) for x in load] if load else None,
            "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=None, help="cold-start repetitions (default 15, --quick 3)")
    parser.add_argument("--speed", type=float, default=float(os.environ.get("BENCH_SPEED", "60")),
                        help="simulated seconds per real second for rollouts on the main backend (default 60)")
    parser.add_argument("--watch-speed", type=float, default=float(os.environ.get("BENCH_WATCH_SPEED", "3")),
                        help="simulator speed for the side-by-side deploys and watch figures (default 3)")
    parser.add_argument("--port", type=int, default=h.DEFAULT_PORT)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=None)
    parser.add_argument("--out", default=None,
                        help="markdown to write (default docs/benchmarks.md; a --quick or --only run writes to a temp file)")
    parser.add_argument("--json-out", default=None, help="raw results (default bench/results/latest.json)")
    parser.add_argument("--render-only", action="store_true",
                        help="measure nothing: rewrite the markdown from the JSON of the last run")
    args = parser.parse_args()
    partial = (args.quick or args.only) and not args.render_only
    if args.out is None:
        args.out = os.path.join(tempfile.gettempdir(), "ecsship-bench-partial.md") if partial \
            else str(h.ROOT / "docs" / "benchmarks.md")
    if args.json_out is None:
        args.json_out = os.path.join(tempfile.gettempdir(), "ecsship-bench-partial.json") if partial \
            else str(h.BENCH / "results" / "latest.json")
    if args.render_only:
        results = json.loads(Path(args.json_out).read_text(encoding="utf-8"))
        Path(args.out).write_text(report.render(results), encoding="utf-8")
        return
    if args.runs is None:
        args.runs = 3 if args.quick else 15
    home = h.isolated_environment()
    port = h.free_port_pair(args.port)
    if port != args.port:
        print(f"[bench] port {args.port} or {args.port + 1} is busy: using {port} and {port + 1}", file=sys.stderr)
        args.port = port
    bench = Bench(args)
    try:
        results = bench.run()
    finally:
        shutil.rmtree(bench.tmp, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
    Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json_out).write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    Path(args.out).write_text(report.render(results), encoding="utf-8")
    print(f"[bench] wrote {args.out} and {args.json_out} in {results['total_seconds']} s", file=sys.stderr)


if __name__ == "__main__":
    main()
