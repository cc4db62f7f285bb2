"""A per-service lock so two `apply` or `deploy` runs never interleave.

The lock is an SSM parameter `/ecsship/locks/<cluster>/<service>` created with Overwrite=False:
AWS creates it for exactly one caller (the others get ParameterAlreadyExists), so the create is
the compare-and-set. The value records owner, command, and an expiry, so a lock left by a
crashed run can be taken over after it expires, or removed with `ecsship unlock`.

Taking over a stale lock is itself a compare-and-set on the stale holder's token: the taker first
creates `<lock>.takeover.<token>` with Overwrite=False (only one run can), and only that run replaces
the lock. Read-then-delete would let two runs each delete and recreate it and both believe they hold it.
Hosts are identified by machine id (containers share hostnames), the hostname only as a fallback.
"""
from __future__ import annotations

import getpass
import json
import os
import socket
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

from ecsship.errors import EcsshipError

DEFAULT_TTL = 30 * 60  # longer than any apply; a deploy refreshes nothing, so keep it generous


class LockHeld(EcsshipError):
    pass


def machine_id() -> str | None:
    """This machine's id (systemd's /etc/machine-id, or D-Bus's): unlike a hostname, two containers
    or two CI runners do not share it by accident."""
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            with open(path, encoding="ascii") as handle:
                value = handle.read().strip()
        except OSError:
            continue
        if value:
            return value
    return None


@dataclass(frozen=True)
class LockInfo:
    owner: str
    command: str
    token: str
    acquired_at: float
    expires_at: float
    machine: str | None = None

    def on_this_machine(self) -> bool:
        if self.machine is not None:
            return self.machine == machine_id()
        try:  # a lock written before machine ids were recorded
            return self.owner.split("@", 1)[1].split(" pid ")[0] == socket.gethostname()
        except IndexError:
            return False

    def is_live(self, now: float) -> bool:
        """Not expired and not left by a crashed process on this machine: a run may still hold it."""
        return self.expires_at > now and not self.holder_is_gone()

    def holder_is_gone(self) -> bool:
        """True when the holder ran on this machine and its process no longer exists (a crash)."""
        try:
            _host, pid = self.owner.split("@", 1)[1].split(" pid ")
            if not self.on_this_machine():
                return False
            os.kill(int(pid), 0)
        except (ValueError, IndexError):
            return False
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def describe(self, now: float) -> str:
        age = int(now - self.acquired_at)
        return f"held by {self.owner} running `{self.command}` for {age}s (expires in {max(0, int(self.expires_at - now))}s)"


def lock_name(cluster: str, service: str) -> str:
    return f"/ecsship/locks/{cluster}/{service}"


def whoami() -> str:
    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    return f"{user}@{socket.gethostname()} pid {os.getpid()}"


class ServiceLock:
    def __init__(self, aws, cluster: str, service: str, clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep):
        self.ssm = aws.client("ssm")
        self.cluster = cluster
        self.service = service
        self.name = lock_name(cluster, service)
        self.clock = clock
        self.sleep = sleep
        self.token: str | None = None
        self.surely_ours_until = 0.0  # half the TTL of the lock this run holds, by this run's clock
        self.waited = False  # another run held the lock first: what was read before may be stale

    def read(self) -> LockInfo | None:
        try:
            value = self.ssm.get_parameter(Name=self.name)["Parameter"]["Value"]
        except self.ssm.exceptions.ParameterNotFound:
            return None
        try:
            data = json.loads(value)
            return LockInfo(data["owner"], data["command"], data["token"], float(data["acquired_at"]), float(data["expires_at"]),
                            data.get("machine"))
        except (ValueError, KeyError, TypeError):
            # Unreadable: treat as expired so it can be replaced rather than block forever.
            return LockInfo("unknown", "unknown", "", 0.0, 0.0)

    def _value(self, command: str, ttl: float, token: str) -> str:
        now = self.clock()
        self.surely_ours_until = now + ttl / 2
        return json.dumps({"owner": whoami(), "machine": machine_id(), "command": command, "token": token,
                           "acquired_at": now, "expires_at": now + ttl})

    def _try_create(self, command: str, ttl: float) -> bool:
        token = uuid.uuid4().hex
        value = self._value(command, ttl, token)
        try:
            self.ssm.put_parameter(
                Name=self.name,
                Value=value,
                Type="String",
                Overwrite=False,
                Description=f"ecsship lock for service {self.service} in cluster {self.cluster}",
                Tags=[{"Key": "ecsship:service", "Value": self.service}, {"Key": "ecsship:cluster", "Value": self.cluster}, {"Key": "ecsship:lock", "Value": "true"}],
            )
        except self.ssm.exceptions.ParameterAlreadyExists:
            # A lost response makes botocore resend the create: if the lock holds our token, the
            # first attempt won it.
            held = self.read()
            if held is None or held.token != token:
                return False
        self.token = token
        return True

    def acquire(self, command: str, wait: float = 10.0, ttl: float = DEFAULT_TTL) -> None:
        deadline = self.clock() + wait
        while True:
            if self._try_create(command, ttl):
                return
            self.waited = True
            held = self.read()
            now = self.clock()
            if held is not None and not held.is_live(now):
                # Expired, or its process died on this machine: take it over - once, by one run.
                if self._take_over(held, command, ttl):
                    return
                continue
            if now >= deadline:
                what = held.describe(now) if held else "held by another run"
                raise LockHeld(
                    f"service {self.service} in cluster {self.cluster} is locked: {what}",
                    "wait for that run to finish; if it crashed, `ecsship unlock` removes the lock",
                )
            self.sleep(min(2.0, max(0.1, deadline - now)))

    def _take_over(self, stale: LockInfo, command: str, ttl: float) -> bool:
        """Replace the stale lock only if this run wins the takeover marker for the stale token (SSM's
        PutParameter with Overwrite=False succeeds for exactly one caller)."""
        import hashlib

        marker = f"{self.name}.takeover.{hashlib.sha256(stale.token.encode()).hexdigest()[:32]}"
        try:
            self.ssm.put_parameter(Name=marker, Value=whoami(), Type="String", Overwrite=False,
                                   Description="ecsship lock takeover marker",
                                   Tags=[{"Key": "ecsship:lock", "Value": "true"}])
        except self.ssm.exceptions.ParameterAlreadyExists:
            return False  # another run is taking it over
        try:
            current = self.read()
            if current is None or current.token != stale.token:
                return False  # released or replaced meanwhile: race for it normally
            token = uuid.uuid4().hex
            self.ssm.put_parameter(Name=self.name, Value=self._value(command, ttl, token), Type="String", Overwrite=True)
            self.token = token
            return True
        finally:
            try:
                self.ssm.delete_parameter(Name=marker)
            except self.ssm.exceptions.ParameterNotFound:
                pass

    def _delete_if(self, token: str) -> None:
        current = self.read()
        if current is not None and current.token == token:
            self._delete()

    def release(self) -> None:
        """Delete the lock if it is still ours. Another run replaces a lock only once it expired (or its
        process is gone, and this one runs): while well within its TTL it cannot have been taken over,
        so it is deleted without reading it first (one SSM read less per deploy, issue #20). Past
        half its TTL (clocks of two machines may disagree) the token is checked first. (`ecsship
        unlock --force` removes a live run's lock: it is for a run known to be gone.)"""
        if self.token:
            if self.clock() < self.surely_ours_until:
                self._delete()
            else:
                self._delete_if(self.token)
            self.token = None

    def _delete(self) -> None:
        try:
            self.ssm.delete_parameter(Name=self.name)
        except self.ssm.exceptions.ParameterNotFound:
            pass

    def force_unlock(self) -> LockInfo | None:
        held = self.read()
        if held is not None:
            try:
                self.ssm.delete_parameter(Name=self.name)
            except self.ssm.exceptions.ParameterNotFound:
                return None
        return held


@contextmanager
def service_lock(aws, cluster: str, service: str, command: str, wait: float = 10.0):
    """Hold the service's lock for the duration of the block; always released, also on failure."""
    lock = ServiceLock(aws, cluster, service)
    lock.acquire(command, wait=wait)
    try:
        yield lock
    finally:
        lock.release()
