#!/usr/bin/env bash
# `npm run plan [-- prodlike]`: `cdktf diff <env>` against the environment's running built-in cluster
# (npm run up), which must show no changes right after a deploy.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/environment.sh "${1:-local}"
load_cluster_env
# The providers come from the toolchain's filesystem mirror: `terraform init` locks them from
# there, and cdktf's own lock step (which asks the public registry) is skipped (docs/toolchain.md).
npx cdktf diff "$MESH_ENV" --skip-provider-lock "${CDKTF_FLAGS[@]}"
