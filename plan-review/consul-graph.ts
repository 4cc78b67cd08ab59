/**
 * The access graph of a running mesh, from the config entries Consul holds: the same reading (and
 * drawing) the plan review applies to a plan, so a reviewer's picture and the cluster's agree.
 */
import { AccessGraph, GraphResource, accessGraphOf } from "./access-graph";
import type { JsonValue } from "./plan-json";

/** The Consul config entry kinds the graph reads. */
export const GRAPH_ENTRY_KINDS = [
  "service-intentions",
  "service-resolver",
  "service-splitter",
  "service-router",
] as const;

/**
 * Builds the graph from config entries as Consul's API returns them (`GET /v1/config/<kind>` for
 * each of {@link GRAPH_ENTRY_KINDS}); every edge is "kept", since nothing is being changed.
 */
export function graphFromConsulEntries(entries: readonly JsonValue[]): AccessGraph {
  const resources: GraphResource[] = entries.flatMap((entry) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return [];
    const { Kind: kind, Name: name } = entry as { Kind?: unknown; Name?: unknown };
    if (typeof kind !== "string" || typeof name !== "string") return [];
    const value: JsonValue = { kind, name, config_json: JSON.stringify(entry) };
    return [
      {
        address: `${kind}/${name}`,
        type: "consul_config_entry",
        kind: "no-op",
        before: value,
        after: value,
        change: { after_unknown: {} },
      },
    ];
  });
  return accessGraphOf(resources);
}
