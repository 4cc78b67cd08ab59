import { check, checkProps, isObject, show, Where } from "../core/errors";
import { checkTaskName } from "../core/names";
import { checkBoolean, checkList, checkObject, checkStringMap, checkTexts } from "../core/values";
import { requireNomadFeature } from "../core/server-versions";
import { TaskDriver } from "../nomad/driver";
import { checkTemplates, escapesAllocation } from "../nomad/group-checks";
import { checkResources, TaskResources, toResources } from "../nomad/resources";
import type { Task, TaskArtifact, TaskLifecycle, Template } from "../nomad/jobspec";

/** A task of a mesh service's group. */
export interface MeshTaskProps {
  /** Task name, unique in the group. */
  readonly name: string;
  /** Driver and its configuration. */
  readonly driver: TaskDriver;
  /**
   * Environment variables; may use Nomad interpolation such as `${NOMAD_UPSTREAM_ADDR_api}`.
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Templates rendered into the task directory.
   * @default - none
   */
  readonly templates?: Template[];
  /**
   * Resources.
   * @default - 100 MHz, 128 MiB
   */
  readonly resources?: TaskResources;
  /**
   * Vault JWT role the task logs in with through its workload identity (`vault { role }`, Nomad >=
   * 1.7); exclusive with `vaultPolicies`.
   * @default - no Vault access
   */
  readonly vaultRole?: string;
  /**
   * Vault policies of the token Nomad's servers mint for the task from their token role
   * (`vault { policies }`, Nomad < 1.10); exclusive with `vaultRole`.
   * @default - no Vault access
   */
  readonly vaultPolicies?: string[];
  /**
   * Lifecycle hook, for prestart or sidecar tasks.
   * @default - a main task
   */
  readonly lifecycle?: TaskLifecycle;
  /**
   * Files fetched into the task directory before it starts.
   * @default - none
   */
  readonly artifacts?: TaskArtifact[];
}

/**
 * Checks a task of a mesh service (Nomad's Task, TaskLifecycleConfig and TaskArtifact rules), and
 * its Vault access against the cluster's Nomad version.
 */
export function checkMeshTask(scope: Where, task: MeshTaskProps, nomadVersion: string): void {
  checkProps(scope, task, '{ name: "api", driver: TaskDriver.docker({ image }) }');
  checkTaskName(scope, "task name", task.name);
  const field = `task ${show(task.name)}`;
  check(
    scope,
    task.driver instanceof TaskDriver,
    `${field} driver ${show(task.driver)} is not a TaskDriver; pass e.g. TaskDriver.docker({ image })`,
  );
  checkStringMap(scope, `${field} env`, task.env);
  checkTemplates(scope, `${field} templates`, task.templates);
  checkResources(scope, `${field} resources`, task.resources);
  check(
    scope,
    task.vaultRole === undefined || (typeof task.vaultRole === "string" && task.vaultRole.trim() !== ""),
    `${field} vaultRole ${show(task.vaultRole)} is empty; name the Vault JWT role or leave it out`,
  );
  checkTexts(scope, `${field} vaultPolicies`, task.vaultPolicies, "app-secrets");
  check(
    scope,
    task.vaultRole === undefined || task.vaultPolicies === undefined,
    `${field} has both vaultRole ${show(task.vaultRole)} and vaultPolicies ${show(task.vaultPolicies)}; ` +
      "keep vaultRole (workload identity) or vaultPolicies (the servers' token role), not both",
  );
  if (task.vaultRole !== undefined) {
    requireNomadFeature(
      scope,
      `${field} vaultRole`,
      task.vaultRole,
      nomadVersion,
      "workload-identity",
      "use vaultPolicies",
    );
  }
  if (task.vaultPolicies !== undefined) {
    check(
      scope,
      task.vaultPolicies.length > 0,
      `${field} vaultPolicies [] is empty; name the Vault policies or leave it out`,
    );
    requireNomadFeature(
      scope,
      `${field} vaultPolicies`,
      task.vaultPolicies,
      nomadVersion,
      "token-flows",
      "use vaultRole",
    );
  }
  // Nomad's TaskLifecycleConfig.Validate and TaskArtifact.Validate.
  checkObject(scope, `${field} lifecycle`, task.lifecycle, '{ Hook: "prestart" }');
  const hooks = ["prestart", "poststart", "poststop"];
  check(
    scope,
    task.lifecycle === undefined || hooks.includes(task.lifecycle.Hook),
    `${field} lifecycle.Hook ${show(task.lifecycle?.Hook)} is not a lifecycle hook; use one of ${hooks.join(", ")}`,
  );
  checkBoolean(scope, `${field} lifecycle.Sidecar`, task.lifecycle?.Sidecar);
  checkList(scope, `${field} artifacts`, task.artifacts, "artifacts { GetterSource }");
  (task.artifacts ?? []).forEach((artifact, i) => {
    const at = `${field} artifacts[${i}]`;
    check(
      scope,
      isObject(artifact) && typeof artifact.GetterSource === "string" && artifact.GetterSource !== "",
      `${at}.GetterSource ${show(artifact.GetterSource)} is empty; give the URL to fetch`,
    );
    check(
      scope,
      artifact.RelativeDest === undefined ||
        (typeof artifact.RelativeDest === "string" && !escapesAllocation(artifact.RelativeDest)),
      `${at}.RelativeDest ${show(artifact.RelativeDest)} escapes the allocation directory; use e.g. "local/"`,
    );
  });
}

/** A task as Nomad's JSON jobspec holds it. */
export function toTask(task: MeshTaskProps): Task {
  return {
    Name: task.name,
    Driver: task.driver.name,
    Config: task.driver.config,
    Env: task.env,
    Templates: task.templates,
    Resources: toResources(task.resources, { cpu: 100, memoryMb: 128 }),
    Vault: task.vaultRole
      ? { Role: task.vaultRole }
      : task.vaultPolicies
        ? { Policies: task.vaultPolicies }
        : undefined,
    Lifecycle: task.lifecycle,
    Artifacts: task.artifacts,
  };
}
