#!/usr/bin/env bash
# The main job (`npm run up`): installs the toolchain, starts the local cluster, deploys the `local`
# stack with `cdktf deploy` and prints what is running. Safe to re-run: every step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || bash scripts/npm-install.sh
bash scripts/toolchain.sh
eval "$(bash scripts/toolchain.sh --env)"
bash scripts/cluster.sh up
set -a; source .local/cluster.env; set +a
export MESHSTACK_ENVIRONMENTS=local

echo "[up] deploying with: cdktf deploy local --auto-approve --skip-provider-lock"
# The providers come from the toolchain's filesystem mirror: `terraform init` records their
# checksums in the stack's .terraform.lock.hcl, and cdktf's extra lock step, which asks the public
# registry for every platform's checksums, is skipped (docs/toolchain.md#provider-locking).
npx cdktf deploy local --auto-approve --skip-provider-lock
npx tsx local/describe.ts
