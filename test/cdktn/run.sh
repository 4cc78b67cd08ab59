#!/usr/bin/env bash
# Proves meshstack builds with CDK Terrain (cdktn), the community continuation of cdktf: copies the
# checkout without node_modules, resolves `cdktf` to cdktn through an npm alias (the provider
# bindings' own `cdktf` imports included), runs the unit suite unchanged (snapshots too),
# synthesizes every environment, and runs the consumer-package test against cdktn. With MESHSTACK_CDKTN_PLAN=1 and the `npm run up` deployment
# running, it also plans the cdktn-synthesized `local` stack against that deployment's state:
# Terraform must find no changes (same infrastructure from either framework).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
CDKTN_VERSION=0.24.0
CONSTRUCTS_VERSION=10.7.0   # cdktn 0.24 accepts constructs >= 10.6 < 10.8
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work")
cd "$work"
node -e '
const fs = require("fs");
const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
const alias = "npm:cdktn@" + process.argv[1];
p.devDependencies.cdktf = alias;
p.devDependencies.constructs = process.argv[2];
delete p.devDependencies["cdktf-cli"];
p.overrides = { cdktf: alias, constructs: process.argv[2] };
fs.writeFileSync("package.json", JSON.stringify(p, null, 2));' "$CDKTN_VERSION" "$CONSTRUCTS_VERSION"
rm -f package-lock.json
npm install --no-audit --no-fund --prefer-offline --legacy-peer-deps --loglevel=error >install.log 2>&1 \
  || { cat install.log; exit 1; }
node -e 'const v = require("cdktf/package.json"); if (v.name !== "cdktn") { console.error("cdktf did not resolve to cdktn: " + v.name); process.exit(1); } console.log("cdktf resolves to " + v.name + " " + v.version)'
npx jest --selectProjects unit --ci --silent
node -r ./scripts/register-ts.js main.ts
for env in local staging prod; do
  test -s "cdktf.out/stacks/$env/cdk.tf.json" || { echo "cdktn did not synthesize $env" >&2; exit 1; }
done
echo "cdktn: unit suite and synthesis of local, staging and prod ok"

# The consumer test, from a tarball built with cdktn, installed beside cdktn (this copy's
# package.json pins the peers to cdktn and its constructs).
git init -q . && git add -A >/dev/null 2>&1   # npm pack honours the files list; git keeps it honest
MESHSTACK_CONSUMER_NPM_FLAGS=--legacy-peer-deps bash test/consumer/run.sh | sed 's/^/cdktn: /'

if [ "${MESHSTACK_CDKTN_PLAN:-}" = 1 ]; then
  # The local stack keeps its state under .local/cluster (a relative path): share the checkout's.
  ln -s "$root/.local" .local
  eval "$(bash "$root/scripts/toolchain.sh" --env)"
  set -a; . "$root/.local/cluster.env"; set +a
  cd cdktf.out/stacks/local
  terraform init -input=false -no-color >/dev/null
  code=0; terraform plan -detailed-exitcode -input=false -no-color >plan.txt || code=$?
  [ "$code" = 0 ] || { cat plan.txt; echo "cdktn: the local stack plans changes against the cdktf deployment" >&2; exit 1; }
  echo "cdktn: the local stack synthesized by cdktn plans no changes against the deployment made with cdktf"
fi
