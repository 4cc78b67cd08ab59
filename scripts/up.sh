#!/usr/bin/env bash
# The main job (`npm run up [-- prodlike|peered]`): installs the toolchain, starts the environment's
# built-in cluster (`local` by default; `prodlike` is the production-shaped one, `peered` two of them
# joined by cluster peering), deploys its stacks with `cdktf deploy` and prints what is running. Safe
# to re-run: every step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/environment.sh "${1:-local}"
[ -d node_modules ] || bash scripts/npm-install.sh
bash scripts/toolchain.sh
cluster_up
load_cluster_env

echo "[up] deploying with: cdktf deploy ${STACKS[*]} --auto-approve --skip-provider-lock"
# The providers come from the toolchain's filesystem mirror: `terraform init` records their
# checksums in the stack's .terraform.lock.hcl, and cdktf's extra lock step, which asks the public
# registry for every platform's checksums, is skipped (docs/toolchain.md#provider-locking).
npx cdktf deploy "${STACKS[@]}" --auto-approve --skip-provider-lock "${CDKTF_FLAGS[@]}"
for stack in "${STACKS[@]}"; do npx tsx local/describe.ts "$stack"; done
