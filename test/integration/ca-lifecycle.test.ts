/**
 * The Connect CA over time, on the real local cluster: Consul keeps its Vault token alive over
 * several (short) periods, and the root is rotated to a new mount with `cdktf deploy` while requests
 * keep flowing through Traefik and the sidecars, following the procedure the README documents
 * (prepare, rotate, finish) with not one request failing.
 */
import { X509Certificate } from "node:crypto";
import { publishedPort, resetConsulCa, viaIngress } from "../../local/cluster-env";
import { EnvironmentConfig } from "../../environments";
import { api, clusterEnv, eventually, serverApis, throwawayLocal, vaultCapabilities } from "./harness";
import { Workspace } from "./terraform";

jest.setTimeout(15 * 60 * 1000);

const env = clusterEnv();
const { vault, consul } = serverApis(env);
const workspace = new Workspace("local", env);

/** Short enough that three periods pass in a test, long enough for Consul's renewal to keep up. */
const TOKEN_PERIOD_SECONDS = 20;
const base = throwawayLocal(env);
const OLD_ROOT = "dc1/connect_root";
const NEW_ROOT = "dc1/connect_root_2";

/** The environment at each step of the rotation procedure (README: "Rotating the Connect root"). */
function step(pki: Partial<NonNullable<EnvironmentConfig["pki"]>>): EnvironmentConfig {
  return { ...base, pki: { ...base.pki, caTokenPeriod: `${TOKEN_PERIOD_SECONDS}s`, ...pki } };
}
const STEPS = {
  steady: step({}),
  prepare: step({ rootRotation: true }),
  rotate: step({
    rootRotation: true,
    rootPath: NEW_ROOT,
    rootGeneration: 2,
    retiringRoot: { path: OLD_ROOT, generation: 1 },
  }),
  finish: step({ rootPath: NEW_ROOT, rootGeneration: 2 }),
};

let deployed = false;

afterAll(async () => {
  try {
    if (deployed) workspace.destroy();
  } catch (error) {
    console.error(String(error));
  } finally {
    workspace.remove();
    // The provider's destroy only forgets the CA configuration (docs/drift.md).
    await resetConsulCa(env).catch((error: unknown) => console.error(String(error)));
  }
});

interface CaConfig {
  Config: { Token: string; RootPKIPath: string };
}
interface Roots {
  ActiveRootID: string;
  Roots: { ID: string; Active: boolean; RootCert: string; IntermediateCerts?: string[] }[];
}

const caToken = async () => (await consul<CaConfig>("connect/ca/configuration")).Config.Token;
const lookupSelf = (token: string) =>
  api<{ data: { accessor: string; ttl: number; last_renewal_time?: number; policies: string[] } }>(
    env.VAULT_ADDR!,
    "/v1/auth/token/lookup-self",
    token,
  );

/** The ingress's TLS address, once Traefik runs. */
async function ingressAddress(): Promise<string | undefined> {
  const port = await publishedPort(env, "traefik", "https");
  return port && `${port.HostIP}:${port.Value}`;
}

/** Requests through Traefik into the mesh (two paths, one of them across two sidecars) until stopped. */
class Load {
  public ok = 0;
  public readonly failures: string[] = [];
  private stopped = false;
  private readonly workers: Promise<void>[];

  public constructor(ingress: string) {
    const targets = [
      ["canary.local.meshstack.internal", "/"], // traefik -> canary-web -> greeter (split)
      ["count.local.meshstack.internal", "/count"], // traefik -> count-dashboard -> count-api
    ] as const;
    this.workers = targets.map(async ([host, path]) => {
      // Bounded: stop() ends it, and so does the test's own timeout.
      while (!this.stopped) {
        const answer = await viaIngress(ingress, path, host);
        if (answer.status === 200) this.ok++;
        else
          this.failures.push(`${new Date().toISOString()} ${host}${path}: ${answer.status} ${answer.body}`);
      }
    });
  }

  public async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers);
  }
}

/**
 * Every mesh service's leaf, as its agent serves it to the sidecar, chains to `root` through
 * `intermediates`; throws naming the first that does not (and its issuer), for the timeout message.
 */
async function leavesSignedBy(root: Roots["Roots"][number]): Promise<boolean> {
  const rootCert = new X509Certificate(root.RootCert);
  const intermediates = (root.IntermediateCerts ?? []).map((pem) => new X509Certificate(pem));
  for (const service of ["greeter", "canary-web", "count-api", "count-dashboard", "traefik"]) {
    const leaf = new X509Certificate(
      (await consul<{ CertPEM: string }>(`agent/connect/ca/leaf/${service}`)).CertPEM,
    );
    const issuer = intermediates.find((i) => leaf.checkIssued(i) && leaf.verify(i.publicKey));
    if (!issuer || !issuer.verify(rootCert.publicKey)) {
      throw new Error(
        `${service}'s leaf (issuer ${leaf.issuer.replace(/\n/g, ", ")}, valid from ${leaf.validFrom}) does not ` +
          `chain to the root through its ${intermediates.length} intermediate(s) ` +
          `(${intermediates.map((i) => i.subject.replace(/\n/g, ", ")).join("; ")})`,
      );
    }
  }
  return true;
}

describe("the Connect CA over time", () => {
  test("deploys with a short CA token period, and the mesh answers", async () => {
    workspace.synth(STEPS.steady);
    workspace.init();
    workspace.apply();
    deployed = true;
    const ingress = await eventually(ingressAddress, 120_000, "Traefik to run").catch(() => undefined);
    expect(ingress).toBeDefined();
    await eventually(
      async () =>
        (await viaIngress(ingress!, "/", "canary.local.meshstack.internal")).status === 200 &&
        (await viaIngress(ingress!, "/count", "count.local.meshstack.internal")).status === 200,
      180_000,
      "both mesh paths to answer through Traefik",
    );
  });

  test(`Consul keeps its CA token renewed over more than three ${TOKEN_PERIOD_SECONDS}s periods`, async () => {
    expect(deployed).toBe(true);
    const token = await caToken();
    const start = await lookupSelf(token);
    expect(start.data.ttl).toBeLessThanOrEqual(TOKEN_PERIOD_SECONDS);
    const renewals = new Set<number>();
    const deadline = Date.now() + 3.5 * TOKEN_PERIOD_SECONDS * 1000;
    while (Date.now() < deadline) {
      // A token that was not renewed would be gone after one period: every lookup must succeed.
      const now = await lookupSelf(token);
      expect(now.data.ttl).toBeGreaterThan(0);
      if (now.data.last_renewal_time) renewals.add(now.data.last_renewal_time);
      await new Promise((r) => setTimeout(r, 2000));
    }
    console.log(
      `CA token: ${renewals.size} renewals seen over ${3.5 * TOKEN_PERIOD_SECONDS} s (period ${TOKEN_PERIOD_SECONDS} s)`,
    );
    expect(renewals.size).toBeGreaterThanOrEqual(3);
    // And the provider still works with it: a new service gets a leaf signed through Vault.
    const leaf = await consul<{ CertPEM: string }>("agent/connect/ca/leaf/renewal-probe");
    expect(new X509Certificate(leaf.CertPEM).subjectAltName).toContain("/svc/renewal-probe");
  });

  test("the root rotates to a new mount under load with zero failed requests, as the README says", async () => {
    expect(deployed).toBe(true);
    const load = new Load((await ingressAddress())!);
    let rotationToken = "";
    let newRoot: Roots["Roots"][number] | undefined;
    try {
      // 1. Prepare: a CA token that may cross-sign with the current root.
      workspace.synth(STEPS.prepare);
      workspace.apply();
      rotationToken = await caToken();
      expect(await vaultCapabilities(env, rotationToken, `${OLD_ROOT}/root/sign-self-issued`)).toEqual([
        "sudo",
        "update",
      ]);
      // 2. Rotate: the new root mount beside the old one; Consul cross-signs and switches.
      workspace.synth(STEPS.rotate);
      workspace.apply();
      expect((await consul<CaConfig>("connect/ca/configuration")).Config.RootPKIPath).toBe(NEW_ROOT);
      const vaultRoot = (await vault<{ data: { certificate: string } }>(`${NEW_ROOT}/cert/ca`)).data
        .certificate;
      newRoot = await eventually(
        async () => {
          const roots = await consul<Roots>("connect/ca/roots");
          const active = roots.Roots.find((r) => r.ID === roots.ActiveRootID);
          return active && active.RootCert.trim() === vaultRoot.trim() && active;
        },
        60_000,
        "Consul's active root to be the new Vault root",
      );
      // Agents reissue leaves after a random delay of up to 30 s; the load runs through it.
      await eventually(() => leavesSignedBy(newRoot!), 120_000, "every leaf to chain to the new root");
      await new Promise((r) => setTimeout(r, 5000));
      // 3. Finish: the retiring root and the cross-sign right go.
      workspace.synth(STEPS.finish);
      workspace.apply();
      await new Promise((r) => setTimeout(r, 5000));
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    expect(load.ok).toBeGreaterThanOrEqual(1000);
    console.log(`rotation under load: ${load.ok} requests, ${load.failures.length} failed`);

    // Every leaf is signed by the new root; the old one is inactive, kept until Consul prunes it.
    expect(await leavesSignedBy(newRoot!)).toBe(true);
    const roots = await consul<Roots>("connect/ca/roots");
    expect(roots.ActiveRootID).toBe(newRoot!.ID);
    expect(roots.Roots.filter((r) => r.ID !== newRoot!.ID).every((r) => !r.Active)).toBe(true);
    // The rotation token is revoked; the CA token now cannot cross-sign anywhere, and the old mount is gone.
    await expect(lookupSelf(rotationToken)).rejects.toThrow(/403|permission denied|bad token/);
    const finalToken = await caToken();
    expect(finalToken).not.toBe(rotationToken);
    for (const root of [OLD_ROOT, NEW_ROOT]) {
      expect(await vaultCapabilities(env, finalToken, `${root}/root/sign-self-issued`)).toEqual(["deny"]);
    }
    const mounts = Object.keys((await vault<{ data: Record<string, unknown> }>("sys/mounts")).data);
    expect(mounts.filter((m) => m.startsWith("dc1/connect_root"))).toEqual([`${NEW_ROOT}/`]);
    // The intermediate moved with the root (Consul 1.14 keeps an intermediate whose path stays).
    expect(mounts.filter((m) => m.startsWith("dc1/connect_intermediate"))).toEqual([
      "dc1/connect_intermediate_2/",
    ]);
    // And the finished state plans clean.
    expect(workspace.plan().code).toBe(0);
  });
});
