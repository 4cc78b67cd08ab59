import type { JsonValue } from "./plan-json";
import { code } from "./markdown";
import { CriticalChange, ReviewedResource } from "./model";
import { asList, declaredJob, fieldNamed, stringAt, textNamed } from "./values";

/**
 * Access across the mesh's boundary widens as an allow intention does: a new cluster peering (or a
 * token that lets a peer in), a service newly exported to a peer, and a new external destination
 * behind a terminating gateway. Each is critical in the review, whoever's code writes it.
 */
export function boundaryWidenings(resources: readonly ReviewedResource[]): CriticalChange[] {
  return resources.flatMap((r) => {
    if (r.kind !== "create" && r.kind !== "update" && r.kind !== "replace") return [];
    const found = peering(r) ?? [...exportedServices(r), ...externalDestinations(r)];
    return Array.isArray(found) ? found : [found];
  });
}

/** A peering this plan establishes, or a token it mints for a peer to establish one. */
function peering(r: ReviewedResource): CriticalChange | undefined {
  if ((r.type !== "consul_peering" && r.type !== "consul_peering_token") || r.kind === "update")
    return undefined;
  const peer = code(stringAt(r.after, "peer_name") ?? "(known after apply)");
  return {
    address: r.address,
    type: r.type,
    concern: r.concern,
    kind: "peering-added",
    message:
      r.type === "consul_peering"
        ? `**New peering** with ${peer} (${code(r.address)}): the services it exports become reachable upstreams here, and ours to it once exported`
        : `**Peering token** for ${peer} (${code(r.address)}): whoever holds it can peer with this datacenter`,
  };
}

/** The entry a raw `consul_config_entry` value declares, when its kind is `kind`. */
function entryOf(value: JsonValue | undefined, kind: string): JsonValue | undefined {
  if (stringAt(value, "kind")?.toLowerCase() !== kind) return undefined;
  const raw = stringAt(value, "config_json");
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as JsonValue;
  } catch {
    return undefined;
  }
}

/** Whether a side of the change is a raw config entry of `kind` whose content the plan does not show. */
function unreadable(r: ReviewedResource, kind: string): boolean {
  return stringAt(r.after, "kind")?.toLowerCase() === kind && entryOf(r.after, kind) === undefined;
}

/** `service → consumer` pairs an `exported-services` entry (or its v2 resource) shares. */
function exportedPairs(type: string, value: JsonValue | undefined): Set<string> {
  const pairs = new Set<string>();
  if (type === "consul_config_entry_v2_exported_services") {
    const consumers = [
      ...asList(fieldNamed(value, "peer_consumers")).map((p) => `peer ${String(p)}`),
      ...asList(fieldNamed(value, "partition_consumers")).map((p) => `partition ${String(p)}`),
      ...asList(fieldNamed(value, "sameness_group_consumers")).map((g) => `sameness group ${String(g)}`),
    ];
    for (const service of asList(fieldNamed(value, "services"))) {
      for (const consumer of consumers) pairs.add(`${String(service)} → ${consumer}`);
    }
    return pairs;
  }
  for (const service of asList(fieldNamed(entryOf(value, "exported-services"), "Services"))) {
    const name = textNamed(service, "Name") ?? "?";
    for (const consumer of asList(fieldNamed(service, "Consumers"))) {
      const peer = textNamed(consumer, "Peer");
      const partition = textNamed(consumer, "Partition");
      const group = textNamed(consumer, "SamenessGroup");
      const who = peer
        ? `peer ${peer}`
        : partition
          ? `partition ${partition}`
          : `sameness group ${group ?? "?"}`;
      pairs.add(`${name} → ${who}`);
    }
  }
  return pairs;
}

/** Services newly shared with a peer, partition or sameness group. */
function exportedServices(r: ReviewedResource): CriticalChange[] {
  const v2 = r.type === "consul_config_entry_v2_exported_services";
  if (!v2 && r.type !== "consul_config_entry") return [];
  const base = { address: r.address, type: r.type, concern: r.concern, kind: "service-exported" as const };
  if (!v2 && unreadable(r, "exported-services")) {
    return [
      {
        ...base,
        message: `**Exported services** (${code(r.address)}): not verifiable, its entry is known only after apply`,
      },
    ];
  }
  const before = exportedPairs(r.type, r.before);
  return [...exportedPairs(r.type, r.after)]
    .filter((pair) => !before.has(pair))
    .map((pair) => ({
      ...base,
      message: `**Service exported** ${code(pair)} (${code(r.address)}): the consumer's services may call it once intentions allow`,
    }));
}

/** Services a `nomad_job`'s terminating gateways link (Nomad writes their config entry), by gateway. */
function jobLinks(value: JsonValue | undefined): Map<string, string> {
  const links = new Map<string, string>();
  for (const group of asList(fieldNamed(declaredJob(value), "TaskGroups"))) {
    for (const service of asList(fieldNamed(group, "Services"))) {
      const terminating = fieldNamed(fieldNamed(fieldNamed(service, "Connect"), "Gateway"), "Terminating");
      for (const linked of asList(fieldNamed(terminating, "Services"))) {
        links.set(textNamed(linked, "Name") ?? "?", textNamed(service, "Name") ?? "?");
      }
    }
  }
  return links;
}

/** Services newly linked to a terminating gateway: destinations outside the mesh. */
function externalDestinations(r: ReviewedResource): CriticalChange[] {
  if (r.type === "nomad_job") {
    const before = jobLinks(r.before);
    return [...jobLinks(r.after)]
      .filter(([name]) => !before.has(name))
      .map(([name, gateway]) => ({
        address: r.address,
        type: r.type,
        concern: r.concern,
        kind: "external-destination" as const,
        message: `**External destination** ${code(name)} through terminating gateway ${code(gateway)} (${code(r.address)}): mesh services allowed to call it reach outside the mesh`,
      }));
  }
  if (r.type !== "consul_config_entry") return [];
  const base = {
    address: r.address,
    type: r.type,
    concern: r.concern,
    kind: "external-destination" as const,
  };
  if (unreadable(r, "terminating-gateway")) {
    return [
      {
        ...base,
        message: `**Terminating gateway** (${code(r.address)}): not verifiable, its entry is known only after apply`,
      },
    ];
  }
  const linked = (value: JsonValue | undefined) =>
    new Set(
      asList(fieldNamed(entryOf(value, "terminating-gateway"), "Services")).map(
        (s) => textNamed(s, "Name") ?? "?",
      ),
    );
  const before = linked(r.before);
  const gateway = stringAt(r.after, "name") ?? "?";
  return [...linked(r.after)]
    .filter((name) => !before.has(name))
    .map((name) => ({
      ...base,
      message: `**External destination** ${code(name)} through terminating gateway ${code(gateway)} (${code(r.address)}): mesh services allowed to call it reach outside the mesh`,
    }));
}
