import { execFile, execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { EnvironmentConfig, environments } from "../../environments";
import { OPEN_SOURCE_NOMAD } from "../../environments/built-in-cluster";
import { NomadFeature, nomadHas, nomadVersionsWith } from "../../constructs/core/server-versions";
import { readClusterEnv, requestJson } from "../../local/cluster-env";
import { PLATFORM_NAMESPACE } from "../../constructs/platform/mesh-platform";
import { ExternalService, MeshService } from "../../constructs/mesh";
import { TaskDriver } from "../../constructs/nomad";
import type { MeshPlatformStack } from "../../stacks/mesh-platform-stack";

const root = join(__dirname, "..", "..");

/**
 * The cluster the suite runs on: its own instances (`MESHSTACK_CLUSTER=test` for `local`,
 * `prodlike-test` for `prodlike`, started by scripts/test.sh beside the user's clusters), or the
 * user's local one when unset.
 */
const envFile =
  {
    test: "test-cluster.env",
    prodlike: "prodlike/cluster.env",
    "prodlike-test": "prodlike-test/cluster.env",
    // A peered pair's credentials are west's, which east shares (scripts/prodlike.sh).
    peered: "peered/west/cluster.env",
    "peered-test": "peered-test/west/cluster.env",
  }[process.env.MESHSTACK_CLUSTER ?? ""] ?? "cluster.env";

/** Environment for Terraform and the servers' CLIs: the toolchain's PATH and CLI config plus the cluster's tokens. */
export function clusterEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const exports = execFileSync("bash", [join(root, "scripts/toolchain.sh"), "--env"], { encoding: "utf8" });
  for (const [, key, value] of exports.matchAll(/^export (\w+)="(.*)"$/gm)) {
    env[key] = value.replace("$PATH", process.env.PATH ?? "");
  }
  return { ...env, ...readClusterEnv(join(root, ".local", envFile)) };
}

/** The Nomad version of the cluster in `env`, as its script recorded it. */
export function clusterNomadVersion(env: NodeJS.ProcessEnv): string {
  return env.MESHSTACK_NOMAD_VERSION || OPEN_SOURCE_NOMAD;
}

/**
 * Whether the cluster's Nomad has `feature`. Where it does not, prints one line naming the case, the
 * version found and the versions it needs (the suites run every case wherever the servers allow).
 */
export function clusterHas(env: NodeJS.ProcessEnv, feature: NomadFeature, what: string): boolean {
  const version = clusterNomadVersion(env);
  if (nomadHas(version, feature)) return true;
  process.stderr.write(`skipped: ${what}: Nomad ${version} found, needs ${nomadVersionsWith(feature)}\n`);
  return false;
}

/** `test`, or a skipped test (and the line saying why) where the cluster's Nomad lacks `feature`. */
export function testWhere(env: NodeJS.ProcessEnv, feature: NomadFeature) {
  return (name: string, fn: jest.ProvidesCallback, timeout?: number) =>
    clusterHas(env, feature, name) ? test(name, fn, timeout) : test.skip(name, fn);
}

/**
 * A built-in environment (`local`, `prodlike`) as the cluster in `env` runs it: its Nomad and Consul
 * versions pick the generation (the environment modules read it from the process, which the suites do not
 * set), and with it the demo's transparent proxy.
 */
export function onCluster(e: EnvironmentConfig, env: NodeJS.ProcessEnv): EnvironmentConfig {
  const version = clusterNomadVersion(env);
  const tproxy =
    e.workloads?.demoTransparentProxy === undefined
      ? {}
      : { demoTransparentProxy: nomadHas(version, "transparent-proxy") };
  return {
    ...e,
    consul: { ...e.consul, version: env.MESHSTACK_CONSUL_VERSION || e.consul.version },
    nomad: { ...e.nomad, version },
    workloads: e.workloads && { ...e.workloads, ...tproxy },
  };
}

/**
 * The `local` environment pointed at the cluster in `env`, as a throwaway: local state in the
 * scratch directory, no `prevent_destroy`.
 */
export function throwawayLocal(env: NodeJS.ProcessEnv): EnvironmentConfig {
  const local = onCluster(environments.local, env);
  return {
    ...local,
    vault: { ...local.vault, address: env.VAULT_ADDR! },
    consul: { ...local.consul, address: env.CONSUL_HTTP_ADDR! },
    nomad: { ...local.nomad, address: env.NOMAD_ADDR! },
    preventDestroy: false,
    backend: { type: "local", path: "terraform.tfstate" },
  };
}

/**
 * The `prodlike` environment pointed at the prod-shaped cluster in `env` (scripts/prodlike.sh), as a
 * throwaway: no `prevent_destroy`; its state stays in that cluster's Consul KV.
 */
export function throwawayProdlike(env: NodeJS.ProcessEnv): EnvironmentConfig {
  const prodlike = onCluster(environments.prodlike, env);
  const servers = new URL(env.CONSUL_HTTP_ADDR!).hostname;
  return {
    ...prodlike,
    vault: { address: env.VAULT_ADDR! },
    consul: { ...prodlike.consul, address: env.CONSUL_HTTP_ADDR!, retryJoin: [servers] },
    nomad: { ...prodlike.nomad, address: env.NOMAD_ADDR! },
    preventDestroy: false,
    backend: { type: "consul", address: `${servers}:8501`, path: "meshstack/prodlike" },
  };
}

/** A JSON GET (or other method) against one of the servers, with its token (Vault's header by default). */
export function api<T = unknown>(
  base: string,
  path: string,
  token: string | undefined,
  init: RequestInit & { tokenHeader?: string } = {},
): Promise<T> {
  const { tokenHeader = "X-Vault-Token", ...request } = init;
  return requestJson<T>(base, path, tokenHeader, token, request);
}

/** JSON requests to the cluster's Vault, Consul and Nomad (`/v1/<path>`), each with its token from `env`. */
export function serverApis(env: NodeJS.ProcessEnv) {
  return {
    vault: <T>(path: string, init?: RequestInit) =>
      api<T>(env.VAULT_ADDR!, `/v1/${path}`, env.VAULT_TOKEN, init),
    consul: <T>(path: string, init?: RequestInit) =>
      api<T>(env.CONSUL_HTTP_ADDR!, `/v1/${path}`, env.CONSUL_HTTP_TOKEN, {
        ...init,
        tokenHeader: "X-Consul-Token",
      }),
    nomad: <T>(path: string, init?: RequestInit) =>
      api<T>(env.NOMAD_ADDR!, `/v1/${path}`, env.NOMAD_TOKEN, { ...init, tokenHeader: "X-Nomad-Token" }),
  };
}

/** What a Vault token may do on `path` (`sys/capabilities-self`), e.g. `["update"]` or `["deny"]`. */
export async function vaultCapabilities(
  env: NodeJS.ProcessEnv,
  token: string,
  path: string,
): Promise<string[]> {
  const answer = await api<{ capabilities: string[] }>(env.VAULT_ADDR!, "/v1/sys/capabilities-self", token, {
    method: "POST",
    body: JSON.stringify({ path }),
  });
  return answer.capabilities;
}

/** The Nomad namespace a job of the deployed stacks runs in: the platform's own, or the default. */
export const namespaceOf = (job: string) =>
  job === "traefik" || job === "consul" ? PLATFORM_NAMESPACE : "default";

/** Polls `probe` until it returns a truthy value or the timeout passes. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

/** One request of a {@link RequestLoops} run: which loop, when it ended (ms since the epoch), its status. */
export interface RequestSample {
  readonly loop: number;
  readonly at: number;
  readonly status: number;
}

/** What a run of request loops saw between two instants. */
export interface LoadFigures {
  readonly total: number;
  readonly failed: number;
  /** The longest time one loop went without a successful response (ms), start and end included. */
  readonly longestGapMs: number;
  /** The most time one loop spent failing: its gaps that held failed requests, added up (ms). */
  readonly failingMs: number;
  /** Failed requests by status (0: no answer in time). */
  readonly failures: Record<number, number>;
  /** When the first failed request ended, and the first success after the last failure (ms since the epoch). */
  readonly firstFailureAt?: number;
  readonly recoveredAt?: number;
}

/** Bounds of {@link RequestLoops}: each loop stops by itself at the first one reached. */
export interface RequestLoopLimits {
  readonly maxSeconds: number;
  readonly maxRequests: number;
  /** Pause between two requests of one loop. @default 20 */
  readonly pauseMs?: number;
}

/**
 * Concurrent request loops, one per `request` (each resolves to an HTTP status, 0 for none), every
 * request's end time and status recorded. Bounded: each loop stops at `maxSeconds` or `maxRequests`,
 * whichever comes first, or at {@link RequestLoops.stop}.
 */
export class RequestLoops {
  public readonly samples: RequestSample[] = [];
  public readonly startedAt = Date.now();
  private stopped = false;
  private readonly loops: Promise<void>[];

  public constructor(requests: ReadonlyArray<() => Promise<number>>, limits: RequestLoopLimits) {
    const deadline = this.startedAt + limits.maxSeconds * 1000;
    this.loops = requests.map(async (request, loop) => {
      for (let n = 0; n < limits.maxRequests && !this.stopped && Date.now() < deadline; n++) {
        const status = await request();
        this.samples.push({ loop, at: Date.now(), status });
        await new Promise((resolve) => setTimeout(resolve, limits.pauseMs ?? 20));
      }
    });
  }

  /** Whether every request that ended in the last `ms` succeeded (and at least one did in each loop). */
  public succeedingFor(ms: number): boolean {
    const since = Date.now() - ms;
    if (since < this.startedAt) return false;
    const recent = this.samples.filter((s) => s.at >= since);
    return (
      this.loops.every((_, loop) => recent.some((s) => s.loop === loop)) &&
      recent.every((s) => s.status === 200)
    );
  }

  public async stop(): Promise<LoadFigures> {
    this.stopped = true;
    await Promise.all(this.loops);
    return this.figures();
  }

  /** The figures of the whole run (200 is success, anything else a failure). */
  public figures(): LoadFigures {
    const end = Math.max(this.startedAt, ...this.samples.map((s) => s.at));
    const failures: Record<number, number> = {};
    let longestGapMs = 0;
    let failingMs = 0;
    let recoveredAt: number | undefined;
    for (let loop = 0; loop < this.loops.length; loop++) {
      const mine = this.samples.filter((s) => s.loop === loop);
      let lastSuccess = this.startedAt;
      let failing = false;
      let failingHere = 0;
      for (const sample of mine) {
        if (sample.status === 200) {
          longestGapMs = Math.max(longestGapMs, sample.at - lastSuccess);
          if (failing) {
            recoveredAt = Math.max(recoveredAt ?? 0, sample.at);
            failingHere += sample.at - lastSuccess;
          }
          lastSuccess = sample.at;
          failing = false;
        } else {
          failures[sample.status] = (failures[sample.status] ?? 0) + 1;
          failing = true;
        }
      }
      longestGapMs = Math.max(longestGapMs, end - lastSuccess);
      if (failing) failingHere += end - lastSuccess;
      failingMs = Math.max(failingMs, failingHere);
    }
    const failed = this.samples.filter((s) => s.status !== 200);
    return {
      total: this.samples.length,
      failed: failed.length,
      longestGapMs,
      failingMs,
      failures,
      firstFailureAt: failed.length ? Math.min(...failed.map((s) => s.at)) : undefined,
      recoveredAt,
    };
  }
}

/**
 * Runs scripts/prodlike.sh with `args` on the suite's prod-shaped cluster (MESHSTACK_CLUSTER of
 * `env`) without blocking the event loop, so request loops keep running meanwhile; rejects with the
 * script's output when it fails.
 */
export function prodlikeScript(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      [join(root, "scripts/prodlike.sh"), ...args],
      { env: { ...env, MESHSTACK_CLUSTER: env.MESHSTACK_CLUSTER ?? "prodlike" }, timeout: 180_000 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`scripts/prodlike.sh ${args.join(" ")}: ${String(error)}\n${stdout}${stderr}`))
          : resolve(`${stdout}${stderr}`),
    );
  });
}

/** A free TCP port on `host`. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Calls the upstream at `port` once a second (bounded: 400 calls) and prints each outcome on a line. */
const probeScript = (port: number) =>
  [
    "import time, urllib.request",
    "for _ in range(400):",
    "    try:",
    `        body = urllib.request.urlopen("http://127.0.0.1:${port}/", timeout=2).read().decode().strip()`,
    '        print("ok " + body, flush=True)',
    "    except Exception as error:",
    '        print("fail " + type(error).__name__, flush=True)',
    "    time.sleep(1)",
  ].join("\n");

/** A mesh service `name` that calls `target` through its upstream at `port`, printing each outcome. */
export function probe(stack: MeshPlatformStack, name: string, target: ExternalService, port: number): void {
  const caller = new MeshService(stack, name, {
    mesh: stack.platform.mesh,
    port: 9090,
    tasks: [
      { name: "probe", driver: TaskDriver.rawExec({ command: "python3", args: ["-c", probeScript(port)] }) },
    ],
  });
  caller.connectTo(target, { localBindPort: port });
}

/** The last outcomes a {@link probe} job printed ("ok <body>" or "fail <error>"). */
export async function probeOutcomes(env: NodeJS.ProcessEnv, job: string): Promise<string[]> {
  type Alloc = { ID: string; ClientStatus: string; DesiredStatus: string };
  const allocs = await serverApis(env).nomad<Alloc[]>(`job/${job}/allocations`);
  const running = allocs.find((a) => a.DesiredStatus === "run" && a.ClientStatus === "running");
  if (!running) return [];
  const text = await fetch(
    `${env.NOMAD_ADDR}/v1/client/fs/logs/${running.ID}?task=probe&type=stdout&plain=true&origin=end&offset=400`,
    { headers: env.NOMAD_TOKEN ? { "X-Nomad-Token": env.NOMAD_TOKEN } : {} },
  ).then((r) => r.text());
  return text.trim().split("\n").filter(Boolean);
}
