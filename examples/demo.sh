#!/usr/bin/env bash
# `make demo`: the whole story on the embedded local AWS.
set -euo pipefail
cd "$(dirname "$0")/.."
for example in web bluegreen worker; do
  ecsship validate -f "examples/$example/ecsship.yaml"
done
