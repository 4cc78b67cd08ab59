# Sourced by the toolchain, the licence gate and the cluster scripts: version ordering.
# version_at_least V MIN: V >= MIN (sort -V: 1.10.0 sorts after 1.9.7).
version_at_least() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$2" ]; }
