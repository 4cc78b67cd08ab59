#!/usr/bin/env bash
# Installs node_modules from the committed lockfile. `npm ci` first; where the registry mirror serves
# no packages for other platforms (the optional darwin/win32 binaries of @swc/core and friends answer
# 404, so npm leaves them out of the lockfile and `npm ci` rejects it as out of sync), fall back to
# `npm install --no-save`, which installs the same locked versions and changes no file.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error 2>/dev/null && exit 0
echo "npm ci: lockfile lacks other platforms' optional packages here; installing the locked versions with npm install --no-save" >&2
npm install --no-save --no-audit --no-fund --loglevel=error
git diff --quiet -- package.json package-lock.json 2>/dev/null || { echo "npm install changed the lockfile" >&2; exit 1; }
