import { nomadHas } from "../constructs/core/server-versions";
import { VERSIONS } from "../constructs/core/versions";

/** The Nomad release the toolchain builds for the built-in clusters: the last one under MPL-2.0. */
export const OPEN_SOURCE_NOMAD = "1.6.1";

/**
 * The Nomad version of the built-in clusters (`local`, `prodlike`): the one their script started, which
 * it writes to the cluster's env file as `MESHSTACK_NOMAD_VERSION` (`npm run up`/`plan` and the suites
 * load it), so a Nomad the user brings gets its own generation of the stack; else the toolchain's.
 */
export function builtInNomadVersion(): string {
  return process.env.MESHSTACK_NOMAD_VERSION || OPEN_SOURCE_NOMAD;
}

/** The Consul version of the built-in clusters, as {@link builtInNomadVersion} (`MESHSTACK_CONSUL_VERSION`). */
export function builtInConsulVersion(): string {
  return process.env.MESHSTACK_CONSUL_VERSION || VERSIONS.consul;
}

/** Whether the built-in clusters' Nomad has transparent proxy (1.8 on; the toolchain's has not). */
export function builtInTransparentProxy(): boolean {
  return nomadHas(builtInNomadVersion(), "transparent-proxy");
}
