/**
 * Drift of Nomad jobs as Nomad itself sees it. The nomad provider's plan misses a job scaled or
 * edited through Nomad's API (its read keeps the last submitted jobspec) and, without
 * `rerun_if_dead`, a job stopped by hand; Nomad's own job plan of the declared spec does not.
 */
import type { JsonValue } from "./plan-json";
import { declaredJob } from "./values";

/** Where Nomad is and the token to use (`read-job` is enough; `submit-job` allows the full plan). */
export interface NomadAccess {
  readonly address: string;
  readonly token?: string;
}

/** One difference between a declared job and the job Nomad runs. */
export interface JobDrift {
  /** Job ID. */
  readonly job: string;
  /** `None` when Nomad runs exactly the declared job. */
  readonly type: "None" | "Added" | "Deleted" | "Edited";
  /** Human-readable changes the declared spec would make, e.g. `group "traefik" Count: 2 → 1`. */
  readonly changes: string[];
  /** How the drift was found: Nomad's job plan, or a read of the running job (read-only tokens). */
  readonly source: "plan" | "read";
}

interface FieldDiff {
  Type: string;
  Name: string;
  Old: string;
  New: string;
}
interface ObjectDiff {
  Type: string;
  Name: string;
  Fields?: FieldDiff[] | null;
  Objects?: ObjectDiff[] | null;
}
interface PlanDiff extends ObjectDiff {
  TaskGroups?: (ObjectDiff & { Tasks?: ObjectDiff[] | null })[] | null;
}

type Json = Record<string, unknown>;

async function call(access: NomadAccess, method: string, path: string, body?: unknown) {
  const response = await fetch(`${access.address.replace(/\/$/, "")}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(access.token ? { "X-Nomad-Token": access.token } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

/** The field-level changes of a plan diff, as `where Name: old → new` lines. */
export function describePlanDiff(diff: PlanDiff): string[] {
  const lines: string[] = [];
  const walk = (where: string, object: ObjectDiff) => {
    for (const field of object.Fields ?? []) {
      if (field.Type !== "None")
        lines.push(`${where}${field.Name}: ${field.Old || "∅"} → ${field.New || "∅"}`);
    }
    for (const child of object.Objects ?? []) {
      if (child.Type !== "None") walk(`${where}${child.Name} `, child);
    }
  };
  walk("", diff);
  for (const group of diff.TaskGroups ?? []) {
    if (group.Type === "None") continue;
    if (group.Type !== "Edited")
      lines.push(`group ${JSON.stringify(group.Name)} ${group.Type.toLowerCase()}`);
    walk(`group ${JSON.stringify(group.Name)} `, group);
    for (const task of group.Tasks ?? []) {
      if (task.Type !== "None") walk(`task ${JSON.stringify(task.Name)} `, task);
    }
  }
  return lines;
}

/**
 * What Nomad would change to run `job` (the declared spec, Nomad's JSON job API form) as declared.
 * Uses Nomad's job plan (`submit-job`); where the token may only read, compares the running job's
 * status, stop flag and group counts with the declared ones.
 */
export async function jobDrift(access: NomadAccess, job: Json): Promise<JobDrift> {
  const id = String(job.ID);
  const namespace = encodeURIComponent(String(job.Namespace ?? "default"));
  const plan = await call(access, "POST", `/v1/job/${encodeURIComponent(id)}/plan?namespace=${namespace}`, {
    Job: job,
    Diff: true,
  });
  if (plan.status === 200) {
    const diff = (JSON.parse(plan.text) as { Diff: PlanDiff }).Diff;
    const type = diff.Type as JobDrift["type"];
    return { job: id, type, changes: type === "None" ? [] : describePlanDiff(diff), source: "plan" };
  }
  if (plan.status !== 403) throw new Error(`nomad job plan ${id}: ${plan.status} ${plan.text.trim()}`);
  return readDrift(access, job, namespace);
}

async function readDrift(access: NomadAccess, job: Json, namespace: string): Promise<JobDrift> {
  const id = String(job.ID);
  const read = await call(access, "GET", `/v1/job/${encodeURIComponent(id)}?namespace=${namespace}`);
  if (read.status === 404)
    return { job: id, type: "Added", changes: ["job is not registered"], source: "read" };
  if (read.status !== 200) throw new Error(`nomad job read ${id}: ${read.status} ${read.text.trim()}`);
  const running = JSON.parse(read.text) as Json;
  const changes: string[] = [];
  if (running.Stop === true) changes.push("Stop: true → false");
  const counts = (j: Json) =>
    new Map(((j.TaskGroups as Json[] | undefined) ?? []).map((g) => [String(g.Name), Number(g.Count ?? 1)]));
  const declared = counts(job);
  const actual = counts(running);
  for (const [group, count] of declared) {
    const now = actual.get(group);
    if (now === undefined) changes.push(`group ${JSON.stringify(group)} added`);
    else if (now !== count) changes.push(`group ${JSON.stringify(group)} Count: ${now} → ${count}`);
  }
  for (const group of actual.keys()) {
    if (!declared.has(group)) changes.push(`group ${JSON.stringify(group)} deleted`);
  }
  return { job: id, type: changes.length ? "Edited" : "None", changes, source: "read" };
}

/** A job the plan leaves as it is or updates: what Terraform will submit, and its address. */
export interface PlannedJob {
  /** Terraform address, e.g. `nomad_job.Traefik_54AFA5B5`. */
  readonly address: string;
  /** The declared job (Nomad's JSON job form). */
  readonly job: Json;
}

/**
 * The jobs a plan keeps or updates in place, with their declared spec as Terraform evaluated it
 * (`planned_values`); new, replaced and destroyed jobs are left out: Nomad has nothing to compare.
 */
export function plannedJobs(plan: {
  resource_changes?: { address: string; type: string; change: { actions: string[]; after?: unknown } }[];
}): PlannedJob[] {
  return (plan.resource_changes ?? [])
    .filter((c) => c.type === "nomad_job" && ["no-op", "update"].includes(c.change.actions.join()))
    .flatMap((c) => {
      const job = declaredJob(c.change.after as JsonValue | undefined); // none while unknown until apply
      return job ? [{ address: c.address, job }] : [];
    });
}

/** The Markdown section that reports Nomad's own view of the planned jobs. */
export function driftMarkdown(drifts: readonly (JobDrift & { address: string })[]): string {
  const drifted = drifts.filter((d) => d.type !== "None");
  const lines = ["", "### Nomad's view of the jobs", ""];
  if (drifted.length === 0) {
    lines.push(`✅ Nomad runs the ${drifts.length} unchanged job(s) as declared.`);
    return `${lines.join("\n")}\n`;
  }
  lines.push(
    "> [!WARNING]",
    "> Nomad runs these jobs differently from the code, and the nomad provider's plan does not show it",
    "> (a job scaled or edited through Nomad's API). Applying this plan will not change them back:",
    "> restore them with `nomad job scale` / `nomad job run`, or `terraform apply -replace=<address>`.",
    "",
  );
  for (const drift of drifted) {
    lines.push(
      `- \`${drift.job}\` (\`${drift.address}\`, from Nomad's ${drift.source === "plan" ? "job plan" : "running job"}):`,
    );
    for (const change of drift.changes) lines.push(`  - ${change}`);
  }
  return `${lines.join("\n")}\n`;
}
