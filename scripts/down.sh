#!/usr/bin/env bash
# `npm run down [-- prodlike|peered]`: stops the environment's built-in cluster and removes everything it
# made (processes, namespaces, bridges, iptables rules, state).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/environment.sh "${1:-local}"
cluster_down
