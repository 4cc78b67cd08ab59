import { IConstruct } from "constructs";
import { check, show } from "../core/errors";
import type { Resources } from "./jobspec";

/** Compute resources of a task. */
export interface TaskResources {
  /**
   * CPU in MHz.
   * @default - the construct's default
   */
  readonly cpu?: number;
  /**
   * Memory in MiB.
   * @default - the construct's default
   */
  readonly memoryMb?: number;
}

/** Checks that CPU and memory, when given, are positive whole numbers. */
export function checkResources(scope: IConstruct, field: string, resources: TaskResources | undefined): void {
  for (const [key, value] of [
    ["cpu", resources?.cpu],
    ["memoryMb", resources?.memoryMb],
  ] as const) {
    check(
      scope,
      value === undefined || (Number.isInteger(value) && value > 0),
      `${field}.${key} ${show(value)} must be a positive whole number; use e.g. ${key === "cpu" ? "100 (MHz)" : "128 (MiB)"}`,
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
