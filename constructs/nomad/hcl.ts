import { Fn, Token } from "cdktf";

/** A value of an HCL attribute or block body. */
export type HclValue = string | number | boolean | readonly HclValue[] | HclBody;

/** An HCL body: attributes, and nested objects rendered as blocks. */
export interface HclBody {
  readonly [key: string]: HclValue | undefined;
}

/**
 * Renders a body as HCL: scalars and lists as `key = value`, objects as `key { … }` blocks, keys in
 * the order given, undefined keys skipped. Enough for agent configuration files such as Consul's.
 */
export function renderHcl(body: HclBody, indent = ""): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    if (isBody(value))
      lines.push(`${indent}${key} {`, renderHcl(value, `${indent}  `).trimEnd(), `${indent}}`);
    else lines.push(`${indent}${key} = ${scalar(value)}`);
  }
  return lines.filter((line) => line !== "").join("\n") + "\n";
}

function scalar(value: HclValue): string {
  if (Array.isArray(value) && Token.isUnresolved(value)) return listReference(value as string[]);
  if (Array.isArray(value)) return `[${value.map(scalar).join(", ")}]`;
  return JSON.stringify(value);
}

/**
 * A list known only at apply (a variable, remote state), written by Terraform as an HCL list. The file
 * sits inside a JSON jobspec, so the list's JSON is escaped once more for that string (its outer
 * quotes trimmed): `["10.0.0.10"]` lands as `[\"10.0.0.10\"]` in the jobspec, and as
 * `["10.0.0.10"]` in the file.
 */
function listReference(list: string[]): string {
  return Fn.trim(Fn.jsonencode(Fn.jsonencode(list)), Fn.rawString('"'));
}

function isBody(value: HclValue): value is HclBody {
  return typeof value === "object" && !Array.isArray(value);
}

/** Merges `extra` into `base`, recursing into blocks present in both; other values replace. */
export function mergeHcl(base: HclBody, extra: HclBody = {}): HclBody {
  const merged: { [key: string]: HclValue | undefined } = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const existing = merged[key];
    merged[key] = existing && value && isBody(existing) && isBody(value) ? mergeHcl(existing, value) : value;
  }
  return merged;
}
