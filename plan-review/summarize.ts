import { diffAttributes } from "./attributes";
import { CriticalRuleOptions, findCriticalChanges } from "./critical";
import { sourcesByName } from "./intention-sources";
import { OutputReview, PlanCounts, renderMarkdown } from "./markdown";
import { CriticalChange, ReviewedResource, concernOf, kindOf } from "./model";
import { PlanChange, ResourceChange, TerraformPlanJson } from "./plan-json";
import { SENSITIVE, UNKNOWN, ValueRenderer, collectMarkedLeaves, isMarked, redact } from "./values";
import { AccessGraph, accessGraphOf } from "./access-graph";
import { TrafficChange, trafficChanges } from "./traffic";
import { brokenAccessRules } from "./access-rules";

export type { AccessGraph, EdgeChange, GraphEdge, GraphVersion } from "./access-graph";
export { accessGraphOf, graphSection, renderMermaid } from "./access-graph";
export { GRAPH_ENTRY_KINDS, graphFromConsulEntries } from "./consul-graph";
export type { TrafficChange, TrafficKind } from "./traffic";

export type { CriticalRuleOptions } from "./critical";
export type { SourceChange, SourceChangeKind, SourceFieldChange } from "./intention-sources";
export type { CriticalChange, CriticalKind } from "./model";
export type { PlanCounts } from "./markdown";
export { reviewMarker } from "./markdown";

/** Options of {@link summarizePlan}. */
export interface SummarizeOptions extends CriticalRuleOptions {
  /**
   * Environment (stack) name shown in the title and in the hidden comment marker.
   * @default - no environment in the title; marker "default"
   */
  readonly environment?: string;
  /**
   * Longest rendered attribute value before it is truncated with "…".
   * @default 80
   */
  readonly maxValueLength?: number;
  /**
   * Attribute rows shown per resource.
   * @default 30
   */
  readonly maxAttributeChanges?: number;
  /**
   * Longest Markdown (GitHub comments take at most 65,536 characters).
   * @default 60000
   */
  readonly maxLength?: number;
}

/** The result of {@link summarizePlan}. */
export interface PlanSummary {
  /** The review as GitHub-flavoured Markdown, starting with the hidden comment marker. */
  readonly markdown: string;
  /** Critical changes; any makes {@link exitCodeFor} return 2. */
  readonly critical: readonly CriticalChange[];
  /** Resource counts. */
  readonly counts: PlanCounts;
  /** Every resource change, classified (no-ops and reads included), with secrets redacted. */
  readonly resources: readonly ReviewedResource[];
  /** Splits, routes and versions the plan changes. */
  readonly traffic: readonly TrafficChange[];
  /** The mesh's access graph after the plan (what the review's Mermaid diagram draws). */
  readonly graph: AccessGraph;
}

/** Exit codes of the plan review CLI. */
export const EXIT_CODES = {
  /** The review ran and found no critical change. */
  ok: 0,
  /** The review could not run (bad arguments, Terraform failed, unreadable plan). */
  error: 1,
  /** The review ran and found critical changes. */
  critical: 2,
} as const;

/** An exit code of the plan review CLI. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The exit code for a finished review: 2 when it holds critical changes, else 0. */
export function exitCodeFor(summary: Pick<PlanSummary, "critical">): ExitCode {
  return summary.critical.length > 0 ? EXIT_CODES.critical : EXIT_CODES.ok;
}

function collectSecrets(plan: TerraformPlanJson): Set<string> {
  const secrets = new Set<string>();
  const changes: PlanChange[] = [
    ...(plan.resource_changes ?? []).map((rc) => rc.change),
    ...Object.values(plan.output_changes ?? {}),
  ];
  for (const change of changes) {
    collectMarkedLeaves(change.before ?? undefined, change.before_sensitive, secrets);
    collectMarkedLeaves(change.after ?? undefined, change.after_sensitive, secrets);
  }
  return secrets;
}

function countKinds(resources: readonly ReviewedResource[]): PlanCounts {
  const n = (kind: ReviewedResource["kind"]) => resources.filter((r) => r.kind === kind).length;
  return {
    add: n("create"),
    change: n("update"),
    destroy: n("delete"),
    replace: n("replace"),
    noOp: n("no-op"),
    read: n("read"),
    forget: n("forget"),
  };
}

function reviewOutput(name: string, change: PlanChange, renderer: ValueRenderer): OutputReview {
  const side = (value: PlanChange["before"], sensitive: PlanChange["before_sensitive"], unknown = false) => {
    if (unknown) return UNKNOWN;
    if (isMarked(sensitive)) return SENSITIVE;
    return renderer.render(redact(value ?? undefined, sensitive));
  };
  const kind = kindOf(change.actions);
  return {
    name,
    kind,
    before: kind === "create" ? side(undefined, false) : side(change.before, change.before_sensitive),
    after: side(change.after, change.after_sensitive, isMarked(change.after_unknown)),
  };
}

/** Classifies one resource change, redacts its values and diffs its attributes. */
function reviewResource(rc: ResourceChange, renderer: ValueRenderer): ReviewedResource {
  const { change } = rc;
  const before = redact(change.before ?? undefined, change.before_sensitive);
  const after = redact(change.after ?? undefined, change.after_sensitive);
  const kind = kindOf(change.actions);
  const concern = concernOf(rc, [before, after]);
  const reviewed: ReviewedResource = {
    address: rc.address,
    type: rc.type,
    concern,
    kind,
    before,
    after,
    change,
    actionReason: rc.action_reason,
    previousAddress: rc.previous_address,
    deposed: rc.deposed,
    attributes: [],
  };
  if (kind !== "update" && kind !== "replace") return reviewed;
  const attributes = diffAttributes(change, renderer);
  if (concern !== "intentions") return { ...reviewed, attributes };
  // Consul sorts intention sources, so positions shift; show them by name instead.
  return { ...reviewed, ...sourcesByName(reviewed, attributes, renderer) };
}

/**
 * Summarises a plan (`terraform show -json <planfile>`) for a pull-request comment.
 *
 * Pure: reads nothing but its arguments. Counts actions, groups resources by concern (Vault, Consul,
 * Intentions, Nomad jobs, Other), diffs attributes of updates and replacements with sensitive values
 * masked (intention sources by name, not list position), and lists critical changes: destroy or
 * replace of the mesh CA, its PKI mounts, root certificate and Vault policy, the default-deny
 * intention, the Consul and Traefik jobs; and every intention change that widens access (L7 rules
 * included). Lists split, route and version changes with their weights, and draws the access graph
 * after the plan as a Mermaid diagram.
 */
export function summarizePlan(plan: TerraformPlanJson, options: SummarizeOptions = {}): PlanSummary {
  const renderer = new ValueRenderer(collectSecrets(plan), options.maxValueLength ?? 80);
  const resources = (plan.resource_changes ?? []).map((rc) => reviewResource(rc, renderer));
  const counts = countKinds(resources);
  const critical = [
    ...findCriticalChanges(resources, renderer, options),
    ...brokenAccessRules(plan, resources),
  ];
  const traffic = trafficChanges(resources);
  const graph = accessGraphOf(resources);
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, change]) => !change.actions.every((a) => a === "no-op"))
    .map(([name, change]) => reviewOutput(name, change, renderer));
  const markdown = renderMarkdown(
    {
      environment: options.environment,
      terraformVersion: plan.terraform_version,
      counts,
      critical,
      resources: resources.filter((r) => r.kind !== "no-op" && r.kind !== "read"),
      outputs,
      traffic,
      graph,
    },
    { maxAttributeChanges: options.maxAttributeChanges ?? 30, maxLength: options.maxLength ?? 60_000 },
  );
  return { markdown, critical, counts, resources, traffic, graph };
}
