import { check, checkLiteral, show, Where, isReference } from "../core/errors";
import { durationNanoseconds } from "../core/duration";
import { checkBoolean } from "../core/values";
import type { UpdateStrategy } from "../nomad/jobspec";

/** An HTTP health check of a mesh service, routed through an Envoy expose path. */
export interface MeshHealthCheck {
  /** HTTP path, e.g. `"/health"`. */
  readonly path: string;
  /**
   * Time between checks, at least 1s (Nomad's minimum).
   * @default "10s"
   */
  readonly interval?: string;
  /**
   * Time a check may take, at least 1s (Nomad's minimum).
   * @default "2s"
   */
  readonly timeout?: string;
  /**
   * Route the check through an expose path; in bridge mode the Consul agent cannot reach the
   * application otherwise, so `false` is rejected.
   * @default true
   */
  readonly expose?: boolean;
}

/** Rolling update and canary settings. */
export interface MeshUpdateOptions {
  /**
   * Allocations updated at once.
   * @default 1
   */
  readonly maxParallel?: number;
  /**
   * Canary allocations; at most the group's count.
   * @default 0
   */
  readonly canary?: number;
  /**
   * Promote healthy canaries automatically.
   * @default false
   */
  readonly autoPromote?: boolean;
  /**
   * Revert to the last stable version when a deployment fails.
   * @default false
   */
  readonly autoRevert?: boolean;
  /**
   * Time an allocation must be healthy.
   * @default "10s"
   */
  readonly minHealthyTime?: string;
  /**
   * Deadline for an allocation to become healthy.
   * @default "5m"
   */
  readonly healthyDeadline?: string;
}

/** Checks a health check and the expose paths served beside it (Nomad's ServiceCheck rules). */
export function checkMeshHealth(
  scope: Where,
  health: MeshHealthCheck | undefined,
  exposePaths: string[],
): void {
  if (health) {
    checkBoolean(scope, "healthCheck.expose", health.expose);
    check(
      scope,
      health.expose ?? true,
      `healthCheck.expose false leaves the check unable to reach the application inside the bridge ` +
        `network; set healthCheck.expose to true`,
    );
    check(
      scope,
      isReference(health.path) || (typeof health.path === "string" && health.path.startsWith("/")),
      `healthCheck.path ${show(health.path)} must start with "/"; use e.g. "/health"`,
    );
    // Nomad's ServiceCheck.validateConsul (nomad/structs/services.go): minCheckInterval, minCheckTimeout.
    for (const [field, value] of [
      ["healthCheck.interval", health.interval ?? "10s"],
      ["healthCheck.timeout", health.timeout ?? "2s"],
    ] as const) {
      check(
        scope,
        durationNanoseconds(scope, field, value) >= 1e9,
        `${field} ${show(value)} is shorter than Nomad's minimum of 1s; use e.g. "1s" or more`,
      );
    }
  }
  checkLiteral(scope, "exposePaths", exposePaths, "each path gets its own listener at synth");
  check(
    scope,
    exposePaths.length === 0 || health !== undefined,
    `exposePaths ${show(exposePaths)} are served without mTLS but there is no health check; ` +
      `add healthCheck: { path } or remove exposePaths`,
  );
  for (const path of exposePaths) {
    check(
      scope,
      isReference(path) || path.startsWith("/"),
      `exposePaths entry ${show(path)} must start with "/"; use e.g. "/metrics"`,
    );
    check(
      scope,
      path !== health?.path,
      `exposePaths entry ${show(path)} is the health check's path, already exposed; remove it`,
    );
  }
}

/** The group's update strategy, checked as Nomad checks it (canaries, deadlines). */
export function meshUpdate(
  scope: Where,
  count: number,
  update: MeshUpdateOptions | undefined,
): UpdateStrategy | undefined {
  if (!update) return undefined;
  const canary = update.canary ?? 0;
  check(
    scope,
    isReference(canary) || (Number.isInteger(canary) && canary >= 0),
    `update.canary ${show(canary)} must be a whole number, 0 or more`,
  );
  check(
    scope,
    isReference(canary) || isReference(count) || canary <= count,
    `update.canary ${canary} exceeds count ${count}; use at most ${count} canaries or raise count`,
  );
  check(
    scope,
    !update.autoPromote || canary > 0,
    `update.autoPromote true needs canaries (update.canary is 0); set update.canary or drop autoPromote`,
  );
  checkBoolean(scope, "update.autoPromote", update.autoPromote);
  checkBoolean(scope, "update.autoRevert", update.autoRevert);
  const maxParallel = update.maxParallel ?? 1;
  check(
    scope,
    isReference(maxParallel) || (Number.isInteger(maxParallel) && maxParallel >= 0),
    `update.maxParallel ${maxParallel} must be 0 or more`,
  );
  const minHealthyTime = update.minHealthyTime ?? "10s";
  const healthyDeadline = update.healthyDeadline ?? "5m";
  const minHealthy = durationNanoseconds(scope, "update.minHealthyTime", minHealthyTime);
  const deadline = durationNanoseconds(scope, "update.healthyDeadline", healthyDeadline);
  check(
    scope,
    minHealthy < deadline,
    `update.minHealthyTime ${show(minHealthyTime)} is not shorter than update.healthyDeadline ` +
      `${show(healthyDeadline)}; Nomad rejects it, so shorten minHealthyTime or lengthen healthyDeadline`,
  );
  return {
    MaxParallel: maxParallel,
    Canary: canary,
    AutoPromote: update.autoPromote ?? false,
    AutoRevert: update.autoRevert ?? false,
    MinHealthyTime: minHealthy,
    HealthyDeadline: deadline,
  };
}
