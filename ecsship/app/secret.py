"""The flows of `ecsship secret set KEY` and `ecsship secret list`: manage the secrets the manifest references.

The only place ecsship reads a secret value (GetSecretValue, to merge one JSON key into a JSON
secret); plan and apply never do.

Values are read from stdin or a hidden prompt and never printed. `list` shows which referenced
secrets exist, never their values.
"""
from __future__ import annotations

import json
import sys

from ecsship.aws.errors import aws_call, error_code
from ecsship.deploy.names import iso, utc_time
from ecsship.desired.containers import secret_refs
from ecsship.desired.image_and_secret_refs import parse_secret
from ecsship.errors import UsageError
from ecsship.manifest.document import load_manifest, parse_vars
from ecsship.reconcilers.existing_resources import describe_parameter
from ecsship.ui.plan_view import say


def set_secret(app, key: str, file: str, env, var, stdin=None) -> None:
    """Create or update the secret `secrets.KEY` names, from stdin or a hidden prompt."""
    if file == "-":
        raise UsageError("secret set reads the value from standard input, so it cannot read the manifest from it too",
                         "pass the manifest with -f PATH")
    manifest, ref = _reference_for(file, env, var, key)
    value = _read_value(app, stdin or sys.stdin, key)
    aws = app.aws_for(manifest.data)
    what = store_secret(aws, manifest.data, ref, value)
    out = app.out()
    if out.json_mode:
        out.emit_json({"ok": True, "key": key, "reference": ref.raw, "result": what})
    else:
        out.success(f"secret {key}: {what} {ref.ident} (value not shown)")


def list_secrets(app, file: str, env, var) -> int:
    """Show every referenced secret and whether it exists; the exit code is 1 when one is missing."""
    manifest = load_manifest(file, env=env, variables=parse_vars(var))
    refs = [parse_secret(k, v) for k, v in sorted(secret_refs(manifest.data).items())]
    aws = app.aws_for(manifest.data) if refs else None
    rows = [_status(aws, ref) for ref in refs]
    out = app.out()
    if out.json_mode:
        out.emit_json({"secrets": rows})
    elif not rows:
        out.print("The manifest references no secrets.")
    else:
        width = max(len(r["key"]) for r in rows)
        for row in rows:
            state = "exists" if row["exists"] else "MISSING"
            changed = f"  (changed {utc_time(row['last_changed'])})" if row.get("last_changed") else ""
            say(out, f"{row['key']:<{width}}  {state:<7}  {row['reference']}{changed}", None if row["exists"] else "red")
    return 1 if any(not r["exists"] for r in rows) else 0


def _reference_for(file, env, var, key):

    manifest = load_manifest(file, env=env, variables=parse_vars(var))
    # Every container's secrets (containers.NAME.KEY) and FireLens's (logs.secret_options.KEY) too.
    secrets = secret_refs(manifest.data)
    if key not in secrets:
        known = ", ".join(sorted(secrets)) or "none"
        raise UsageError(f"{key} is not under `secrets:` in {file} (known: {known})", "add `KEY: secretsmanager:NAME` to the manifest first")
    return manifest, parse_secret(key, secrets[key])


def _read_value(app, stdin, key: str) -> str:
    if stdin.isatty():
        value = app.prompt(f"Value for {key}", hide_input=True)
    else:
        value = stdin.read()
        if value.endswith("\n"):
            value = value[:-1]  # `echo x | ecsship secret set` adds one newline; keep any others
    if not value:
        raise UsageError(f"empty value for {key}; nothing stored", "pipe the value on stdin, or type it at the prompt")
    return value


def store_secret(aws, manifest: dict, ref, value: str) -> str:
    """Create or update the secret `ref` names with `value` (tagged as the service's); "created"/"updated"."""
    tags = [{"Key": k, "Value": str(v)} for k, v in sorted((manifest.get("tags") or {}).items())]
    tags += [{"Key": "ecsship:service", "Value": manifest["service"]}, {"Key": "ecsship:cluster", "Value": manifest["cluster"]}]
    label = f"secret {ref.ident}"
    if ref.source == "ssm":
        ssm = aws.client("ssm", region=ref.region)
        with aws_call(label, "ssm:PutParameter"):
            try:
                ssm.put_parameter(Name=ref.ident, Value=value, Type="SecureString", Tags=tags)
                return "created"
            except Exception as exc:
                if error_code(exc) != "ParameterAlreadyExists":
                    raise
                ssm.put_parameter(Name=ref.ident, Value=value, Type="SecureString", Overwrite=True)
                return "updated"
    sm = aws.client("secretsmanager", region=ref.region)
    try:
        with aws_call(label, "secretsmanager:DescribeSecret"):
            sm.describe_secret(SecretId=ref.ident)
        exists = True
    except Exception as exc:
        if getattr(exc, "code", "") != "ResourceNotFoundException":
            raise
        exists = False
    if ref.json_key:
        current = {}
        if exists:
            with aws_call(label, "secretsmanager:GetSecretValue"):
                text = sm.get_secret_value(SecretId=ref.ident).get("SecretString") or "{}"
            try:
                current = json.loads(text)
            except ValueError:
                raise UsageError(f"{ref.ident} is not a JSON secret, so key {ref.json_key} cannot be set in it") from None
        current[ref.json_key] = value
        value = json.dumps(current)
    if exists:
        with aws_call(label, "secretsmanager:PutSecretValue"):
            sm.put_secret_value(SecretId=ref.ident, SecretString=value)
        return "updated"
    if ref.ident.startswith("arn:"):
        raise UsageError(f"{ref.ident} does not exist, and a secret cannot be created under a given ARN",
                         "reference it by name (secretsmanager:NAME) to let ecsship create it")
    with aws_call(label, "secretsmanager:CreateSecret"):
        sm.create_secret(Name=ref.ident, SecretString=value, Tags=tags)
    return "created"


def _status(aws, ref) -> dict:
    row = {"key": ref.env, "source": ref.source, "reference": ref.raw, "exists": False}
    if ref.source == "ssm":
        found = describe_parameter(aws.client("ssm", region=ref.region), ref.ident)
        if found:
            row.update(exists=True, last_changed=iso(found.get("LastModifiedDate")) or None)
        return row
    try:
        with aws_call(f"secret {ref.ident}", "secretsmanager:DescribeSecret"):
            found = aws.client("secretsmanager", region=ref.region).describe_secret(SecretId=ref.ident)
        row.update(exists=True, last_changed=iso(found.get("LastChangedDate")) or None)
    except Exception as exc:
        if getattr(exc, "code", "") != "ResourceNotFoundException":
            raise
    return row
