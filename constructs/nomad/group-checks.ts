import { check, isObject, isReference, show, Where } from "../core/errors";
import { checkTaskName } from "../core/names";
import { checkBoolean, checkInteger, checkList, checkObject, checkOneOf, requireText } from "../core/values";
import type { Constraint, JobType, Port, Task, TaskGroup, Template, UpdateStrategy } from "./jobspec";

/** A static host port reserved by a group, for clash detection. */
export interface StaticPortUse {
  /** The host port. */
  readonly port: number;
  /** The group reserving it. */
  readonly group: string;
  /** The port label. */
  readonly label: string;
}

/** Every port of a group's networks. */
export function portsOf(group: TaskGroup): Port[] {
  return (group.Networks ?? []).flatMap((n) => [...(n.ReservedPorts ?? []), ...(n.DynamicPorts ?? [])]);
}

/** The static host ports a group reserves. */
export function staticPortsOf(group: TaskGroup): StaticPortUse[] {
  return (group.Networks ?? []).flatMap((n) =>
    (n.ReservedPorts ?? []).map((p) => ({ port: p.Value ?? 0, group: group.Name, label: p.Label })),
  );
}

/**
 * Checks one group of a job the way Nomad's TaskGroup.Validate does: a name, at least one task (each
 * checked by {@link checkTask}) with unique names, unique port labels, static ports in range and not
 * reused within the group, no `Count` on system jobs, no `Update` on batch jobs.
 */
export function checkGroup(scope: Where, type: JobType, group: TaskGroup): void {
  check(scope, isObject(group), `group ${show(group)} is not an object; pass { Name, Tasks: [...] }`);
  const where = `group ${show(group.Name)}`;
  check(
    scope,
    typeof group.Name === "string" && group.Name !== "" && !group.Name.includes("\0"),
    `${where} Name is not a group name; use a non-empty string without NUL characters (e.g. "api")`,
  );
  // A Connect gateway's group may have none: Nomad injects the gateway's Envoy task.
  const gateway = (group.Services ?? []).some((s) => isObject(s) && s.Connect?.Gateway !== undefined);
  check(
    scope,
    Array.isArray(group.Tasks) && (group.Tasks.length > 0 || gateway),
    `${where} has no tasks; add one with addTask()`,
  );
  checkList(scope, `${where} Networks`, group.Networks, "networks");
  check(
    scope,
    group.Update === undefined || type === "service" || type === "system",
    `${where} sets Update but a ${type} job cannot be updated in place; remove Update or use type "service"`,
  );
  checkConstraints(scope, `${where} Constraints`, group.Constraints);
  checkUpdateStrategy(scope, `${where} Update`, group.Update);
  for (const task of group.Tasks) checkTask(scope, where, task);
  check(
    scope,
    !(type === "system" || type === "sysbatch") || group.Count === undefined,
    `${where} sets Count ${group.Count} but a ${type} job runs one allocation per eligible node; ` +
      `remove Count or use type "service"`,
  );
  check(
    scope,
    group.Count === undefined ||
      isReference(group.Count) ||
      (Number.isInteger(group.Count) && group.Count >= 0),
    `${where} Count ${group.Count} is not a whole number of allocations; use 0 or more`,
  );
  const labels = new Set<string>();
  for (const port of portsOf(group)) {
    check(
      scope,
      !labels.has(port.Label),
      `${where} declares port label ${show(port.Label)} twice; give each port its own label`,
    );
    labels.add(port.Label);
  }
  const statics = new Map<number, string>();
  for (const { port, label } of staticPortsOf(group)) {
    // A port from a Terraform reference is checked by Nomad; collisions only between literals here.
    if (isReference(port)) continue;
    check(
      scope,
      Number.isInteger(port) && port >= 1 && port <= 65535,
      `${where} port ${show(label)} static value ${port} is not a port number; use 1-65535`,
    );
    const other = statics.get(port);
    check(
      scope,
      other === undefined,
      `${where} reserves static port ${port} for both ${show(other)} and ${show(label)}; ` +
        `use one label or a different port`,
    );
    statics.set(port, label);
  }
  for (const task of group.Tasks) {
    // Docker maps only ports the group's network defines (Nomad refuses the job otherwise).
    const mapped =
      task.Driver === "docker" ? (task.Config as { ports?: unknown } | undefined)?.ports : undefined;
    if (!Array.isArray(mapped) || isReference(mapped)) continue;
    const unknown = mapped.filter(
      (label) => typeof label === "string" && !isReference(label) && !labels.has(label),
    );
    check(
      scope,
      unknown.length === 0,
      `${where} task ${show(task.Name)} maps docker ports ${show(unknown)} its group's network does not ` +
        `define (${show([...labels])}); add them to the group's network or remove them from ports`,
    );
  }
  const tasks = new Set<string>();
  for (const task of group.Tasks) {
    check(scope, !tasks.has(task.Name), `${where} has two tasks named ${show(task.Name)}; rename one`);
    tasks.add(task.Name);
  }
}

/**
 * Checks a task of the API model the way Nomad's Task.Validate does: its name, a driver, resources
 * above Nomad's minimums (1 MHz, 10 MB) and its templates (see {@link checkTemplates}).
 */
export function checkTask(scope: Where, where: string, task: Task): void {
  check(scope, isObject(task), `${where} task ${show(task)} is not an object; pass { Name, Driver, Config }`);
  checkTaskName(scope, `${where} task name`, task.Name);
  const field = `${where} task ${show(task.Name)}`;
  requireText(scope, `${field} Driver`, task.Driver, "docker");
  for (const [key, min] of [
    ["CPU", 1],
    ["MemoryMB", 10],
  ] as const) {
    const value = task.Resources?.[key];
    check(
      scope,
      value === undefined || isReference(value) || (Number.isInteger(value) && value >= min),
      `${field} Resources.${key} ${show(value)} is below Nomad's minimum; use a whole number of at least ${min}`,
    );
  }
  checkTemplates(scope, `${field} templates`, task.Templates);
}

/**
 * Checks templates the way Nomad's Template.Validate and Task.Validate do: something to render, a
 * destination inside the allocation directory and used once, a known change mode (a signal with
 * `signal`), and octal permissions.
 */
export function checkTemplates(
  scope: Where,
  field: string,
  templates: readonly Template[] | undefined,
): void {
  checkList(scope, field, templates, "templates { EmbeddedTmpl, DestPath }");
  const destinations = new Set<string>();
  (templates ?? []).forEach((template, i) => {
    const at = `${field}[${i}]`;
    check(
      scope,
      isObject(template),
      `${at} ${show(template)} is not an object; pass { EmbeddedTmpl, DestPath }`,
    );
    check(
      scope,
      (typeof template.EmbeddedTmpl === "string" && template.EmbeddedTmpl !== "") ||
        template.raw?.SourcePath !== undefined,
      `${at}.EmbeddedTmpl ${show(template.EmbeddedTmpl)} is empty; give the template text (or raw.SourcePath)`,
    );
    check(
      scope,
      typeof template.DestPath === "string" && template.DestPath !== "",
      `${at}.DestPath ${show(template.DestPath)} is empty; use a path such as "local/app.conf"`,
    );
    check(
      scope,
      !escapesAllocation(template.DestPath),
      `${at}.DestPath ${show(template.DestPath)} escapes the allocation directory; use a path such as "local/app.conf"`,
    );
    check(
      scope,
      !destinations.has(template.DestPath),
      `${at}.DestPath ${show(template.DestPath)} is written by another template too; give each its own file`,
    );
    destinations.add(template.DestPath);
    checkOneOf(scope, `${at}.ChangeMode`, template.ChangeMode, ["restart", "signal", "noop", "script"]);
    check(
      scope,
      template.ChangeMode !== "signal" || Boolean(template.ChangeSignal),
      `${at}.ChangeMode "signal" has no ChangeSignal; add e.g. ChangeSignal: "SIGHUP"`,
    );
    check(
      scope,
      template.Perms === undefined || /^[0-7]{1,4}$/.test(template.Perms),
      `${at}.Perms ${show(template.Perms)} is not octal permissions; use e.g. "0644"`,
    );
  });
}

/**
 * Whether a path, relative to a task directory, leaves the allocation directory (Nomad's
 * helper/escapingfs PathEscapesAllocViaRelative).
 */
export function escapesAllocation(path: string): boolean {
  let depth = 1; // the task directory, inside the allocation directory
  for (const part of path.split("/")) {
    if (part === "..") depth -= 1;
    else if (part !== "" && part !== ".") depth += 1;
    if (depth < 0) return true;
  }
  return false;
}

const COMPARISONS = ["=", "==", "is", "!=", "not", "<", "<=", ">", ">="];
const OPERANDS = [
  ...COMPARISONS,
  "distinct_hosts",
  "distinct_property",
  "regexp",
  "version",
  "semver",
  "set_contains",
  "set_contains_all",
  "set_contains_any",
  "is_set",
  "is_not_set",
];

/** Checks placement constraints the way Nomad's Constraint.Validate does. */
export function checkConstraints(
  scope: Where,
  field: string,
  constraints: readonly Constraint[] | undefined,
): void {
  checkList(
    scope,
    field,
    constraints,
    'constraints such as { LTarget: "${attr.kernel.name}", RTarget: "linux", Operand: "=" }',
  );
  (constraints ?? []).forEach((c, i) => {
    const at = `${field}[${i}]`;
    check(scope, isObject(c), `${at} ${show(c)} is not an object; pass { LTarget, RTarget, Operand }`);
    checkOneOf(scope, `${at}.Operand`, c.Operand ?? "", OPERANDS);
    check(
      scope,
      c.Operand === "distinct_hosts" || (typeof c.LTarget === "string" && c.LTarget !== ""),
      `${at}.LTarget ${show(c.LTarget)} is empty but operand ${show(c.Operand)} needs an attribute; ` +
        `use e.g. "\${attr.kernel.name}"`,
    );
    const needsTarget = COMPARISONS.includes(c.Operand) || c.Operand.startsWith("set_contains");
    check(
      scope,
      !needsTarget || (typeof c.RTarget === "string" && c.RTarget !== ""),
      `${at}.RTarget ${show(c.RTarget)} is empty but operand ${show(c.Operand)} compares with it; give a value`,
    );
    check(
      scope,
      !["is_set", "is_not_set"].includes(c.Operand) || !c.RTarget,
      `${at}.RTarget ${show(c.RTarget)} is set but operand ${show(c.Operand)} takes none; remove it`,
    );
    check(
      scope,
      c.Operand !== "distinct_property" || !c.RTarget || /^[1-9]\d*$/.test(c.RTarget),
      `${at}.RTarget ${show(c.RTarget)} is not an allowed count for distinct_property; use 1 or more`,
    );
  });
}

/** Checks an update strategy in API form the way Nomad's UpdateStrategy.Validate does. */
export function checkUpdateStrategy(scope: Where, field: string, update: UpdateStrategy | undefined): void {
  checkObject(scope, field, update, "{ MaxParallel: 1, Canary: 1 }");
  if (!update) return;
  checkOneOf(scope, `${field}.HealthCheck`, update.HealthCheck, ["checks", "task_states", "manual"]);
  for (const key of ["MaxParallel", "Canary", "MinHealthyTime", "ProgressDeadline"] as const) {
    checkInteger(scope, `${field}.${key}`, update[key], 0);
  }
  for (const key of ["HealthyDeadline", "Stagger"] as const)
    checkInteger(scope, `${field}.${key}`, update[key], 1);
  checkBoolean(scope, `${field}.AutoRevert`, update.AutoRevert);
  checkBoolean(scope, `${field}.AutoPromote`, update.AutoPromote);
  check(
    scope,
    !update.AutoPromote || (update.Canary ?? 0) > 0,
    `${field}.AutoPromote true needs canaries (Canary is ${show(update.Canary ?? 0)}); set Canary or drop AutoPromote`,
  );
  const { MinHealthyTime: min, HealthyDeadline: healthy, ProgressDeadline: progress } = update;
  check(
    scope,
    min === undefined || healthy === undefined || min < healthy,
    `${field}.MinHealthyTime ${min} is not shorter than HealthyDeadline ${healthy}; shorten MinHealthyTime`,
  );
  check(
    scope,
    !progress || healthy === undefined || healthy < progress,
    `${field}.HealthyDeadline ${healthy} is not shorter than ProgressDeadline ${progress}; lengthen ProgressDeadline`,
  );
}
