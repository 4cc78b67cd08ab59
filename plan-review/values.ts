import { JsonObject, JsonValue, ValueMask } from "./plan-json";

/** Placeholder printed instead of a sensitive value. */
export const SENSITIVE = "(sensitive)";
/** Placeholder printed for a value known only after apply. */
export const UNKNOWN = "(known after apply)";
/** Placeholder printed for an attribute that does not exist on one side of a change. */
export const ABSENT = "(absent)";

/** One step of an attribute path: an object key or a list index. */
export type PathStep = string | number;

/** True when the mask marks the whole value (e.g. `after_sensitive: true`). */
export function isMarked(mask: ValueMask | undefined): boolean {
  return mask === true;
}

/** The mask of a child value; a marked parent marks every child. */
export function childMask(mask: ValueMask | undefined, step: PathStep): ValueMask | undefined {
  if (mask === true) return true;
  if (Array.isArray(mask)) return typeof step === "number" ? mask[step] : undefined;
  if (typeof mask === "object" && mask !== null) return (mask as Record<string, ValueMask>)[String(step)];
  return undefined;
}

/** True when any part of the value under the mask is marked. */
export function anyMarked(mask: ValueMask | undefined): boolean {
  if (mask === true) return true;
  if (typeof mask !== "object" || mask === null) return false;
  return Object.values(mask).some((m) => anyMarked(m));
}

/** Marker left where a sensitive value was removed by {@link redact}. */
export const REDACTED = Object.freeze({ "(sensitive)": true }) as unknown as JsonValue;

/**
 * A copy of `value` with every part the mask marks replaced by {@link REDACTED}, so code that inspects
 * values (critical-change rules) can never pass a secret on to the Markdown.
 */
export function redact(value: JsonValue | undefined, mask: ValueMask | undefined): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (mask === true) return REDACTED;
  if (Array.isArray(value)) return value.map((v, i) => redact(v, childMask(mask, i)) ?? null);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, redact(v, childMask(mask, k)) ?? null]),
    );
  }
  return value;
}

/** The value at a path, or undefined when a step is missing. */
export function valueAt(value: JsonValue | undefined, path: readonly PathStep[]): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const step of path) {
    if (Array.isArray(current) && typeof step === "number") current = current[step];
    else if (typeof current === "object" && current !== null && !Array.isArray(current))
      current = current[step];
    else return undefined;
  }
  return current;
}

/** A string attribute of an object value, or undefined. */
export function stringAt(value: JsonValue | undefined, key: string): string | undefined {
  const found = valueAt(value, [key]);
  return typeof found === "string" ? found : undefined;
}

/**
 * The job a `nomad_job` value declares: its `jobspec` parsed (the `Job` of `{ Job }`, or the job
 * itself), or undefined when the jobspec is unknown until apply, sensitive or not JSON (HCL).
 */
export function declaredJob(value: JsonValue | undefined): JsonObject | undefined {
  const spec = stringAt(value, "jobspec");
  if (spec === undefined) return undefined;
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(spec) as JsonValue;
  } catch {
    return undefined;
  }
  const job = fieldNamed(parsed, "Job") ?? parsed;
  return typeof job === "object" && job !== null && !Array.isArray(job) ? job : undefined;
}

/**
 * A field of an object by the first of `names` it has, ignoring case and underscores, so the
 * provider's attributes and Consul's JSON read alike (`path_exact` = `PathExact`); null is absent.
 */
export function fieldNamed(value: JsonValue | undefined, ...names: string[]): JsonValue | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const key = (name: string) => name.toLowerCase().replace(/_/g, "");
  const byKey = new Map(Object.entries(value).map(([k, v]) => [key(k), v]));
  for (const name of names) {
    const found = byKey.get(key(name));
    if (found !== undefined && found !== null) return found;
  }
  return undefined;
}

/** A string field, as {@link fieldNamed} finds it. */
export function textNamed(value: JsonValue | undefined, ...names: string[]): string | undefined {
  const found = fieldNamed(value, ...names);
  return typeof found === "string" ? found : undefined;
}

/** A string field that is set: the provider reads unset strings back as "". */
export function filledText(value: JsonValue | undefined, ...names: string[]): string | undefined {
  return textNamed(value, ...names) || undefined;
}

/** A value as a list: a list as it is, nothing as empty, one value as a list of one. */
export function asList(value: JsonValue | undefined): JsonValue[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

/** Structural equality of two JSON values. */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => jsonEqual((a as Record<string, JsonValue>)[k], (b as Record<string, JsonValue>)[k]));
}

/** Adds every leaf (stringified) of the marked parts of `value` to `into`. */
export function collectMarkedLeaves(
  value: JsonValue | undefined,
  mask: ValueMask | undefined,
  into: Set<string>,
  marked = false,
): void {
  if (value === undefined || value === null) return;
  const here = marked || mask === true;
  if (typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    for (const [k, v] of entries) collectMarkedLeaves(v, childMask(mask, k), into, here);
  } else if (here) {
    into.add(String(value));
  }
}

/** Formats attribute paths the way a reviewer reads them: `sources[0].action`. */
export function formatPath(path: readonly PathStep[]): string {
  return path
    .map((step, i) => {
      if (typeof step === "number") return `[${step}]`;
      const plain = /^[A-Za-z_][\w-]*$/.test(step) ? step : JSON.stringify(step);
      return i === 0 ? plain : `.${plain}`;
    })
    .join("");
}

/**
 * Renders values for the review: compact JSON, truncated, and never a secret. Knows every sensitive
 * leaf in the plan, so a secret that leaks into an attribute Terraform did not mark (a computed copy of
 * a sensitive input, say) is masked too.
 */
export class ValueRenderer {
  private readonly secrets: readonly string[];

  /**
   * @param secrets every sensitive leaf value in the plan, stringified
   * @param maxLength longest rendering before truncation with "…"
   */
  public constructor(
    secrets: Iterable<string>,
    private readonly maxLength: number,
  ) {
    this.secrets = [...new Set(secrets)].filter((s) => s.length > 0);
  }

  /** True when the text is or contains a known secret. */
  public leaks(text: string): boolean {
    return this.secrets.some((s) => text === s || (s.length >= 4 && text.includes(s)));
  }

  /** A value as compact JSON, truncated; {@link SENSITIVE} when it holds a secret. */
  public render(value: JsonValue | undefined): string {
    if (value === undefined) return ABSENT;
    if (value === REDACTED) return SENSITIVE;
    const full = JSON.stringify(value);
    if (this.leaks(full) || (typeof value === "string" && this.leaks(value))) return SENSITIVE;
    return full.length > this.maxLength ? `${full.slice(0, Math.max(1, this.maxLength - 1))}…` : full;
  }

  /** A plain label taken from a value (a mount path, a service name); {@link SENSITIVE} when secret. */
  public label(value: JsonValue | undefined): string {
    if (value === REDACTED) return SENSITIVE;
    if (typeof value !== "string") return this.render(value);
    if (this.leaks(value)) return SENSITIVE;
    return value.length > this.maxLength ? `${value.slice(0, this.maxLength - 1)}…` : value;
  }
}
