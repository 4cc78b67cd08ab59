#!/usr/bin/env bash
# `npm run plan:local`: `cdktf diff local` against the running local cluster (npm run up), then
# Nomad's own view of the jobs, which the nomad provider's plan cannot fully see (docs/drift.md).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/toolchain.sh --env)"
set -a; . .local/cluster.env; set +a
export MESHSTACK_ENVIRONMENTS=local
# The providers come from the toolchain's filesystem mirror: `terraform init` locks them from
# there, and cdktf's own lock step (which asks the public registry) is skipped (docs/toolchain.md).
npx cdktf diff local --skip-provider-lock
