import { MeshstackError } from "../constructs/core/errors";
import { local } from "./local";
import { prod } from "./prod";
import { prodlike } from "./prodlike";
import { staging } from "./staging";
import { EnvironmentConfig } from "./types";

export * from "./types";

/** Every environment `main.ts` can synthesize, by name. */
export const environments: Readonly<Record<string, EnvironmentConfig>> = { local, staging, prod, prodlike };

/**
 * Picks environments by name (comma-separated, e.g. from `MESHSTACK_ENVIRONMENTS`); all when empty.
 * Throws for an unknown name, listing the known ones.
 */
export function selectEnvironments(names?: string): EnvironmentConfig[] {
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
