import { check, checkOptions, isObject, show, isReference } from "../core/errors";
import type { SidecarTask } from "../nomad/jobspec";
import { checkResources, TaskResources } from "../nomad/resources";
import { checkNomadVersion, DEFAULT_NOMAD_VERSION, nomadHas } from "../core/server-versions";

/** Options of {@link SidecarTaskOverride.rawExecEnvoy}. */
export interface RawExecEnvoyOptions {
  /**
   * The Envoy binary on the client nodes: an absolute path (`"/usr/local/bin/envoy"`) or a bare
   * command name that the Nomad agent finds on its `PATH` (`"envoy"`, as on the local cluster).
   */
  readonly envoyPath: string;
  /**
   * Resources of the sidecar.
   * @default - Nomad's sidecar defaults
   */
  readonly resources?: TaskResources;
  /**
   * Host user Envoy runs as (raw_exec's `user`), by name and uid. Transparent proxy needs it: the
   * CNI plugin exempts the proxy's uid from redirection, so Envoy must not share the workloads' uid
   * (raw_exec workloads run as the Nomad agent's user). The user must be able to run `envoyPath`.
   * @default - the Nomad agent's user (fine with upstreams, not with transparent proxy)
   */
  readonly user?: { readonly name: string; readonly uid: number };
  /**
   * The clients' Nomad version: raw_exec's `work_dir` (1.11 on) starts Envoy in the allocation
   * directory; older clients get there through `/bin/sh -c 'cd … && exec envoy …'`.
   * @default "1.11.3"
   */
  readonly nomadVersion?: string;
}

/**
 * Overrides of the Envoy task Nomad injects next to each Connect service (`sidecar_task`), a
 * per-environment choice: clusters without Docker run Envoy from the host with `raw_exec`.
 */
export class SidecarTaskOverride {
  /**
   * Runs Envoy as a host binary with `raw_exec`, bootstrapped the way Nomad's default sidecar is
   * (`${NOMAD_SECRETS_DIR}/envoy_bootstrap.json`, log level and concurrency from the node's
   * `connect.*` meta). The path comes from props so synthesized output never depends on the machine.
   */
  public static rawExecEnvoy(options: RawExecEnvoyOptions): SidecarTaskOverride {
    const where = "SidecarTaskOverride.rawExecEnvoy";
    checkOptions(where, options, '{ envoyPath: "envoy" }');
    check(
      where,
      isReference(options.envoyPath) ||
        (typeof options.envoyPath === "string" && /^(\/\S+|[A-Za-z0-9._-]+)$/.test(options.envoyPath)),
      `envoyPath ${show(options.envoyPath)} is neither an absolute path nor a command name; use the Envoy ` +
        `binary's path on the client nodes, e.g. "/usr/local/bin/envoy"`,
    );
    checkResources(where, "resources", options.resources);
    const { user } = options;
    check(
      where,
      user === undefined ||
        (isObject(user) &&
          typeof user.name === "string" &&
          /^[a-z_][a-z0-9_-]*$/.test(user.name) &&
          Number.isInteger(user.uid) &&
          user.uid > 0),
      `user ${show(user)} is not a host user; pass { name: "nobody", uid: 65534 } (a name and its non-root uid)`,
    );
    const nomadVersion = options.nomadVersion ?? DEFAULT_NOMAD_VERSION;
    checkNomadVersion(where, "nomadVersion", nomadVersion);
    const envoyArgs = [
      "-c",
      "${NOMAD_SECRETS_DIR}/envoy_bootstrap.json",
      "-l",
      "${meta.connect.log_level}",
      "--concurrency",
      "${meta.connect.proxy_concurrency}",
      "--disable-hot-restart",
    ];
    // Nomad's bootstrap points Envoy at the relative `alloc/tmp/consul_grpc.sock`, which resolves from
    // the allocation directory (Docker's task root), not from raw_exec's task directory.
    const allocDir = "${NOMAD_ALLOC_DIR}/..";
    const config: Record<string, string | string[]> = nomadHas(nomadVersion, "raw-exec-work-dir")
      ? { command: options.envoyPath, args: envoyArgs, work_dir: allocDir }
      : // `exec` keeps Envoy the task's process, so Nomad's signals reach it.
        {
          command: "/bin/sh",
          args: ["-c", 'cd "$1" && shift && exec "$@"', "envoy", allocDir, options.envoyPath, ...envoyArgs],
        };
    return new SidecarTaskOverride(
      {
        Driver: "raw_exec",
        User: user?.name,
        Config: config,
        Resources: options.resources && { CPU: options.resources.cpu, MemoryMB: options.resources.memoryMb },
      },
      user?.uid,
    );
  }

  /** Any sidecar task override, in API form. */
  public static of(task: SidecarTask): SidecarTaskOverride {
    check(
      "SidecarTaskOverride.of",
      isObject(task),
      `task ${show(task)} is not an object; pass a sidecar_task block in API form, e.g. { Driver: "docker" }`,
    );
    return new SidecarTaskOverride(task);
  }

  private constructor(
    /** The `SidecarTask` block. */
    public readonly task: SidecarTask,
    /** The uid Envoy runs as, which transparent proxy exempts from redirection. */
    public readonly proxyUid?: number,
  ) {}
}
