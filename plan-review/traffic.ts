/**
 * Consul's traffic-management entries (`service-splitter`, `service-router`, `service-resolver`) as
 * a reviewer reads them: a split with its weights, routes as one line each, subsets by name. Read
 * from raw `consul_config_entry` resources (`kind`, `name`, `config_json`) on either side of a plan.
 */
import type { JsonValue } from "./plan-json";
import { asList, fieldNamed, stringAt, filledText } from "./values";

/** The traffic entry kinds the review reads. */
export const TRAFFIC_KINDS = ["service-splitter", "service-router", "service-resolver"] as const;

/** One of {@link TRAFFIC_KINDS}. */
export type TrafficKind = (typeof TRAFFIC_KINDS)[number];

/** A traffic entry, read: which service, which kind, and its content as one line. */
export interface TrafficEntry {
  /** The service the entry configures. */
  readonly service: string;
  /** Its kind. */
  readonly kind: TrafficKind;
  /** Splits (splitter only), in order. */
  readonly splits: readonly { readonly subset: string; readonly weight: number }[];
  /** Routes (router only), in order. */
  readonly routes: readonly TrafficRoute[];
  /** Subset names (resolver only). */
  readonly subsets: readonly string[];
  /** The content as one line: `v1 90 % · v2 10 %`, `/v2/* → v2; x-canary=always → v2`, `v1 (default), v2`. */
  readonly summary: string;
}

/** One route of a router, read. */
export interface TrafficRoute {
  /** The match as one line: `GET /v2/* x-canary=always`, or `any`. */
  readonly match: string;
  /** The destination service. */
  readonly service: string;
  /** The destination subset, when named. */
  readonly subset?: string;
  /** The prefix rewrite, when any. */
  readonly prefixRewrite?: string;
}

function routeLine(route: TrafficRoute, service: string): string {
  const to =
    route.service === service
      ? (route.subset ?? "default")
      : route.subset
        ? `${route.service}/${route.subset}`
        : route.service;
  return `${route.match} → ${to}${route.prefixRewrite ? ` (rewritten to ${route.prefixRewrite})` : ""}`;
}

/** A route's match and destination. */
function readRoute(route: JsonValue, service: string): TrafficRoute {
  const http = fieldNamed(fieldNamed(route, "Match"), "HTTP");
  const exact = filledText(http, "PathExact");
  const prefix = filledText(http, "PathPrefix");
  const regex = filledText(http, "PathRegex");
  const headers = asList(fieldNamed(http, "Header")).map((h) => {
    const name = filledText(h, "Name") ?? "?";
    const way = (["Exact", "Prefix", "Suffix", "Regex"] as const).find((k) => filledText(h, k) !== undefined);
    return way
      ? `${name}${way === "Exact" ? "=" : ` ${way.toLowerCase()} `}${filledText(h, way)}`
      : `${name} present`;
  });
  const methods = asList(fieldNamed(http, "Methods")).filter((m) => typeof m === "string");
  const match = [
    methods.join(","),
    exact ?? (prefix ? `${prefix}*` : regex ? `~${regex}` : ""),
    headers.join(" & "),
  ].filter((p) => p !== "");
  const destination = fieldNamed(route, "Destination");
  return {
    match: match.join(" ") || "any",
    service: filledText(destination, "Service") ?? service,
    subset: filledText(destination, "ServiceSubset"),
    prefixRewrite: filledText(destination, "PrefixRewrite"),
  };
}

function splitsOf(config: JsonValue): { subset: string; weight: number }[] {
  return asList(fieldNamed(config, "Splits")).map((s) => ({
    subset: filledText(s, "ServiceSubset") ?? filledText(s, "Service") ?? "default",
    weight: typeof fieldNamed(s, "Weight") === "number" ? (fieldNamed(s, "Weight") as number) : 0,
  }));
}

/**
 * Reads one side of a resource as a traffic entry; undefined when it is not one (another resource
 * type or kind, a sensitive or unknown body).
 */
export function readTrafficEntry(type: string, value: JsonValue | undefined): TrafficEntry | undefined {
  if (type !== "consul_config_entry" || value === undefined || value === null) return undefined;
  const kind = stringAt(value, "kind")?.toLowerCase() as TrafficKind | undefined;
  const service = stringAt(value, "name");
  const raw = stringAt(value, "config_json");
  if (!kind || !TRAFFIC_KINDS.includes(kind) || !service || raw === undefined) return undefined;
  let config: JsonValue;
  try {
    config = JSON.parse(raw) as JsonValue;
  } catch {
    return undefined;
  }
  const splits = kind === "service-splitter" ? splitsOf(config) : [];
  const routes =
    kind === "service-router" ? asList(fieldNamed(config, "Routes")).map((r) => readRoute(r, service)) : [];
  const subsetMap = kind === "service-resolver" ? fieldNamed(config, "Subsets") : undefined;
  const subsets = typeof subsetMap === "object" && subsetMap !== null ? Object.keys(subsetMap) : [];
  const fallback = filledText(config, "DefaultSubset");
  const summary =
    kind === "service-splitter"
      ? splits.map((s) => `${s.subset} ${s.weight} %`).join(" · ")
      : kind === "service-router"
        ? routes.map((r) => routeLine(r, service)).join("; ")
        : subsets.map((s) => (s === fallback ? `${s} (default)` : s)).join(", ");
  return { service, kind, splits, routes, subsets, summary };
}

/** What a plan does to one traffic entry, for the review's Traffic section. */
export interface TrafficChange {
  /** Address of the resource. */
  readonly address: string;
  /** The service. */
  readonly service: string;
  /** The entry kind. */
  readonly kind: TrafficKind;
  /** The entry before, as one line; absent when created. */
  readonly before?: string;
  /** The entry after, as one line; absent when destroyed. */
  readonly after?: string;
}

/** The traffic entries a plan changes, in plan order, with their content before and after. */
export function trafficChanges(
  resources: readonly {
    readonly address: string;
    readonly type: string;
    readonly kind: string;
    readonly before: JsonValue | undefined;
    readonly after: JsonValue | undefined;
  }[],
): TrafficChange[] {
  return resources
    .filter((r) => r.kind !== "no-op" && r.kind !== "read")
    .flatMap((r) => {
      const before = readTrafficEntry(r.type, r.before);
      const after = r.kind === "delete" ? undefined : readTrafficEntry(r.type, r.after);
      const entry = after ?? before;
      if (!entry || before?.summary === after?.summary) return [];
      return [
        {
          address: r.address,
          service: entry.service,
          kind: entry.kind,
          before: before?.summary,
          after: after?.summary,
        },
      ];
    });
}
