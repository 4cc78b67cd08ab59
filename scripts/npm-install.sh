#!/usr/bin/env bash
# Installs node_modules from the committed lockfile, exactly as users and CI systems do (`npm ci`).
# The lockfile lists every platform's optional binaries (@swc/core, the resolver bindings), so it
# stays in sync wherever it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
