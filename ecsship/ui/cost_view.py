"""How `ecsship cost` reads in a terminal: one row per item, its basis under it, the totals, the
prices' date. Every line fits 100 columns."""
from __future__ import annotations

import textwrap

from ecsship.ui.width import WIDTH, wrap


def _usd(x: float | None) -> str:
    return "unknown" if x is None else f"${x:,.2f}"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def show_cost(out, payload: dict) -> None:
    say = out.print
    say(f"ecsship cost: USD per month at the minimum / maximum task count, {payload['region']} prices of "
        f"{payload['prices_as_of']}", "bold")
    say(f"  {'service':<22} {'kind':<13} {'name':<30} {'min':>12} {'max':>12}", "dim")
    for item in payload["items"]:
        say(f"  {_cut(item['service'], 22):<22} {item['kind']:<13} {_cut(item['name'], 30):<30} "
            f"{_usd(item['monthly_min']):>12} {_usd(item['monthly_max']):>12}")
        # A name cut to fit its column is said whole under the row: two endpoints or alarms may
        # differ only in their last characters.
        basis = item["basis"] if len(item["name"]) <= 30 else f"{item['name']}: {item['basis']}"
        for line in textwrap.wrap(basis, WIDTH - 6):
            say(f"      {line}", "dim")
    total = payload["monthly"]
    say(f"  {'total':<67} {_usd(total['min']):>12} {_usd(total['max']):>12}", "bold")
    if any(item["monthly_min"] is None for item in payload["items"]):
        say("  The total leaves out the items whose price is unknown.", "yellow")
    say("  An estimate: on-demand prices before discounts and taxes; data transfer and requests not included.", "dim")


def cost_change_line(old: tuple[float, float], new: tuple[float, float], as_of: str) -> str:
    def span(pair):
        return _usd(pair[0]) if round(pair[0], 2) == round(pair[1], 2) else f"{_usd(pair[0])}-{_usd(pair[1])}"

    line = f"Monthly cost (min-max tasks): {span(old)} → {span(new)} (estimate, prices of {as_of}: `ecsship cost`)"
    return line if len(line) <= WIDTH else f"Monthly cost (min-max tasks): {span(old)} → {span(new)}"


def show_rightsize(out, p: dict) -> None:
    cur = p["current"]
    out.print(f"ecsship rightsize: {p['service']}, {p['days']} days of {p['source']} metrics ({p['hours_of_data']} hours)", "bold")
    if not p["enough_data"]:
        for line in wrap(f"  {p['reason']}", WIDTH, indent="    "):
            out.print(line, "yellow")
        return
    new, peaks, saving = p["proposed"], p["peaks"], p["monthly_saving"]
    out.print(f"  busiest hour: {peaks['cpu_percent']}% CPU (average); memory peak {peaks['memory_percent']}% (maximum)")
    if (new["cpu"], new["memory"]) == (cur["cpu"], cur["memory"]):
        out.print(f"  size: cpu {cur['cpu']}, memory {cur['memory']} fits (the busiest hour under 70% CPU, peak memory under 80%)")
    else:
        out.print(f"  size: cpu {cur['cpu']} → {new['cpu']}, memory {cur['memory']} → {new['memory']}  "
                  "(busiest hour at 70% CPU, peak memory at 80%)")
    if new["scaling_cpu_target"] != cur["scaling_cpu_target"]:
        out.print(f"  scaling: cpu target {cur['scaling_cpu_target']:g}% → {new['scaling_cpu_target']:g}% (fewer idle tasks)")
    verb = "saves" if saving["max"] >= 0 else "costs"
    out.print(f"  {verb} {_usd(abs(saving['min']))}-{_usd(abs(saving['max']))} a month at min-max tasks (task size only; "
              f"prices of {p['prices_as_of']})", "green" if verb == "saves" else "yellow")
