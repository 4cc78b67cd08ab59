import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  JsonValue,
  PlanAction,
  PlanChange,
  ResourceChange,
  TerraformPlanJson,
  ValueMask,
} from "../../plan-review/plan-json";

/** Directory of plan JSON fixtures (`<case>.plan.json` + `<case>.expect.json`). */
export const FIXTURES = join(__dirname, "fixtures");

/** What a fixture's `<case>.expect.json` asserts about its review. */
export interface FixtureExpectation {
  /** What the plan shows. */
  readonly description: string;
  /** How the plan was made (real Terraform version and config, or hand-written). */
  readonly origin: string;
  /** Expected exit code (0 or 2). */
  readonly exitCode: number;
  /** Expected counts, all keys. */
  readonly counts: Record<string, number>;
  /** Group title → the exact addresses listed in that group's table; groups not named must be absent. */
  readonly groups: Record<string, string[]>;
  /** Exact set of critical changes. */
  readonly critical: { kind: string; address: string }[];
  /** Substrings the Markdown must contain. */
  readonly markdownContains: string[];
  /** Substrings the Markdown must not contain. */
  readonly markdownExcludes: string[];
}

/** Names of the fixture cases (`<case>.plan.json`). */
export function fixtureCases(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".plan.json"))
    .map((f) => f.slice(0, -".plan.json".length))
    .sort();
}

/** Reads a fixture's plan JSON text. */
export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, `${name}.plan.json`), "utf8");
}

/** Options of {@link change}. */
export interface ChangeSpec {
  readonly before?: JsonValue;
  readonly after?: JsonValue;
  readonly afterUnknown?: ValueMask;
  readonly beforeSensitive?: ValueMask;
  readonly afterSensitive?: ValueMask;
  readonly replacePaths?: (string | number)[][];
  readonly actionReason?: string;
  readonly mode?: "managed" | "data";
}

/** A `resource_changes` entry in the shape `terraform show -json` prints. */
export function change(address: string, actions: PlanAction[], spec: ChangeSpec = {}): ResourceChange {
  const [type = "", rest = ""] = address.split(".");
  const before = spec.before ?? null;
  const after = spec.after ?? null;
  const planChange: PlanChange = {
    actions,
    before,
    after,
    after_unknown: spec.afterUnknown ?? {},
    before_sensitive: spec.beforeSensitive ?? (before === null ? false : {}),
    after_sensitive: spec.afterSensitive ?? (after === null ? false : {}),
    ...(spec.replacePaths ? { replace_paths: spec.replacePaths } : {}),
  };
  return {
    address,
    mode: spec.mode ?? "managed",
    type,
    name: rest.replace(/\[.*$/, ""),
    provider_name: `registry.terraform.io/hashicorp/${type.split("_")[0]}`,
    change: planChange,
    ...(spec.actionReason ? { action_reason: spec.actionReason } : {}),
  };
}

/** A plan document around resource changes. */
export function plan(changes: ResourceChange[], outputs: Record<string, PlanChange> = {}): TerraformPlanJson {
  return {
    format_version: "1.2",
    terraform_version: "1.11.4",
    resource_changes: changes,
    output_changes: outputs,
    errored: false,
  };
}

/** One `sources` entry of a `consul_config_entry_service_intentions` value, as the provider reads it. */
export function intentionSource(
  destination: string,
  source: string,
  action: "allow" | "deny",
  overrides: Record<string, JsonValue> = {},
): JsonValue {
  return {
    name: source,
    action,
    permissions: [],
    description: `meshstack: ${source} -> ${destination}`,
    namespace: "",
    partition: "",
    peer: "",
    precedence: 9,
    sameness_group: "",
    type: "consul",
    ...overrides,
  };
}

/** A `consul_config_entry_service_intentions` value with the given `sources` entries. */
export function intentionsWith(name: string, sources: JsonValue[]): JsonValue {
  return { id: name, name, namespace: null, partition: null, meta: null, jwt: [], sources };
}

/** A `consul_config_entry_service_intentions` value. */
export function intentions(name: string, sources: [string, "allow" | "deny"][]): JsonValue {
  return intentionsWith(
    name,
    sources.map(([source, action]) => intentionSource(name, source, action)),
  );
}

/**
 * The lines of one resource's block in the collapsed attribute changes, from its bold address to the
 * line before the next resource (or the end of the details).
 */
export function detailBlock(markdown: string, address: string): string[] {
  const lines = markdown.split("\n");
  const start = lines.indexOf(`**\`${address}\`**`);
  if (start < 0) return [];
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith("**`") || l === "</details>" || l.startsWith("🔁"));
  return [lines[start] ?? "", ...(end < 0 ? rest : rest.slice(0, end))];
}

/** The addresses listed in the table of each `### <Group> (n)` section of a review. */
export function tableRowsByGroup(markdown: string): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  let current: string | undefined;
  for (const line of markdown.split("\n")) {
    const heading = /^### (.+) \(\d+\)$/.exec(line);
    if (heading) {
      current = heading[1] === "Outputs" ? undefined : heading[1];
      if (current) groups[current] = [];
      continue;
    }
    if (line.startsWith("<details>") || line === "") {
      if (line.startsWith("<details>")) current = undefined;
      continue;
    }
    const row = /^\| [^|]+ \| `([^`]+)` \|/.exec(line);
    if (current && row?.[1]) groups[current]?.push(row[1]);
  }
  return groups;
}

/** Every sensitive leaf of a plan (as Terraform marked it), stringified: none may appear in a review. */
export function sensitiveLeaves(doc: TerraformPlanJson): string[] {
  const out = new Set<string>();
  const walk = (value: JsonValue | undefined, mask: ValueMask | undefined, marked: boolean): void => {
    if (value === null || value === undefined) return;
    const here = marked || mask === true;
    if (typeof value !== "object") {
      if (here) out.add(String(value));
      return;
    }
    const sub = (k: string | number): ValueMask | undefined =>
      typeof mask === "object" && mask !== null ? (mask as Record<string, ValueMask>)[k] : undefined;
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, sub(i), here));
    else Object.entries(value).forEach(([k, v]) => walk(v, sub(k), here));
  };
  const changes = [
    ...(doc.resource_changes ?? []).map((rc) => rc.change),
    ...Object.values(doc.output_changes ?? {}),
  ];
  for (const c of changes) {
    walk(c.before, c.before_sensitive, false);
    walk(c.after, c.after_sensitive, false);
  }
  return [...out];
}
