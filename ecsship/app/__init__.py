"""The application layer: one module per command flow, over one `Application` (application.py).

`cli/` parses arguments and calls a flow here; a flow loads the manifest, calls the core
(manifest, desired, plan, reconcilers, deploy, aws) and renders through `ecsship.ui`.
"""
