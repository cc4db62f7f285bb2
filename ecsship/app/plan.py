"""`ecsship plan`: show what `apply` would change, field by field; optionally save the plan."""
from __future__ import annotations

from ecsship.app.cost import plan_cost_line
from ecsship.app.planned import load_and_plan, save_plan, show
from ecsship.ui.github import plan_markdown


def plan(app, file: str, env, var, *, out_file: str | None, adopt: bool, force: bool,
         image_tag: str | None = None, image: str | None = None) -> bool:
    """Print (and with out_file save) the plan; True when it has changes."""
    run = load_and_plan(app, file, env, var, adopt=adopt, image_tag=image_tag, image=image)
    digest = save_plan(run, out_file, force=force) if out_file else None
    out = app.out()
    show(out, run)
    env = f" --env {run.environment}" if run.environment else ""
    app.step_summary(plan_markdown(run.plan, f"ecsship plan: {run.desired.cluster}/{run.desired.service}{env} ({run.aws.region})"))
    if out_file:
        out.info(f"saved the plan to {out_file}; apply exactly it with `ecsship apply {out_file}`")
        out.info(f"plan digest {digest} (`apply` prints it again: compare)")
    line = plan_cost_line(run)
    if line:
        out.print(line)
    return run.plan.has_changes
