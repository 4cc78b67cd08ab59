import type { JsonValue, PlanChange, ValueMask } from "./plan-json";
import { REDACTED, anyMarked, childMask, fieldNamed, stringAt, textNamed, valueAt } from "./values";
import { l7Rules, l7Widening } from "./l7-rules";

/** What an intention edge does, with L7 permissions counted as allow. */
export type EdgeAction = "allow" | "deny";

/**
 * One source → destination rule of a Consul intention as read from a plan or from Consul (not the
 * edges `Intentions` declares in the constructs).
 */
export interface ReadEdge {
  /** Destination service (with namespace/partition qualifiers, if any). */
  readonly destination: string;
  /** Source service (with namespace/partition/peer qualifiers, if any). */
  readonly source: string;
  /** The effective action. */
  readonly action: EdgeAction;
  /** The source entry the edge was read from, secrets redacted; absent for a legacy `consul_intention`. */
  readonly entry?: JsonValue;
  /** The `after_unknown` mask of that entry (after side of `consul_config_entry_service_intentions`). */
  readonly unknown?: ValueMask;
}

/** How an intention change widens who may call whom. */
export type WideningKind =
  "new-allow" | "deny-to-allow" | "deny-removed" | "default-deny-removed" | "l7-widened";

/** One widening of access found by comparing intention edges before and after the plan. */
export interface Widening {
  /** How access widens. */
  readonly kind: WideningKind;
  /** The edge concerned (its action after the plan, or before it for removals). */
  readonly edge: ReadEdge;
  /** Address of the resource that carries the edge. */
  readonly address: string;
  /** For `l7-widened`: what lets more through (rules added, removed or reordered). */
  readonly detail?: string;
}

/** Intention edges of one side of a change, or why they cannot be read. */
export type EdgeReading = { readonly edges: readonly ReadEdge[] } | { readonly unreadable: string };

const WILDCARD = "*";

/** Whether a reading holds edges (rather than the reason they cannot be read). */
function isReadable(reading: EdgeReading | undefined): reading is { readonly edges: readonly ReadEdge[] } {
  return reading !== undefined && "edges" in reading;
}

function qualified(name: string, qualifiers: readonly (string | undefined)[]): string {
  const parts = qualifiers.filter((q): q is string => typeof q === "string" && q !== "" && q !== "default");
  return parts.length > 0 ? `${name} (${parts.join("/")})` : name;
}

function actionOf(source: JsonValue): EdgeAction {
  const permissions = fieldNamed(source, "permissions");
  if (Array.isArray(permissions) && permissions.length > 0) return "allow";
  return textNamed(source, "action")?.toLowerCase() === "deny" ? "deny" : "allow";
}

function sourcesEdges(destination: string, sources: JsonValue | undefined, unknown?: ValueMask): EdgeReading {
  if (sources === undefined || sources === null) return { edges: [] };
  if (sources === REDACTED || !Array.isArray(sources))
    return { unreadable: "its sources are sensitive or malformed" };
  const edges: ReadEdge[] = [];
  for (const [i, source] of sources.entries()) {
    const name = textNamed(source, "name");
    if (source === REDACTED || name === undefined)
      return { unreadable: "a source name is sensitive or missing" };
    const qualifiers = ["partition", "namespace", "peer", "sameness_group", "samenessgroup"].map((q) =>
      textNamed(source, q),
    );
    edges.push({
      destination,
      source: qualified(name, qualifiers),
      action: actionOf(source),
      entry: source,
      unknown: childMask(unknown, i),
    });
  }
  return { edges };
}

const SOURCE_FIELDS = ["name", "action", "permissions", "namespace", "partition", "peer", "sameness_group"];

/** True when a part of `sources` the review reads is unknown (computed fields such as `precedence` are not). */
function sourcesUnknown(mask: ValueMask | undefined): boolean {
  if (mask === true) return true;
  if (!Array.isArray(mask)) return false;
  return mask.some((m) => m === true || SOURCE_FIELDS.some((f) => anyMarked(childMask(m, f))));
}

/**
 * Reads the intention edges of one side (before or after) of an intention resource:
 * `consul_config_entry_service_intentions` (`name`, `sources`), `consul_config_entry` of kind
 * `service-intentions` (`config_json` with `Sources`) and the legacy `consul_intention`.
 *
 * @param value the side's value with secrets redacted
 * @param unknown the side's `after_unknown` mask (after side only)
 */
export function readEdges(type: string, value: JsonValue | undefined, unknown?: ValueMask): EdgeReading {
  if (value === undefined || value === null) return { edges: [] };
  if (value === REDACTED) return { unreadable: "the whole resource is sensitive" };
  const unknownAt = (key: string) => anyMarked(childMask(unknown, key));
  if (type === "consul_intention") {
    if (["source_name", "destination_name", "action"].some(unknownAt))
      return { unreadable: "it is known only after apply" };
    const source = stringAt(value, "source_name");
    const destination = stringAt(value, "destination_name");
    if (source === undefined || destination === undefined)
      return { unreadable: "source or destination is sensitive" };
    const ns = (key: string) => [stringAt(value, key)];
    return {
      edges: [
        {
          destination: qualified(destination, ns("destination_namespace")),
          source: qualified(source, ns("source_namespace")),
          action: stringAt(value, "action")?.toLowerCase() === "deny" ? "deny" : "allow",
        },
      ],
    };
  }
  if (
    ["name", "config_json", "namespace", "partition"].some(unknownAt) ||
    sourcesUnknown(childMask(unknown, "sources"))
  ) {
    return { unreadable: "its sources are known only after apply" };
  }
  const name = stringAt(value, "name");
  if (name === undefined) return { unreadable: "its destination name is sensitive or missing" };
  const destination = qualified(name, [stringAt(value, "partition"), stringAt(value, "namespace")]);
  if (type === "consul_config_entry") {
    const raw = valueAt(value, ["config_json"]);
    if (raw === undefined || raw === null) return { edges: [] };
    if (typeof raw !== "string") return { unreadable: "its config_json is sensitive" };
    let config: JsonValue;
    try {
      config = JSON.parse(raw) as JsonValue;
    } catch {
      return { unreadable: "its config_json does not parse" };
    }
    return sourcesEdges(destination, fieldNamed(config, "sources"));
  }
  return sourcesEdges(destination, valueAt(value, ["sources"]), childMask(unknown, "sources"));
}

/** The parts of a resource change that reading its intention edges needs. */
export interface IntentionSides {
  /** Resource type. */
  readonly type: string;
  /** Value before, secrets redacted. */
  readonly before: JsonValue | undefined;
  /** Value after, secrets redacted. */
  readonly after: JsonValue | undefined;
  /** The raw change, for its `after_unknown` mask. */
  readonly change: Pick<PlanChange, "after_unknown">;
}

/**
 * Reads both sides (before, after) of an intention resource change. The critical rules and the
 * by-name sources view both read through here, so they see the same edges.
 */
export function readChangeEdges(sides: IntentionSides): readonly [EdgeReading, EdgeReading] {
  return [
    readEdges(sides.type, sides.before),
    readEdges(sides.type, sides.after, sides.change.after_unknown),
  ];
}

/**
 * Adds one resource's readable edges to the plan-wide sets: its before side where it exists, its
 * after side unless it is destroyed, and a forgotten resource's before side to both (it leaves
 * Terraform's state, not Consul). The critical rules and the access graph share this, so they
 * count the same edges.
 */
export function collectEdges(
  resource: {
    readonly address: string;
    readonly kind: string;
    readonly before?: JsonValue;
    readonly after?: JsonValue;
  },
  [b, a]: readonly [EdgeReading, EdgeReading],
  before: EdgeSet,
  after: EdgeSet,
): void {
  const { address, kind } = resource;
  if (resource.before !== undefined && isReadable(b)) before.add(address, b.edges);
  if (resource.after !== undefined && kind !== "delete" && isReadable(a)) after.add(address, a.edges);
  if (kind === "forget" && isReadable(b)) after.add(address, b.edges);
}

/** The key an edge is compared by: destination and source, not the resource or list position. */
export function edgeKey(edge: ReadEdge): string {
  return `${edge.destination}\u0000${edge.source}`;
}

/** Edges of one side of the plan, with the address of the resource carrying each. */
export class EdgeSet {
  private readonly edges = new Map<string, { edge: ReadEdge; address: string }>();

  /** Adds the edges of one resource. */
  public add(address: string, edges: readonly ReadEdge[]): void {
    for (const edge of edges) this.edges.set(edgeKey(edge), { edge, address });
  }

  /** Looks an edge up by destination and source. */
  public get(edge: ReadEdge): { edge: ReadEdge; address: string } | undefined {
    return this.edges.get(edgeKey(edge));
  }

  /** Every edge, in insertion order. */
  public all(): { edge: ReadEdge; address: string }[] {
    return [...this.edges.values()];
  }
}

/**
 * Compares the mesh's intention edges before and after the plan and returns every change that lets
 * more traffic through: a new allow, an allow replacing a deny, a removed deny, a removed default deny,
 * and L7 rules that allow more requests on an edge that stays.
 *
 * Comparing the whole graph rather than each resource means moving an edge between resources (a
 * renamed construct) is not reported as a new allow.
 */
export function findWidenings(before: EdgeSet, after: EdgeSet): Widening[] {
  const found: Widening[] = [];
  for (const { edge, address } of after.all()) {
    if (edge.action !== "allow") continue;
    const previous = before.get(edge);
    if (!previous) found.push({ kind: "new-allow", edge, address });
    else if (previous.edge.action === "deny") found.push({ kind: "deny-to-allow", edge, address });
    else {
      const detail = l7Widening(l7Rules(previous.edge.entry), l7Rules(edge.entry));
      if (detail) found.push({ kind: "l7-widened", edge, address, detail });
    }
  }
  for (const { edge, address } of before.all()) {
    if (edge.action !== "deny" || after.get(edge)) continue;
    const isDefault = edge.destination === WILDCARD && edge.source === WILDCARD;
    found.push({ kind: isDefault ? "default-deny-removed" : "deny-removed", edge, address });
  }
  return found;
}
