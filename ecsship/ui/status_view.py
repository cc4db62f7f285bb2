"""Render `status` and `history` data (plain dicts from ecsship.deploy.status / history) as text."""
from __future__ import annotations

from ecsship.deploy.events import fit_line, shorten_arns
from ecsship.deploy.names import short_deployment, short_image, utc_time
from ecsship.ui.width import WIDTH, wrap


def status_lines(data: dict) -> list[str]:
    lines = [
        f"service {data['service']} in cluster {data['cluster']}: {str(data.get('status', '')).lower()}",
        f"  revision {data['revision']}  ({data['strategy'].lower()}, {data['controller'].lower()} controller)",
        f"  tasks: {data['running']} running, {data['desired']} desired" + (f", {data['pending']} pending" if data.get("pending") else ""),
    ]
    if data.get("deployments"):
        lines.append("deployments:")
        for d in data["deployments"]:
            state = (d.get("rollout_state") or "").lower()
            text = (f"  {(d['status'] or '').lower():8} {d['revision']:24} {state:12} "
                    f"{d['running']}/{d['desired']} running, {d['pending']} pending, {d['failed']} failed")
            reason = shorten_arns(d["reason"]) if d.get("reason") and state != "completed" else ""
            if reason and len(text) + len(reason) + 4 > WIDTH:  # the reason on lines of its own, wrapped at a word
                lines += [text, *wrap(f"           ({reason})", WIDTH, indent=" " * 12)]
            else:
                lines.append(text + (f"  ({reason})" if reason else ""))
    if data.get("task_sets"):
        lines.append("task sets:")
        for t in data["task_sets"]:
            lines.append(f"  {(t['status'] or '').lower():8} {t['revision']:24} {t['running']}/{t['desired']} running"
                         + (f", scale {t['scale']:g}%" if t.get("scale") is not None else ""))
    rollout = data.get("rollout")
    if rollout:
        head = f"rollout: deployment {short_deployment(rollout.get('deployment_arn') or rollout['deployment'])} {rollout['old'] or '(none)'} → {rollout['new']}"
        state = rollout["state"].replace("_", " ") + (f", phase {rollout['phase']}" if rollout.get("phase") else "")
        # Too long for one line (long names, ECS's long phase names): the state on a line of its own.
        lines += [f"{head}, {state}"] if len(head) + len(state) + 2 <= WIDTH else [head, f"  {state}"]
        if rollout.get("waiting_approval"):
            lines.append("  waiting for approval: `ecsship promote` shifts production traffic, `ecsship rollback` abandons it")
    if data.get("listeners"):
        # Where each listener sends traffic now (groups with no weight left out; JSON has every number).
        lines.append("listeners: " + "; ".join(
            f"{route} " + ", ".join(f"{name} {weight:g}%" for name, weight in weights.items() if weight)
            for route, weights in data["listeners"].items()))
    traffic = data.get("traffic") or {}
    for name, counts in (data.get("targets") or {}).items():
        text = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "no targets"
        live = ""
        if traffic:
            weight = traffic.get(name, 0)
            live = f" (live, {weight:g}% of production traffic)" if weight else " (idle)"
        lines.append(f"target group {name}{live}: {text}")
    scaling = data.get("scaling")
    if scaling:
        text = f"scaling: min {scaling['min']}, max {scaling['max']}, desired {data['desired']}"
        if scaling.get("suspended"):
            text += " (suspended: " + ", ".join(sorted(scaling["suspended"])) + ")"
        lines.append(text)
        for act in scaling.get("activities") or []:
            lines.append(f"  {utc_time(act['at'])}  {act['status']}: {act['description']}")
    if data.get("alarms"):
        lines.append("alarms: " + ", ".join(f"{a['name']} {a['state']}" for a in data["alarms"]))
    if data.get("events"):
        lines.append("recent events:")
        for e in data["events"]:
            # to the second, in UTC; target groups and tasks by short name (JSON keeps the ARNs)
            lines.append(fit_line(f"  {utc_time(e['at'])}  {shorten_arns(e['message'])}"))
    return fitted(lines)


def history_lines(rows: list[dict]) -> list[str]:
    if not rows:
        return ["no deployments recorded yet"]
    from ecsship.manifest.durations import format_duration

    lines = [f"{'started':26} {'revision':22} {'outcome':20} {'took':>7}  image"]
    for r in rows:
        took = format_duration(r["duration"]) if r.get("duration") is not None else "-"
        lines.append(f"{utc_time(r['started']):26} {r['revision']:22} {r['outcome']:20} {took:>7}  {short_image(r.get('image')) if r.get('image') else ''}")
        if r.get("reason") and r["outcome"] != "succeeded":
            lines += wrap(f"{'':26} reason: {shorten_arns(r['reason'])}", WIDTH, indent=" " * 35)
        if r.get("steps"):
            ran = ", ".join(f"{s['phase']} {s['name']} exit {s['exit_code']}" for s in r["steps"])
            lines.append(f"{'':26} steps: {ran}"[:100])
    return fitted(lines)


def fitted(lines: list[str]) -> list[str]:
    """Lines still too long (long names) wrapped at a word, continued with an indent."""
    return [part for line in lines for part in wrap(line, WIDTH, indent="    ")]
