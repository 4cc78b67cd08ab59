import type { AttributeChange } from "./attributes";
import type { SourceChange } from "./intention-sources";
import { CONCERN_TITLES, ChangeKind, Concern, CriticalChange, ReviewedResource } from "./model";
import { ABSENT, SENSITIVE, UNKNOWN } from "./values";
import { AccessGraph, graphSection } from "./access-graph";
import type { TrafficChange } from "./traffic";

/** Resource counts of a plan; a replacement counts once, as `replace`, not as add plus destroy. */
export interface PlanCounts {
  /** Resources to create. */
  readonly add: number;
  /** Resources to update in place. */
  readonly change: number;
  /** Resources to destroy. */
  readonly destroy: number;
  /** Resources to destroy and re-create (either order). */
  readonly replace: number;
  /** Resources with no changes. */
  readonly noOp: number;
  /** Data sources read during apply. */
  readonly read: number;
  /** Resources removed from state without being destroyed (`removed` blocks). */
  readonly forget: number;
}

/** A changed root-module output, rendered. */
export interface OutputReview {
  /** Output name. */
  readonly name: string;
  /** What happens to it. */
  readonly kind: ChangeKind;
  /** Rendered value before; never a secret. */
  readonly before: string;
  /** Rendered value after; never a secret. */
  readonly after: string;
}

/** Everything the Markdown shows. */
export interface ReviewDocument {
  /** Environment (stack) name, used in the title and the hidden comment marker. */
  readonly environment?: string;
  /** Version of Terraform or OpenTofu that made the plan. */
  readonly terraformVersion?: string;
  /** The counts. */
  readonly counts: PlanCounts;
  /** Critical changes, in the order they are listed. */
  readonly critical: readonly CriticalChange[];
  /** Resources with a change to show (no-ops and data reads excluded). */
  readonly resources: readonly ReviewedResource[];
  /** Changed outputs. */
  readonly outputs: readonly OutputReview[];
  /** Traffic entries (splits, routes, subsets) the plan changes. */
  readonly traffic: readonly TrafficChange[];
  /** The access graph after the plan. */
  readonly graph: AccessGraph;
}

/** Size limits of the rendered Markdown. */
export interface MarkdownLimits {
  /** Attribute rows shown per resource before "… N more". */
  readonly maxAttributeChanges: number;
  /** Longest Markdown; GitHub rejects comments over 65,536 characters. */
  readonly maxLength: number;
}

/** The hidden marker that identifies the review comment of an environment on a pull request. */
export function reviewMarker(environment: string | undefined): string {
  return `<!-- meshstack-plan-review:${environment ?? "default"} -->`;
}

const ACTION_LABELS: Readonly<Record<ChangeKind, string>> = {
  create: "➕ create",
  update: "✏️ update",
  delete: "🗑️ destroy",
  replace: "♻️ replace",
  forget: "➖ forget",
  read: "📖 read",
  "no-op": "no-op",
};

const SEVERITY: Readonly<Record<ChangeKind, number>> = {
  replace: 0,
  delete: 1,
  forget: 2,
  update: 3,
  create: 4,
  read: 5,
  "no-op": 6,
};

const ACTION_REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: "tainted",
  replace_by_request: "replacement requested (`-replace`)",
  replace_by_triggers: "`replace_triggered_by`",
  delete_because_no_resource_config: "removed from configuration",
  delete_because_no_module: "module removed",
  delete_because_wrong_repetition: "`count`/`for_each` changed",
  delete_because_count_index: "`count` index out of range",
  delete_because_each_key: "`for_each` key removed",
  delete_because_no_move_target: "`moved` target missing",
};

const PLACEHOLDERS: ReadonlySet<string> = new Set([SENSITIVE, UNKNOWN, ABSENT]);

/** A Markdown code span safe inside a table cell. */
export function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  const pad = fence.length > 1 ? " " : "";
  return `${fence}${pad}${text.replace(/\|/g, "\\|")}${pad}${fence}`;
}

function cell(rendered: string): string {
  return PLACEHOLDERS.has(rendered) ? `_${rendered}_` : code(rendered);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function headline(doc: ReviewDocument): string {
  const { counts } = doc;
  const changed = counts.add + counts.change + counts.destroy + counts.replace + counts.forget;
  const extras = [`${counts.noOp} unchanged`];
  if (counts.read > 0) extras.push(`${plural(counts.read, "data source")} read at apply`);
  if (counts.forget > 0) extras.push(`${counts.forget} to forget`);
  if (changed === 0 && doc.outputs.length === 0) {
    return `**No changes.** Infrastructure matches the configuration (${extras.join(" · ")}).`;
  }
  const main = `**Plan: ${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy, ${counts.replace} to replace**`;
  return [main, ...extras].join(" · ");
}

function cautionBlock(critical: readonly CriticalChange[]): string[] {
  if (critical.length === 0) return ["✅ No critical changes."];
  return [
    "> [!CAUTION]",
    `> **${plural(critical.length, "critical change")}**: review before merging ` +
      "(then add the `critical-change-approved` label).",
    ">",
    ...critical.map((c) => `> - ${c.message}`),
  ];
}

function notes(resource: ReviewedResource, critical: ReadonlySet<string>): string {
  const out: string[] = [];
  if (critical.has(resource.address)) out.push("⚠️ **critical**");
  if (resource.previousAddress) out.push(`moved from ${code(resource.previousAddress)}`);
  if (resource.deposed) out.push(`deposed object ${code(resource.deposed)}`);
  if (resource.change.importing) out.push("import");
  const forcing = [...new Set(resource.attributes.filter((a) => a.forcesReplacement).map((a) => a.path))];
  if (forcing.length > 0)
    out.push(`forced by ${forcing.slice(0, 3).map(code).join(", ")}${forcing.length > 3 ? ", …" : ""}`);
  const reason = resource.actionReason ? ACTION_REASONS[resource.actionReason] : undefined;
  if (reason) out.push(reason);
  if (resource.attributes.length > 0) out.push(plural(resource.attributes.length, "attribute"));
  const sources = resource.sourceChanges?.length ?? 0;
  if (sources > 0) out.push(plural(sources, "source change"));
  return out.join(" · ");
}

function hasDetails(resource: ReviewedResource): boolean {
  return resource.attributes.length > 0 || (resource.sourceChanges?.length ?? 0) > 0;
}

function attributeTable(resource: ReviewedResource, limits: MarkdownLimits): string[] {
  if (resource.attributes.length === 0) return [];
  const shown = resource.attributes.slice(0, limits.maxAttributeChanges);
  const rows = shown.map((a: AttributeChange) => {
    const path = `${code(a.path)}${a.forcesReplacement ? " 🔁" : ""}`;
    return `| ${path} | ${cell(a.before)} | ${cell(a.after)} |`;
  });
  const hidden = resource.attributes.length - shown.length;
  if (hidden > 0) rows.push(`| _… ${plural(hidden, "more attribute")}_ | | |`);
  return ["| Attribute | Before | After |", "| --- | --- | --- |", ...rows, ""];
}

/**
 * One source as a reviewer reads it: `added: `*` → `api` (allow)`, `removed: …`, or
 * `changed: `web` → `api`: allow → deny` followed by other changed fields.
 */
function sourceLine(change: SourceChange): string {
  const edge = `${code(change.source)} → ${code(change.destination)}`;
  if (change.kind === "added") return `- added: ${edge} (${change.after ?? ""})`;
  if (change.kind === "removed") return `- removed: ${edge} (${change.before ?? ""})`;
  let access = "no access change";
  if (change.accessChanged)
    access = change.before === change.after ? "L7 permissions changed" : `${change.before} → ${change.after}`;
  const fields = change.fields.map((f) => `${f.field} ${cell(f.before)} → ${cell(f.after)}`);
  return `- changed: ${edge}: ${[access, ...fields].join("; ")}`;
}

function sourceList(resource: ReviewedResource, limits: MarkdownLimits): string[] {
  const changes = resource.sourceChanges ?? [];
  if (changes.length === 0) return [];
  const shown = changes.slice(0, limits.maxAttributeChanges);
  const lines = ["Sources by name:", "", ...shown.map(sourceLine)];
  const hidden = changes.length - shown.length;
  if (hidden > 0) lines.push(`- _… ${plural(hidden, "more source change")}_`);
  return [...lines, ""];
}

function resourceDetails(resource: ReviewedResource, limits: MarkdownLimits): string[] {
  return [
    `**${code(resource.address)}**`,
    "",
    ...attributeTable(resource, limits),
    ...sourceList(resource, limits),
  ];
}

function groupSection(
  concern: Concern,
  resources: readonly ReviewedResource[],
  critical: ReadonlySet<string>,
  limits: MarkdownLimits,
  level: RenderLevel,
): string[] {
  const sorted = [...resources].sort(
    (a, b) => SEVERITY[a.kind] - SEVERITY[b.kind] || a.address.localeCompare(b.address),
  );
  const shown = level.maxRows === undefined ? sorted : sorted.slice(0, level.maxRows);
  const lines = [
    `### ${CONCERN_TITLES[concern]} (${resources.length})`,
    "",
    "| Action | Resource | Notes |",
    "| --- | --- | --- |",
    ...shown.map((r) => `| ${ACTION_LABELS[r.kind]} | ${code(r.address)} | ${notes(r, critical)} |`),
  ];
  if (shown.length < sorted.length)
    lines.push(`| | _… ${plural(sorted.length - shown.length, "more resource")}_ | |`);
  lines.push("");
  const detailed = shown.filter(hasDetails);
  if (level.details && detailed.length > 0) {
    lines.push(
      `<details><summary>Attribute changes (${plural(detailed.length, "resource")})</summary>`,
      "",
      ...detailed.flatMap((r) => resourceDetails(r, limits)),
      ...(detailed.some((r) => r.attributes.some((a) => a.forcesReplacement))
        ? ["🔁 forces replacement", ""]
        : []),
      "</details>",
      "",
    );
  }
  return lines;
}

const TRAFFIC_TITLES: Readonly<Record<TrafficChange["kind"], string>> = {
  "service-splitter": "split",
  "service-router": "routes",
  "service-resolver": "versions",
};

/** Splits, routes and versions the plan changes, each before → after on one line. */
function trafficSection(traffic: readonly TrafficChange[]): string[] {
  if (traffic.length === 0) return [];
  return [
    `### Traffic (${traffic.length})`,
    "",
    ...traffic.map((t) => {
      const what = `${code(t.service)} ${TRAFFIC_TITLES[t.kind]}`;
      if (t.before === undefined) return `- ${what}: ${code(t.after ?? "")} (new)`;
      if (t.after === undefined) return `- ${what}: ${code(t.before)} (removed)`;
      return `- ${what}: ${code(t.before)} → ${code(t.after)}`;
    }),
    "",
  ];
}

function outputsSection(outputs: readonly OutputReview[]): string[] {
  if (outputs.length === 0) return [];
  return [
    `### Outputs (${outputs.length})`,
    "",
    "| Action | Output | Before | After |",
    "| --- | --- | --- | --- |",
    ...outputs.map(
      (o) => `| ${ACTION_LABELS[o.kind]} | ${code(o.name)} | ${cell(o.before)} | ${cell(o.after)} |`,
    ),
    "",
  ];
}

interface RenderLevel {
  readonly details: boolean;
  readonly maxRows?: number;
  readonly note?: string;
}

const LEVELS: readonly RenderLevel[] = [
  { details: true },
  { details: false, note: "Attribute changes omitted to fit a comment; see the job log." },
  { details: false, maxRows: 25, note: "Long tables cut to fit a comment; see the job log." },
];

function render(doc: ReviewDocument, limits: MarkdownLimits, level: RenderLevel): string {
  const criticalAddresses = new Set(doc.critical.map((c) => c.address));
  const concerns = Object.keys(CONCERN_TITLES) as Concern[];
  const lines = [
    reviewMarker(doc.environment),
    `## Plan review${doc.environment ? `: ${code(doc.environment)}` : ""}`,
    "",
    headline(doc),
    "",
    ...cautionBlock(doc.critical),
    "",
  ];
  for (const concern of concerns) {
    const group = doc.resources.filter((r) => r.concern === concern);
    if (group.length > 0) lines.push(...groupSection(concern, group, criticalAddresses, limits, level));
  }
  lines.push(...trafficSection(doc.traffic));
  lines.push(...outputsSection(doc.outputs));
  lines.push(...graphSection(doc.graph, "Access graph after this plan"));
  if (level.note) lines.push(`_${level.note}_`, "");
  const version = doc.terraformVersion ? ` from a Terraform ${doc.terraformVersion} plan` : "";
  lines.push(`<sub>meshstack plan review${version}. Sensitive values are never shown.</sub>`, "");
  return lines.join("\n");
}

/**
 * Renders the review as GitHub-flavoured Markdown: title and hidden marker, headline counts, a
 * `[!CAUTION]` block listing critical changes, one table per concern, collapsible attribute changes
 * (intention sources listed by name) and changed outputs. Drops detail (then rows) to stay under `limits.maxLength`.
 */
export function renderMarkdown(doc: ReviewDocument, limits: MarkdownLimits): string {
  let markdown = "";
  for (const level of LEVELS) {
    markdown = render(doc, limits, level);
    if (markdown.length <= limits.maxLength) return markdown;
  }
  const note = "\n\n_Review cut to fit a comment; see the job log._\n";
  return markdown.slice(0, Math.max(0, limits.maxLength - note.length)) + note;
}
