/**
 * Deploys the `local` stack from empty to the real local cluster (scripts/cluster.sh) with real
 * Terraform and the providers the toolchain could install, asserts through Vault's, Consul's and
 * Nomad's own APIs, plans again (no changes) and destroys. Resources whose provider no reachable
 * registry serves (docs/toolchain.md) are applied through the servers' APIs from bodies Terraform
 * evaluated (scripts/local-deploy). `prevent_destroy` is relaxed explicitly for this throwaway copy.
 */
import { App } from "cdktf";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments } from "../../environments";
import { accessFrom, apply, Deployment, destroy, plan, prepare } from "../../scripts/local-deploy/deploy";
import { publishedPort as publishedPortOf } from "../../scripts/local-deploy/direct";
import { MeshPlatformStack } from "../../stacks/mesh-platform-stack";
import { api, clusterEnv, eventually } from "./harness";

jest.setTimeout(15 * 60 * 1000);

const env = clusterEnv();
const vault = <T>(path: string, init?: RequestInit) =>
  api<T>(env.VAULT_ADDR!, `/v1/${path}`, env.VAULT_TOKEN, init);
const consul = <T>(path: string) =>
  api<T>(env.CONSUL_HTTP_ADDR!, `/v1/${path}`, env.CONSUL_HTTP_TOKEN, { tokenHeader: "X-Consul-Token" });
const nomad = <T>(path: string) =>
  api<T>(env.NOMAD_ADDR!, `/v1/${path}`, env.NOMAD_TOKEN, { tokenHeader: "X-Nomad-Token" });

const outdir = mkdtempSync(join(tmpdir(), "meshstack-it-"));
const app = new App({ outdir });
const stack = new MeshPlatformStack(app, "local", {
  environment: {
    ...environments.local,
    preventDestroy: false,
    backend: { type: "local", path: "terraform.tfstate" },
  },
});
app.synth();
// Same depth as cdktf.out/stacks/<name>: the relative state path stays inside the scratch directory.
const deployment: Deployment = prepare(join(outdir, "stacks", "local"), join(outdir, "deploy", "local"));
const timings: Record<string, number> = {};
let destroyed = false;
let deployed = false;

async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await work();
  } finally {
    timings[name] = Date.now() - start;
  }
}

afterAll(async () => {
  // Leave the cluster as we found it even when an assertion failed half-way.
  if (!destroyed) await destroy(deployment, env).catch((e: unknown) => console.error(String(e)));
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(".local", { recursive: true });
  // The benchmark (scripts/bench.ts) reports these real timings.
  writeFileSync(
    ".local/integration-timings.json",
    `${JSON.stringify({ ...timings, directResources: deployment.direct.length }, null, 2)}\n`,
  );
});

/** A job's published port; the suite fails here first if the deploy did. */
async function publishedPort(job: string, label: string) {
  expect(deployed).toBe(true);
  const port = await publishedPortOf(accessFrom(env), job, label);
  expect(port).toBeDefined();
  return port!;
}

describe("local stack on the real cluster", () => {
  test("deploys from empty in one run", async () => {
    expect(deployed).toBe(false);
    if (deployment.missing.length) {
      console.log(
        `providers missing from the mirror: ${deployment.missing.join(", ")}; applied through the APIs: ${deployment.direct.map((r) => r.type).join(", ")}`,
      );
    }
    await timed("apply", () => apply(deployment, env));
    deployed = true;
  });

  test("Vault has the Connect CA mounts with the declared TTLs", async () => {
    const mounts = (
      await vault<{ data: Record<string, { type: string; config: { max_lease_ttl: number } }> }>("sys/mounts")
    ).data;
    expect(mounts["dc1/connect_root/"]).toMatchObject({
      type: "pki",
      config: { max_lease_ttl: 87600 * 3600 },
    });
    expect(mounts["dc1/connect_intermediate/"]).toMatchObject({ type: "pki" });
  });

  test("Vault holds the least-privilege CA policy and the Nomad workload role", async () => {
    const policy = await vault<{ data: { policy: string } }>("sys/policies/acl/dc1-consul-connect-ca");
    expect(policy.data.policy.trim()).toBe(stack.pki.policyDocument.render().trim());
    const role = await vault<{
      data: { bound_audiences: string[]; user_claim: string; token_policies: string[]; token_period: number };
    }>("auth/jwt-nomad/role/nomad-workloads");
    expect(role.data).toMatchObject({
      bound_audiences: ["vault.io"],
      user_claim: "/nomad_job_id",
      token_policies: ["nomad-workloads"],
      token_period: 1800,
    });
    const jwt = await vault<{ data: { jwks_url: string } }>("auth/jwt-nomad/config");
    expect(jwt.data.jwks_url).toBe(`${env.NOMAD_ADDR}/.well-known/jwks.json`);
  });

  test("Consul's CA token carries only the CA policy and is periodic and orphan", async () => {
    const config = await consul<{ Config: { Token: string } }>("connect/ca/configuration");
    const token = await api<{
      data: { policies: string[]; period: number; orphan: boolean; renewable: boolean };
    }>(env.VAULT_ADDR!, "/v1/auth/token/lookup-self", config.Config.Token);
    expect(token.data).toMatchObject({ period: 72 * 3600, orphan: true, renewable: true });
    expect([...token.data.policies].sort()).toEqual(["dc1-consul-connect-ca", "default"]);
    // Least privilege: it may sign intermediates but not mint roots or touch other mounts.
    const caps = async (path: string) =>
      (
        await api<{ capabilities: string[] }>(
          env.VAULT_ADDR!,
          "/v1/sys/capabilities-self",
          config.Config.Token,
          {
            method: "POST",
            body: JSON.stringify({ path }),
          },
        )
      ).capabilities;
    expect(await caps("dc1/connect_root/root/sign-intermediate")).toEqual(["update"]);
    expect(await caps("dc1/connect_root/root/generate/internal")).toEqual(["deny"]);
    expect(await caps("sys/mounts/other")).toEqual(["deny"]);
  });

  test("Consul's CA provider is vault with the declared paths and its active root is Vault's", async () => {
    const config = await consul<{ Provider: string; Config: Record<string, unknown> }>(
      "connect/ca/configuration",
    );
    expect(config.Provider).toBe("vault");
    expect(config.Config).toMatchObject({
      Address: env.VAULT_ADDR,
      RootPKIPath: "dc1/connect_root",
      IntermediatePKIPath: "dc1/connect_intermediate",
      LeafCertTTL: "72h",
      IntermediateCertTTL: "8760h",
    });
    const vaultRoot = (await (await fetch(`${env.VAULT_ADDR}/v1/dc1/connect_root/ca/pem`)).text()).trim();
    const active = await eventually(
      async () =>
        (await consul<{ Roots: { Active: boolean; RootCert: string }[] }>("connect/ca/roots")).Roots.find(
          (r) => r.Active,
        ),
      60_000,
      "an active Consul CA root",
    );
    expect(active.RootCert.trim()).toBe(vaultRoot);
  });

  test("intentions allow exactly the declared edges and deny the rest", async () => {
    const allowed = async (source: string, destination: string) =>
      (
        await consul<{ Allowed: boolean }>(
          `connect/intentions/check?source=${source}&destination=${destination}`,
        )
      ).Allowed;
    const declared = stack.intentions.edges.filter((e) => e.source !== "*" && e.destination !== "*");
    expect(declared.map((e) => `${e.source}->${e.destination}`)).toEqual([
      "count-dashboard->count-api",
      "traefik->count-dashboard",
    ]);
    for (const edge of declared) expect(await allowed(edge.source, edge.destination)).toBe(true);
    expect(await allowed("count-api", "count-dashboard")).toBe(false);
    expect(await allowed("traefik", "count-api")).toBe(false);
    expect(await allowed("undeclared", "count-api")).toBe(false);
  });

  test("Nomad runs the ingress and countdash jobs with healthy allocations", async () => {
    expect(deployed).toBe(true);
    for (const job of ["traefik", "countdash"]) {
      const groups = await eventually(
        async () => {
          const allocs = await nomad<
            { TaskGroup: string; ClientStatus: string; DeploymentStatus?: { Healthy?: boolean } }[]
          >(`job/${job}/allocations`);
          const healthy = allocs.filter((a) => a.ClientStatus === "running" && a.DeploymentStatus?.Healthy);
          return (
            healthy.length > 0 &&
            healthy.length === new Set(allocs.map((a) => a.TaskGroup)).size &&
            healthy.map((a) => a.TaskGroup).sort()
          );
        },
        180_000,
        `healthy allocations of ${job}`,
      );
      expect(groups.length).toBeGreaterThan(0);
    }
  });

  test("traffic flows through the mesh: dashboard -> count-api over mTLS", async () => {
    const port = await publishedPort("countdash", "public");
    const body = await eventually(
      async () => {
        const response = await fetch(`http://${port.HostIP}:${port.Value}/count`);
        return response.ok && ((await response.json()) as { count: number; service: string });
      },
      60_000,
      "the dashboard to reach count-api through its upstream",
    );
    expect(body).toMatchObject({ service: "count-api", count: expect.any(Number) });
  });

  test("traffic flows through Traefik's TLS port into the mesh (Host router, Connect-native)", async () => {
    const port = await publishedPort("traefik", "https");
    const host = "count.local.meshstack.internal";
    const body = await eventually(
      () =>
        new Promise<string | false>((resolve) => {
          // Traefik's default certificate is self-signed locally; the point here is routing, not trust.
          const req = request(
            {
              host: port.HostIP,
              port: port.Value,
              path: "/count",
              servername: host,
              headers: { host },
              rejectUnauthorized: false,
            },
            (res) => {
              let data = "";
              res.on("data", (chunk) => (data += chunk));
              res.on("end", () => resolve(res.statusCode === 200 && data));
            },
          );
          req.on("error", () => resolve(false));
          req.end();
        }),
      90_000,
      "Traefik to route to the dashboard",
    );
    expect(JSON.parse(body)).toMatchObject({ service: "count-api" });
  });

  test("a second plan shows no changes", async () => {
    const result = await timed("plan", () => plan(deployment, env));
    if (result.terraform !== 0) console.error(result.output);
    expect(result.terraform).toBe(0);
    expect(result.jobs).toEqual(Object.fromEntries(Object.keys(result.jobs).map((id) => [id, "None"])));
  });

  test("destroy succeeds and removes what was deployed", async () => {
    await timed("destroy", () => destroy(deployment, env));
    destroyed = true;
    const mounts = (await vault<{ data: Record<string, unknown> }>("sys/mounts")).data;
    expect(Object.keys(mounts)).not.toContain("dc1/connect_root/");
    const entries = await consul<{ Name: string }[] | null>("config/service-intentions");
    expect(entries ?? []).toEqual([]);
    const jobs = await nomad<{ ID: string }[]>("jobs");
    expect(jobs.map((j) => j.ID)).not.toContain("countdash");
    // Consul is back on its built-in CA, not pointing at the destroyed mounts.
    if (deployment.missing.includes("consul")) {
      expect((await consul<{ Provider: string }>("connect/ca/configuration")).Provider).toBe("consul");
    }
  });
});
