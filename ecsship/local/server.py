"""`python -m ecsship.local.server`: the local AWS process that `ecsship local up` starts.

Binds 127.0.0.1 only. Writes its state file once it answers, removes it when it stops.
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import socket
import sys
import threading
import time

# How long a stopping server waits for the requests it is answering (a client reading a cut
# answer sees http.client.IncompleteRead). Bounded: a stuck client must not keep it alive.
DRAIN_TIMEOUT_SECONDS = 10.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from ecsship.local.clock import DEFAULT_SPEED

    parser = argparse.ArgumentParser(prog="python -m ecsship.local.server", description="ecsship's embedded local AWS")
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument("--bare", action="store_true", help="start an empty account (no seed)")
    parser.add_argument("--speed", type=float, default=DEFAULT_SPEED, help="simulated seconds per real second")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="delay every AWS API answer by this many milliseconds (not the /_ecsship/ calls)")
    parser.add_argument("--manual-clock", action="store_true", help="the clock only moves via /_ecsship/advance (tests)")
    parser.add_argument("--fail-images", default="*broken*", help="images whose tag matches this pattern fail")
    parser.add_argument("--fail-mode", default="health-check", choices=["health-check", "exit"])
    parser.add_argument("--no-state-file", action="store_true")
    parser.add_argument("--plain-moto", action="store_true", help=argparse.SUPPRESS)  # verification only: no fixes, no simulator
    parser.add_argument("--auth", action="store_true",
                        help="AWS API calls must use the token (in the state file) as the access key")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.add_argument("--log-file", default=None,
                        help="log here, rotated by size while running (`ecsship local up` passes its state-dir log)")
    parser.add_argument("--log-max-bytes", type=int, default=None, help=argparse.SUPPRESS)  # tests: a small limit
    parser.add_argument("--parent-pid", type=int, default=None,
                        help="stop when this process is gone (test fixtures: no orphan servers after a killed run)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.log_file:
        from pathlib import Path

        from ecsship.local.logfile import LOG_MAX_BYTES, capture_output, log_to_file

        log_to_file(Path(args.log_file), max_bytes=args.log_max_bytes or LOG_MAX_BYTES)
        capture_output()
    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    log = logging.getLogger("ecsship.local")

    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    from ecsship.local import client
    from ecsship.local.backend import CONTROL_PREFIX, BackendOptions, LocalBackend
    from ecsship.local.latency import with_latency

    options = BackendOptions(
        port=args.port, seed=not args.bare, speed=args.speed, manual_clock=args.manual_clock,
        fail_images=args.fail_images, fail_mode=args.fail_mode, plain_moto=args.plain_moto,
        require_key=args.auth, latency_ms=args.latency_ms,
    )
    try:
        # Bind before seeding so a port conflict fails fast.
        inflight = InFlight()
        server = make_server("127.0.0.1", args.port, None, threaded=True,
                             request_handler=inflight.counting(kept_alive(simulated_date(MotoRequestHandler))))
    except OSError as exc:
        log.error("cannot listen on 127.0.0.1:%s: %s", args.port, exc)
        return 3
    backend = LocalBackend(options)
    # What start-up loaded (moto, botocore's models, the seeded account's fixed parts) lives as long as
    # the process: moved out of the collector's sight, the cyclic GC stops re-scanning ~800,000 objects
    # while requests run (about a quarter of a reset's time was the collector).
    gc.freeze()
    server.app = with_latency(backend, options, CONTROL_PREFIX)
    backend.shutdown_hook = server.shutdown

    def _terminate(signum, _frame):
        log.info("signal %s: stopping", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    if args.parent_pid:
        _watch_parent(args.parent_pid, server, log)

    if not args.no_state_file:
        from ecsship.local.identity import process_identity

        # The token lives only here (0600, in a 0700 directory): whoever can read it is this user.
        client.write_state(args.port, {
            "pid": os.getpid(), "identity": process_identity(os.getpid()), "token": options.token,
            "auth": args.auth, "port": args.port, "endpoint": client.endpoint_for(args.port),
            "started_at": backend.started_at, "seed": options.seed,
            "options": {"speed": args.speed, "manual_clock": args.manual_clock, "fail_images": args.fail_images,
                        "fail_mode": args.fail_mode, "bare": args.bare,
                        "latency_ms": args.latency_ms},
            "log": str(client.log_path(args.port)),
        })
    log.info("local AWS listening on %s (seeded: %s)", client.endpoint_for(args.port), options.seed)
    try:
        server.serve_forever()
        # Request threads are daemons: returning now would cut the answers still being written,
        # the shutdown request's own among them.
        busy = inflight.count
        if busy:
            log.info("stopping: waiting for %s in-flight request(s)", busy)
        if not inflight.wait_idle(DRAIN_TIMEOUT_SECONDS):
            log.warning("stopping with %s request(s) still in flight after %.0f s", inflight.count, DRAIN_TIMEOUT_SECONDS)
    finally:
        server.server_close()
        if not args.no_state_file:
            client.remove_state(args.port, only_pid=os.getpid())
        log.info("stopped after %.0f s", time.time() - backend.started_at)
    return 0


def simulated_date(handler_class):
    """The `Date` header of every answer is the backend clock's, as every timestamp moto writes
    (RFC 9110 "Date": when the server made the answer): a client asking AWS what time it is (`job
    list`'s next run) gets the simulated time."""
    from ecsship.local import runtime

    class DatedHandler(handler_class):
        def date_time_string(self, timestamp=None):
            return super().date_time_string(runtime.now() if timestamp is None else timestamp)

    return DatedHandler


def kept_alive(handler_class):
    """Connections stay open between requests, as AWS endpoints keep them (HTTP/1.1's default).
    werkzeug's development server closes each one after its answer (`Connection: close`), because
    Python's http.server cannot find the next request line behind a body the application left unread;
    so every AWS call cost a new connection and a new server thread (about 40% of the server's CPU
    for a small answer). Here the application reads the body through a reader that ends at its
    Content-Length, so werkzeug's own clean-up after the answer drains only what is left of this
    body, and the next request line is where http.server looks. A client asking to close
    (`Connection: close`, HTTP/1.0) or sending a chunked body still gets the connection closed."""

    class KeptAliveHandler(handler_class):
        _keep_open = False

        def setup(self) -> None:
            super().setup()
            # An answer goes out in a few writes (status and headers, then the body): on an open
            # connection Nagle's algorithm would hold the last one until the client's delayed ACK (40 ms).
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def run_wsgi(self) -> None:
            length = (self.headers.get("Content-Length") or "0").strip()
            chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
            self._keep_open = length.isdigit() and not chunked
            raw = self.rfile
            if self._keep_open:
                self.rfile = _RequestBody(raw, int(length))
            try:
                super().run_wsgi()
            finally:
                self.rfile = raw

        def send_header(self, keyword: str, value: str) -> None:
            if keyword.lower() == "connection" and value.lower() == "close" and self._keep_open and not self.close_connection:
                return  # no header: the connection stays open (close_connection is the client's choice)
            super().send_header(keyword, value)

    return KeptAliveHandler


class _RequestBody:
    """A request's body on a kept-open connection: reads end at its Content-Length, never into
    the next request."""

    def __init__(self, raw, length: int) -> None:
        self._raw = raw
        self._left = length

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._take(self._raw.read, size)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        return self._take(self._raw.readline, size)

    def _take(self, reader, size: int | None) -> bytes:
        """At most `size` bytes (all that is left when None or negative), never past the body's end."""
        wanted = self._left if size is None or size < 0 else min(size, self._left)
        if wanted <= 0:
            return b""
        data = reader(wanted)
        self._left = self._left - len(data) if data else 0
        return data

    def close(self) -> None:
        pass  # the connection's stream outlives the request


class InFlight:
    """Counts the requests being answered (from a parsed request line to the last byte written),
    so a stopping server can let them finish. Idle keep-alive connections are not counted."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = threading.Condition()

    def counting(self, handler_class):
        inflight = self

        class CountingHandler(handler_class):
            def run_wsgi(self) -> None:
                with inflight._idle:
                    inflight.count += 1
                try:
                    super().run_wsgi()
                finally:
                    with inflight._idle:
                        inflight.count -= 1
                        inflight._idle.notify_all()

        return CountingHandler

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self.count == 0, timeout=timeout)


def _watch_parent(pid: int, server, log) -> None:
    from ecsship.local.client import pid_alive

    def watch() -> None:
        while pid_alive(pid):
            time.sleep(2.0)
        log.info("parent process %s is gone: stopping", pid)
        server.shutdown()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
