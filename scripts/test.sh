#!/usr/bin/env bash
# The test command (`npm test`): type check, lint, unit suite, the consumer-package check, and — when the
# real toolchain is installed (scripts/toolchain.sh) — the integration suites on clusters of their own:
# `local` on the local cluster's test instance, `prodlike` on a prod-shaped cluster, `peered` on two of them.
# MESHSTACK_SKIP_INTEGRATION=1 skips the last step; MESHSTACK_REQUIRE_INTEGRATION=1 (CI) fails instead.
# MESHSTACK_REQUIRE_CURRENT_DOCS=1 (CI) fails when the checked-in API reference (docs/api) is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "type check (TypeScript 7)"
node node_modules/tsc7/bin/tsc --noEmit -p tsconfig.json

step "lint"
npx eslint .
npx prettier --check . --log-level warn

step "API reference is current (docs/api)"
# docs/api is generated (typedoc + typedoc-plugin-markdown) and checked in, so the packed tarball
# carries it; regenerate it and fail when that changed anything.
npm run docs >/dev/null
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  if [ -n "$(git status --porcelain -- docs/api)" ]; then
    git status --short -- docs/api >&2
    # CI (MESHSTACK_REQUIRE_CURRENT_DOCS=1) fails; a working copy mid-change only hears about it.
    if [ "${MESHSTACK_REQUIRE_CURRENT_DOCS:-}" = 1 ]; then
      echo "docs/api is stale: run npm run docs and commit it" >&2
      exit 1
    fi
    echo "docs/api changed with this working copy: commit it with the change"
  fi
else
  echo "not a git work tree: skipping the docs/api staleness check"
fi

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

step "integration tests (real OpenBao, Consul, Nomad, Terraform) on their own clusters"
# The suites get clusters of their own (`local`'s test instance: .local/test-cluster, ports + 10000,
# its own bridge; `prodlike`'s: .local/prodlike-test, its own subnet and namespaces), so clusters
# left running by `npm run up` are neither needed nor touched. A previous run killed before its
# cleanup left them behind: start from fresh ones.
mkdir -p .local
exec 8>.local/test-suite.lock   # one integration run per checkout at a time; dies with its holder
if ! flock -n 8; then
  echo "waiting for the integration suite of pid $(cat .local/test-suite.pid 2>/dev/null || echo '?') to finish" >&2
  flock 8
fi
echo $$ >.local/test-suite.pid
down_all() {
  MESHSTACK_CLUSTER=test bash scripts/cluster.sh down >/dev/null 2>&1 || true
  MESHSTACK_CLUSTER=prodlike-test bash scripts/prodlike.sh down >/dev/null 2>&1 || true
  MESHSTACK_CLUSTER=peered-test-east bash scripts/prodlike.sh down >/dev/null 2>&1 || true
  MESHSTACK_CLUSTER=peered-test-west bash scripts/prodlike.sh down >/dev/null 2>&1 || true
}
down_all
trap down_all EXIT
trap 'exit 130' INT TERM

step "integration: local on .local/test-cluster"
MESHSTACK_CLUSTER=test bash scripts/cluster.sh up
MESHSTACK_CLUSTER=test npx jest --selectProjects integration --runInBand --ci
MESHSTACK_CLUSTER=test bash scripts/cluster.sh down >/dev/null

step "integration: prodlike (TLS, ACLs, three clients, agent job; transparent proxy on Nomad 1.8+) on .local/prodlike-test"
MESHSTACK_CLUSTER=prodlike-test bash scripts/prodlike.sh up
# Node reads extra CAs only at start: the suite talks to the cluster's TLS servers.
MESHSTACK_CLUSTER=prodlike-test NODE_EXTRA_CA_CERTS="$PWD/.local/prodlike-test/tls/ca.pem" \
  npx jest --selectProjects prodlike --runInBand --ci
MESHSTACK_CLUSTER=prodlike-test bash scripts/prodlike.sh down >/dev/null

step "integration: two prod-shaped datacenters joined by cluster peering on .local/peered-test"
MESHSTACK_CLUSTER=peered-test-west bash scripts/prodlike.sh up
MESHSTACK_CLUSTER=peered-test-east bash scripts/prodlike.sh up
MESHSTACK_CLUSTER=peered-test NODE_EXTRA_CA_CERTS="$PWD/.local/peered-test/west/tls/ca.pem" \
  npx jest --selectProjects peered --runInBand --ci
