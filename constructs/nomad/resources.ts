import { check, show, Where, isReference } from "../core/errors";
import { checkObject } from "../core/values";
import type { Resources } from "./jobspec";

/** Compute resources of a task. */
export interface TaskResources {
  /**
   * CPU in MHz, at least 1.
   * @default - the construct's default
   */
  readonly cpu?: number;
  /**
   * Memory in MiB, at least 10.
   * @default - the construct's default
   */
  readonly memoryMb?: number;
}

/**
 * Checks resources from plain JavaScript against Nomad's minimums (nomad/structs `MinResources`: 1 MHz
 * of CPU, 10 MB of memory).
 */
export function checkResources(scope: Where, field: string, resources: TaskResources | undefined): void {
  checkObject(scope, field, resources, "{ cpu: 100, memoryMb: 128 }");
  for (const [key, value, min, example] of [
    ["cpu", resources?.cpu, 1, "100 (MHz)"],
    ["memoryMb", resources?.memoryMb, 10, "128 (MiB)"],
  ] as const) {
    check(
      scope,
      value === undefined || isReference(value) || (Number.isInteger(value) && value >= min),
      `${field}.${key} ${show(value)} must be a whole number of at least ${min}; use e.g. ${example}`,
    );
  }
}

/** The API form of resources, with defaults for what is not given. */
export function toResources(
  resources: TaskResources | undefined,
  defaults: Required<TaskResources>,
): Resources {
  return { CPU: resources?.cpu ?? defaults.cpu, MemoryMB: resources?.memoryMb ?? defaults.memoryMb };
}
