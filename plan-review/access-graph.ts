/**
 * The mesh's access graph after a plan, drawn as a Mermaid flowchart (GitHub renders it in
 * pull-request comments): services as nodes, allowed edges labelled with their L7 rules, splits as
 * the versions of a service with their weights, edges the plan adds drawn thick and green, edges it
 * removes dashed and red. The same drawing of the running mesh is made from Consul's entries.
 */
import { EdgeSet, ReadEdge, collectEdges, readChangeEdges } from "./intentions";
import { l7Rules, rulesText } from "./l7-rules";
import { isIntentionType } from "./model";
import type { JsonValue, PlanChange } from "./plan-json";
import { readTrafficEntry } from "./traffic";

/** What the plan does to an allowed edge. */
export type EdgeChange = "kept" | "added" | "removed";

/** One allowed edge of the graph. */
export interface GraphEdge {
  /** Calling service (or `*`). */
  readonly source: string;
  /** Called service (or `*`). */
  readonly destination: string;
  /** Its L7 rules as one line; absent for a plain (L4) allow. */
  readonly rules?: string;
  /** Kept, added or removed by the plan. */
  readonly change: EdgeChange;
}

/** A version (subset) of a service in the graph. */
export interface GraphVersion {
  /** Subset name. */
  readonly name: string;
  /** Share of the split, in percent, when a splitter names it. */
  readonly weight?: number;
  /** Route summaries that send requests to it. */
  readonly routes: readonly string[];
}

/** The access graph after a plan (or of a running mesh). */
export interface AccessGraph {
  /** Allowed edges, sorted by destination then source; removed ones included. */
  readonly edges: readonly GraphEdge[];
  /** Versions of each service with a resolver, splitter or router. */
  readonly versions: ReadonlyMap<string, readonly GraphVersion[]>;
  /** Whether the `*` → `*` deny holds after the plan. */
  readonly defaultDeny: boolean;
  /**
   * Whether the plan holds the `*` destination's entry at all (before or after): an app
   * repository's plan does not, its platform's repository does.
   */
  readonly holdsWildcard: boolean;
}

/** The parts of a resource the graph reads: both sides, and the plan's action. */
export interface GraphResource {
  /** Terraform address (or any unique name). */
  readonly address: string;
  /** Resource type. */
  readonly type: string;
  /** The folded action (`no-op` for a running mesh). */
  readonly kind: string;
  /** Value before, secrets redacted. */
  readonly before: JsonValue | undefined;
  /** Value after, secrets redacted. */
  readonly after: JsonValue | undefined;
  /** The raw change, for its `after_unknown` mask. */
  readonly change: Pick<PlanChange, "after_unknown">;
}

const WILDCARD = "*";

/** Builds the graph from every resource of a plan, unchanged ones included. */
export function accessGraphOf(resources: readonly GraphResource[]): AccessGraph {
  const before = new EdgeSet();
  const after = new EdgeSet();
  for (const r of resources) {
    if (r.kind === "read" || !isIntentionType(r.type, [r.before, r.after])) continue;
    collectEdges(r, readChangeEdges(r), before, after);
  }
  const allowed = (set: EdgeSet) => set.all().filter(({ edge }) => edge.action === "allow");
  const edges: GraphEdge[] = [
    ...allowed(after).map(({ edge }) =>
      toGraphEdge(edge, before.get(edge)?.edge.action === "allow" ? "kept" : "added"),
    ),
    ...allowed(before)
      .filter(({ edge }) => after.get(edge)?.edge.action !== "allow")
      .map(({ edge }) => toGraphEdge(edge, "removed")),
  ].sort((x, y) => `${x.destination}\u0000${x.source}`.localeCompare(`${y.destination}\u0000${y.source}`));
  const defaultDeny = after
    .all()
    .some(({ edge }) => edge.source === WILDCARD && edge.destination === WILDCARD && edge.action === "deny");
  const holdsWildcard = [...before.all(), ...after.all()].some(({ edge }) => edge.destination === WILDCARD);
  return { edges, versions: versionsOf(resources), defaultDeny, holdsWildcard };
}

function toGraphEdge(edge: ReadEdge, change: EdgeChange): GraphEdge {
  const rules = l7Rules(edge.entry);
  return {
    source: edge.source,
    destination: edge.destination,
    rules: rules.length ? rulesText(rules) : undefined,
    change,
  };
}

/** Each service's versions after the plan: the resolver's subsets, the splitter's weights, the routes. */
function versionsOf(resources: readonly GraphResource[]): Map<string, GraphVersion[]> {
  const subsets = new Map<string, Map<string, { weight?: number; routes: string[] }>>();
  const versionOf = (service: string, name: string) => {
    const byName = subsets.get(service) ?? new Map<string, { weight?: number; routes: string[] }>();
    subsets.set(service, byName);
    const version = byName.get(name) ?? { routes: [] };
    byName.set(name, version);
    return version;
  };
  for (const r of resources) {
    if (r.kind === "delete" || r.kind === "read") continue;
    const entry = readTrafficEntry(r.type, r.after);
    if (!entry) continue;
    for (const name of entry.subsets) versionOf(entry.service, name);
    for (const split of entry.splits) versionOf(entry.service, split.subset).weight = split.weight;
    for (const route of entry.routes) {
      // A route to another service shows as that caller's intention edge, not as a version.
      if (route.service === entry.service && route.subset)
        versionOf(entry.service, route.subset).routes.push(route.match);
    }
  }
  return new Map(
    [...subsets]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([service, byName]) => [
        service,
        [...byName].sort(([a], [b]) => a.localeCompare(b)).map(([name, v]) => ({ name, ...v })),
      ]),
  );
}

/** A Mermaid label: quoted, with the characters Mermaid would read as syntax escaped. */
function label(text: string): string {
  return `"${text.replace(/"/g, "#quot;").replace(/[<>]/g, (c) => (c === "<" ? "#lt;" : "#gt;"))}"`;
}

/** Draws the graph as a Mermaid flowchart (the body of a ```` ```mermaid ```` block). */
export function renderMermaid(graph: AccessGraph): string {
  const ids = new Map<string, string>();
  const services = [
    ...new Set([...graph.edges.flatMap((e) => [e.source, e.destination]), ...graph.versions.keys()]),
  ].sort();
  services.forEach((s, i) => ids.set(s, `s${i}`));
  const lines = ["flowchart LR"];
  for (const service of services) {
    const id = ids.get(service)!;
    const versions = graph.versions.get(service);
    if (!versions) {
      lines.push(`  ${id}[${label(service === WILDCARD ? "* (any service)" : service)}]`);
      continue;
    }
    lines.push(`  subgraph ${id}[${label(service)}]`);
    versions.forEach((v, i) => {
      const parts = [v.name, v.weight === undefined ? "" : `${v.weight} %`, ...v.routes];
      lines.push(`    ${id}_${i}[${label(parts.filter((p) => p !== "").join(" · "))}]`);
    });
    lines.push("  end");
  }
  const styles: string[] = [];
  graph.edges.forEach((e, i) => {
    const arrow = e.change === "removed" ? "-.->" : e.change === "added" ? "==>" : "-->";
    const text = e.rules ?? "";
    lines.push(`  ${ids.get(e.source)} ${arrow}${text ? `|${label(text)}|` : ""} ${ids.get(e.destination)}`);
    if (e.change === "added") styles.push(`  linkStyle ${i} stroke:#1a7f37,stroke-width:3px`);
    if (e.change === "removed") styles.push(`  linkStyle ${i} stroke:#cf222e,stroke-dasharray:5 5`);
  });
  return [...lines, ...styles].join("\n");
}

/** The graph as a Markdown section: the diagram and a one-line key. */
export function graphSection(graph: AccessGraph, title: string): string[] {
  if (graph.edges.length === 0 && graph.versions.size === 0) return [];
  const key = [
    "Arrows are allowed calls, labelled with their L7 rules",
    ...(graph.edges.some((e) => e.change === "added") ? ["thick green: added by this change"] : []),
    ...(graph.edges.some((e) => e.change === "removed") ? ["dashed red: removed"] : []),
    graph.defaultDeny
      ? "everything else is denied (`*` → `*`)"
      : graph.holdsWildcard
        ? "**no default deny**: unlisted traffic is allowed"
        : "the `*` → `*` rule is not in this plan (a platform repository holds it)",
  ];
  return [
    `### ${title}`,
    "",
    "```mermaid",
    renderMermaid(graph),
    "```",
    "",
    `<sub>${key.join("; ")}.</sub>`,
    "",
  ];
}
