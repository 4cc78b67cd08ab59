import { Where } from "../core/errors";
import { checkInstance } from "../core/values";
import { SidecarTaskOverride } from "./sidecar";

/** Checks an optional sidecar override, given to a mesh or a service. */
export function checkSidecarTask(where: Where, value: unknown): void {
  checkInstance(
    where,
    "sidecarTask",
    value,
    SidecarTaskOverride,
    "SidecarTaskOverride.rawExecEnvoy({ envoyPath })",
  );
}
