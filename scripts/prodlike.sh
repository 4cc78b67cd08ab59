#!/usr/bin/env bash
# A production-shaped cluster on one machine, for the `prodlike` environment: OpenBao (Vault API)
# with a TLS listener, a Consul server with ACLs (default deny), TLS and gossip encryption, a Nomad
# server with ACLs and mTLS, and three Nomad clients, each in its own network namespace with its own
# address. No Consul runs on the clients: the stack's ConsulAgentJob (a Nomad system job) does.
# Bootstrap certificates, gossip keys and management tokens are made at `up`, under .local/ only.
#
# Usage: scripts/prodlike.sh up|down|status|env|stop-client N|start-client N|restart-vault
#   up              start what is not running, wait for health, write <state>/cluster.env
#   down            stop every agent and task, remove namespaces, bridges and state
#   status          health of each agent (exit 1 if any is down)
#   env             print <state>/cluster.env (`set -a; . .local/prodlike/cluster.env`)
#   stop-client N   lose Nomad client N (1-3) as a machine is lost: its agent and every task it runs
#                   (Consul agent, sidecars, apps) killed, its namespace and data dir left in place
#   start-client N  start Nomad client N again, as `up` does, and wait until it is ready
#   restart-vault   stop OpenBao, start it with the same config and storage, unseal it with the
#                   stored key, wait for health
# MESHSTACK_CLUSTER=prodlike (default; .local/prodlike, 172.26.96.0/24) or prodlike-test (the
# integration suite's: .local/prodlike-test, 172.26.112.0/24): the two run side by side, and beside
# the `local` cluster. Needs root, Linux, no Docker.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
eval "$("$ROOT/scripts/toolchain.sh" --env)"
BIN=$(dirname "$(command -v nomad 2>/dev/null || echo /nonexistent/nomad)")
CLIENTS=(1 2 3)

# The two datacenters of a peered pair (peered-*: environments/peered.ts) run two clients each; the
# accepting one (east) takes the dialing one's (west's) bootstrap CA, management secrets and gossip
# keys, and keeps its Terraform state in west's Consul: one cdktf run deploys both stacks with one set
# of credentials (docs/clusters.md, "Two datacenters").
SHARED=""
case "${MESHSTACK_CLUSTER:-prodlike}" in
  prodlike)      INSTANCE=prodlike NET=172.26.96 ALLOC_NET=97 TAG=mshp ;;
  prodlike-test) INSTANCE=prodlike-test NET=172.26.112 ALLOC_NET=113 TAG=mshq ;;
  peered-west)   INSTANCE=peered/west NET=172.26.128 ALLOC_NET=129 TAG=mshw ;;
  peered-east)   INSTANCE=peered/east NET=172.26.136 ALLOC_NET=137 TAG=mshe SHARED=peered/west ;;
  peered-test-west) INSTANCE=peered-test/west NET=172.26.144 ALLOC_NET=145 TAG=mshx ;;
  peered-test-east) INSTANCE=peered-test/east NET=172.26.152 ALLOC_NET=153 TAG=mshy SHARED=peered-test/west ;;
  *) echo "MESHSTACK_CLUSTER must be prodlike, prodlike-test, peered-west, peered-east, peered-test-west or" \
       "peered-test-east, not \"$MESHSTACK_CLUSTER\"" >&2; exit 2 ;;
esac
STATE="$ROOT/.local/$INSTANCE"
ENV_FILE="$STATE/cluster.env"
TLS="$STATE/tls"
SERVER_IP=$NET.1
BRIDGE=${TAG}0                       # the machines' network on the host: servers on .1
case $INSTANCE in
  peered*) DATACENTER=${INSTANCE##*/} CLIENTS=(1 2) STATE_PATH=meshstack/peered ;;
  *) DATACENTER=prod1 STATE_PATH=meshstack/prodlike ;;   # the prod environment's datacenter
esac
# Where the pair's shared material lives (west's state directory), for the accepting datacenter.
SOURCE=${SHARED:+$ROOT/.local/$SHARED}
# Nomad keeps unix sockets under data_dir: keep those paths short.
SHORT="/tmp/meshstack-$(echo "$ROOT:$INSTANCE" | md5sum | cut -c1-8)"

LOG_TAG=$INSTANCE
# shellcheck source=agents.sh
. "$ROOT/scripts/agents.sh"
client_ip() { echo "$NET.$((10 + $1))"; }
netns() { echo "$TAG-c$1"; }

export VAULT_ADDR=https://$SERVER_IP:8200 VAULT_CACERT=$TLS/ca.pem
export CONSUL_HTTP_ADDR=https://$SERVER_IP:8501 CONSUL_CACERT=$TLS/ca.pem
export NOMAD_ADDR=https://$SERVER_IP:4646 NOMAD_CACERT=$TLS/ca.pem
unset CONSUL_HTTP_TOKEN NOMAD_TOKEN VAULT_TOKEN
secret() { cat "$STATE/secrets/$1"; }
api() { curl -sf -m 5 --cacert "$TLS/ca.pem" "$@"; }   # api URL [curl options]

# alive NAME: the recorded pid still runs that binary (not a recycled pid).
alive() {
  local p; p=$(cat "$STATE/$1.pid" 2>/dev/null) || return 1
  [ "$(basename "$(readlink "/proc/$p/exe" 2>/dev/null)")" = "${1%%-*}" ]
}
healthy() {
  case $1 in
    bao) api "$VAULT_ADDR/v1/sys/health" >/dev/null ;;   # 200 only when initialized and unsealed
    consul) [ -n "$(api "$CONSUL_HTTP_ADDR/v1/status/leader" | tr -d '"')" ] ;;
    nomad) [ -n "$(api "$NOMAD_ADDR/v1/status/leader" | tr -d '"')" ] ;;
    nomad-c*) api -H "X-Nomad-Token: $(secret nomad-management)" "$NOMAD_ADDR/v1/nodes" \
                | jq -e --arg n "client-${1#nomad-c}" 'any(.[]; .Name == $n and .Status == "ready")' >/dev/null ;;
  esac
}
# start NAME CMD...: own session, so `down` can kill the whole tree; runs in $STATE (relative paths).
start() {
  local name=$1; shift
  if alive "$name"; then say "$name already running (pid $(cat "$STATE/$name.pid"))"; return 0; fi
  say "starting $name"
  # The CLI variables above are the user's, not the agents': Nomad's template runner, for one, would
  # take NOMAD_ADDR's https scheme for its in-process API connection.
  (cd "$STATE" && exec env -u VAULT_ADDR -u VAULT_CACERT -u CONSUL_HTTP_ADDR -u CONSUL_CACERT -u NOMAD_ADDR \
    -u NOMAD_CACERT setsid "$@" >"$STATE/$name.log" 2>&1 </dev/null 9>&-) &
  echo $! >"$STATE/$name.pid"
}

# --- bootstrap material: a CA, a certificate per agent, gossip keys, management tokens ---------
certificate() { # NAME SUBJECT_ALT_NAMES
  [ -s "$TLS/$1.pem" ] && return 0
  openssl ecparam -name prime256v1 -genkey -noout -out "$TLS/$1.key" 2>/dev/null
  openssl req -new -key "$TLS/$1.key" -subj "/CN=$1" -out "$TLS/$1.csr" 2>/dev/null
  openssl x509 -req -in "$TLS/$1.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial -days 30 -sha256 \
    -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n' "$2") \
    -out "$TLS/$1.pem" 2>/dev/null
  rm -f "$TLS/$1.csr"
}
bootstrap_material() {
  mkdir -p "$TLS" "$STATE/secrets"
  chmod 700 "$STATE/secrets" "$TLS"
  local s
  if [ -n "$SOURCE" ]; then
    [ -s "$SOURCE/secrets/nomad-bootstrapped" ] || die "start ${SOURCE#"$ROOT/.local/"} first: this datacenter shares its CA and secrets"
    cp -n "$SOURCE/tls/ca.pem" "$SOURCE/tls/ca.key" "$TLS/"
    for s in consul-gossip nomad-gossip consul-management nomad-management; do
      cp -n "$SOURCE/secrets/$s" "$STATE/secrets/$s"
    done
  fi
  if [ ! -s "$TLS/ca.pem" ]; then
    openssl ecparam -name prime256v1 -genkey -noout -out "$TLS/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$TLS/ca.key" -sha256 -days 30 -subj "/CN=meshstack ${INSTANCE//\//-} CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -out "$TLS/ca.pem" 2>/dev/null
  fi
  certificate bao "IP:$SERVER_IP,IP:127.0.0.1,DNS:localhost"
  certificate consul-server "DNS:server.$DATACENTER.consul,DNS:localhost,IP:$SERVER_IP,IP:127.0.0.1"
  certificate nomad-server "DNS:server.global.nomad,DNS:localhost,IP:$SERVER_IP,IP:127.0.0.1"
  local i
  for i in "${CLIENTS[@]}"; do
    certificate "nomad-c$i" "DNS:client.global.nomad,DNS:localhost,IP:$(client_ip "$i"),IP:127.0.0.1"
    # The node's Consul agent serves HTTPS and gRPC over TLS on loopback with it (the stack's agent job
    # reads consul-agent-<node name>.pem beside the CA).
    certificate "consul-agent-client-$i" "DNS:client.$DATACENTER.consul,DNS:localhost,IP:127.0.0.1"
  done
  for s in consul-gossip nomad-gossip; do
    [ -s "$STATE/secrets/$s" ] || head -c 32 /dev/urandom | base64 >"$STATE/secrets/$s"
  done
  for s in consul-management nomad-management; do
    [ -s "$STATE/secrets/$s" ] || cat /proc/sys/kernel/random/uuid >"$STATE/secrets/$s"
  done
}

# --- the machines' network: a host bridge, one namespace per client -----------------------------
network() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge && ip addr add "$SERVER_IP/24" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 || true
  local i ns proto
  for i in "${CLIENTS[@]}"; do
    ns=$(netns "$i")
    [ -e "/run/netns/$ns" ] && continue
    ip netns add "$ns"
    ip link add "$ns" type veth peer name eth0 netns "$ns"
    ip link set "$ns" master "$BRIDGE" up
    ip -n "$ns" addr add "$(client_ip "$i")/24" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "$SERVER_IP"
    # Bridge-mode allocations inside: replies must pass conntrack to be un-DNATed (per namespace).
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 || true
    # The node resolves through its Consul agent, as a real node forwarding DNS to Consul would:
    # `ip netns exec` mounts this resolv.conf for the client and its raw_exec tasks (which, unlike
    # chroot drivers, get no resolv.conf from Nomad), and port 53 goes to Consul's 8600.
    mkdir -p "/etc/netns/$ns"
    echo "nameserver $(client_ip "$i")" >"/etc/netns/$ns/resolv.conf"
    for proto in udp tcp; do
      ip netns exec "$ns" iptables -t nat -A OUTPUT -d "$(client_ip "$i")" -p $proto --dport 53 \
        -j DNAT --to-destination "$(client_ip "$i"):8600"
    done
  done
}

# --- servers ---------------------------------------------------------------------------------------
# Integrated storage (Raft, one node; OpenBao has no file backend) under the state directory: a
# restarted OpenBao (`restart-vault`) keeps its mounts, policies and tokens and needs only the stored
# unseal key; `down` removes it with the state.
bao_config() {
  mkdir -p "$STATE/bao-data"
  cat <<HCL
storage "raft" {
  path                   = "bao-data"
  node_id                = "bao-1"
  performance_multiplier = 1   # one node, one host: elect itself within a second, not five
}
cluster_addr  = "https://$SERVER_IP:8201"
listener "tcp" {
  address       = "$SERVER_IP:8200"
  tls_cert_file = "tls/bao.pem"
  tls_key_file  = "tls/bao.key"
}
api_addr      = "https://$SERVER_IP:8200"
disable_mlock = true
ui            = false
HCL
}

# A fresh OpenBao starts sealed and empty: initialize with one key share, unseal; a restarted one
# only needs unsealing.
bao_init() {
  local init
  if ! api "$VAULT_ADDR/v1/sys/init" | jq -e .initialized >/dev/null; then
    init=$(api -m 30 -X PUT "$VAULT_ADDR/v1/sys/init" -d '{"secret_shares":1,"secret_threshold":1}') \
      || die "OpenBao init failed; see ${STATE#"$ROOT/"}/bao.log"
    jq -r '.keys_base64[0]' <<<"$init" >"$STATE/secrets/bao-unseal"
    jq -r .root_token <<<"$init" >"$STATE/secrets/bao-root"
  fi
  api -X PUT "$VAULT_ADDR/v1/sys/unseal" -d "{\"key\":\"$(secret bao-unseal)\"}" >/dev/null
}

# Both datacenters of a pair answer to one root token (VAULT_TOKEN is one variable for both stacks):
# a root token with an ID of the pair's, made in each OpenBao with its own root.
bao_pair_root() {
  case $INSTANCE in peered*) ;; *) return 0 ;; esac
  [ -s "$STATE/secrets/vault-pair-token" ] && return 0
  local id
  if [ -n "$SOURCE" ]; then id=$(cat "$SOURCE/secrets/vault-pair-token"); else id="pair-$(cat /proc/sys/kernel/random/uuid)"; fi
  api -H "X-Vault-Token: $(secret bao-root)" -X POST "$VAULT_ADDR/v1/auth/token/create" \
    -d "$(jq -n --arg id "$id" '{id: $id, policies: ["root"], no_parent: true, display_name: "pair-root"}')" \
    >/dev/null || die "could not make the pair's root token in OpenBao"
  echo "$id" >"$STATE/secrets/vault-pair-token"
}

consul_server_config() {
  cat <<HCL
datacenter       = "$DATACENTER"
node_name        = "server-1"
server           = true
bootstrap_expect = 1
data_dir         = "consul"
bind_addr        = "$SERVER_IP"
client_addr      = "$SERVER_IP"
encrypt          = "$(secret consul-gossip)"
ports {
  http     = -1   # HTTPS only
  https    = 8501
  grpc     = -1
  grpc_tls = 8503
}
tls {
  defaults {
    ca_file         = "tls/ca.pem"
    cert_file       = "tls/consul-server.pem"
    key_file        = "tls/consul-server.key"
    verify_incoming = true
    verify_outgoing = true
  }
  internal_rpc { verify_server_hostname = true }
  https { verify_incoming = false }   # API clients authenticate with tokens
  grpc  { verify_incoming = false }
}
auto_encrypt { allow_tls = true }     # client agents get their certificates from the servers
connect { enabled = true }
acl {
  enabled                  = true
  default_policy           = "deny"
  enable_token_persistence = true
  tokens {
    initial_management = "$(secret consul-management)"
    agent              = "$(secret consul-management)"
  }
}
ui_config { enabled = false }
HCL
}

# consul_token NAME DESCRIPTION RULES: a Consul policy and a token holding only it; prints the secret.
consul_token() {
  local h="X-Consul-Token: $(secret consul-management)"
  api -H "$h" -X PUT "$CONSUL_HTTP_ADDR/v1/acl/policy" \
    -d "$(jq -n --arg n "$1" --arg d "$2" --arg r "$3" '{Name: $n, Description: $d, Rules: $r}')" >/dev/null \
    || die "could not create the $1 Consul policy"
  api -H "$h" -X PUT "$CONSUL_HTTP_ADDR/v1/acl/token" \
    -d "$(jq -n --arg n "$1" --arg d "$2" '{Description: $d, Policies: [{Name: $n}]}')" | jq -r .SecretID
}

# The Nomad agents' own Consul tokens: bootstrap material, like the agent configs. Servers may write
# ACLs (before Nomad 1.7 they derive the sidecars' service-identity tokens with it; Nomad's
# documented minimum) and mesh entries (they write each terminating gateway's config entry); clients register services and read the catalog, and no KV at all: before
# Nomad 1.7 a task's templates read Consul with the client's token, and the state must stay out of
# their reach. From 1.7 on, workload identity gives each task a token of its own instead.
consul_nomad_tokens() {
  [ -s "$STATE/secrets/consul-nomad-server" ] || consul_token nomad-server "Nomad servers (bootstrap)" 'agent_prefix "" { policy = "read" }
node_prefix "" { policy = "read" }
service_prefix "" { policy = "write" }
acl = "write"
mesh = "write"
' >"$STATE/secrets/consul-nomad-server"
  [ -s "$STATE/secrets/consul-nomad-client" ] || consul_token nomad-client "Nomad clients (bootstrap)" 'agent_prefix "" { policy = "read" }
node_prefix "" { policy = "read" }
service_prefix "" { policy = "write" }'"$(peering_rules)" >"$STATE/secrets/consul-nomad-client"
}

# A peered datacenter's mesh gateway: Consul runs a proxy's watches with the token that registered it,
# which before Nomad 1.7 is the client's own, and a gateway carrying peered traffic needs to read the
# peerings and (where services are exported) to get its leaf certificate with mesh:write
# (consul#15366, #16465).
peering_rules() {
  case $INSTANCE in peered*) printf '\nmesh = "write"\npeering = "read"\n' ;; esac
}

# Before Nomad 1.7 the servers mint task tokens from the nomad-cluster token role with a Vault token
# of their own, holding the nomad-server policy the stack writes (Nomad retries every 30 s until the
# first deploy has created policy and role). Orphan and periodic: Nomad renews it.
vault_nomad_token() {
  [ -s "$STATE/secrets/vault-nomad-server" ] && return 0
  api -H "X-Vault-Token: $(secret bao-root)" -X POST "$VAULT_ADDR/v1/auth/token/create-orphan" \
    -d '{"policies":["nomad-server"],"period":"72h","renewable":true,"display_name":"nomad-server","no_default_policy":true}' \
    | jq -r .auth.client_token >"$STATE/secrets/vault-nomad-server"
}

# Terraform's state lives in Consul KV (the consul backend), under a token that may touch nothing
# else: its KV prefix, and the sessions that hold the state lock.
consul_state_token() {
  if [ -n "$SOURCE" ]; then cp "$SOURCE/secrets/state-backend.hcl" "$STATE/secrets/state-backend.hcl"; return 0; fi
  [ -s "$STATE/secrets/state-backend.hcl" ] && return 0
  local token
  token=$(consul_token terraform-state "Terraform state (consul backend)" "key_prefix \"$STATE_PATH\" { policy = \"write\" }
session_prefix \"\" { policy = \"write\" }")
  # Handed to `terraform init` as a -backend-config file (TF_CLI_ARGS_init): never on a command line.
  # Each cluster makes a new token, so init reconfigures the backend instead of asking to migrate.
  printf 'access_token = "%s"\n' "$token" >"$STATE/secrets/state-backend.hcl"
}

nomad_common() { # NAME CERT
  cat <<HCL
name       = "$1"
region     = "global"
datacenter = "$DATACENTER"
data_dir   = "$SHORT/$1"
log_level  = "INFO"
acl { enabled = true }
tls {
  http                   = true
  rpc                    = true
  ca_file                = "$TLS/ca.pem"
  cert_file              = "$TLS/$2.pem"
  key_file               = "$TLS/$2.key"
  verify_server_hostname = true
  verify_https_client    = false   # Consul and Vault fetch the JWKS without a client certificate
}
HCL
}

nomad_server_config() {
  nomad_common server-1 nomad-server
  cat <<HCL
bind_addr = "$SERVER_IP"
server {
  enabled          = true
  bootstrap_expect = 1
  encrypt          = "$(secret nomad-gossip)"
}
consul {
  address          = "$SERVER_IP:8501"
  ssl              = true
  ca_file          = "$TLS/ca.pem"
  token            = "$(secret consul-nomad-server)"
  auto_advertise   = false
  server_auto_join = false
  client_auto_join = false
$(nomad_consul_identities)
}
$(nomad_server_vault)
HCL
}

# Workload identities for Consul (Nomad 1.7 on); before, the servers derive service-identity tokens.
nomad_consul_identities() {
  version_at_least "$NOMAD_VERSION" 1.7.0 || return 0
  printf '  service_identity {\n    aud = ["consul.io"]\n    ttl = "1h"\n  }\n'
  printf '  task_identity {\n    aud = ["consul.io"]\n    ttl = "1h"\n  }\n'
}

# The servers' Vault access: workload identity from Nomad 1.7, else their own token and the role.
nomad_server_vault() {
  if version_at_least "$NOMAD_VERSION" 1.7.0; then
    printf 'vault {\n  enabled = true\n  default_identity {\n    aud = ["vault.io"]\n    ttl = "1h"\n  }\n}\n'
  else
    cat <<HCL
vault {
  enabled          = true
  address          = "$VAULT_ADDR"
  ca_file          = "$TLS/ca.pem"
  token            = "$(secret vault-nomad-server)"
  create_from_role = "nomad-cluster"
}
HCL
  fi
}

nomad_client_config() { # INDEX
  local i=$1 ip; ip=$(client_ip "$i")
  nomad_common "client-$i" "nomad-c$i"
  cat <<HCL
bind_addr = "$ip"
client {
  enabled               = true
  servers               = ["$SERVER_IP:4647"]
  network_interface     = "eth0"
  # host-local IPAM keeps its leases on the host by network name: one name and subnet per client.
  bridge_network_name   = "$TAG$i"
  bridge_network_subnet = "172.26.$((ALLOC_NET + i - 1)).0/24"
  cni_path              = "$MESHSTACK_CNI_PATH"   # the reference plugins and consul-cni
  cni_config_dir        = "$STATE/cni-c$i"
$(version_at_least "$NOMAD_VERSION" 1.8.0 && echo "  alloc_mounts_dir      = \"$SHORT/mounts-c$i\"" || true)
  options {
    "fingerprint.denylist" = "env_aws,env_gce,env_azure,env_digitalocean"
    "driver.denylist"      = "docker,java,qemu"
  }
}
plugin "raw_exec" {
  config {
    enabled = true
  }
}
# The Consul client agent (the stack's system job) listens on this namespace's loopback, over TLS:
# HTTPS (which makes Nomad fingerprint its TLS gRPC port) and gRPC, whose CA Envoy gets.
consul {
  address      = "127.0.0.1:8501"
  ssl          = true
  ca_file      = "$TLS/ca.pem"
  grpc_address = "127.0.0.1:8503"
  grpc_ca_file = "$TLS/ca.pem"
  token        = "$(secret consul-nomad-client)"
  auto_advertise   = false
  server_auto_join = false
  client_auto_join = false
}
vault {
  enabled = true
  address = "$VAULT_ADDR"
  ca_file = "$TLS/ca.pem"
$(version_at_least "$NOMAD_VERSION" 1.7.0 && echo '  jwt_auth_backend_path = "jwt-nomad"' || true)
}
HCL
}

nomad_bootstrap() {
  [ -s "$STATE/secrets/nomad-bootstrapped" ] && return 0
  api -X POST "$NOMAD_ADDR/v1/acl/bootstrap" -d "{\"BootstrapSecret\":\"$(secret nomad-management)\"}" >/dev/null \
    || die "Nomad ACL bootstrap failed; see ${STATE#"$ROOT/"}/nomad.log"
  date -u +%FT%TZ >"$STATE/secrets/nomad-bootstrapped"
}

write_env() {
  cat >"$ENV_FILE.new" <<ENV
VAULT_ADDR=$VAULT_ADDR
VAULT_CACERT=$TLS/ca.pem
VAULT_TOKEN=$(cat "$STATE/secrets/vault-pair-token" 2>/dev/null || secret bao-root)
CONSUL_HTTP_ADDR=$CONSUL_HTTP_ADDR
CONSUL_CACERT=$TLS/ca.pem
CONSUL_HTTP_TOKEN=$(secret consul-management)
NOMAD_ADDR=$NOMAD_ADDR
NOMAD_CACERT=$TLS/ca.pem
NOMAD_TOKEN=$(secret nomad-management)
TF_VAR_consul_gossip_key=$(secret consul-gossip)
TF_VAR_tls_ca_file=$TLS/ca.pem
TF_CLI_ARGS_init="-reconfigure -backend-config=$STATE/secrets/state-backend.hcl"
NODE_EXTRA_CA_CERTS=$TLS/ca.pem
MESHSTACK_NOMAD_VERSION=$NOMAD_VERSION
MESHSTACK_CONSUL_VERSION=$(server_version consul)
ENV
  chmod 600 "$ENV_FILE.new"
  mv "$ENV_FILE.new" "$ENV_FILE"
}

start_client() { # INDEX
  local i=$1
  mkdir -p "$STATE/cni-c$i"
  # Sidecars run as nobody: it must traverse the data dir to reach its task dir (Nomad makes 0700).
  mkdir -p "$SHORT/client-$i" && chmod 711 "$SHORT/client-$i"
  nomad_client_config "$i" >"$STATE/nomad-c$i.hcl"
  # PATH: Nomad runs `consul connect envoy -bootstrap` for every sidecar; sidecars run Envoy as
  # nobody (transparent proxy), who cannot enter root's home: give them a copy outside it.
  PATH="$SHORT/bin:$BIN:$PATH" start "nomad-c$i" ip netns exec "$(netns "$i")" nomad agent -config="nomad-c$i.hcl"
}

up() {
  [ "$(id -u)" -eq 0 ] || die "run as root: network namespaces and Nomad's bridge networking need it"
  for b in bao consul nomad envoy openssl jq; do command -v $b >/dev/null || die "$b missing: run scripts/toolchain.sh"; done
  NOMAD_VERSION=$(server_version nomad)
  [ -n "$NOMAD_VERSION" ] || die "$(command -v nomad) does not print a version"
  mkdir -p "$STATE" "$SHORT/bin"
  install -m 755 "$(readlink -f "$BIN/envoy")" "$SHORT/bin/envoy"
  bootstrap_material
  network

  bao_config >"$STATE/bao.hcl"
  start bao bao server -config=bao.hcl
  for _ in $(seq 60); do api "$VAULT_ADDR/v1/sys/seal-status" >/dev/null && break; sleep 0.5; done
  bao_init
  wait_healthy bao 30
  bao_pair_root

  consul_server_config >"$STATE/consul.hcl"
  start consul consul agent -config-file=consul.hcl
  wait_healthy consul 60
  for _ in $(seq 60); do
    api -H "X-Consul-Token: $(secret consul-management)" "$CONSUL_HTTP_ADDR/v1/acl/token/self" >/dev/null && break
    sleep 0.5
  done
  consul_nomad_tokens
  consul_state_token
  version_at_least "$NOMAD_VERSION" 1.7.0 || vault_nomad_token

  nomad_server_config >"$STATE/nomad.hcl"
  start nomad nomad agent -config=nomad.hcl
  wait_healthy nomad 60
  nomad_bootstrap

  local i
  for i in "${CLIENTS[@]}"; do start_client "$i"; done
  for i in "${CLIENTS[@]}"; do wait_healthy "nomad-c$i" 90; done
  write_env
  say "cluster up; env in ${ENV_FILE#"$ROOT/"}"
  status
}

down() {
  local i j jobs ns m
  if alive nomad && [ -s "$STATE/secrets/nomad-management" ]; then
    # Stopping jobs first lets Nomad run CNI DEL and deregister services.
    jobs=$(api -H "X-Nomad-Token: $(secret nomad-management)" "$NOMAD_ADDR/v1/jobs" | jq -r '.[] | select(.Status != "dead") | .ID' || true)
    for j in $jobs; do
      api -H "X-Nomad-Token: $(secret nomad-management)" -X DELETE "$NOMAD_ADDR/v1/job/$j" >/dev/null || true
    done
    for ((i = 0; i < 40 && ${#jobs} > 0; i++)); do
      api -H "X-Nomad-Token: $(secret nomad-management)" "$NOMAD_ADDR/v1/allocations" \
        | jq -e 'any(.[]; .ClientStatus == "running" or .ClientStatus == "pending")' >/dev/null || break
      sleep 0.5
    done
  fi
  for i in "${CLIENTS[@]}"; do kill_tree "nomad-c$i"; done
  kill_tree nomad; kill_tree consul; kill_tree bao
  kill_leftovers "$SHORT"
  for i in "${CLIENTS[@]}"; do
    ns=$(netns "$i")
    ip netns del "$ns" 2>/dev/null || true     # takes its veth, bridges and iptables rules along
    rm -rf "/etc/netns/$ns"
    ip link del "$ns" 2>/dev/null || true
    rm -rf "/run/cni/$TAG$i"                   # host-local IPAM leases of the client's network
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  for m in $(awk -v s="$SHORT/" 'index($2, s) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" || true; done
  rm -rf "$STATE" "$SHORT"
  say "cluster down"
}

status() { report_status bao consul nomad "${CLIENTS[@]/#/nomad-c}"; }

# --- faults (test/integration/prodlike/faults.test.ts) ---------------------------------------------
# client_index N: N when it names one of the clients, else exit 2.
client_index() {
  local i
  for i in "${CLIENTS[@]}"; do [ "${1:-}" = "$i" ] && { echo "$i"; return 0; }; done
  echo "name a client: ${CLIENTS[*]}" >&2
  exit 2
}
need_cluster() {
  [ -s "$STATE/secrets/nomad-management" ] && alive nomad || die "no running cluster: run scripts/prodlike.sh up"
}

# The client's agent stops (TERM, as `down` stops it), then what it ran is killed as a lost machine's
# tasks would die: executors, the Consul agent, Envoy and the apps, matched by its data dir. Nothing
# leaves Consul gracefully; the servers see the node go down and Nomad reschedules its allocations.
# The client then forgets its tasks (its state.db; its node ID stays): a rebooted machine's PIDs are
# its own, but here every client shares the host's, and a Nomad before 1.9 restarted on old state
# kills whatever process now holds a PID it recorded for an executor (hashicorp/nomad#23969, fixed
# by #24538): seen here killing another client's Traefik.
stop_client() {
  local i; i=$(client_index "$1")
  need_cluster
  kill_tree "nomad-c$i"
  kill_leftovers "$SHORT/client-$i"
  rm -f "$SHORT/client-$i/client/state.db"
  say "client-$i stopped with its tasks"
}

restart_client() {
  local i; i=$(client_index "$1")
  need_cluster
  NOMAD_VERSION=$(server_version nomad)
  start_client "$i"
  wait_healthy "nomad-c$i" 90
}

restart_vault() {
  need_cluster
  grep -q '^storage "raft"' "$STATE/bao.hcl" 2>/dev/null \
    || die "OpenBao runs on in-memory storage (a cluster from before restart-vault): down and up first"
  kill_tree bao
  start bao bao server -config=bao.hcl
  for _ in $(seq 60); do api "$VAULT_ADDR/v1/sys/seal-status" >/dev/null && break; sleep 0.5; done
  api "$VAULT_ADDR/v1/sys/init" | jq -e .initialized >/dev/null || die "OpenBao lost its storage; see ${STATE#"$ROOT/"}/bao.log"
  bao_init
  wait_healthy bao 30
  say "OpenBao restarted and unsealed"
}

locked
case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) [ -f "$ENV_FILE" ] || die "no $ENV_FILE: run scripts/prodlike.sh up"; cat "$ENV_FILE" ;;
  stop-client) stop_client "${2:-}" ;;
  start-client) restart_client "${2:-}" ;;
  restart-vault) restart_vault ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
