import { MeshstackError, show } from "../core/errors";
import type { RawFields } from "./jobspec";

/** The task drivers meshstack builds jobs for; a per-environment choice (no Docker on the local dev cluster). */
export type TaskDriverKind = "docker" | "raw_exec" | "exec";

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
    fail(
      "docker",
      isOptions(options),
      `options ${show(options)} are not an object; pass { image: "redis:7.2" }`,
    );
    fail(
      "docker",
      typeof options.image === "string" && /^\S+:\S+$/.test(options.image),
      `image ${show(options.image)} needs a tag; use a pinned reference such as "redis:7.2"`,
    );
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
    fail(
      "custom",
      /^[a-z][a-z0-9_-]*$/.test(name),
      `name ${show(name)} is not a driver name; use e.g. "qemu"`,
    );
    return new TaskDriver(name, config);
  }

  private static program(name: "raw_exec" | "exec", options: ExecDriverOptions): TaskDriver {
    fail(name, isOptions(options), `options ${show(options)} are not an object; pass { command: "python3" }`);
    fail(
      name,
      typeof options.command === "string" && options.command.trim() !== "",
      `command ${show(options.command)} is empty; name the program to run, e.g. "python3"`,
    );
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

function fail(factory: string, condition: boolean, detail: string): asserts condition {
  if (!condition) throw new MeshstackError(`TaskDriver.${factory}: ${detail}`);
}

function isOptions(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
