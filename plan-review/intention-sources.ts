/**
 * Compares the sources of an intention resource by source name instead of list position. Consul (and
 * the provider) sort sources, so one added source shifts every later index, and a positional diff
 * shows renames and moves that did not happen.
 */
import type { AttributeChange } from "./attributes";
import { EdgeReading, ReadEdge, IntentionSides, edgeKey, readChangeEdges } from "./intentions";
import type { JsonValue, PlanChange } from "./plan-json";
import { UNKNOWN, ValueRenderer, anyMarked, childMask, jsonEqual } from "./values";

/** What happens to one source of an intention. */
export type SourceChangeKind = "added" | "removed" | "changed";

/** A changed field of a source other than its name and access, e.g. `description` or `precedence`. */
export interface SourceFieldChange {
  /** Field name as the plan spells it. */
  readonly field: string;
  /** Rendered value before; never a secret. */
  readonly before: string;
  /** Rendered value after; never a secret. */
  readonly after: string;
}

/** One source of one intention, compared by name. */
export interface SourceChange {
  /** Added, removed or changed. */
  readonly kind: SourceChangeKind;
  /** Source service, qualified (`web`, `web (team-a)`); safe to print. */
  readonly source: string;
  /** Destination service, qualified; safe to print. */
  readonly destination: string;
  /** What the source granted before (`allow`, `deny`, `2 L7 permissions`); absent when added. */
  readonly before?: string;
  /** What the source grants after; absent when removed. */
  readonly after?: string;
  /** True when added, removed, or its action or L7 permissions change; false for `precedence` alone. */
  readonly accessChanged: boolean;
  /** Other changed fields (changed sources only); identity fields are part of the name. */
  readonly fields: readonly SourceFieldChange[];
}

/** Attribute rows of an intention change, with its sources keyed by name when they can be. */
export interface SourcesView {
  /** Attribute rows; without the positional sources rows when `sourceChanges` is set. */
  readonly attributes: readonly AttributeChange[];
  /** Sources compared by name; absent when they cannot be keyed by name. */
  readonly sourceChanges?: readonly SourceChange[];
}

/** Where a type keeps its sources: the attribute, and the attribute rows that show them by position. */
interface SourcesHome {
  readonly attribute: string;
  readonly rows: RegExp;
}

const HOMES: ReadonlyMap<string, SourcesHome> = new Map([
  ["consul_config_entry_service_intentions", { attribute: "sources", rows: /^sources(?:$|[[.])/ }],
  ["consul_config_entry", { attribute: "config_json", rows: /^config_json › sources(?:$|[[.])/i }],
]);

// Identity fields are folded into the qualified source name; access fields make the rule.
const IDENTITY_FIELDS: ReadonlySet<string> = new Set([
  "name",
  "namespace",
  "partition",
  "peer",
  "sameness_group",
  "samenessgroup",
]);
const ACCESS_FIELDS: ReadonlySet<string> = new Set(["action", "permissions"]);
// Consul computes precedence from the names; unknown until apply, it is not a change to show.
const COMPUTED_FIELDS: ReadonlySet<string> = new Set(["precedence"]);

const KIND_ORDER: Readonly<Record<SourceChangeKind, number>> = { added: 0, removed: 1, changed: 2 };

/** The fields of a source entry by lower-cased name (raw config entries spell them `Name`, `Action`). */
function fieldsOf(edge: ReadEdge): Map<string, { key: string; value: JsonValue }> {
  const entry = edge.entry;
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return new Map();
  return new Map(Object.entries(entry).map(([key, value]) => [key.toLowerCase(), { key, value }]));
}

function permissionsOf(edge: ReadEdge): JsonValue | undefined {
  return fieldsOf(edge).get("permissions")?.value;
}

/** What a source grants, as a reviewer reads it: `allow`, `deny` or `N L7 permissions`. */
function ruleOf(edge: ReadEdge): string {
  const permissions = permissionsOf(edge);
  if (!Array.isArray(permissions) || permissions.length === 0) return edge.action;
  return `${permissions.length} L7 permission${permissions.length === 1 ? "" : "s"}`;
}

function otherFieldChanges(before: ReadEdge, after: ReadEdge, renderer: ValueRenderer): SourceFieldChange[] {
  const [b, a] = [fieldsOf(before), fieldsOf(after)];
  const names = [...new Set([...b.keys(), ...a.keys()])].sort();
  const out: SourceFieldChange[] = [];
  for (const name of names) {
    if (IDENTITY_FIELDS.has(name) || ACCESS_FIELDS.has(name)) continue;
    const [was, now] = [b.get(name), a.get(name)];
    const field = now?.key ?? was?.key ?? name;
    if (anyMarked(childMask(after.unknown, field))) {
      if (!COMPUTED_FIELDS.has(name))
        out.push({ field, before: renderer.render(was?.value), after: UNKNOWN });
      continue;
    }
    if (jsonEqual(was?.value, now?.value)) continue;
    out.push({ field, before: renderer.render(was?.value), after: renderer.render(now?.value) });
  }
  return out;
}

function labels(edge: ReadEdge, renderer: ValueRenderer): Pick<SourceChange, "source" | "destination"> {
  return { source: renderer.label(edge.source), destination: renderer.label(edge.destination) };
}

function added(edge: ReadEdge, renderer: ValueRenderer): SourceChange {
  return { kind: "added", ...labels(edge, renderer), after: ruleOf(edge), accessChanged: true, fields: [] };
}

function removed(edge: ReadEdge, renderer: ValueRenderer): SourceChange {
  return {
    kind: "removed",
    ...labels(edge, renderer),
    before: ruleOf(edge),
    accessChanged: true,
    fields: [],
  };
}

function compareSource(before: ReadEdge, after: ReadEdge, renderer: ValueRenderer): SourceChange | undefined {
  const [was, now] = [ruleOf(before), ruleOf(after)];
  const accessChanged = was !== now || !jsonEqual(permissionsOf(before), permissionsOf(after));
  const fields = otherFieldChanges(before, after, renderer);
  if (!accessChanged && fields.length === 0) return undefined;
  return { kind: "changed", ...labels(after, renderer), before: was, after: now, accessChanged, fields };
}

/** Edges by key, or undefined when a key repeats (then position is the only identity left). */
function byKey(edges: readonly ReadEdge[]): Map<string, ReadEdge> | undefined {
  const map = new Map(edges.map((e) => [edgeKey(e), e] as const));
  return map.size === edges.length ? map : undefined;
}

/**
 * Compares the sources of one intention resource before and after by (destination, source) name, the
 * key the critical rules compare the whole mesh by. Sorted added, removed, changed, then by name.
 *
 * @returns undefined when a side cannot be read or names a source twice
 */
export function diffSources(
  before: EdgeReading,
  after: EdgeReading,
  renderer: ValueRenderer,
): SourceChange[] | undefined {
  if ("unreadable" in before || "unreadable" in after) return undefined;
  const [was, now] = [byKey(before.edges), byKey(after.edges)];
  if (!was || !now) return undefined;
  const out: SourceChange[] = [];
  for (const [key, edge] of was) {
    const next = now.get(key);
    const change = next ? compareSource(edge, next, renderer) : removed(edge, renderer);
    if (change) out.push(change);
  }
  for (const [key, edge] of now) if (!was.has(key)) out.push(added(edge, renderer));
  return out.sort((x, y) => KIND_ORDER[x.kind] - KIND_ORDER[y.kind] || x.source.localeCompare(y.source));
}

/** True when the sources can be compared by name without hiding a secret or a forced replacement. */
function keyable(home: SourcesHome, change: PlanChange): boolean {
  const marked = (mask: PlanChange["before_sensitive"]) => anyMarked(childMask(mask, home.attribute));
  if (marked(change.before_sensitive) || marked(change.after_sensitive)) return false;
  return !(change.replace_paths ?? []).some((path) => path[0] === home.attribute);
}

/**
 * The attribute rows of an intention update or replacement with its sources compared by name: the
 * positional `sources[…]` rows (or `config_json › Sources[…]` of a raw config entry) give way to
 * {@link SourceChange}s, and every other attribute keeps its row.
 *
 * Keeps the positional rows, and returns no source changes, when sources are sensitive, unknown,
 * unreadable, name a source twice, or force the replacement.
 */
export function sourcesByName(
  resource: IntentionSides & { readonly change: PlanChange },
  attributes: readonly AttributeChange[],
  renderer: ValueRenderer,
): SourcesView {
  const home = HOMES.get(resource.type);
  if (!home || !keyable(home, resource.change)) return { attributes };
  const sourceChanges = diffSources(...readChangeEdges(resource), renderer);
  if (!sourceChanges) return { attributes };
  return { attributes: attributes.filter((a) => !home.rows.test(a.path)), sourceChanges };
}
