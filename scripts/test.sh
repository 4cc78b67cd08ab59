#!/usr/bin/env bash
# The test command (`npm test`): type check, lint, unit suite, the consumer-package check, and — when the
# real toolchain is installed (scripts/toolchain.sh) — the integration suite against the local cluster.
# MESHSTACK_SKIP_INTEGRATION=1 skips the last step; MESHSTACK_REQUIRE_INTEGRATION=1 (CI) fails instead.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "type check (TypeScript 7)"
node node_modules/tsc7/bin/tsc --noEmit -p tsconfig.json

step "lint"
npx eslint .
npx prettier --check . --log-level warn

step "unit tests"
npx jest --selectProjects unit --ci "$@"

step "consumer package"
bash test/consumer/run.sh

if [ "${MESHSTACK_SKIP_INTEGRATION:-}" = 1 ]; then
  step "integration tests skipped (MESHSTACK_SKIP_INTEGRATION=1)"
  exit 0
fi
if ! bash scripts/toolchain.sh --check >/dev/null; then
  if [ "${MESHSTACK_REQUIRE_INTEGRATION:-}" = 1 ]; then
    echo "toolchain missing and MESHSTACK_REQUIRE_INTEGRATION=1: run scripts/toolchain.sh" >&2
    bash scripts/toolchain.sh --check >&2 || true
    exit 1
  fi
  step "integration tests skipped: toolchain not installed (npm run toolchain installs it)"
  exit 0
fi

step "integration tests (real OpenBao, Consul, Nomad, Terraform)"
started=0
if ! bash scripts/cluster.sh status >/dev/null 2>&1; then
  bash scripts/cluster.sh up
  started=1
elif [ "$(curl -sf http://127.0.0.1:4646/v1/jobs || echo '[]')" != "[]" ]; then
  # The suite deploys its own copy of `local` (same mounts, jobs and ports) and destroys it.
  echo "the local cluster is running a deployment (npm run up); the integration suite needs an empty" >&2
  echo "cluster: run 'npm run down' first, or MESHSTACK_SKIP_INTEGRATION=1 npm test" >&2
  exit 1
fi
trap '[ $started = 1 ] && bash scripts/cluster.sh down' EXIT
npx jest --selectProjects integration --runInBand --ci
