/**
 * Types for the JSON that `terraform show -json <planfile>` prints (format 1.x), limited to the
 * fields the plan review reads, and a parser that checks the shape before anything trusts it.
 *
 * Reference: https://developer.hashicorp.com/terraform/internals/json-format
 */

import type { JsonObject, JsonValue } from "../constructs/core/json";

export type { JsonObject, JsonValue } from "../constructs/core/json";

/**
 * A mirror of a value that marks leaves (or whole subtrees) with `true`: used by Terraform for
 * `after_unknown`, `before_sensitive` and `after_sensitive`.
 */
export type ValueMask = boolean | ValueMask[] | { [key: string]: ValueMask };

/** One action Terraform plans for an object. */
export type PlanAction = "no-op" | "create" | "read" | "update" | "delete" | "forget";

/** The planned change of one resource instance or output. */
export interface PlanChange {
  /** Actions in order; `["delete","create"]` and `["create","delete"]` are replacements. */
  readonly actions: readonly PlanAction[];
  /** The value before the change; `null` for a create. */
  readonly before?: JsonValue;
  /** The value after the change, without unknown parts; `null` for a delete. */
  readonly after?: JsonValue;
  /** Marks the parts of `after` that are known only after apply. */
  readonly after_unknown?: ValueMask;
  /** Marks the sensitive parts of `before`. */
  readonly before_sensitive?: ValueMask;
  /** Marks the sensitive parts of `after`. */
  readonly after_sensitive?: ValueMask;
  /** Attribute paths that force a replacement. */
  readonly replace_paths?: readonly (readonly (string | number)[])[];
  /** Present when the resource is being imported. */
  readonly importing?: JsonObject;
}

/** One entry of `resource_changes`. */
export interface ResourceChange {
  /** Full address, e.g. `module.x.vault_mount.root[0]`. */
  readonly address: string;
  /** Address before a `moved` block took effect. */
  readonly previous_address?: string;
  /** `managed` for resources, `data` for data sources. */
  readonly mode?: "managed" | "data";
  /** Resource type, e.g. `vault_mount`. */
  readonly type: string;
  /** Resource name in configuration. */
  readonly name: string;
  /** Provider source address. */
  readonly provider_name?: string;
  /** Set when the change concerns a deposed object. */
  readonly deposed?: string;
  /** The change itself. */
  readonly change: PlanChange;
  /** Why Terraform chose this action, e.g. `replace_because_cannot_update`. */
  readonly action_reason?: string;
}

/** The top-level document of `terraform show -json <planfile>`. */
export interface TerraformPlanJson {
  /** JSON format version; the review understands major version 1. */
  readonly format_version: string;
  /** The Terraform (or OpenTofu) version that made the plan. */
  readonly terraform_version?: string;
  /** Planned changes of resources; absent when the configuration has none. */
  readonly resource_changes?: readonly ResourceChange[];
  /** Planned changes of root module outputs. */
  readonly output_changes?: Readonly<Record<string, PlanChange>>;
  /** False when the plan could not be completed. */
  readonly errored?: boolean;
}

/** Thrown when a document is not plan JSON the review understands. */
export class PlanJsonError extends Error {
  public override readonly name = "PlanJsonError";
}

const KNOWN_ACTIONS: ReadonlySet<string> = new Set(["no-op", "create", "read", "update", "delete", "forget"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkChange(change: unknown, where: string): void {
  if (!isObject(change) || !Array.isArray(change.actions)) {
    throw new PlanJsonError(`${where}: "change.actions" is missing; is this "terraform show -json" output?`);
  }
  for (const action of change.actions) {
    if (typeof action !== "string" || !KNOWN_ACTIONS.has(action)) {
      throw new PlanJsonError(`${where}: unknown action ${JSON.stringify(action)}`);
    }
  }
}

/**
 * Parses and checks the output of `terraform show -json <planfile>`.
 *
 * Accepts any format 1.x document; rejects state JSON, other major versions and malformed changes with
 * a message that says what was wrong.
 */
export function parsePlanJson(text: string): TerraformPlanJson {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new PlanJsonError(`plan JSON does not parse: ${(error as Error).message}`);
  }
  if (!isObject(doc) || typeof doc.format_version !== "string") {
    throw new PlanJsonError(
      'plan JSON has no "format_version"; pass the output of "terraform show -json <planfile>"',
    );
  }
  if (!doc.format_version.startsWith("1.")) {
    throw new PlanJsonError(`plan JSON format_version ${doc.format_version} is not supported (expected 1.x)`);
  }
  if (!("planned_values" in doc) && !("resource_changes" in doc) && "values" in doc) {
    throw new PlanJsonError('this is state JSON, not plan JSON; run "terraform show -json <planfile>"');
  }
  const changes = doc.resource_changes ?? [];
  if (!Array.isArray(changes)) throw new PlanJsonError('"resource_changes" is not an array');
  changes.forEach((rc: unknown, i) => {
    const where = `resource_changes[${i}]`;
    if (!isObject(rc) || typeof rc.address !== "string" || typeof rc.type !== "string") {
      throw new PlanJsonError(`${where}: "address" and "type" are required`);
    }
    checkChange(rc.change, `${where} (${rc.address})`);
  });
  const outputs = doc.output_changes ?? {};
  if (!isObject(outputs)) throw new PlanJsonError('"output_changes" is not an object');
  for (const [name, change] of Object.entries(outputs)) checkChange(change, `output_changes.${name}`);
  return doc as unknown as TerraformPlanJson;
}
