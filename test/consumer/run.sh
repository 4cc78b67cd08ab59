#!/usr/bin/env bash
# Proves the package works for another repo: packs meshstack with `npm pack`, installs the tarball into a
# throwaway TypeScript project (dependencies from the npm cache), type-checks a stack that imports the
# constructs with TypeScript 7, and synthesizes it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$root" && npm pack --silent --pack-destination "$work" >/dev/null 2>&1)
tarball="$(ls "$work"/meshstack-*.tgz)"
cp -r "$root/test/consumer/fixture/." "$work/"
cd "$work"
# The peers at the versions this repository develops against (the peer ranges also admit cdktn).
deps=$(node -e 'const p=require(process.argv[1]); console.log(Object.keys(p.peerDependencies).map((n)=>n+"@"+p.devDependencies[n]).join(" "))' "$root/package.json")
# MESHSTACK_CONSUMER_NPM_FLAGS: extra npm flags (the cdktn run needs --legacy-peer-deps: the
# prebuilt provider bindings declare cdktf ^0.21 as their peer).
flags=(--no-audit --no-fund --loglevel=error ${MESHSTACK_CONSUMER_NPM_FLAGS:-})
npm install "${flags[@]}" --prefer-offline "$tarball" $deps "typescript@npm:typescript@7.0.2" tsx@4.23.15 >/dev/null 2>&1 \
  || npm install "${flags[@]}" "$tarball" $deps "typescript@npm:typescript@7.0.2" tsx@4.23.15
echo "consumer package: framework $(node -p 'const p = require("cdktf/package.json"); p.name + "@" + p.version')"
node node_modules/typescript/bin/tsc --noEmit -p tsconfig.json
node_modules/.bin/tsx app.ts
node -e '
const j = require("./cdktf.out/stacks/consumer/cdk.tf.json");
const n = (t) => Object.keys(j.resource[t] || {}).length;
if (n("vault_mount") !== 2 || n("consul_config_entry_service_intentions") < 2) { console.error("consumer stack incomplete"); process.exit(1); }
const p = require("./cdktf.out/stacks/platform/cdk.tf.json");
const jobs = Object.values(p.resource.nomad_job).map((r) => JSON.parse(r.jobspec).Job.ID).sort().join(",");
if (jobs !== "billing,consul,traefik" || !p.resource.consul_certificate_authority) { console.error("consumer platform incomplete: " + jobs); process.exit(1); }
console.log("consumer package: typed import and synth ok (" + Object.keys(j.resource).length + " resource types; the platform with " + jobs + ")");'
# The plan-review bin, as a consumer repo's pull-request workflow calls it, on a real plan.
code=0
npx --no-install meshstack-plan-review local --plan-json "$root/test/plan-review/fixtures/local-destroy.plan.json" \
  --out review.md >/dev/null 2>review.err || code=$?
[ "$code" = 2 ] || { cat review.err; echo "meshstack-plan-review exited $code on a destroy plan, not 2" >&2; exit 1; }
grep -q "^<!-- meshstack-plan-review:local -->" review.md && grep -q "Destroy\*\* Traefik ingress job" review.md \
  || { echo "meshstack-plan-review did not flag the destroy" >&2; exit 1; }
node -e 'const { summarizePlan } = require("meshstack/plan-review"); if (typeof summarizePlan !== "function") process.exit(1)'
echo "consumer package: meshstack-plan-review bin and meshstack/plan-review import ok"
# A new repository of each shape, as `npx meshstack init` writes it: npm install and npm test (type
# check, then its synth test) pass with nothing beside the package.
for shape in app platform; do
  npx --no-install meshstack init "new-$shape" "--$shape" --meshstack "$tarball" >/dev/null
  (cd "new-$shape" && { npm install "${flags[@]}" --prefer-offline >/dev/null 2>&1 || npm install "${flags[@]}"; } \
    && npm test >test.log 2>&1) || { cat "new-$shape/test.log" 2>/dev/null; echo "meshstack init --$shape: the new repository's npm test failed" >&2; exit 1; }
  echo "consumer package: meshstack init --$shape, then npm install and npm test in the new repository ok"
done
