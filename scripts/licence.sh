#!/usr/bin/env bash
# The toolchain's licence gate: meshstack builds and runs only open-source code. Nomad from v1.6.2
# carries BUSL-1.1 files (all of it from v1.7.0), Consul from v1.17.0 (and its `envoyextensions` /
# `troubleshoot` modules, which 1.15+ need), Terraform from v1.6. Nothing here judges binaries a
# user brings on PATH: those are the user's choice.
#
# Usage: scripts/licence.sh allowed MODULE@VERSION   refuse a module before it is downloaded
#        scripts/licence.sh scan DIR NAME            refuse a source tree that is not open source
#        scripts/licence.sh modules DIR              refuse a build whose module graph holds a denied module
#        scripts/licence.sh check                    every pin of scripts/toolchain.sh, and the
#                                                    sources of each (what CI runs)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# As the toolchain fetches: the proxy only (no `direct` fallback that would hang on git).
GOPROXY=$(go env GOPROXY 2>/dev/null | sed 's/,direct$//; s/|direct$//' || true)
export GOFLAGS="-buildvcs=false -modcacherw" GOTOOLCHAIN=local GOPROXY
say() { printf '[licence] %s\n' "$*" >&2; }
# shellcheck source=versions.sh
. "$here/versions.sh"

# allowed MODULE@VERSION: the denied ranges, known before a byte is downloaded.
allowed() {
  local module=${1%@*} version=${1##*@}
  version=${version#v}
  case $module in
    github.com/hashicorp/consul/envoyextensions | github.com/hashicorp/consul/troubleshoot)
      say "$module is BUSL-1.1 (not open source): refused"; return 1 ;;
    github.com/hashicorp/nomad)
      version_at_least "$version" 1.6.2 && { say "$module@v$version carries BUSL-1.1 code (v1.6.2 on; v1.6.1 is the last MPL-2.0 release): refused"; return 1; } ;;
    github.com/hashicorp/consul)
      version_at_least "$version" 1.15.0 && { say "$module@v$version is BUSL-1.1 from v1.17.0 and needs envoyextensions/troubleshoot from v1.15.0 (v1.14.11 is the last usable MPL-2.0 release): refused"; return 1; } ;;
    github.com/hashicorp/terraform)
      version_at_least "$version" 1.6.0 && { say "$module@v$version is BUSL-1.1 (v1.6.0 on): refused; OpenTofu is the open-source fallback"; return 1; } ;;
  esac
  return 0
}

# scan DIR NAME: the LICENSE must be an OSI licence (or, where an archive holds a subtree without
# one, every SPDX header must name one), and no file may carry a BUSL SPDX header. `.github/` is
# skipped: CI metadata that no build reads (Consul 1.14.11's own BUSL checker script sits there and
# carries the header it looks for). third_party/LICENCE-EXCEPTIONS lists, by checksum, the few
# files of vendored non-server sources that carry one, with the reason; they are printed each run.
scan() {
  local dir=$1 name=$2 licence hits file ids
  licence=$(find "$dir" -maxdepth 1 \( -iname 'LICENSE*' -o -iname 'COPYING*' \) | head -1)
  if [ -n "$licence" ]; then
    if grep -qiE 'Business Source License|BUSL' "$licence"; then
      say "$name: $(basename "$licence") is the Business Source License: refused"; return 1
    fi
    grep -qE 'Mozilla Public License,? [Vv]ersion 2\.0|Apache License|Permission is hereby granted, free of charge|Redistribution and use in source and binary forms' "$licence" \
      || { say "$name: $(basename "$licence") is no OSI licence this gate knows (MPL-2.0, Apache-2.0, MIT, BSD): refused"; return 1; }
  else
    ids=$(grep -rhoE 'SPDX-License-Identifier: *[A-Za-z0-9.+-]+' "$dir" --exclude-dir=.github | sed 's/.*: *//' | sort -u)
    [ -n "$ids" ] && ! grep -qvE '^(MPL-2\.0|Apache-2\.0|MIT|BSD-[23]-Clause)$' <<<"$ids" \
      || { say "$name: no LICENSE file and no OSI SPDX headers in $dir: refused"; return 1; }
  fi
  hits=""
  while IFS= read -r file; do
    [ -n "$file" ] || continue
    if excepted "$file"; then say "$name: ${file#"$dir"/} carries a BUSL header: listed in third_party/LICENCE-EXCEPTIONS"
    else hits="$hits ${file#"$dir"/}"; fi
  done < <(grep -rlE 'SPDX-License-Identifier: *BUSL' "$dir" --exclude-dir=.github 2>/dev/null || true)
  [ -z "$hits" ] || { say "$name: BUSL SPDX header in$hits: refused"; return 1; }
}

# excepted FILE: the file's checksum is listed in third_party/LICENCE-EXCEPTIONS.
excepted() {
  local sum; sum=$(sha256sum "$1" | cut -d' ' -f1)
  grep -v '^#' "$here/../third_party/LICENCE-EXCEPTIONS" 2>/dev/null | grep -q "^$sum "
}

# modules DIR: the build's module graph (go.mod files only, no zips) holds nothing denied.
modules() {
  local m bad=0
  while read -r m; do allowed "$m" || bad=1; done < <(cd "$1" && go list -m -f '{{.Path}}@{{.Version}}' all 2>/dev/null | grep -v '@$')
  return $bad
}

# check: what CI runs: every pinned server and nested module is allowed, and each source tree
# (module cache, vendored archives) passes the scan.
check() {
  local pins dir failed=0 ok tmp
  pins=$(bash "$here/toolchain.sh" --pins)
  while read -r kind module version; do
    ok=1
    allowed "$module@$version" || { failed=1; continue; }
    case $kind in
      gomod)
        dir=$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\?$/\1/p')
        [ -n "$dir" ] || { say "$module@$version: not downloadable"; failed=1; continue; }
        scan "$dir" "$module@$version" || ok=0 ;;
      archive)
        tmp=$(mktemp -d)
        tar -xzf "$here/../third_party/$version" -C "$tmp"
        # An archive holds one top folder or the tree itself.
        dir=$tmp; [ "$(ls "$tmp" | wc -l)" = 1 ] && [ -d "$tmp/$(ls "$tmp")" ] && dir="$tmp/$(ls "$tmp")"
        scan "$dir" "third_party/$version" || ok=0
        rm -rf "$tmp" ;;
    esac
    if [ $ok = 1 ]; then say "ok: $module@$version"; else failed=1; fi
  done <<<"$pins"
  [ $failed = 0 ] && say "every pinned component is open source"
  return $failed
}

case "${1:-}" in
  allowed) allowed "$2" ;;
  scan) scan "$2" "${3:-$2}" ;;
  modules) modules "$2" ;;
  check) check ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
