"""Cold-start benchmark: median wall time of `ecsship --help` and `ecsship validate`,
with `python -c pass` and `python -c "import boto3"` measured in the same run as floors.

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

CASES = {
    "python -c pass (floor)": [sys.executable, "-c", "pass"],
    "python -c 'import boto3' (reference)": [sys.executable, "-c", "import boto3"],
    "ecsship --help": [ECSSHIP, "--help"],
    "ecsship validate (web example)": [ECSSHIP, "validate", "-f", WEB],
}
TARGETS = {"ecsship --help": 0.15, "ecsship validate (web example)": 0.3}


def median_seconds(cmd: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measure(runs: int = 15) -> dict[str, float]:
    for cmd in CASES.values():  # warm the OS file cache once
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return {name: median_seconds(cmd, runs) for name, cmd in CASES.items()}


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
