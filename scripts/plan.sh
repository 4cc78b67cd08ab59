#!/usr/bin/env bash
# `npm run plan [-- prodlike|peered]`: `cdktf diff` of each of the environment's stacks against its
# running built-in cluster (npm run up), which must show no changes right after a deploy.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/environment.sh "${1:-local}"
load_cluster_env
# The providers come from the toolchain's filesystem mirror: `terraform init` locks them from
# there, and cdktf's own lock step (which asks the public registry) is skipped (docs/toolchain.md).
for stack in "${STACKS[@]}"; do npx cdktf diff "$stack" --skip-provider-lock "${CDKTF_FLAGS[@]}"; done
