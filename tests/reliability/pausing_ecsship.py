"""`ecsship` with a pause: run as `python pausing_ecsship.py ARGS...`, a real process for signal tests.

Before sending its ECSSHIP_TEST_PAUSE_AT-th mutating call (the lock's calls not counted), it
creates the file ECSSHIP_TEST_PAUSE_FILE and waits (at most 20 s) until that file is removed, so
the test can signal it while a call is about to go out. Nothing else differs from `ecsship`.
"""
from __future__ import annotations

import os
import sys
import time


def install() -> None:
    from ecsship.aws import session
    from ecsship.aws.session import is_read_operation

    at = int(os.environ["ECSSHIP_TEST_PAUSE_AT"])
    marker = os.environ["ECSSHIP_TEST_PAUSE_FILE"]
    original = session.Aws.__init__
    count = {"n": 0}

    def before_build(model=None, params=None, **_):
        if is_read_operation(model.name):
            return
        if model.name in ("PutParameter", "DeleteParameter") and str((params or {}).get("Name", "")).startswith("/ecsship/locks/"):
            return
        count["n"] += 1
        if count["n"] != at:
            return
        open(marker, "w").close()
        deadline = time.monotonic() + 20
        while os.path.exists(marker) and time.monotonic() < deadline:
            time.sleep(0.02)

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.session.events.register("before-parameter-build.*.*", before_build)

    session.Aws.__init__ = init


if __name__ == "__main__":
    install()
    from ecsship.cli.app import main

    sys.argv[0] = "ecsship"
    sys.exit(main())
