"""`ecsship import`: a manifest from a live service (read-only, except `--move-secrets`), or from a
Copilot or ecspresso configuration (no AWS at all).

Plaintext secrets in the live environment never reach the manifest, the terminal or a log: their
values go only to Secrets Manager (`--move-secrets`, as `<cluster>/<service>/<NAME>`, tagged as the
service's), and the manifest references them under `secrets:`.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ecsship.app.secret import store_secret
from ecsship.aws.errors import aws_call
from ecsship.desired.image_and_secret_refs import parse_secret
from ecsship.errors import EcsshipError, ManifestError, UsageError
from ecsship.files import write_new_file
from ecsship.manifest.from_live import Imported, from_live, secret_name
from ecsship.manifest.imported_text import checked, render
from ecsship.manifest.yamlsource import YamlProblem, read_text
from ecsship.ops.live_service import read_live_service
from ecsship.redact import register


def import_service(app, cluster: str | None, service: str | None, out_file: str | None, *, move_secrets: bool,
                   force: bool, from_copilot: str | None = None, from_ecspresso: str | None = None, env: str | None = None) -> None:
    out = app.out()
    if from_copilot or from_ecspresso:
        if cluster is None and service is None and not move_secrets:
            imported, source = _from_file(from_copilot, from_ecspresso, env)
            _tell_plaintext(out, imported, out_file, live=False)
            return _write(app, imported, source, out_file, force)
        raise UsageError("--from-copilot/--from-ecspresso convert a file: --cluster, --service and --move-secrets go with a live import")
    if not cluster or not service:
        raise UsageError("import needs --cluster and --service (or --from-copilot FILE / --from-ecspresso FILE)")
    aws = app.aws()
    imported = from_live(read_live_service(aws, cluster, service))
    for value in imported.values.values():
        register(value)  # masked wherever a value could still be rendered (plans, errors)
    source = f"service {service} in cluster {cluster} ({aws.region})"
    # Checked before any secret is stored: a manifest that does not validate is not worth moving them for.
    _check(imported, source)
    if imported.plaintext:
        if move_secrets:
            _move(app, aws, imported)
        else:
            _tell_plaintext(out, imported, out_file, live=True)
    _write(app, imported, source, out_file, force)


def _tell_plaintext(out, imported: Imported, out_file: str | None, live: bool) -> None:
    if not imported.plaintext:
        return
    names = ", ".join(sorted(imported.plaintext))
    out.warning(f"{len(imported.plaintext)} plaintext secret(s) kept out of `environment:`: {names}")
    out.info("  the manifest references them under `secrets:`; store each (the value is read from stdin, never echoed):")
    for key in sorted(imported.plaintext):
        out.info(f"    ecsship secret set {key} -f {out_file or 'FILE'}")
    if live:
        out.info("  or run import again with --move-secrets to copy the live values to Secrets Manager")


def _check(imported: Imported, source: str) -> None:
    try:
        checked(render(imported.manifest, source, imported.unmapped), "<imported manifest>")
    except ManifestError as exc:
        raise EcsshipError(f"the manifest imported from {source} does not validate: {exc.message}",
                           "nothing was written and no secret was stored; please report this with the problem above") from None


def _move(app, aws, imported: Imported) -> None:
    """Each plaintext value to Secrets Manager as `<cluster>/<service>/<NAME>`; refuses a secret of that
    name that is not this service's (ownership: never overwrite what ecsship does not own)."""
    m = imported.manifest
    out = app.out()
    for key in sorted(imported.plaintext):
        name = secret_name(m["cluster"], m["service"], key)
        _check_owner(aws, name, m)
        what = store_secret(aws, m, parse_secret(key, f"secretsmanager:{name}"), imported.values[key])
        out.info(f"secret {key}: {what} {name} in Secrets Manager (value not shown)")


def _check_owner(aws, name: str, m: dict) -> None:
    sm = aws.client("secretsmanager")
    try:
        with aws_call(f"secret {name}", "secretsmanager:DescribeSecret"):
            found = sm.describe_secret(SecretId=name)
    except EcsshipError as exc:
        if getattr(exc, "code", "") == "ResourceNotFoundException":
            return
        raise
    tags = {t["Key"]: t["Value"] for t in found.get("Tags") or []}
    if tags.get("ecsship:service") != m["service"] or tags.get("ecsship:cluster") != m["cluster"]:
        raise EcsshipError(f"secret {name} already exists and is not ecsship's for {m['cluster']}/{m['service']}; it was left alone",
                           "delete or rename it, or store the value yourself and run import without --move-secrets")


def _from_file(copilot: str | None, ecspresso: str | None, env: str | None) -> tuple[Imported, str]:
    if copilot and ecspresso:
        raise UsageError("pass one of --from-copilot and --from-ecspresso")
    if copilot:
        from ecsship.manifest.from_copilot import from_copilot

        return from_copilot(_read(copilot), env, copilot), f"Copilot manifest {copilot}" + (f" (environment {env})" if env else "")
    from ecsship.manifest.from_ecspresso import from_ecspresso

    assert ecspresso is not None
    return from_ecspresso(Path(ecspresso), _read(ecspresso)), f"ecspresso config {ecspresso}"


def _read(path: str) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None
    try:
        return read_text(path, data)  # the manifest's checks: UTF-8, no NUL bytes, at most 1 MiB
    except YamlProblem as exc:
        raise UsageError(exc.problem.render()) from None


def _write(app, imported: Imported, source: str, out_file: str | None, force: bool) -> None:
    text = render(imported.manifest, source, imported.unmapped)
    warnings = checked(text, out_file or "<stdout>")
    out = app.out()
    if out_file:
        write_new_file(Path(out_file), text, force=force, mode=0o644, what="manifest")
        out.success(f"wrote {out_file}: {imported.manifest['cluster']}/{imported.manifest['service']} from {source}")
    elif not out.json_mode:
        sys.stdout.write(text)
    if out.json_mode:  # one JSON object on stdout, nothing else (secret values never: only names)
        out.emit_json({"ok": True, "file": out_file, **({} if out_file else {"manifest": text}),
                       "unmapped": imported.unmapped, "secrets_kept_out": sorted(imported.plaintext)})
    out.problems(warnings)
    if imported.unmapped:
        out.info(f"{len(imported.unmapped)} item(s) could not be mapped: listed at the end of the manifest")
    out.info(f"next: ecsship validate -f {out_file or 'FILE'} && ecsship plan --adopt -f {out_file or 'FILE'}")
