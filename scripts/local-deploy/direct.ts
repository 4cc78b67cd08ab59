/**
 * Applies, checks and removes resources through Consul's and Nomad's HTTP APIs, from bodies Terraform
 * evaluated (see split.ts): the same requests the consul and nomad providers make.
 */
import { DirectResource } from "./split";

/** Where the servers are and how to authenticate. */
export interface ClusterAccess {
  readonly consulAddr: string;
  readonly consulToken?: string;
  readonly nomadAddr: string;
  readonly nomadToken?: string;
}

type Body = Record<string, unknown>;

async function call(
  base: string,
  path: string,
  header: string,
  token: string | undefined,
  method: string,
  body?: unknown,
) {
  const response = await fetch(`${base.replace(/\/$/, "")}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { [header]: token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.trim()}`);
  return text ? JSON.parse(text) : undefined;
}

/** snake_case keys (provider schema) to the PascalCase the Consul API documents. */
function pascal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascal);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => [
        k === "http" ? "HTTP" : k.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase()),
        pascal(v),
      ]),
  );
}

/** The API request that creates or updates one resource. */
export function requestFor(
  resource: DirectResource,
  body: Body,
): { api: "consul" | "nomad"; method: string; path: string; payload: unknown } {
  switch (resource.type) {
    case "consul_certificate_authority":
      return {
        api: "consul",
        method: "PUT",
        path: "/v1/connect/ca/configuration",
        payload: { Provider: body.connect_provider, Config: JSON.parse(body.config_json as string) },
      };
    case "consul_config_entry":
      return {
        api: "consul",
        method: "PUT",
        path: "/v1/config",
        // The `mesh` entry is a singleton: Consul rejects a Name for it (the provider omits it too).
        payload: {
          Kind: body.kind,
          ...(body.kind === "mesh" ? {} : { Name: body.name }),
          ...JSON.parse((body.config_json as string) ?? "{}"),
        },
      };
    case "consul_config_entry_service_intentions":
      return {
        api: "consul",
        method: "PUT",
        path: "/v1/config",
        payload: { Kind: "service-intentions", ...(pascal(body) as Body) },
      };
    case "consul_config_entry_service_defaults":
      return {
        api: "consul",
        method: "PUT",
        path: "/v1/config",
        payload: { Kind: "service-defaults", ...(pascal(body) as Body) },
      };
    case "nomad_job":
      return { api: "nomad", method: "POST", path: "/v1/jobs", payload: JSON.parse(body.jobspec as string) };
    default:
      throw new Error(
        `${resource.type}.${resource.name}: no direct apply for this type; install its provider`,
      );
  }
}

/** Sends a request to Consul or Nomad. */
export function send(
  access: ClusterAccess,
  api: "consul" | "nomad",
  method: string,
  path: string,
  payload?: unknown,
) {
  return api === "consul"
    ? call(access.consulAddr, path, "X-Consul-Token", access.consulToken, method, payload)
    : call(access.nomadAddr, path, "X-Nomad-Token", access.nomadToken, method, payload);
}

/** Applies resources in order (they come sorted by dependency). */
export async function applyDirect(
  access: ClusterAccess,
  resources: DirectResource[],
  bodies: Record<string, Body>,
): Promise<void> {
  for (const resource of resources) {
    const { api, method, path, payload } = requestFor(resource, bodies[resource.output]);
    await send(access, api, method, path, payload);
  }
}

/**
 * What Nomad would change for each job (`/v1/job/<id>/plan`): the direct counterpart of a second
 * `terraform plan`. Returns job id → diff type ("None" when nothing would change).
 */
export async function planJobs(
  access: ClusterAccess,
  resources: DirectResource[],
  bodies: Record<string, Body>,
): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const resource of resources.filter((r) => r.type === "nomad_job")) {
    const payload = JSON.parse(bodies[resource.output].jobspec as string) as { Job: { ID: string } };
    const plan = await send(access, "nomad", "POST", `/v1/job/${payload.Job.ID}/plan`, {
      ...payload,
      Diff: true,
    });
    result[payload.Job.ID] = plan.Diff?.Type ?? "unknown";
  }
  return result;
}

/**
 * Removes what was applied, in reverse order. The provider only forgets a CA configuration; here the
 * cluster outlives the stack, so Consul goes back to its built-in CA while the Vault token can still
 * cross-sign the new root — otherwise Consul would be left pointing at PKI mounts about to be destroyed.
 */
export async function destroyDirect(
  access: ClusterAccess,
  resources: DirectResource[],
  bodies: Record<string, Body>,
): Promise<void> {
  for (const resource of [...resources].reverse()) {
    const body = bodies[resource.output];
    if (!body) continue;
    if (resource.type === "consul_certificate_authority") {
      await send(access, "consul", "PUT", "/v1/connect/ca/configuration", { Provider: "consul", Config: {} });
    } else if (resource.type === "nomad_job") {
      const { Job } = JSON.parse(body.jobspec as string) as { Job: { ID: string } };
      await send(access, "nomad", "DELETE", `/v1/job/${Job.ID}?purge=true`);
    } else if (resource.type.startsWith("consul_config_entry")) {
      const { payload } = requestFor(resource, body) as { payload: { Kind: string; Name?: string } };
      await send(
        access,
        "consul",
        "DELETE",
        `/v1/config/${payload.Kind}/${encodeURIComponent(payload.Name ?? payload.Kind)}`,
      );
    }
  }
}

/** Where a running allocation of `job` publishes the port labelled `label`, as Nomad allocated it. */
export async function publishedPort(
  access: ClusterAccess,
  job: string,
  label: string,
): Promise<{ HostIP: string; Value: number } | undefined> {
  type Ports = {
    AllocatedResources: { Shared: { Ports: { Label: string; Value: number; HostIP: string }[] } };
  };
  const allocs = (await send(access, "nomad", "GET", `/v1/job/${job}/allocations`)) as {
    ID: string;
    ClientStatus: string;
  }[];
  for (const alloc of allocs.filter((a) => a.ClientStatus === "running")) {
    const ports = ((await send(access, "nomad", "GET", `/v1/allocation/${alloc.ID}`)) as Ports)
      .AllocatedResources.Shared.Ports;
    const port = ports.find((p) => p.Label === label);
    if (port) return port;
  }
  return undefined;
}
