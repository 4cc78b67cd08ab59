import { Token } from "cdktf";
/** A TOML value: scalars, arrays of scalars, tables and arrays of tables. */
export type TomlValue =
  string | number | boolean | readonly (string | number | boolean)[] | TomlTable | readonly TomlTable[];

/** A TOML table. */
export interface TomlTable {
  readonly [key: string]: TomlValue | undefined;
}

/**
 * Renders a table as TOML: a table's scalars first, then its sub-tables as `[a.b]` sections and
 * arrays of tables as `[[a.b]]`, keys in the order given, undefined keys skipped.
 */
export function renderToml(table: TomlTable): string {
  return section(table, []).join("\n").trim() + "\n";
}

function section(table: TomlTable, path: string[]): string[] {
  const lines: string[] = [];
  const nested: Array<[string, TomlTable | readonly TomlTable[]]> = [];
  for (const [key, value] of Object.entries(table)) {
    if (value === undefined) continue;
    if (isTable(value) || isTableArray(value)) nested.push([key, value]);
    else lines.push(`${quoteKey(key)} = ${scalar(value)}`);
  }
  for (const [key, value] of nested) {
    const childPath = [...path, quoteKey(key)];
    if (isTableArray(value)) {
      for (const item of value) lines.push("", `[[${childPath.join(".")}]]`, ...section(item, childPath));
      continue;
    }
    const body = section(value, childPath);
    const hasScalars = Object.values(value).some((v) => v !== undefined && !isTable(v) && !isTableArray(v));
    lines.push(...(hasScalars ? ["", `[${childPath.join(".")}]`] : []), ...body);
  }
  return lines;
}

function scalar(value: TomlValue): string {
  // A number known only at apply: Terraform writes its digits into the file's template.
  if (typeof value === "number" && Token.isUnresolved(value)) return Token.asString(value);
  if (Array.isArray(value)) return `[${value.map((v) => scalar(v as TomlValue)).join(", ")}]`;
  if (typeof value === "string" && value.includes("\n")) return `'''\n${value}'''`;
  // A Nomad template action keeps its own double quotes: a TOML literal string needs no escaping.
  if (typeof value === "string" && value.includes("{{") && !value.includes("'")) return `'${value}'`;
  return JSON.stringify(value);
}

function quoteKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

function isTable(value: TomlValue): value is TomlTable {
  return typeof value === "object" && !Array.isArray(value);
}

function isTableArray(value: TomlValue): value is readonly TomlTable[] {
  return Array.isArray(value) && value.length > 0 && typeof value[0] === "object";
}
