# Sourced by up.sh, down.sh and plan.sh with an environment name: the built-in cluster it runs on.
# Sets MESH_ENV, CLUSTER (the cluster script) and CLUSTER_ENV (the env file the script writes), and
# defines load_cluster_env, which exports that file and the toolchain's PATH for cdktf and the CLIs.
MESH_ENV=${1:-local}
case "$MESH_ENV" in
  local)    CLUSTER=scripts/cluster.sh  CLUSTER_ENV=.local/cluster.env ;;
  prodlike) CLUSTER=scripts/prodlike.sh CLUSTER_ENV=.local/prodlike/cluster.env ;;
  *) echo "no built-in cluster runs environment \"$MESH_ENV\"; use local or prodlike" >&2; exit 2 ;;
esac

load_cluster_env() {
  eval "$(bash scripts/toolchain.sh --env)"
  set -a; . "$CLUSTER_ENV"; set +a
  export MESHSTACK_ENVIRONMENTS=$MESH_ENV
  # Without a terminal (CI, a log file) cdktf's spinner would print each of its frames with cursor
  # codes: CI=1 makes its CLI print plain lines instead, and --no-color drops the colour codes.
  CDKTF_FLAGS=()
  if [ ! -t 1 ]; then export CI=1; CDKTF_FLAGS=(--no-color); fi
}
