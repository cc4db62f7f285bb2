"""Render `ecsship local status` (the summary dict ecsship/app/local.py builds) as text."""
from __future__ import annotations


def uptime(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else (f"{minutes}m{secs:02d}s" if minutes else f"{secs}s")


def print_status(out, summary: dict) -> None:
    """Never the seeded secret values: names and ARNs only. `out.print` is plain text (no markup,
    no emoji: rich would turn the ":secret:" inside every Secrets Manager ARN into one)."""
    out.success(f"local AWS running at {summary['endpoint']} (pid {summary['pid']}, up {uptime(summary['uptime_seconds'])})")
    clock = summary["clock"]
    out.print(f"account {summary['account']}, region {summary['region']}; "
              f"clock x{clock['speed']:g}{' (manual)' if clock['manual'] else ''}; "
              f"failing images: {summary['fail_images']} ({summary['fail_mode']})")
    if summary.get("latency_ms"):
        out.print(f"latency: every AWS API answer waits {summary['latency_ms']:g} ms (--latency)")
    seed = summary.get("seed")
    if not seed:
        out.print("account: empty (--bare)")
        return
    out.print("seeded:")
    out.print(f"  vpc          {seed['vpc']} (Name=main): private {', '.join(seed['private_subnets'])}; public {', '.join(seed['public_subnets'])}")
    out.print(f"  alb main     {seed['alb_dns']}, listeners {', '.join(sorted(seed['listeners']))}, certificate *.example.com")
    out.print("  ecr          " + "; ".join(f"{repo}: {', '.join(tags)}" for repo, tags in seed["ecr"].items()))
    out.print(f"  secrets      {', '.join(seed['secrets'])}")
    out.print(f"  parameters   {', '.join(seed['parameters'])}")
    out.print(f"  sns topics   {', '.join(seed['topics'])}")
    if summary.get("log"):
        out.print(f"log: {summary['log']}")
    if summary.get("state_file"):
        out.print(f"state: {summary['state_file']} (0600; holds the control token"
                  f"{', required as the access key: --auth' if summary.get('auth') else ''})")
    if summary.get("simulator_errors"):
        out.warning(f"the rollout simulator failed {summary['simulator_errors']} times; tracebacks are in the log")
