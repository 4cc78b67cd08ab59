# Sourced by the cluster scripts (cluster.sh, prodlike.sh): supervision of the agents they start.
# The caller sets STATE (where <name>.pid and <name>.log live), ROOT, LOG_TAG, and defines
# `alive NAME` (the recorded pid still runs that agent) and `healthy NAME`.

say() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() { say "$*"; exit 1; }

# wait_healthy NAME SECONDS: poll twice a second; fail early, with the log's tail, if it exits.
wait_healthy() {
  local i
  for ((i = 0; i < $2 * 2; i++)); do
    healthy "$1" && return 0
    alive "$1" || die "$1 exited; last log lines:$(printf '\n'; tail -n 20 "$STATE/$1.log")"
    sleep 0.5
  done
  die "$1 not healthy after $2s; see ${STATE#"$ROOT/"}/$1.log"
}

# kill_tree NAME: TERM the process group, then KILL whatever is left after 15s.
kill_tree() {
  local pid i; pid=$(cat "$STATE/$1.pid" 2>/dev/null) || return 0
  if alive "$1"; then
    say "stopping $1 (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$STATE/$1.pid"
}

# kill_leftovers DIR...: task processes (executors, Envoy, apps) live in sessions of their own; kill
# those whose working directory or command line is under one of the dirs. Matched in bash, not
# grep (which would find its own command line), sparing this script's ancestors.
kill_leftovers() {
  local pid cwd cmd dir mine=" " p=$$
  # Ancestors by /proc/PID/status: stat's fields shift when a process name holds a space.
  while [ "${p:-0}" -gt 1 ]; do mine+="$p "; p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null); done
  for pid in /proc/[0-9]*; do
    pid=${pid#/proc/}; [[ $mine == *" $pid "* ]] && continue
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || continue
    cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
    for dir in "$@"; do
      if [[ $cwd/ == "$dir/"* || $cmd == *"$dir/"* ]]; then
        kill -KILL "$pid" 2>/dev/null && say "killed leftover pid $pid (${cmd:0:60})"
        break
      fi
    done
  done
}

# report_status NAME...: one line per agent; exit 1 if any is down or unhealthy.
report_status() {
  local n rc=0
  for n in "$@"; do
    if alive "$n" && healthy "$n"; then echo "$n: up (pid $(cat "$STATE/$n.pid"))"
    elif alive "$n"; then echo "$n: running, not healthy (pid $(cat "$STATE/$n.pid"))"; rc=1
    else echo "$n: down"; rc=1; fi
  done
  return $rc
}

# locked: one command per instance at a time; the lock (fd 9) dies with its holder.
locked() {
  mkdir -p "$(dirname "$STATE")"
  exec 9>"$STATE.lock"
  if ! flock -n 9; then
    say "waiting for another cluster command on ${STATE#"$ROOT/"} (pid $(cat "$STATE.pid" 2>/dev/null || echo '?')) to finish"
    flock 9
  fi
  echo $$ >"$STATE.pid"
}

# server_version NAME: the version of the nomad or consul binary on PATH ("1.6.1"), the toolchain's
# own build or one the user brings; the configs below follow what it supports.
server_version() { "$1" version 2>/dev/null | head -1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1; }
# shellcheck source=versions.sh
. "$ROOT/scripts/versions.sh"
