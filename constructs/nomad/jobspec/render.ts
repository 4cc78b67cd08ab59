import { jsonText } from "../../core/json-text";
import type { JsonObject, JsonValue } from "../../core/json";
import type { Job } from "./types";

/** A rendered JSON object. */
export type { JsonObject } from "../../core/json";

/** The document `nomad_job` takes with `json = true`: the job under a `Job` key, as `nomad job run -output` prints it. */
export interface JobDocument {
  /** The job, in API form. */
  readonly Job: JsonObject;
}

/** Maps whose keys are user data: kept as given (no `raw` handling), only sorted. */
const OPAQUE = new Set(["Config", "Env", "Meta"]);

/**
 * Renders a typed job into Nomad's API JSON: undefined fields dropped, `raw` fields deep-merged at
 * their level, and object keys sorted so the output is stable whatever order the model was built in.
 */
export function render(job: Job): JobDocument {
  return { Job: canonical(job, false) as JsonObject };
}

/**
 * Renders a job to the string given to `nomad_job.jobspec`, with Terraform's template sequences
 * escaped (see {@link escapeTerraform}) so `${NOMAD_…}` and `${attr.…}` reach Nomad verbatim.
 * `overrides` are applied to the rendered document first (see {@link applyOverride}).
 */
export function renderJobspec(
  job: Job,
  overrides: ReadonlyArray<readonly [string, JsonValue | undefined]> = [],
): string {
  const document = render(job) as unknown as JsonObject;
  for (const [path, value] of overrides) applyOverride(document, path, value);
  // A list or number known only at apply (e.g. the platform's datacenters) is written by Terraform.
  return jsonText(document, escapeTerraform);
}

/**
 * Escapes Terraform template sequences in a string: `${` becomes `$${` and `%{` becomes `%%{`.
 * cdktf writes strings verbatim into the Terraform JSON, where both would otherwise be interpolated.
 */
export function escapeTerraform(text: string): string {
  // A function replacer: in a replacement string "$$" would itself collapse to "$". cdktf tokens
  // (`${TfToken[...]}`, references such as a mount's path) stay as they are: cdktf resolves them.
  return text.replace(/([$%])\{(?!TfToken\[)/g, (_match, sigil: string) => `${sigil}${sigil}{`);
}

/**
 * Sets (or, with `undefined`, deletes) a field of a rendered document by a dotted path such as
 * `Job.TaskGroups.0.Tasks.0.KillTimeout`; missing objects on the way are created.
 */
export function applyOverride(document: JsonObject, path: string, value: JsonValue | undefined): void {
  const keys = path.split(".");
  let node: JsonValue = document;
  for (const key of keys.slice(0, -1)) {
    const container = node as Record<string, JsonValue>;
    if (typeof container[key] !== "object" || container[key] === null) container[key] = {};
    node = container[key];
  }
  const container = node as Record<string, JsonValue>;
  const last = keys[keys.length - 1];
  if (value === undefined) {
    if (Array.isArray(container)) container.splice(Number(last), 1);
    else delete container[last];
  } else container[last] = value;
}

function canonical(value: unknown, opaque: boolean): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== "object") return value as JsonValue;
  if (Array.isArray(value)) {
    return value.map((item) => canonical(item, opaque)).filter((item) => item !== undefined) as JsonValue[];
  }
  const source = value as Record<string, unknown>;
  // Keys in sorted order, so the result needs no second, recursive sort: its values are canonical.
  const result: JsonObject = {};
  for (const key of Object.keys(source).sort()) {
    if (key === "raw" && !opaque) continue;
    const rendered = canonical(source[key], opaque || OPAQUE.has(key));
    if (rendered !== undefined) result[key] = rendered;
  }
  if (opaque || source.raw === undefined) return result;
  // `raw` is merged as given, so its objects still need their keys sorted.
  return sortKeys(deepMerge(result, source.raw as JsonObject));
}

/** Merges `patch` into `target`, recursing into objects present in both; arrays and scalars replace. */
export function deepMerge(target: JsonObject, patch: JsonObject): JsonObject {
  const merged: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    const existing = merged[key];
    merged[key] = isObject(existing) && isObject(value) ? deepMerge(existing, value) : value;
  }
  return merged;
}

function sortKeys(object: JsonObject): JsonObject {
  const sorted: JsonObject = {};
  for (const key of Object.keys(object).sort()) {
    const value = object[key];
    sorted[key] = isObject(value) ? sortKeys(value) : value;
  }
  return sorted;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
