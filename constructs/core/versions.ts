/**
 * The component versions meshstack's defaults pin, one place for all: the same releases the
 * toolchain installs for the local clusters (scripts/toolchain.sh; a unit test keeps them equal), so
 * what the integration suites prove is what `staging` and `prod` run.
 */
export const VERSIONS = {
  /** Consul (the agent job's default image, `hashicorp/consul:<consul>`). */
  consul: "1.14.11",
  /** Traefik (the ingress's default image, `traefik:v<traefik>`). */
  traefik: "3.7.15",
} as const;
