import { check, checkOptions, isObject, show, isReference } from "../core/errors";
import { IMAGE_WITH_TAG, TASK_DRIVER_KINDS } from "../core/names";
import { checkObject, checkPattern, checkText, checkTexts } from "../core/values";
import type { RawFields } from "./jobspec";

/** The task drivers meshstack builds jobs for; a per-environment choice (no Docker on the local dev cluster). */
export type TaskDriverKind = (typeof TASK_DRIVER_KINDS)[number];

/** Options of {@link TaskDriver.docker}. */
export interface DockerDriverOptions {
  /** Image reference with a tag, e.g. `"hashicorpdev/counter-api:v3"`. */
  readonly image: string;
  /**
   * Command overriding the image's entrypoint command.
   * @default - the image's command
   */
  readonly command?: string;
  /**
   * Arguments.
   * @default - none
   */
  readonly args?: string[];
  /**
   * Port labels of the group network to publish (`ports`).
   * @default - none
   */
  readonly ports?: string[];
  /**
   * Further driver options, merged over the ones above.
   * @default - none
   */
  readonly extra?: RawFields;
}

/** Options of {@link TaskDriver.rawExec} and {@link TaskDriver.exec}. */
export interface ExecDriverOptions {
  /** Program to run; a bare name is looked up in the task directory, then `PATH`. */
  readonly command: string;
  /**
   * Arguments.
   * @default - none
   */
  readonly args?: string[];
  /**
   * Further driver options, merged over the ones above.
   * @default - none
   */
  readonly extra?: RawFields;
}

/**
 * A task driver and its configuration, validated where it is made.
 *
 * Also says where the task sees its `local/` and `secrets/` directories: under `/` for isolating
 * drivers, relative to the working directory (the task directory) for `raw_exec`.
 */
export class TaskDriver {
  /** Runs a container image (`docker`). */
  public static docker(options: DockerDriverOptions): TaskDriver {
    const where = "TaskDriver.docker";
    checkOptions(where, options, '{ image: "redis:7.2" }');
    check(
      where,
      isReference(options.image) || (typeof options.image === "string" && IMAGE_WITH_TAG.test(options.image)),
      `image ${show(options.image)} needs a tag and Docker's reference form (lowercase repository path, ` +
        `optional registry host); use a pinned reference such as "redis:7.2"`,
    );
    checkText(where, "command", options.command, "redis-server");
    checkTexts(where, "args", options.args, "--port=6379");
    checkTexts(where, "ports", options.ports, "http");
    checkObject(where, "extra", options.extra, '{ network_mode: "host" }');
    return new TaskDriver("docker", {
      image: options.image,
      command: options.command,
      args: options.args,
      ports: options.ports,
      ...options.extra,
    } as RawFields);
  }

  /** Runs a program on the host without isolation (`raw_exec`); the driver of the local dev cluster. */
  public static rawExec(options: ExecDriverOptions): TaskDriver {
    return TaskDriver.program("raw_exec", options);
  }

  /** Runs a program in a chroot with cgroups (`exec`). */
  public static exec(options: ExecDriverOptions): TaskDriver {
    return TaskDriver.program("exec", options);
  }

  /** Any other driver (e.g. `qemu`, `java`) with its raw configuration. */
  public static custom(name: string, config: RawFields): TaskDriver {
    checkPattern("TaskDriver.custom", "name", name, /^[a-z][a-z0-9_-]*$/, "a driver name", "qemu");
    check(
      "TaskDriver.custom",
      isObject(config),
      `config ${show(config)} is not an object; pass the driver's configuration, e.g. { image_path: "vm.img" }`,
    );
    const nullAt = nullPath(config);
    check(
      "TaskDriver.custom",
      nullAt === undefined,
      `config.${nullAt} is null; Nomad's driver configuration takes no nulls, so remove the key or give it a value`,
    );
    return new TaskDriver(name, config);
  }

  private static program(name: "raw_exec" | "exec", options: ExecDriverOptions): TaskDriver {
    const where = `TaskDriver.${name}`;
    checkOptions(where, options, '{ command: "python3" }');
    check(
      where,
      typeof options.command === "string" && options.command.trim() !== "",
      `command ${show(options.command)} is empty; name the program to run, e.g. "python3"`,
    );
    checkTexts(where, "args", options.args, "app.py");
    checkObject(where, "extra", options.extra, '{ user: "nobody" }');
    return new TaskDriver(name, {
      command: options.command,
      args: options.args,
      ...options.extra,
    } as RawFields);
  }

  private constructor(
    /** Nomad's driver name. */
    public readonly name: string,
    /** The driver configuration (`Config`). */
    public readonly config: RawFields,
  ) {}

  /** Path of the task's `local/` directory as the task sees it. */
  public get localDir(): string {
    return this.name === "raw_exec" ? "local" : "/local";
  }

  /** Path of the task's `secrets/` directory as the task sees it. */
  public get secretsDir(): string {
    return this.name === "raw_exec" ? "secrets" : "/secrets";
  }

  /** Whether the driver can mount group volumes (`raw_exec` cannot). */
  public get mountsVolumes(): boolean {
    return this.name !== "raw_exec";
  }
}

/** The dotted path of the first `null` inside a value, if any. */
function nullPath(value: unknown, path = ""): string | undefined {
  if (value === null) return path;
  if (typeof value !== "object") return undefined;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const found = nullPath(item, path ? `${path}.${key}` : key);
    if (found !== undefined) return found;
  }
  return undefined;
}
