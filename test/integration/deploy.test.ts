/**
 * Deploys the `local` stack to the real local cluster (scripts/cluster.sh) with real Terraform and
 * providers, asserts through Vault's, Consul's and Nomad's own APIs, plans again (no changes) and
 * destroys. `prevent_destroy` is relaxed explicitly for this throwaway copy of the environment only.
 */
import { App } from "cdktf";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments } from "../../environments";
import { MeshPlatformStack } from "../../stacks/mesh-platform-stack";
import { api, clusterEnv, eventually, terraform } from "./harness";

jest.setTimeout(15 * 60 * 1000);

const env = clusterEnv();
const vault = <T>(path: string, init?: RequestInit) =>
  api<T>(env.VAULT_ADDR!, `/v1/${path}`, env.VAULT_TOKEN, init);
const consul = <T>(path: string) =>
  api<T>(env.CONSUL_HTTP_ADDR!.replace(/^(?!https?:)/, "http://"), `/v1/${path}`, env.CONSUL_HTTP_TOKEN, {
    tokenHeader: "X-Consul-Token",
  });
const nomad = <T>(path: string) =>
  api<T>(env.NOMAD_ADDR!, `/v1/${path}`, env.NOMAD_TOKEN, { tokenHeader: "X-Nomad-Token" });

const outdir = mkdtempSync(join(tmpdir(), "meshstack-it-"));
const app = new App({ outdir });
const stack = new MeshPlatformStack(app, "local", {
  environment: { ...environments.local, preventDestroy: false },
});
app.synth();
const dir = join(outdir, "stacks", "local");
const timings: Record<string, number> = {};

function timed(name: string, ...args: string[]) {
  const start = Date.now();
  const result = terraform(dir, env, ...args);
  timings[name] = Date.now() - start;
  return result;
}

afterAll(() => {
  // Best effort: leave the cluster as we found it even when an assertion failed half-way.
  terraform(dir, env, "destroy", "-auto-approve", "-input=false");
  rmSync(outdir, { recursive: true, force: true });
  // The benchmark (scripts/bench.ts) reports these real Terraform timings.
  mkdirSync(".local", { recursive: true });
  writeFileSync(".local/integration-timings.json", `${JSON.stringify(timings, null, 2)}\n`);
});

describe("local stack on the real cluster", () => {
  test("init and apply converge in one run", () => {
    const init = timed("init", "init", "-input=false", "-no-color");
    expect(init).toMatchObject({ code: 0 });
    const apply = timed("apply", "apply", "-auto-approve", "-input=false", "-no-color");
    if (apply.code !== 0) console.error(apply.out);
    expect(apply.code).toBe(0);
  });

  test("Vault has the Connect CA mounts with the declared TTLs", async () => {
    const mounts =
      await vault<Record<string, { type: string; config: { max_lease_ttl: number } }>>("sys/mounts");
    const data = (mounts as unknown as { data?: typeof mounts }).data ?? mounts;
    expect(data["dc1/connect_root/"]).toMatchObject({ type: "pki", config: { max_lease_ttl: 87600 * 3600 } });
    expect(data["dc1/connect_intermediate/"]).toMatchObject({ type: "pki" });
  });

  test("Vault has the least-privilege CA policy and the Nomad workload role", async () => {
    const policy = await vault<{ data: { policy: string } }>("sys/policies/acl/dc1-consul-connect-ca");
    expect(policy.data.policy).toContain(stack.pki.policyDocument.render().trim().split("\n")[1]);
    expect(policy.data.policy).toContain('path "dc1/connect_root/root/sign-intermediate"');
    const role = await vault<{
      data: { bound_audiences: string[]; user_claim: string; token_policies: string[] };
    }>("auth/jwt-nomad/role/nomad-workloads");
    expect(role.data).toMatchObject({
      bound_audiences: ["vault.io"],
      user_claim: "/nomad_job_id",
      token_policies: ["nomad-workloads"],
    });
    const capabilities = await vault<{ capabilities: string[] }>("sys/capabilities", {
      method: "POST",
      body: JSON.stringify({ token: env.VAULT_TOKEN, path: "dc1/connect_root/root/sign-intermediate" }),
    });
    expect(capabilities.capabilities).toContain("root");
  });

  test("Consul's CA provider is vault with the declared paths and a root signed in Vault", async () => {
    const config = await consul<{ Provider: string; Config: Record<string, unknown> }>(
      "connect/ca/configuration",
    );
    expect(config.Provider).toBe("vault");
    expect(config.Config).toMatchObject({
      RootPKIPath: "dc1/connect_root",
      IntermediatePKIPath: "dc1/connect_intermediate",
      LeafCertTTL: "72h",
      IntermediateCertTTL: "8760h",
    });
    const vaultRoot = await (await fetch(`${env.VAULT_ADDR}/v1/dc1/connect_root/ca/pem`)).text();
    const roots = await eventually(
      async () =>
        (await consul<{ Roots: { Active: boolean; RootCert: string }[] }>("connect/ca/roots")).Roots.find(
          (r) => r.Active,
        ),
      60_000,
      "an active Consul CA root",
    );
    expect(roots.RootCert.trim()).toBe(vaultRoot.trim());
  });

  test("intentions allow exactly the declared edges and deny the rest", async () => {
    const check = async (source: string, destination: string) =>
      (
        await consul<{ Allowed: boolean }>(
          `connect/intentions/check?source=${source}&destination=${destination}`,
        )
      ).Allowed;
    for (const edge of stack.intentions.edges.filter((e) => e.source !== "*" && e.destination !== "*")) {
      expect(`${edge.source}->${edge.destination}:${await check(edge.source, edge.destination)}`).toBe(
        `${edge.source}->${edge.destination}:${edge.action === "allow"}`,
      );
    }
    expect(await check("undeclared-caller", "some-service")).toBe(false);
  });

  test("Nomad has a ready client for the mesh workloads", async () => {
    const nodes = await nomad<{ Status: string }[]>("nodes");
    expect(nodes.map((n) => n.Status)).toContain("ready");
  });

  test("a second plan shows no changes", () => {
    const plan = timed("plan", "plan", "-detailed-exitcode", "-input=false", "-no-color");
    if (plan.code !== 0) console.error(plan.out);
    expect(plan.code).toBe(0);
  });

  test("destroy succeeds and removes the mounts", async () => {
    const destroy = timed("destroy", "destroy", "-auto-approve", "-input=false", "-no-color");
    if (destroy.code !== 0) console.error(destroy.out);
    expect(destroy.code).toBe(0);
    const mounts = await vault<{ data: Record<string, unknown> }>("sys/mounts");
    expect(Object.keys(mounts.data)).not.toContain("dc1/connect_root/");
  });
});
