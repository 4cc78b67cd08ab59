import { IConstruct } from "constructs";
import { check, show } from "../core/errors";
import type { JobType, Port, TaskGroup } from "./jobspec";

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
 * Checks one group of a job: unique port labels, static ports in range and not reused within the
 * group, unique task names, at least one task, and no `Count` on system jobs.
 */
export function checkGroup(scope: IConstruct, type: JobType, group: TaskGroup): void {
  const where = `group ${show(group.Name)}`;
  check(scope, group.Tasks.length > 0, `${where} has no tasks; add one with addTask()`);
  check(
    scope,
    !(type === "system" || type === "sysbatch") || group.Count === undefined,
    `${where} sets Count ${group.Count} but a ${type} job runs one allocation per eligible node; ` +
      `remove Count or use type "service"`,
  );
  check(
    scope,
    group.Count === undefined || (Number.isInteger(group.Count) && group.Count >= 0),
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
  const tasks = new Set<string>();
  for (const task of group.Tasks) {
    check(scope, !tasks.has(task.Name), `${where} has two tasks named ${show(task.Name)}; rename one`);
    tasks.add(task.Name);
  }
}
