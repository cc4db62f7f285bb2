"""Plan what a manifest changes in AWS, and apply it.

`model` (what a plan and a change are) and `diff` (field-level comparison) are the plan's vocabulary:
pure, they import nothing from `ecsship.reconcilers`, so reconcilers may use them. `plan_and_apply` (plan and
apply) and `destroy` drive the reconcilers. Nothing is imported here: `import ecsship.plan.diff`
stays cheap and loads no reconciler.
"""
