/**
 * The local cluster that `scripts/cluster.sh` started: its addresses and tokens
 * (`.local/cluster.env`), where Nomad published a job's ports, the entries the access graph is drawn
 * from, and putting Consul back on its built-in CA after a destroy.
 */
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GRAPH_ENTRY_KINDS } from "../plan-review/consul-graph";
import type { JsonValue } from "../plan-review/plan-json";

/** The KEY=VALUE lines `scripts/cluster.sh` writes to `.local/cluster.env` (addresses and tokens). */
export function readClusterEnv(file = join(".local", "cluster.env")): Record<string, string> {
  const entries = readFileSync(file, "utf8")
    .split("\n")
    .map((line) => /^(\w+)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2].replace(/^"|"$/g, "")]);
  return Object.fromEntries(entries);
}

/** A JSON request to one of the servers, with its token in `header` when there is one. */
export async function requestJson<T>(
  base: string,
  path: string,
  header: string,
  token: string | undefined,
  init: RequestInit = {},
): Promise<T> {
  const response = await fetch(`${base}${path}`, { ...init, headers: token ? { [header]: token } : {} });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${init.method ?? "GET"} ${base}${path}: ${response.status} ${text.trim()}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The host address and port Nomad published for `label` in a running allocation of `job`. */
export async function publishedPort(
  env: NodeJS.ProcessEnv,
  job: string,
  label: string,
): Promise<{ HostIP: string; Value: number } | undefined> {
  type Ports = {
    AllocatedResources: { Shared: { Ports: { Label: string; Value: number; HostIP: string }[] } };
  };
  const nomad = <T>(path: string) =>
    requestJson<T>(env.NOMAD_ADDR ?? "http://127.0.0.1:4646", path, "X-Nomad-Token", env.NOMAD_TOKEN);
  // Every namespace: the platform's jobs run in their own (MeshPlatform platformNamespace).
  const allocs = await nomad<{ ID: string; JobID: string; ClientStatus: string }[]>(
    "/v1/allocations?namespace=*",
  );
  for (const alloc of allocs.filter((a) => a.JobID === job && a.ClientStatus === "running")) {
    const ports = (await nomad<Ports>(`/v1/allocation/${alloc.ID}`)).AllocatedResources.Shared.Ports;
    const port = ports.find((p) => p.Label === label);
    if (port) return port;
  }
  return undefined;
}

/** The config entries the mesh's access graph is drawn from, as Consul's API returns them. */
export async function consulGraphEntries(env: NodeJS.ProcessEnv): Promise<JsonValue[]> {
  const consul = env.CONSUL_HTTP_ADDR ?? "http://127.0.0.1:8500";
  const token = env.CONSUL_HTTP_TOKEN || undefined;
  const lists = await Promise.all(
    GRAPH_ENTRY_KINDS.map((kind) =>
      requestJson<JsonValue[]>(consul, `/v1/config/${kind}`, "X-Consul-Token", token),
    ),
  );
  return lists.flat();
}

/**
 * Puts Consul back on its built-in CA. The consul provider's destroy only forgets the CA
 * configuration, leaving Consul on the Vault mounts and token the destroy removed, so the next deploy
 * to the same Consul could not cross-sign (docs/drift.md).
 */
export async function resetConsulCa(env: NodeJS.ProcessEnv): Promise<void> {
  await requestJson(
    env.CONSUL_HTTP_ADDR ?? "http://127.0.0.1:8500",
    "/v1/connect/ca/configuration",
    "X-Consul-Token",
    env.CONSUL_HTTP_TOKEN || undefined,
    {
      method: "PUT",
      body: JSON.stringify({ Provider: "consul", Config: {}, ForceWithoutCrossSigning: true }),
    },
  );
}

/** How {@link viaIngress} sends its request. */
export interface IngressRequest {
  /** @default 5000 */
  readonly timeoutMs?: number;
  /** @default "GET" */
  readonly method?: string;
  /** @default - none beyond `Host` */
  readonly headers?: Record<string, string>;
}

/**
 * A request through the ingress's TLS port at `address` (`host:port`) with the route's host name (SNI
 * and `Host`); resolves to the status and body, or status 0 when nothing answers in time. The
 * certificate is not checked: the point is routing, and tests check the certificate on their own.
 */
export function viaIngress(
  address: string,
  path: string,
  routeHost: string,
  options: IngressRequest = {},
): Promise<{ status: number; body: string }> {
  const [host, port] = address.split(":");
  return new Promise((resolve) => {
    const req = request(
      {
        host,
        port: Number(port),
        path,
        method: options.method ?? "GET",
        servername: routeHost,
        headers: { ...options.headers, host: routeHost },
        rejectUnauthorized: false,
        timeout: options.timeoutMs ?? 5000,
      },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", () => resolve({ status: 0, body: "" }));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}
