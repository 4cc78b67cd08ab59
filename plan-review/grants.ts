/**
 * Access across repositories: the calls a plan's services will make (their sidecar upstreams), held
 * against the intentions Consul holds for destinations other repositories own, and the allows the
 * plan's own entries keep for callers that no longer run. Neither shows in a plan: each repository
 * writes only its own destinations' entries, so a missing grant surfaces only at runtime.
 */
import { ReadEdge, readEdges } from "./intentions";
import { isIntentionType } from "./model";
import type { JsonValue, ResourceChange, TerraformPlanJson } from "./plan-json";
import { asList, declaredJob, fieldNamed, stringAt, textNamed } from "./values";

/** `Meta` key of the repository that owns an intentions entry (meshstack's `Intentions` `owner`). */
export const OWNER_META_KEY = "meshstack-owner";

/** What the review reads from Consul: every `service-intentions` entry, and the registered services. */
export interface ConsulIntentionsView {
  /** The entries as `GET /v1/config/service-intentions` returns them. */
  readonly entries: readonly JsonValue[];
  /** Names of the services in Consul's catalog (`GET /v1/catalog/services`). */
  readonly services: readonly string[];
}

/** A call the plan declares that the destination's intentions do not allow. */
export interface MissingGrant {
  /** The calling service, declared in this plan. */
  readonly source: string;
  /** The called service. */
  readonly destination: string;
  /** The rule that decides, e.g. `* → *` (deny); absent when no intention matches. */
  readonly decidedBy?: string;
  /** Who must allow it: the destination entry's `meshstack-owner`, or "this plan". */
  readonly owner?: string;
}

/** An allow in this plan's entries whose caller is neither registered in Consul nor declared in the plan. */
export interface StaleAllow {
  /** The caller that no longer exists. */
  readonly source: string;
  /** The destination whose entry (in this plan) allows it. */
  readonly destination: string;
}

/** The access findings of one plan against the running mesh. */
export interface CrossRepoAccess {
  /** Calls that will be denied at runtime, sorted by source then destination. */
  readonly missing: readonly MissingGrant[];
  /** Allows whose caller is gone, sorted by destination then source. */
  readonly stale: readonly StaleAllow[];
  /** How many declared calls were checked. */
  readonly checked: number;
}

const WILDCARD = "*";
const THIS_PLAN = "this plan";

/** A Connect service a planned job registers, with the upstreams its sidecar dials. */
interface PlannedService {
  readonly name: string;
  readonly upstreams: readonly string[];
}

/** Connect services of the jobs the plan keeps, updates or creates (group- and task-level). */
function plannedServices(changes: readonly ResourceChange[]): PlannedService[] {
  return changes
    .filter((c) => c.type === "nomad_job" && !c.change.actions.includes("delete") && c.change.after)
    .flatMap((c) => {
      // A jobspec known only after apply declares nothing yet.
      const job = declaredJob(c.change.after ?? undefined);
      return asList(fieldNamed(job, "TaskGroups")).flatMap((group) => [
        ...asList(fieldNamed(group, "Services")),
        ...asList(fieldNamed(group, "Tasks")).flatMap((task) => asList(fieldNamed(task, "Services"))),
      ]);
    })
    .flatMap((service) => {
      const name = textNamed(service, "Name");
      if (name === undefined) return [];
      const proxy = fieldNamed(fieldNamed(fieldNamed(service, "Connect"), "SidecarService"), "Proxy");
      const upstreams = asList(fieldNamed(proxy, "Upstreams")).flatMap((u) => {
        const destination = textNamed(u, "DestinationName");
        return destination === undefined ? [] : [destination];
      });
      return [{ name, upstreams }];
    });
}

/** The intention rules in force after the plan: Consul's, with the plan's destinations replaced. */
class RuleBook {
  private readonly rules = new Map<string, Map<string, ReadEdge>>();
  private readonly owners = new Map<string, string>();
  /** Destinations whose entries this plan writes (or deletes). */
  public readonly planned = new Set<string>();

  public constructor(changes: readonly ResourceChange[], consul: ConsulIntentionsView) {
    for (const c of changes) {
      const { before, after } = c.change;
      if (c.type === "consul_intention" || !isIntentionType(c.type, [before, after])) continue;
      for (const side of [before, after]) {
        const name = stringAt(side ?? undefined, "name");
        if (name !== undefined) this.planned.add(name);
      }
      if (c.change.actions.includes("delete") && !c.change.actions.includes("create")) continue;
      this.add(readEdges(c.type, after ?? undefined, c.change.after_unknown), THIS_PLAN);
    }
    for (const entry of consul.entries) {
      const name = textNamed(entry, "Name");
      if (name === undefined || this.planned.has(name)) continue;
      const owner = stringAt(fieldNamed(entry, "Meta"), OWNER_META_KEY);
      const value = { name, config_json: JSON.stringify(entry) };
      this.add(readEdges("consul_config_entry", value), owner, name);
    }
  }

  private add(reading: ReturnType<typeof readEdges>, owner: string | undefined, name?: string): void {
    if (!("edges" in reading)) return;
    for (const edge of reading.edges) {
      const bySource = this.rules.get(edge.destination) ?? new Map<string, ReadEdge>();
      bySource.set(edge.source, edge);
      this.rules.set(edge.destination, bySource);
      if (owner) this.owners.set(edge.destination, owner);
    }
    if (name !== undefined && owner) this.owners.set(name, owner);
  }

  /** Consul's decision for one call: the most precise matching rule (exact names beat `*`). */
  public decide(source: string, destination: string): ReadEdge | undefined {
    for (const [d, s] of [
      [destination, source],
      [destination, WILDCARD],
      [WILDCARD, source],
      [WILDCARD, WILDCARD],
    ]) {
      const edge = this.rules.get(d)?.get(s);
      if (edge) return edge;
    }
    return undefined;
  }

  /** Who owns a destination's entry, when it says. */
  public ownerOf(destination: string): string | undefined {
    return this.planned.has(destination) ? THIS_PLAN : this.owners.get(destination);
  }

  /** The plan's own allows, as (destination, source) pairs. */
  public plannedAllows(): StaleAllow[] {
    return [...this.planned].flatMap((destination) =>
      [...(this.rules.get(destination)?.values() ?? [])]
        .filter((e) => e.action === "allow")
        .map((e) => ({ source: e.source, destination })),
    );
  }
}

/**
 * Holds a plan against the running mesh: every upstream the plan's jobs declare that the intentions
 * in force after the apply (Consul's, with the plan's entries replacing theirs) do not allow, and
 * every allow of the plan's own entries whose caller is neither in Consul's catalog nor in the plan.
 * Callers qualified by a namespace, partition or peer, and `*`, are never reported stale.
 */
export function crossRepoAccess(plan: TerraformPlanJson, consul: ConsulIntentionsView): CrossRepoAccess {
  const changes = plan.resource_changes ?? [];
  const services = plannedServices(changes);
  const book = new RuleBook(changes, consul);
  const calls = services.flatMap((s) => s.upstreams.map((destination) => ({ source: s.name, destination })));
  const missing = calls
    .filter(({ source, destination }) => book.decide(source, destination)?.action !== "allow")
    .map(({ source, destination }): MissingGrant => {
      const rule = book.decide(source, destination);
      return {
        source,
        destination,
        decidedBy: rule && `${rule.source} → ${rule.destination}`,
        owner: book.ownerOf(destination),
      };
    })
    .sort((a, b) => a.source.localeCompare(b.source) || a.destination.localeCompare(b.destination));
  const known = new Set([...consul.services, ...services.map((s) => s.name)]);
  const stale = book
    .plannedAllows()
    .filter(({ source }) => source !== WILDCARD && !source.includes(" (") && !known.has(source))
    .sort((a, b) => a.destination.localeCompare(b.destination) || a.source.localeCompare(b.source));
  return { missing, stale, checked: calls.length };
}

/** The findings as a Markdown section of the review. */
export function crossRepoMarkdown(access: CrossRepoAccess): string {
  const lines = ["", "### Access across repositories", ""];
  if (access.missing.length === 0 && access.stale.length === 0) {
    lines.push(
      `✅ Consul's intentions allow all ${access.checked} call(s) this plan's services declare, and every caller this plan allows exists.`,
    );
    return `${lines.join("\n")}\n`;
  }
  if (access.missing.length > 0) {
    lines.push(
      "> [!WARNING]",
      "> The mesh will refuse these calls at runtime until their destination allows them (Consul's",
      "> intentions after this plan; another repository's entry changes only through its own deploy):",
      "",
      "| Caller | Destination | Decided by | Who must allow it |",
      "| --- | --- | --- | --- |",
      ...access.missing.map(
        (m) =>
          `| \`${m.source}\` | \`${m.destination}\` | ${m.decidedBy ? `\`${m.decidedBy}\` (deny)` : "no intention (the default policy)"} | ${whoAllows(m)} |`,
      ),
      "",
    );
  }
  if (access.stale.length > 0) {
    lines.push(
      "Allows in this plan whose caller no longer exists (neither registered in Consul nor declared in this plan); remove the grant, or deploy the caller:",
      "",
      ...access.stale.map((s) => `- \`${s.destination}\` allows \`${s.source}\``),
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}

function whoAllows(m: MissingGrant): string {
  const how = `\`allowFrom("${m.source}")\` on \`${m.destination}\``;
  if (m.owner === THIS_PLAN) return `this repository: ${how}`;
  return `${m.owner ? `\`${m.owner}\`` : `the repository that owns \`${m.destination}\``}: ${how}`;
}
