"""Property: whatever the manifest asks, generated policies never grant a `*` action, and use a
`*` resource only for the actions AWS accepts on no other resource."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecsship.desired import build
from ecsship.desired.policies import STAR_RESOURCE_ACTIONS
from ecsship.desired.resources import Role
from ecsship.errors import ManifestError
from ecsship.manifest import load_manifest

pytestmark = pytest.mark.reliability

actions = st.builds(lambda svc, verb: f"{svc}:{verb}", st.sampled_from(["s3", "sqs", "dynamodb", "sns", "kms"]),
                    st.sampled_from(["GetObject", "PutObject", "SendMessage", "Query", "Get*", "*", "Publish"]))
resources = st.sampled_from(["arn:aws:s3:::b/*", "arn:aws:sqs:us-east-1:123456789012:q", "*"])
secret_refs = st.sampled_from([
    "secretsmanager:shop/db", "secretsmanager:shop/db:password", "ssm:/shop/token",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/stripe-AbCdEf",
    "arn:aws:ssm:us-east-1:123456789012:parameter/shop/x",
])
manifests = st.fixed_dictionaries({
    "service": st.sampled_from(["api", "worker", "a" * 60]),
    "cluster": st.sampled_from(["shop", "c" * 40]),
    "image": st.sampled_from(["123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1", "public.ecr.aws/nginx/nginx:1.27", "ghcr.io/o/app@sha256:" + "a" * 64]),
    "network": st.just({"vpc": {"tags": {"Name": "main"}}, "subnets": {"tags": {"tier": "private"}}}),
    "permissions": st.lists(st.fixed_dictionaries({"actions": st.lists(actions, min_size=1, max_size=3), "resources": st.lists(resources, min_size=1, max_size=2)}), max_size=3),
    "secrets": st.dictionaries(st.sampled_from(["DB", "TOKEN", "KEY"]), secret_refs, max_size=3),
    "observability": st.fixed_dictionaries({"tracing": st.sampled_from(["none", "xray"])}),
    "execute_command": st.booleans(),
})


def statements(desired):
    for resource in desired.resources:
        if isinstance(resource, Role):
            policy = resource.spec.get("policy")
            for statement in (policy or {}).get("Statement", []):
                yield resource.name, statement


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=manifests)
def test_generated_policies_are_least_privilege(tmp_path, data):
    path = tmp_path / "m.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")
    try:
        manifest = load_manifest(str(path), environ={})
    except ManifestError as exc:
        # The only reasons these manifests are refused: a wildcard action the user asked for, or '*'
        # resources on a write action (issue #22).
        assert all("grants every action" in p.message or "wildcards are not allowed" in p.message
                   or "lets write actions" in p.message for p in exc.problems if p.severity == "error"), exc.problems
        return
    desired = build(manifest)
    seen_roles = set()
    for role, statement in statements(desired):
        seen_roles.add(role)
        assert statement["Effect"] == "Allow"
        acts = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in acts:
            assert action != "*" and not action.endswith(":*"), (role, statement)
        res = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if "*" in res:
            asked = {a for g in data["permissions"] for a in g["actions"] if "*" in g["resources"]}
            assert all(a in STAR_RESOURCE_ACTIONS or a in asked for a in acts), (role, statement)
    assert len(seen_roles) >= 1
