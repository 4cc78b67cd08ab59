# Sourced by up.sh, down.sh and plan.sh with an environment name: the built-in cluster it runs on.
# Sets MESH_ENV, STACKS (the stacks cdktf deploys, accepting peers first), CLUSTER_ENV (the env file
# the cluster script writes, which holds every stack's credentials) and defines cluster_up,
# cluster_down and load_cluster_env, which exports that file and the toolchain's PATH for cdktf.
MESH_ENV=${1:-local}
case "$MESH_ENV" in
  local)    CLUSTER=scripts/cluster.sh  INSTANCES=(local) CLUSTER_ENV=.local/cluster.env STACKS=(local) ;;
  prodlike) CLUSTER=scripts/prodlike.sh INSTANCES=(prodlike) CLUSTER_ENV=.local/prodlike/cluster.env STACKS=(prodlike) ;;
  # Two datacenters: west (dials) and east (accepts, so its stack deploys first); both stacks read
  # west's env file, whose credentials east shares (scripts/prodlike.sh).
  peered)   CLUSTER=scripts/prodlike.sh INSTANCES=(peered-west peered-east) CLUSTER_ENV=.local/peered/west/cluster.env
            STACKS=(peered-east peered-west) ;;
  *) echo "no built-in cluster runs environment \"$MESH_ENV\"; use local, prodlike or peered" >&2; exit 2 ;;
esac

# Each instance of the environment's cluster script, in order (up) or in reverse (down).
cluster_up() {
  local i
  for i in "${INSTANCES[@]}"; do MESHSTACK_CLUSTER=$i bash "$CLUSTER" up; done
}
cluster_down() {
  local i
  for ((i = ${#INSTANCES[@]} - 1; i >= 0; i--)); do MESHSTACK_CLUSTER=${INSTANCES[i]} bash "$CLUSTER" down; done
}

load_cluster_env() {
  eval "$(bash scripts/toolchain.sh --env)"
  set -a; . "$CLUSTER_ENV"; set +a
  export MESHSTACK_ENVIRONMENTS=${STACKS[0]}   # the others come with it (their peers)
  # Without a terminal (CI, a log file) cdktf's spinner would print each of its frames with cursor
  # codes: CI=1 makes its CLI print plain lines instead, and --no-color drops the colour codes.
  CDKTF_FLAGS=()
  if [ ! -t 1 ]; then export CI=1; CDKTF_FLAGS=(--no-color); fi
}
