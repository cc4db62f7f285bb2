"""Day-2 operations (issue 15): one-off tasks (`run`, `deploy.before/after` steps), `logs`, `exec`.

Flows only: they call AWS through `aws/` and report what happens through a listener object the CLI
gives them (ui/ops_view.py renders it). No typer, no rich, no ecsship.ui here (ruff banned-api).
"""
