/**
 * Access rules and their evaluation over an intention graph: pure functions, shared by the
 * `AccessPolicy` construct (at synth), plan review (on the graph after a plan) and the audit (on the
 * running mesh's entries).
 */
import type { IntentionEdge } from "../consul/intentions";

/** A rule, as plan review and the audit read it (names only). */
export type AccessRule =
  | { readonly kind: "forbid"; readonly from: string; readonly to: string }
  | { readonly kind: "forbidPath"; readonly from: string; readonly to: string }
  | { readonly kind: "onlyFrom"; readonly to: string; readonly sources: readonly string[] }
  | { readonly kind: "noWildcardSources" }
  | { readonly kind: "requireL7"; readonly to: string };

/** A broken rule: the rule, the edges or path that break it, and the fix. */
export type AccessViolation = {
  /** The rule, as written (`forbidPath(traefik → payments)`). */
  readonly rule: string;
  /** The offending edges, or the hops of the offending path, in order (`web → api`). */
  readonly edges: readonly string[];
  /** What breaks it and how to fix it, in a sentence. */
  readonly message: string;
};

const WILDCARD = "*";

/** The stack output that carries an `AccessPolicy`'s rules as JSON (one policy per stack). */
export const ACCESS_POLICY_OUTPUT = "meshstack_access_policy";

/** The rules in an output's JSON text, or why they cannot be read. */
export function parseAccessRules(text: unknown): AccessRule[] | { readonly unreadable: string } {
  if (typeof text !== "string") return { unreadable: "the output is not a JSON string" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { unreadable: "the output is not JSON" };
  }
  const kinds = ["forbid", "forbidPath", "onlyFrom", "noWildcardSources", "requireL7"];
  const ok =
    Array.isArray(value) &&
    value.every(
      (r) => typeof r === "object" && r !== null && kinds.includes((r as { kind?: string }).kind ?? ""),
    );
  return ok ? (value as AccessRule[]) : { unreadable: "the output holds something other than access rules" };
}

/**
 * The rules `graph` breaks, in the order given: each with the offending edges or path and the fix.
 * `services` are the graph's known service names (a path may pass through a service no edge names).
 */
export function accessViolations(
  rules: readonly AccessRule[],
  edges: readonly IntentionEdge[],
  services: readonly string[] = [],
): AccessViolation[] {
  const graph = new AccessGraph(edges, services);
  return rules.flatMap((rule) => graph.check(rule));
}

/** A rule as its author wrote it. */
export function ruleText(rule: AccessRule): string {
  switch (rule.kind) {
    case "forbid":
    case "forbidPath":
      return `${rule.kind}(${rule.from} → ${rule.to})`;
    case "onlyFrom":
      return `onlyFrom(${rule.to}, [${rule.sources.join(", ")}])`;
    case "noWildcardSources":
      return "noWildcardSources()";
    case "requireL7":
      return `requireL7(${rule.to})`;
  }
}

/** An edge as a hop: `web → api`, with why it exists when a route made it. */
function hop(edge: IntentionEdge): string {
  const source = edge.peer === undefined ? edge.source : `${edge.source}@${edge.peer}`;
  return `${source} → ${edge.destination}${edge.routedBy ? ` (routed by ${edge.routedBy})` : ""}`;
}

/**
 * The allow graph of a mesh's intentions, with Consul's precedence: the most specific edge decides a
 * pair (exact destination before `*`, then exact source before `*`), and an edge with L7 permissions
 * lets some requests through.
 */
class AccessGraph {
  private readonly byDestination = new Map<string, Map<string, IntentionEdge>>();
  private readonly nodes: string[];
  /** Destinations by exact source, built on first use. */
  private outgoing?: Map<string, string[]>;

  public constructor(edges: readonly IntentionEdge[], services: readonly string[]) {
    for (const edge of edges) {
      const key = edge.peer === undefined ? edge.source : `${edge.source}@${edge.peer}`;
      const bySource = this.byDestination.get(edge.destination) ?? new Map<string, IntentionEdge>();
      bySource.set(key, edge);
      this.byDestination.set(edge.destination, bySource);
    }
    const named = edges.flatMap((e) => [e.source, e.destination]).filter((n) => n !== WILDCARD);
    this.nodes = [...new Set([...services, ...named])].sort();
  }

  /** The edge that decides `source` → `destination`, when it allows. */
  public allowing(source: string, destination: string): IntentionEdge | undefined {
    for (const d of [destination, WILDCARD]) {
      for (const s of [source, WILDCARD]) {
        const edge = this.byDestination.get(d)?.get(s);
        if (edge) return edge.permissions || edge.action === "allow" ? edge : undefined;
      }
    }
    return undefined;
  }

  public check(rule: AccessRule): AccessViolation[] {
    const text = ruleText(rule);
    const violation = (edges: IntentionEdge[], detail: string): AccessViolation => ({
      rule: text,
      edges: edges.map(hop),
      message: `rule ${text} is broken: ${detail}`,
    });
    switch (rule.kind) {
      case "forbid": {
        const edge = this.allowing(rule.from, rule.to);
        return edge
          ? [
              violation(
                [edge],
                `the intention ${hop(edge)} lets ${rule.from} call ${rule.to}; remove the relation that ` +
                  `declares it${edge.source === WILDCARD ? " (or the wildcard allow)" : ""}, or the rule`,
              ),
            ]
          : [];
      }
      case "forbidPath": {
        const path = this.path(rule.from, rule.to);
        return path
          ? [
              violation(
                path,
                `${rule.from} reaches ${rule.to} through ${path.map(hop).join(", ")}; remove one of these ` +
                  `relations (or the route that made one), or the rule`,
              ),
            ]
          : [];
      }
      case "onlyFrom": {
        const extra = this.sourcesOf(rule.to).filter(
          (e) => !rule.sources.includes(e.peer === undefined ? e.source : `${e.source}@${e.peer}`),
        );
        return extra.length
          ? [
              violation(
                extra,
                `${extra.map(hop).join(", ")} ${extra.length > 1 ? "are" : "is"} allowed, beside ` +
                  `[${rule.sources.join(", ")}]; remove ${extra.length > 1 ? "those relations" : "that relation"} ` +
                  `or add the source to the rule`,
              ),
            ]
          : [];
      }
      case "noWildcardSources": {
        const wild = [...this.byDestination.values()]
          .flatMap((m) => [...m.values()])
          .filter((e) => e.source === WILDCARD && (e.permissions || e.action === "allow"));
        return wild.length
          ? [violation(wild, `${wild.map(hop).join(", ")} allows every service; name the callers instead`)]
          : [];
      }
      case "requireL7": {
        const l4 = this.sourcesOf(rule.to).filter((e) => !e.permissions);
        return l4.length
          ? [
              violation(
                l4,
                `${l4.map(hop).join(", ")} allows every request; give ${l4.length > 1 ? "those relations" : "that relation"} ` +
                  `permissions (connectTo(…, { permissions })) with ${rule.to} on an HTTP protocol`,
              ),
            ]
          : [];
      }
    }
  }

  /** The allowing edges into `destination`: its own entry's and the wildcard destination's. */
  private sourcesOf(destination: string): IntentionEdge[] {
    const own = [...(this.byDestination.get(destination)?.values() ?? [])];
    const wild = [...(this.byDestination.get(WILDCARD)?.values() ?? [])].filter(
      (e) => !own.some((o) => o.source === e.source && o.peer === e.peer),
    );
    return [...own, ...wild].filter((e) => e.permissions || e.action === "allow");
  }

  /** The shortest chain of allowed calls from `from` to `to` (breadth first), if any. */
  private path(from: string, to: string): IntentionEdge[] | undefined {
    const via = new Map<string, IntentionEdge>();
    const seen = new Set([from]);
    let frontier = [from];
    while (frontier.length) {
      const next: string[] = [];
      for (const node of frontier) {
        for (const target of this.candidates(node)) {
          if (seen.has(target)) continue;
          const edge = this.allowing(node, target);
          if (!edge) continue;
          via.set(target, { ...edge, source: node, destination: target, peer: undefined });
          if (target === to) return this.unwind(via, from, to);
          seen.add(target);
          next.push(target);
        }
      }
      frontier = next;
    }
    return undefined;
  }

  /**
   * The services `node` may be allowed to call: the destinations of its own edges and of wildcard
   * sources, or every service where it (or `*`) may call `*`. Linear in the edges, so a search stays
   * proportional to the graph rather than to the square of its services.
   */
  private candidates(node: string): Iterable<string> {
    const wildTargets = this.byDestination.get(WILDCARD);
    if (wildTargets?.has(node) || wildTargets?.has(WILDCARD)) return this.nodes;
    if (!this.outgoing) {
      this.outgoing = new Map<string, string[]>();
      for (const [destination, bySource] of this.byDestination) {
        if (destination === WILDCARD) continue;
        for (const source of bySource.keys()) {
          const out = this.outgoing.get(source) ?? [];
          out.push(destination);
          this.outgoing.set(source, out);
        }
      }
    }
    return new Set([...(this.outgoing.get(node) ?? []), ...(this.outgoing.get(WILDCARD) ?? [])]);
  }

  private unwind(via: Map<string, IntentionEdge>, from: string, to: string): IntentionEdge[] {
    const hops: IntentionEdge[] = [];
    for (let at = to; at !== from; at = via.get(at)!.source) hops.unshift(via.get(at)!);
    return hops;
  }
}
