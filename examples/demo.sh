#!/usr/bin/env bash
# `make demo`: the whole story on the embedded local AWS, in about a minute.
#   local up -> validate -> plan -> apply the web example -> migrate (one-off task, v2) -> deploy v2 (success)
#   -> deploy `broken` (health checks fail, automatic rollback, exit 1) -> status -> local down
set -uo pipefail
cd "$(dirname "$0")/.."
PORT="${ECSSHIP_DEMO_PORT:-4566}"
WEB=examples/web/ecsship.yaml
L=(--local --local-port "$PORT")

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { echo "demo failed: $*" >&2; exit 1; }

step "Start the embedded local AWS on 127.0.0.1:$PORT"
started_here=0
if ecsship local status --port "$PORT" >/dev/null 2>&1; then
  echo "(already running: resetting it to the seeded account)"
  ecsship local reset --port "$PORT" || fail "local reset"
else
  ecsship local up --port "$PORT" --speed 60 || fail "local up"
  started_here=1
fi
cleanup() { if [ "$started_here" = 1 ]; then step "Stop the local AWS"; ecsship local down --port "$PORT"; fi; }
trap cleanup EXIT

step "Validate the three examples"
for example in web bluegreen worker; do
  ecsship validate -f "examples/$example/ecsship.yaml" || fail "validate $example"
done

step "Plan the web service (read-only)"
ecsship plan -f "$WEB" "${L[@]}"
[ $? -le 2 ] || fail "plan"

step "Apply it: cluster, roles, logs, security groups, target group, rule, endpoints, service, alarms"
ecsship apply -f "$WEB" "${L[@]}" --yes || fail "apply"

step "Plan again: nothing to change"
ecsship plan -f "$WEB" "${L[@]}" --detailed-exitcode || fail "second plan is not empty"

step "Migrate the database first: a one-off task of the v2 image (the service's roles and network)"
ecsship run -f "$WEB" "${L[@]}" --image-tag v2 -- bin/migrate up || fail "migration"

step "Deploy v2 (rolling, circuit breaker on)"
ecsship deploy -f "$WEB" "${L[@]}" --image-tag v2 || fail "deploy v2"

step "Deploy a broken image: health checks fail, the circuit breaker rolls back, exit 1"
ecsship deploy -f "$WEB" "${L[@]}" --image-tag broken
code=$?
[ "$code" = 1 ] || fail "deploy broken exited $code, expected 1"
echo "(exit $code, as expected: the service is back on v2)"

step "Status"
ecsship status -f "$WEB" "${L[@]}" || fail "status"

step "Deployment history"
ecsship history -f "$WEB" "${L[@]}" || true
echo
echo "Demo complete."
