"""Benchmark-only call recorder, loaded by any Python process started with this directory on
PYTHONPATH and BENCH_CALLS_OUT set (ecsship and fabfuel's ecs-deploy alike, so both are counted
the same way, outside either tool's own code).

It patches botocore's `BaseClient._make_api_call` (one invocation per logical API call, retries
included inside it) the moment `botocore.client` is imported, never earlier: processes that do not
use boto3 pay nothing. Each call appends one JSON line to $BENCH_CALLS_OUT:
`{"svc": "ecs", "op": "DescribeServices", "t0": <epoch s>, "t1": <epoch s>}`. A call answered without a
request to AWS (ecsship's per-run read cache answers a repeated read at botocore's `before-call`) is not
an API call and is not recorded: only a call that reached `Endpoint.make_request` is. At exit, the process's
peak RSS: `{"vmhwm_kb": N}`; botocore.session.Session.create_client is timed too: `{"client": "ecs", "t0", "t1"}`.
"""
from __future__ import annotations

import os
import sys

_OUT = os.environ.get("BENCH_CALLS_OUT")


def _patch(module) -> None:
    import json
    import threading
    import time

    import botocore.endpoint

    base = module.BaseClient
    original = base._make_api_call
    path = _OUT
    sent = threading.local()
    make_request = botocore.endpoint.Endpoint.make_request

    def _make_request(self, *args, **kwargs):
        sent.flag = True
        return make_request(self, *args, **kwargs)

    botocore.endpoint.Endpoint.make_request = _make_request

    def _make_api_call(self, operation_name, api_params):
        t0 = time.time()
        sent.flag = False
        try:
            return original(self, operation_name, api_params)
        finally:
            t1 = time.time()
            if getattr(sent, "flag", True):
                line = json.dumps({"svc": self.meta.service_model.service_name, "op": operation_name, "t0": t0, "t1": t1})
                with open(path, "a", encoding="utf-8") as fh:
                    fh.write(line + "\n")

    base._make_api_call = _make_api_call


def _patch_session(module) -> None:
    """Time botocore's client creation (service model loading, endpoint resolution): one line a client."""
    import json
    import time

    cls = module.Session
    original = cls.create_client
    path = _OUT

    def create_client(self, service_name, *args, **kwargs):
        t0 = time.time()
        try:
            return original(self, service_name, *args, **kwargs)
        finally:
            line = json.dumps({"client": service_name, "t0": t0, "t1": time.time()})
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    cls.create_client = create_client


_PATCHES = {"botocore.client": _patch, "botocore.session": _patch_session}


def _record_peak_rss() -> None:
    """VmHWM of this process (its own address space, unlike wait4's ru_maxrss, which on Linux also
    carries the RSS of the process that forked it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    kb = int(line.split()[1])
                    break
            else:
                return
        with open(_OUT, "a", encoding="utf-8") as out:
            out.write('{"vmhwm_kb": %d}\n' % kb)
    except OSError:
        pass


if _OUT:
    import atexit
    import importlib.abc
    import importlib.machinery

    class _Finder(importlib.abc.MetaPathFinder):
        """Patches botocore.client and botocore.session right after each has executed."""

        def __init__(self):
            self.pending = dict(_PATCHES)

        def find_spec(self, fullname, path, target=None):
            patch = self.pending.pop(fullname, None)
            if patch is None:
                return None
            if not self.pending:
                sys.meta_path.remove(self)
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is None or spec.loader is None:
                return spec
            loader = spec.loader
            exec_module = loader.exec_module

            def exec_and_patch(module):
                exec_module(module)
                patch(module)

            loader.exec_module = exec_and_patch
            return spec

    sys.meta_path.insert(0, _Finder())
    atexit.register(_record_peak_rss)
