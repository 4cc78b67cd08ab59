#!/usr/bin/env bash
# The main job (`npm run up`): installs the toolchain, starts the local cluster, deploys the `local`
# stack with cdktf and prints what is running. Safe to re-run: every step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
bash scripts/toolchain.sh
eval "$(bash scripts/toolchain.sh --env)"
bash scripts/cluster.sh up
set -a; source .local/cluster.env; set +a
export MESHSTACK_ENVIRONMENTS=local
npx cdktf deploy local --auto-approve --no-color
npx tsx scripts/describe-local.ts
