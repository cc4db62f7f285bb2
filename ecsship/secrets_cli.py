"""The work behind `ecsship secret`: find the reference, read a value safely, store it, report status.

The only place ecsship reads a secret value (GetSecretValue, to merge one JSON key into a JSON
secret); plan and apply never do.
"""
from __future__ import annotations

import json

from ecsship.errors import UsageError


def reference_for(file, env, var, key):
    from ecsship.desired.references import parse_secret
    from ecsship.manifest.document import load_manifest, parse_vars

    manifest = load_manifest(file, env=env, variables=parse_vars(var))
    secrets = manifest.data.get("secrets") or {}
    if key not in secrets:
        known = ", ".join(sorted(secrets)) or "none"
        raise UsageError(f"{key} is not under `secrets:` in {file} (known: {known})", "add `KEY: secretsmanager:NAME` to the manifest first")
    return manifest, parse_secret(key, secrets[key])


def read_value(stdin, key: str) -> str:
    if stdin.isatty():
        import typer

        value = typer.prompt(f"Value for {key}", hide_input=True, confirmation_prompt=True)
    else:
        value = stdin.read()
        if value.endswith("\n"):
            value = value[:-1]  # `echo x | ecsship secret set` adds one newline; keep any others
    if not value:
        raise UsageError(f"empty value for {key}; nothing stored", "pipe the value on stdin, or type it at the prompt")
    return value


def store(aws, manifest, ref, value: str) -> str:
    from ecsship.aws.errors import aws_call, error_code

    tags = [{"Key": k, "Value": str(v)} for k, v in sorted((manifest.data.get("tags") or {}).items())]
    tags += [{"Key": "ecsship:service", "Value": manifest.data["service"]}, {"Key": "ecsship:cluster", "Value": manifest.data["cluster"]}]
    label = f"secret {ref.ident}"
    if ref.source == "ssm":
        ssm = aws.client("ssm")
        with aws_call(label, "ssm:PutParameter"):
            try:
                ssm.put_parameter(Name=ref.ident, Value=value, Type="SecureString", Tags=tags)
                return "created"
            except Exception as exc:
                if error_code(exc) != "ParameterAlreadyExists":
                    raise
                ssm.put_parameter(Name=ref.ident, Value=value, Type="SecureString", Overwrite=True)
                return "updated"
    sm = aws.client("secretsmanager")
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


def status(aws, ref) -> dict:
    from ecsship.aws.errors import aws_call

    row = {"key": ref.env, "source": ref.source, "reference": ref.raw, "exists": False}
    if ref.source == "ssm":
        with aws_call(f"parameter {ref.ident}", "ssm:DescribeParameters"):
            found = aws.client("ssm").describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [ref.ident]}])["Parameters"]
        if found:
            row.update(exists=True, last_changed=str(found[0].get("LastModifiedDate", ""))[:19] or None)
        return row
    try:
        with aws_call(f"secret {ref.ident}", "secretsmanager:DescribeSecret"):
            found = aws.client("secretsmanager").describe_secret(SecretId=ref.ident)
        row.update(exists=True, last_changed=str(found.get("LastChangedDate", ""))[:19] or None)
    except Exception as exc:
        if getattr(exc, "code", "") != "ResourceNotFoundException":
            raise
    return row
