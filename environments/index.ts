import { MeshstackError } from "../constructs/core/errors";
import { local } from "./local";
import { prod } from "./prod";
import { peeredEast, peeredWest } from "./peered";
import { prodlike } from "./prodlike";
import { staging } from "./staging";
import { EnvironmentConfig } from "./types";

export * from "./types";

/** Every environment `main.ts` can synthesize, by name. */
export const environments: Readonly<Record<string, EnvironmentConfig>> = {
  local,
  staging,
  prod,
  prodlike,
  "peered-west": peeredWest,
  "peered-east": peeredEast,
};

/**
 * Picks environments by name (comma-separated, e.g. from `MESHSTACK_ENVIRONMENTS`); all when empty.
 * An environment brings the environments it peers with, in either direction: a stack synthesized
 * without its peer would plan the peering's destruction. Accepting environments come before those
 * that dial them. Throws for an unknown name, listing the known ones.
 */
export function selectEnvironments(names?: string): EnvironmentConfig[] {
  return withPeers(pick(names));
}

function pick(names?: string): EnvironmentConfig[] {
  const wanted = (names ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  if (wanted.length === 0) return Object.values(environments);
  return wanted.map((name) => {
    const env = environments[name];
    if (!env) {
      throw new MeshstackError(
        `environment "${name}" is not defined (known: ${Object.keys(environments).join(", ")}); ` +
          `add it to environments/index.ts or fix MESHSTACK_ENVIRONMENTS`,
      );
    }
    return env;
  });
}

/** The environments with every peer of theirs, each once, accepting ones before those that dial. */
function withPeers(selected: EnvironmentConfig[]): EnvironmentConfig[] {
  const all = Object.values(environments);
  const peersOf = (e: EnvironmentConfig) => [
    ...(e.peering?.dial ?? []).map((name) => environments[name]).filter((p) => p !== undefined),
    ...all.filter((other) => other.peering?.dial?.includes(e.name)),
  ];
  const chosen = new Set<EnvironmentConfig>();
  const visit = (e: EnvironmentConfig) => {
    if (chosen.has(e)) return;
    chosen.add(e);
    peersOf(e).forEach(visit);
  };
  selected.forEach(visit);
  // Stable: the order asked for, but an environment that dials comes after those it does not.
  const dials = (e: EnvironmentConfig) => (e.peering?.dial ?? []).length;
  return [...chosen].sort((a, b) => dials(a) - dials(b));
}
