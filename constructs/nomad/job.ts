import {
  DataResource,
  dependable,
  ITerraformDependable,
  Lazy,
  TerraformResource,
  TerraformStack,
} from "cdktf";
import { Construct, IConstruct } from "constructs";
import { Job as JobResource } from "@cdktf/provider-nomad/lib/job";
import { Variable } from "@cdktf/provider-nomad/lib/variable";
import { check, checkLiteral, checkPropsOf, constructError, show, isReference } from "../core/errors";
import { resourceAddress } from "../core/addresses";
import { Claim, guardComposition, literal } from "../core/composition";
import { checkServiceName, NOMAD_NAMESPACE } from "../core/names";
import {
  checkBoolean,
  checkDependsOn,
  checkList,
  checkOneOf,
  checkPattern,
  checkStringMap,
  checkText,
  checkTexts,
  requireText,
} from "../core/values";
import type { Constraint, Job, JobType, JsonValue, Task, TaskGroup, UpdateStrategy } from "./jobspec";
import { renderJobspec } from "./jobspec";
import {
  checkConstraints,
  checkGroup,
  checkTask,
  checkUpdateStrategy,
  StaticPortUse,
  staticPortsOf,
} from "./group-checks";

/** Props for {@link NomadJob}. */
export interface NomadJobProps {
  /**
   * Job ID and name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Scheduler type.
   * @default "service"
   */
  readonly type?: JobType;
  /**
   * Nomad datacenters to place in (globs allowed); not empty.
   * @default ["*"] - every datacenter
   */
  readonly datacenters?: string[];
  /**
   * Nomad namespace: 1-128 letters, digits and "-".
   * @default - the provider's namespace
   */
  readonly namespace?: string;
  /**
   * Nomad region.
   * @default - the provider's region
   */
  readonly region?: string;
  /**
   * Scheduling priority, 1-100.
   * @default - Nomad's default, 50
   */
  readonly priority?: number;
  /**
   * Job-level placement constraints.
   * @default - none
   */
  readonly constraints?: Constraint[];
  /**
   * Job-level update strategy.
   * @default - Nomad's default
   */
  readonly update?: UpdateStrategy;
  /**
   * Job metadata (`NOMAD_META_<key>`).
   * @default - none
   */
  readonly meta?: Record<string, string>;
  /**
   * Task groups; more can be added with {@link NomadJob.addGroup}.
   * @default - none
   */
  readonly groups?: TaskGroup[];
  /**
   * Return from `terraform apply` without waiting for the deployment.
   * @default true - the provider's default
   */
  readonly detach?: boolean;
  /**
   * Purge the job on destroy, so its ID can be reused at once.
   * @default true
   */
  readonly purgeOnDestroy?: boolean;
  /**
   * Show a job stopped by hand (status `dead`) as a change in the next plan and run it again on
   * apply; without it the nomad provider's plan does not see a stopped job (provider issue #407).
   * @default true for service and system jobs, false for batch and sysbatch jobs (which end as `dead`)
   */
  readonly rerunIfDead?: boolean;
  /**
   * Resources that must exist first.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** A group, given as it is or produced when the job renders (so its parts can change until synth). */
export type GroupSource = TaskGroup | (() => TaskGroup);

/**
 * A Nomad job rendered from the typed jobspec model into a `nomad_job` resource (`json = true`).
 *
 * The model is rendered lazily, at synth, so groups and tasks can be added after construction. Static
 * host ports are checked across every job of the stack, because two jobs reserving the same port
 * cannot share a node.
 */
export class NomadJob extends Construct {
  /** Whether `x` is a {@link NomadJob}. */
  public static isNomadJob(x: unknown): x is NomadJob {
    return x instanceof NomadJob;
  }

  /** Job ID and name. */
  public readonly jobName: string;
  /** Scheduler type. */
  public readonly type: JobType;
  /**
   * Nomad namespace of the job.
   * @default - the provider's namespace
   */
  public readonly namespace?: string;
  /** The `nomad_job` resource. */
  public readonly resource: JobResource;
  private readonly props: Omit<NomadJobProps, "groups">;
  private readonly sources: GroupSource[] = [];
  private readonly staticGroupNames = new Set<string>();
  private readonly extraTasks = new Map<string, Task[]>();
  private readonly overrides: Array<readonly [string, JsonValue | undefined]> = [];
  private readonly variables: Variable[] = [];
  private readonly variableDependencies: ITerraformDependable[] = [];

  public constructor(scope: Construct, id: string, props: NomadJobProps = {}) {
    checkPropsOf("NomadJob", scope, id, props, "{ name, groups } or nothing");
    super(scope, id);
    this.jobName = props.name ?? id;
    this.type = props.type ?? "service";
    this.namespace = props.namespace;
    checkServiceName(this, "name", this.jobName);
    checkJobProps(this, props);
    const { groups, ...rest } = props;
    this.props = rest;
    check(
      this,
      props.priority === undefined ||
        isReference(props.priority) ||
        (Number.isInteger(props.priority) && props.priority >= 1 && props.priority <= 100),
      `priority ${show(props.priority)} is out of range; use 1-100`,
    );
    for (const group of groups ?? []) this.addGroup(group);
    this.resource = new JobResource(this, "Resource", {
      jobspec: Lazy.stringValue({ produce: () => renderJobspec(this.toJob(), this.overrides) }),
      json: true,
      purgeOnDestroy: props.purgeOnDestroy ?? true,
      deregisterOnDestroy: true,
      rerunIfDead: props.rerunIfDead ?? (this.type === "service" || this.type === "system"),
      detach: props.detach,
    });
    // What the resource would make of `dependsOn`, with one token per dependency shared by every job.
    if (Array.isArray(props.dependsOn)) this.resource.dependsOn = props.dependsOn.map(dependencyToken);
    this.node.addValidation({ validate: () => this.validateGroups() });
    registerForPortChecks(this);
    guardComposition(this, nomadJobClaims);
  }

  /** Adds a task group; a function is called at synth, so the group can still change until then. */
  public addGroup(group: GroupSource): this {
    if (typeof group !== "function") {
      checkGroup(this, this.type, group);
      check(
        this,
        !this.staticGroupNames.has(group.Name),
        `group ${show(group.Name)} is declared twice; rename one`,
      );
      this.staticGroupNames.add(group.Name);
    }
    this.sources.push(group);
    return this;
  }

  /** Adds a task to the named group. */
  public addTask(groupName: string, task: Task): this {
    requireText(this, "addTask group", groupName, "api");
    checkTask(this, `addTask group ${show(groupName)}`, task);
    const tasks = this.extraTasks.get(groupName) ?? [];
    tasks.push(task);
    this.extraTasks.set(groupName, tasks);
    return this;
  }

  /**
   * Sets a field of the rendered document by dotted path (e.g. `Job.TaskGroups.0.Tasks.0.KillTimeout`),
   * or deletes it with `undefined`: the escape hatch for API fields the model does not cover.
   */
  public addJobspecOverride(path: string, value: JsonValue | undefined): this {
    // Nomad ignores anything beside `Job` in the document, so such an override would vanish silently.
    check(
      this,
      typeof path === "string" && /^Job(\.[^.]+)+$/.test(path),
      `jobspec override path ${show(path)} does not start with "Job."; Nomad reads only the Job object, ` +
        `so write e.g. "Job.TaskGroups.0.Tasks.0.KillTimeout"`,
    );
    this.overrides.push([path, value]);
    return this;
  }

  /**
   * Writes `items` to a Nomad variable under `nomad/jobs/<job>`, which the job's tasks (and only they,
   * through their workload identity) read in templates with `nomadVar`; the job is registered after
   * it. Values may be sensitive Terraform references: the provider keeps them out of plans.
   */
  public addVariable(items: Record<string, string>, options: VariableOptions = {}): Variable {
    checkLiteral(this, "addVariable subPath", options.subPath, "it names the variable's construct at synth");
    check(
      this,
      options.subPath === undefined ||
        (typeof options.subPath === "string" && /^[\w-]+(\/[\w-]+)?$/.test(options.subPath)),
      `addVariable subPath ${show(options.subPath)} is not a group or group/task name; use e.g. "web" or "web/server"`,
    );
    check(
      this,
      options.secretSources === undefined ||
        (Array.isArray(options.secretSources) &&
          options.secretSources.every((r) => r instanceof TerraformResource)),
      `addVariable secretSources ${show(options.secretSources)} are not Terraform resources; pass the ` +
        "resources the secrets are read from, e.g. [aclToken.token]",
    );
    const path = variablePath(this.jobName, options.subPath);
    const id = options.subPath === undefined ? "Variable" : `Variable-${options.subPath}`;
    check(
      this,
      this.node.tryFindChild(id) === undefined,
      `addVariable was called twice for ${show(path)}; pass every item in one call`,
    );
    const sources = options.secretSources ?? [];
    // Secrets read through data sources show redacted to a read-only plan token (Consul's acl:read):
    // compare them only when a source's id changes (replaced, or recreated after a deletion by hand),
    // which a terraform_data tracks; replace_triggered_by alone ignores a recreated source.
    const trigger = sources.length
      ? new DataResource(this, `${id}Sources`, {
          triggersReplace: Object.fromEntries(sources.map((r, i) => [`${i}`, r.getStringAttribute("id")])),
        })
      : undefined;
    const variable = new Variable(this, id, {
      path,
      namespace: this.props.namespace,
      items,
      lifecycle: trigger
        ? {
            ignoreChanges: ["items"],
            // A plain address: Terraform's JSON syntax takes no "${…}" here.
            replaceTriggeredBy: [resourceAddress(trigger)],
          }
        : undefined,
    });
    this.resource.dependsOn = [...(this.resource.dependsOn ?? []), dependencyToken(variable)];
    this.variables.push(variable);
    if (this.variableDependencies.length) variable.dependsOn = this.variableDependencies.map(dependencyToken);
    return variable;
  }

  /**
   * Makes the job's Nomad variables, those written so far and later ones, wait for `resources` (and
   * go before them on destroy): the namespace they live in, which Nomad refuses to delete while one
   * of its variables remains.
   */
  public variablesDependOn(...resources: ITerraformDependable[]): this {
    this.variableDependencies.push(...resources);
    for (const variable of this.variables)
      variable.dependsOn = this.variableDependencies.map(dependencyToken);
    return this;
  }

  /** The job model as it renders now. */
  public toJob(): Job {
    const p = this.props;
    return {
      ID: this.jobName,
      Name: this.jobName,
      Type: this.type,
      Datacenters: p.datacenters ?? ["*"],
      Namespace: p.namespace,
      Region: p.region,
      Priority: p.priority,
      Constraints: p.constraints,
      Update: p.update,
      Meta: p.meta,
      TaskGroups: this.groups(),
    };
  }

  /** The static host ports this job reserves. */
  public staticPorts(): StaticPortUse[] {
    return this.groups().flatMap(staticPortsOf);
  }

  private groups(): TaskGroup[] {
    return this.sources.map((source) => {
      const group = typeof source === "function" ? source() : source;
      return { ...group, Tasks: [...group.Tasks, ...(this.extraTasks.get(group.Name) ?? [])] };
    });
  }

  private validateGroups(): string[] {
    const errors: string[] = [];
    const groups = this.groups();
    const names = groups.map((g) => g.Name);
    const known = new Set<string>();
    const duplicates = new Set<string>();
    for (const name of names) (known.has(name) ? duplicates : known).add(name);
    for (const name of this.extraTasks.keys()) {
      if (!known.has(name)) {
        errors.push(
          constructError(
            this,
            `addTask: group ${show(name)} does not exist (groups: ${names.join(", ")}); add the group first`,
          ).message,
        );
      }
    }
    // Groups given as functions are only known now: names must still be unique.
    for (const name of duplicates) {
      errors.push(constructError(this, `group ${show(name)} is declared twice; rename one`).message);
    }
    for (const group of groups) {
      try {
        checkGroup(this, this.type, group);
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
    return errors;
  }
}

/**
 * The `depends_on` token of each dependency, made once: cdktf makes a token (with a captured stack
 * trace) per resource and dependency, which for a mesh of thousands of jobs on one Consul agent job is
 * a large part of construction time and memory.
 */
const dependencyTokens = new WeakMap<ITerraformDependable, string>();

function dependencyToken(target: ITerraformDependable): string {
  let token = dependencyTokens.get(target);
  if (token === undefined) {
    token = dependable(target);
    dependencyTokens.set(target, token);
  }
  return token;
}

/** Checks a job's props the way Nomad's Job.Validate does (the name and groups are checked apart). */
function checkJobProps(job: NomadJob, props: NomadJobProps): void {
  checkOneOf(job, "type", props.type, ["service", "system", "batch", "sysbatch"]);
  checkTexts(job, "datacenters", props.datacenters, "dc1");
  check(
    job,
    props.datacenters === undefined || props.datacenters.length > 0,
    `datacenters [] is empty, so the job could run nowhere; list datacenters or leave it out for ["*"]`,
  );
  checkPattern(job, "namespace", props.namespace, NOMAD_NAMESPACE, "a Nomad namespace", "default");
  checkText(job, "region", props.region, "global");
  checkConstraints(job, "constraints", props.constraints);
  checkUpdateStrategy(job, "update", props.update);
  checkStringMap(job, "meta", props.meta);
  checkList(job, "groups", props.groups, "task groups");
  for (const field of ["detach", "purgeOnDestroy", "rerunIfDead"] as const)
    checkBoolean(job, field, props[field]);
  checkDependsOn(job, props.dependsOn);
}

const stacksChecked = new WeakSet<IConstruct>();

/** Adds, once per stack, the validation that no static host port is reserved twice. */
/** Nomad jobs, by namespace and ID: a second registration of one ID replaces the first job. */
function nomadJobClaims(construct: IConstruct): Claim[] {
  if (!NomadJob.isNomadJob(construct)) return [];
  const namespace = literal(construct.namespace) ?? "the provider's namespace";
  return [{ what: `Nomad job "${construct.jobName}" (${namespace})`, owner: construct }];
}

function registerForPortChecks(job: NomadJob): void {
  const stack = TerraformStack.of(job);
  if (stacksChecked.has(stack)) return;
  stacksChecked.add(stack);
  stack.node.addValidation({ validate: () => staticPortClashes(stack) });
}

function staticPortClashes(stack: IConstruct): string[] {
  const owners = new Map<number, { job: NomadJob; use: StaticPortUse }>();
  const errors: string[] = [];
  for (const job of stack.node.findAll().filter(NomadJob.isNomadJob)) {
    for (const use of job.staticPorts()) {
      const first = owners.get(use.port);
      if (!first) {
        owners.set(use.port, { job, use });
        continue;
      }
      if (first.job === job && first.use.group === use.group) continue;
      errors.push(
        constructError(
          job,
          `static port ${use.port} (group ${show(use.group)}, port ${show(use.label)}) is already reserved by ` +
            `${first.job.node.path} (group ${show(first.use.group)}, port ${show(first.use.label)}); ` +
            `two allocations cannot bind one host port on a node, so use another static port or a dynamic one`,
        ).message,
      );
    }
  }
  return errors;
}

/** Options of {@link NomadJob.addVariable}. */
export interface VariableOptions {
  /**
   * Below the job's path: a group's (`<group>`) or a task's (`<group>/<task>`), which Nomad's implicit
   * workload policy also lets the job's tasks read.
   * @default - the job's own path, `nomad/jobs/<job>`
   */
  readonly subPath?: string;
  /**
   * The resources the items' secrets are read from (e.g. `consul_acl_token`s behind
   * `consul_acl_token_secret_id`). Then the items are rewritten only when one of them is replaced,
   * not compared on every plan: Consul shows a read-only plan token the secrets redacted.
   * @default - none: the items are compared on every plan
   */
  readonly secretSources?: TerraformResource[];
}

/** Path of a Nomad variable a job's tasks may read (Nomad's implicit workload policy). */
export function variablePath(jobName: string, subPath?: string): string {
  return subPath === undefined ? `nomad/jobs/${jobName}` : `nomad/jobs/${jobName}/${subPath}`;
}

/**
 * A template expression (`[[ ]]` delimiters) reading item `key` of the Nomad variable at `path`; Go
 * raw strings (backquotes) keep it free of quotes the surrounding HCL or TOML string would escape.
 */
export function variableItem(path: string, key: string, delimiters: [string, string] = ["[[", "]]"]): string {
  const [l, r] = delimiters;
  return `${l} with nomadVar \`${path}\` ${r}${l} .${key} ${r}${l} end ${r}`;
}
