"""`ecsship validate`: every problem at once, each at FILE:LINE:COL; no AWS calls (and no boto3 loaded)."""
from __future__ import annotations

from ecsship.manifest.document import display_name, load_manifest, parse_vars


def validate(app, file: str, env, var, *, strict: bool) -> None:
    """Without `env`, the base manifest and every environment overlay are checked. Invalid: a
    `ManifestError` (exit 2) listing every problem."""
    out = app.out()
    manifest = load_manifest(file, env=env, variables=parse_vars(var), strict=strict, all_environments=env is None)
    if out.json_mode:
        out.emit_json({"ok": True, "file": display_name(file), "environment": env, "warnings": [w.to_dict() for w in manifest.warnings]})
        return
    out.problems(manifest.warnings)
    suffix = f" (environment {env})" if env else ""
    count = len(manifest.warnings)
    note = f", {count} warning{'s' if count != 1 else ''}" if count else ""
    out.success(f"{display_name(file)}: valid{suffix}{note}")
