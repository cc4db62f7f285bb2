"""Cold-start benchmark: median wall time of `ecsship --help` and `ecsship validate`,
with `python -c pass` and `python -c "import boto3"` measured in the same run as floors.
`bench/run.py` adds `ecsship plan` of a converged service on its local backend as a further case.

Runs are interleaved (run 1 of every case, then run 2 of every case, ...) so a burst of load from
elsewhere on the machine hits every case alike instead of one of them.

Usage: python bench/startup.py [--runs N] [--json]
Targets (2-core machine): --help <= 0.15 s, validate of the web example <= 0.3 s.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ECSSHIP = str(Path(sys.executable).parent / "ecsship")
WEB = str(ROOT / "examples" / "web" / "ecsship.yaml")

FLOOR = "python -c pass (floor)"
BOTO3 = "python -c 'import boto3' (reference)"
HELP = "ecsship --help"
VALIDATE = "ecsship validate (web example)"
CASES = {
    FLOOR: [sys.executable, "-c", "pass"],
    BOTO3: [sys.executable, "-c", "import boto3"],
    HELP: [ECSSHIP, "--help"],
    VALIDATE: [ECSSHIP, "validate", "-f", WEB],
}
TARGETS = {HELP: 0.15, VALIDATE: 0.3}


def _once(cmd: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT).returncode
    return time.perf_counter() - start, rc


def measure_samples(cases: dict[str, list[str]], runs: int = 15) -> dict[str, dict]:
    """{name: {"samples": [...], "median": s, "rc": last exit code}} for each case, interleaved."""
    for cmd in cases.values():  # warm the OS file cache once
        _once(cmd)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    rcs: dict[str, int] = {}
    for _ in range(runs):
        for name, cmd in cases.items():
            seconds, rcs[name] = _once(cmd)
            samples[name].append(seconds)
    return {name: {"samples": s, "median": statistics.median(s), "rc": rcs[name]} for name, s in samples.items()}


def measure(runs: int = 15) -> dict[str, float]:
    return {name: r["median"] for name, r in measure_samples(CASES, runs).items()}


def import_breakdown(cmd: list[str], top: int = 6) -> dict:
    """Run cmd once under `python -X importtime`; total import time and the heaviest top-level imports."""
    if Path(cmd[0]).name.startswith("python"):
        full = [cmd[0], "-X", "importtime", *cmd[1:]]
    else:  # a console script: run it with the same interpreter
        full = [sys.executable, "-X", "importtime", *cmd]
    completed = subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    total_us = 0
    heavy: list[tuple[int, str]] = []
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        parts = line.split("|")
        if len(parts) != 3:
            continue
        cumulative_us, name = parts[1], parts[2]
        if name.startswith("   "):  # nested import: already inside its parent's cumulative time
            continue
        cumulative = int(cumulative_us.strip())
        total_us += cumulative
        heavy.append((cumulative, name.strip()))
    heavy.sort(reverse=True)
    return {"total_s": total_us / 1e6, "top": [(name, us / 1e6) for us, name in heavy[:top]]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = measure(args.runs)
    if args.json:
        print(json.dumps(results))
        return
    for name, seconds in results.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else (" (target <= %.2fs: %s)" % (target, "met" if seconds <= target else "MISSED"))
        print(f"{name:40s} {seconds * 1000:7.1f} ms{verdict}")


if __name__ == "__main__":
    main()
