#!/usr/bin/env bash
# A throwaway single-machine cluster for meshstack: OpenBao (Vault API), Consul and Nomad dev
# agents on 127.0.0.1 with their default ports, binaries from the toolchain cache
# (scripts/toolchain.sh). State and logs live in .local/ (git-ignored); all state is in
# memory or under .local, so `down` + `up` always gives a fresh cluster.
#
# Usage: scripts/cluster.sh up|down|status|env
#   up      start what is not running, wait for health, write .local/cluster.env
#   down    stop every agent and task, remove network namespaces, wipe .local/cluster
#   status  health of each agent (exit 1 if any is down)
#   env     print .local/cluster.env (KEY=VALUE lines: `set -a; . .local/cluster.env`)
# MESHSTACK_CLUSTER=test selects a second instance (.local/test-cluster, .local/test-cluster.env,
# ports + 10000, its own bridge and subnet) that runs beside the user's: the integration suite's.
# Needs root (Nomad bridge networking), Linux, no Docker.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL="$ROOT/.local"
eval "$("$ROOT/scripts/toolchain.sh" --env)"
BIN=$(dirname "$(command -v nomad 2>/dev/null || echo /nonexistent/nomad)")

# Connect sidecars run in the allocation's network namespace, where 127.0.0.1 is the alloc's
# own loopback: Nomad must advertise an address reachable from there. We pre-create Nomad's
# CNI bridge with its usual gateway address and make it the client's network interface, so
# service addresses point at the bridge (never at eth0 or any outside address).
case "${MESHSTACK_CLUSTER:-local}" in
  local) STATE="$LOCAL/cluster" ENV_FILE="$LOCAL/cluster.env" OFFSET=0
         BRIDGE=nomad BRIDGE_CIDR=172.26.64.1/20 SUBNET_RE='172\.26\.(6[4-9]|7[0-9])\.' ;;
  test)  STATE="$LOCAL/test-cluster" ENV_FILE="$LOCAL/test-cluster.env" OFFSET=10000
         BRIDGE=nomadtest BRIDGE_CIDR=172.26.80.1/20 SUBNET_RE='172\.26\.(8[0-9]|9[0-5])\.' ;;
  *) echo "MESHSTACK_CLUSTER must be local or test, not \"$MESHSTACK_CLUSTER\"" >&2; exit 2 ;;
esac
port() { echo $(($1 + OFFSET)); }   # the instance's port for a default port
VAULT_PORT=$(port 8200) CONSUL_PORT=$(port 8500) CONSUL_GRPC_PORT=$(port 8502) NOMAD_PORT=$(port 4646)
# Short and unique per checkout and instance: unix socket paths under it must stay < 108 bytes.
SHORT_DATA="/tmp/meshstack-nomad-$(echo "$ROOT:$BRIDGE" | md5sum | cut -c1-8)"

export VAULT_ADDR=http://127.0.0.1:$VAULT_PORT CONSUL_HTTP_ADDR=http://127.0.0.1:$CONSUL_PORT NOMAD_ADDR=http://127.0.0.1:$NOMAD_PORT
unset CONSUL_HTTP_TOKEN NOMAD_TOKEN   # ACLs are off; a stale token from the shell would only confuse

LOG_TAG=cluster
# shellcheck source=agents.sh
. "$ROOT/scripts/agents.sh"

# alive NAME: the recorded pid still runs that binary (not a recycled pid).
alive() { local p; p=$(cat "$STATE/$1.pid" 2>/dev/null) && [ "$(basename "$(readlink "/proc/$p/exe" 2>/dev/null)")" = "$1" ]; }
healthy() {
  case $1 in
    bao)    curl -sf -m 2 "$VAULT_ADDR/v1/sys/health" >/dev/null ;;
    consul) [ -n "$(curl -sf -m 2 "$CONSUL_HTTP_ADDR/v1/status/leader" | tr -d '"')" ] ;;
    # Ready node whose Consul fingerprint is in: Connect jobs are rejected before that.
    nomad)  curl -sf -m 2 "$NOMAD_ADDR/v1/nodes?resources=false" \
              | jq -e 'any(.[]; .Status == "ready")' >/dev/null \
            && curl -sf -m 2 "$NOMAD_ADDR/v1/node/$(curl -sf -m 2 "$NOMAD_ADDR/v1/agent/self" | jq -r .stats.client.node_id)" \
              | jq -e '.Attributes["consul.version"] and .Attributes["nomad.bridge.hairpin_mode"]' >/dev/null ;;
  esac
}
# start NAME CMD...: own session/process group, so `down` can kill the whole tree at once.
start() {
  local name=$1; shift
  if alive "$name"; then say "$name already running (pid $(cat "$STATE/$name.pid"))"; return 0; fi
  say "starting $name"
  setsid "$@" >"$STATE/$name.log" 2>&1 </dev/null 8>&- 9>&- &   # locks (test suite 8, cluster 9) stay with their scripts
  echo $! >"$STATE/$name.pid"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

nomad_config() {
  cat <<HCL
# Written by scripts/cluster.sh.
name      = "meshstack-$BRIDGE"
data_dir  = "$NOMAD_DATA"
bind_addr = "127.0.0.1"
log_level = "INFO"
ports {
  http = $NOMAD_PORT
  rpc  = $(port 4647)
  serf = $(port 4648)
}
advertise {   # Nomad refuses to default these to loopback on its own
  http = "127.0.0.1"
  rpc  = "127.0.0.1"
  serf = "127.0.0.1"
}
server {
  enabled          = true
  bootstrap_expect = 1
}
client {
  enabled           = true
  servers           = ["127.0.0.1:$(port 4647)"]
  network_interface = "$BRIDGE"
  bridge_network_name   = "$BRIDGE"
  bridge_network_subnet = "${BRIDGE_CIDR%.*}.0/20"
  cni_path          = "/usr/lib/cni"
  cni_config_dir    = "$STATE/cni"
$(version_at_least "$NOMAD_VERSION" 1.8.0 && echo "  alloc_mounts_dir  = \"$STATE/alloc_mounts\"   # default is data_dir/.., i.e. /tmp with the symlink" || true)
  options {
    # Cloud fingerprinters probe the metadata address 169.254.169.254 (and env_aws dies on
    # AWS_CA_BUNDLE): a laptop/CI cluster has no cloud.
    "fingerprint.denylist" = "env_aws,env_gce,env_azure,env_digitalocean"
    # No Docker engine here: raw_exec (and exec) only, without docker's error every minute.
    "driver.denylist"      = "docker,java,qemu"
  }
  # Static ports meant for the host user (e.g. an ingress) can ask for host_network = "loopback".
  host_network "loopback" {
    cidr = "127.0.0.1/32"
  }
}
plugin "raw_exec" {
  config {
    enabled = true
  }
}
consul {
  address      = "127.0.0.1:$CONSUL_PORT"
  grpc_address = "127.0.0.1:$CONSUL_GRPC_PORT"
}
$(nomad_vault_config)
HCL
}

# Nomad's Vault access, as the stack sets Vault up for this Nomad version: workload identity (the
# stack's jwt-nomad backend) from 1.7; before, the servers' token minting task tokens from the
# stack's nomad-cluster role (Nomad retries every 30 s until the first deploy has created it). Jobs
# that use Vault (e.g. an ingress certificate) validate and run here as on a real cluster.
nomad_vault_config() {
  if version_at_least "$NOMAD_VERSION" 1.7.0; then
    cat <<HCL
vault {
  enabled               = true
  address               = "$VAULT_ADDR"
  jwt_auth_backend_path = "jwt-nomad"
  default_identity {
    aud = ["vault.io"]
    ttl = "1h"
  }
}
HCL
  else
    cat <<HCL
vault {
  enabled          = true
  address          = "$VAULT_ADDR"
  token            = "$(cat "$STATE/bao.token")"   # the dev server's root token: a throwaway cluster
  create_from_role = "nomad-cluster"
}
HCL
  fi
}

write_env() {
  cat >"$ENV_FILE.new" <<ENV
VAULT_ADDR=$VAULT_ADDR
VAULT_TOKEN=$(cat "$STATE/bao.token")
CONSUL_HTTP_ADDR=$CONSUL_HTTP_ADDR
CONSUL_HTTP_TOKEN=
NOMAD_ADDR=$NOMAD_ADDR
NOMAD_TOKEN=
MESHSTACK_NOMAD_VERSION=$NOMAD_VERSION
MESHSTACK_CONSUL_VERSION=$(server_version consul)
ENV
  mv "$ENV_FILE.new" "$ENV_FILE"
}

up() {
  [ "$(id -u)" -eq 0 ] || die "run as root: Nomad needs it for bridge networking"
  for b in bao consul nomad envoy; do command -v $b >/dev/null || die "$b missing: run scripts/toolchain.sh"; done
  NOMAD_VERSION=$(server_version nomad)
  [ -n "$NOMAD_VERSION" ] || die "$(command -v nomad) does not print a version"
  mkdir -p "$STATE/cni"
  # Nomad puts unix sockets under data_dir (alloc/<id>/alloc/tmp/consul_grpc.sock): keep the
  # path under the 108-byte sun_path limit with a short symlink when the checkout is deep.
  NOMAD_DATA="$STATE/nomad"
  if [ $((${#NOMAD_DATA} + 70)) -gt 107 ]; then
    ln -sfn "$STATE/nomad" "$SHORT_DATA"
    NOMAD_DATA="$SHORT_DATA"
  fi
  mkdir -p "$STATE/nomad"

  local name port
  for name in "bao:$VAULT_PORT" "consul:$CONSUL_PORT" "nomad:$NOMAD_PORT"; do
    port=${name#*:} name=${name%:*}
    alive "$name" || port_free "$port" || die "127.0.0.1:$port is taken by a process this script did not start"
  done

  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge && ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  [ -s "$STATE/bao.token" ] || od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$STATE/bao.token"
  start bao bao server -dev -dev-listen-address="127.0.0.1:$VAULT_PORT" -dev-root-token-id="$(cat "$STATE/bao.token")"
  # Consul's HTTP/DNS also listen on the bridge gateway: allocations (Traefik's catalog provider,
  # templates) reach the node's agent there, as they would on a real client. ACLs are off here, so
  # the intention default would be allow: deny it, as ACLs do elsewhere, or an L7 allow-list would
  # let through every request it does not match (Consul falls back to the default, not to `* -> *`).
  # The ACL default policy sets the intention default even with ACLs off (every Consul version;
  # `default_intention_policy` exists only in recent ones).
  start consul consul agent -dev -node="meshstack-$BRIDGE" -bind=127.0.0.1 -client="127.0.0.1 ${BRIDGE_CIDR%/*}" \
    -http-port="$CONSUL_PORT" -grpc-port="$CONSUL_GRPC_PORT" -dns-port="$(port 8600)" -server-port="$(port 8300)" \
    -serf-lan-port="$(port 8301)" -serf-wan-port="$(port 8302)" -hcl "connect { enabled = true }" -hcl "ports { grpc_tls = $(port 8503) }" \
    -hcl 'acl { default_policy = "deny" }'
  wait_healthy bao 30
  wait_healthy consul 60

  # Replies between two allocs on the bridge must pass conntrack to be un-DNATed.
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.ipv4.ip_forward=1 || true
  nomad_config >"$STATE/nomad.hcl"
  # PATH: Nomad runs `consul connect envoy -bootstrap` for every sidecar.
  PATH="$BIN:$PATH" start nomad nomad agent -config "$STATE/nomad.hcl"
  wait_healthy nomad 90
  write_env
  say "cluster up; env in ${ENV_FILE#"$ROOT/"}"
  status
}

down() {
  local jobs j alloc m i
  if alive nomad && alive consul; then
    # Stopping jobs first lets Nomad run CNI DEL (iptables, veths) and deregister services.
    jobs=$(curl -sf -m 5 "$NOMAD_ADDR/v1/jobs" | jq -r '.[] | select(.Status != "dead") | .ID' || true)
    for j in $jobs; do nomad job stop -detach "$j" >/dev/null 2>&1 || true; done
    for ((i = 0; i < 40; i++)); do
      curl -sf -m 5 "$NOMAD_ADDR/v1/allocations" | jq -e 'any(.[]; .ClientStatus == "running" or .ClientStatus == "pending")' >/dev/null || break
      sleep 0.5
    done
  fi
  kill_tree nomad; kill_tree consul; kill_tree bao
  kill_leftovers "$STATE/nomad" "$SHORT_DATA"
  if [ -d "$STATE/nomad/alloc" ]; then
    for alloc in $(ls "$STATE/nomad/alloc"); do ip netns del "$alloc" 2>/dev/null || true; done
  fi
  # Deepest first: secrets/private dirs may be mounted inside the alloc dirs.
  for m in $(awk -v s="$STATE/" 'index($2, s) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" || true; done
  ip link del "$BRIDGE" 2>/dev/null || true
  cni_cleanup
  rm -rf "$STATE/nomad" "$STATE/alloc_mounts" "$STATE"/*.log "$STATE"/terraform.tfstate* "$STATE/nomad.hcl" "$STATE/cni" "$ENV_FILE" "$SHORT_DATA"
  say "cluster down"
}

# After a crash Nomad never ran CNI DEL: drop the per-alloc iptables rules and chains of our
# bridge network and its IP reservations. (Empty shared chains stay, as after any Nomad.)
cni_cleanup() {
  local t rule rules chain
  for t in nat filter; do
    # Only our network's rules and the per-alloc chains they jump to: the other instance's stay.
    rules=$(iptables -t "$t" -S 2>/dev/null | grep -E "^-A .*($SUBNET_RE|name: \\\\\"$BRIDGE\\\\\")" || true)
    while read -r rule; do
      [ -n "$rule" ] && eval "iptables -t $t ${rule/#-A/-D}" 2>/dev/null || true
    done <<<"$rules"
    for chain in $(grep -oE -- '-j CNI-(DN-)?[0-9a-f]{16,}' <<<"$rules" | cut -d' ' -f2 | sort -u); do
      iptables -t "$t" -F "$chain" 2>/dev/null && iptables -t "$t" -X "$chain" 2>/dev/null || true
    done
  done
  rm -rf "/run/cni/$BRIDGE"   # host-local IPAM reservations (Nomad keeps them under /run)
}

status() { report_status bao consul nomad; }

locked
case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) [ -f "$ENV_FILE" ] || die "no $ENV_FILE: run scripts/cluster.sh up"; cat "$ENV_FILE" ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
