/**
 * Reading the local cluster that `scripts/cluster.sh` started: its addresses and tokens
 * (`.local/cluster.env`) and where Nomad published a job's ports.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The KEY=VALUE lines `scripts/cluster.sh` writes to `.local/cluster.env` (addresses and tokens). */
export function readClusterEnv(file = join(".local", "cluster.env")): Record<string, string> {
  const entries = readFileSync(file, "utf8")
    .split("\n")
    .map((line) => /^(\w+)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2].replace(/^"|"$/g, "")]);
  return Object.fromEntries(entries);
}

/** A GET against Nomad's API with the cluster's token. */
async function nomadGet<T>(env: NodeJS.ProcessEnv, path: string): Promise<T> {
  const token = env.NOMAD_TOKEN;
  const response = await fetch(`${env.NOMAD_ADDR ?? "http://127.0.0.1:4646"}${path}`, {
    headers: token ? { "X-Nomad-Token": token } : {},
  });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${(await response.text()).trim()}`);
  return (await response.json()) as T;
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
  const allocs = await nomadGet<{ ID: string; ClientStatus: string }[]>(env, `/v1/job/${job}/allocations`);
  for (const alloc of allocs.filter((a) => a.ClientStatus === "running")) {
    const ports = (await nomadGet<Ports>(env, `/v1/allocation/${alloc.ID}`)).AllocatedResources.Shared.Ports;
    const port = ports.find((p) => p.Label === label);
    if (port) return port;
  }
  return undefined;
}
