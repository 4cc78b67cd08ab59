#!/usr/bin/env bash
# The main job (`npm run up`): installs the toolchain, starts the local cluster, deploys the `local`
# stack and prints what is running. Safe to re-run: every step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || bash scripts/npm-install.sh
bash scripts/toolchain.sh
eval "$(bash scripts/toolchain.sh --env)"
bash scripts/cluster.sh up
set -a; source .local/cluster.env; set +a
export MESHSTACK_ENVIRONMENTS=local

toolchain=0
bash scripts/toolchain.sh --check >/dev/null || toolchain=$?
if [ "$toolchain" = 0 ]; then
  npx cdktf deploy local --auto-approve
else
  # Some providers cannot be installed here (docs/toolchain.md): Terraform applies what it can and
  # the servers' APIs apply the rest, from bodies Terraform evaluated.
  npx cdktf synth
  npx tsx scripts/local-deploy/cli.ts up local
fi
npx tsx scripts/describe-local.ts
