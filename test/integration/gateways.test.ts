/**
 * A service outside the mesh, reached through a terminating gateway, on the real local cluster: an
 * HTTP server on the cluster's bridge (no sidecar, no Consul agent) is registered in Consul's catalog
 * (`ExternalService`), linked to a `TerminatingGateway` job, and called by a mesh service through its
 * upstream (`connectTo(external)`), which adds exactly that intention. The call passes while the
 * intention exists and fails once it is gone (the default deny), a second plan is empty, and drift
 * in the catalog registration is seen and repaired.
 */
import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { resetConsulCa } from "../../local/cluster-env";
import { ExternalService, MeshService, TerminatingGateway } from "../../constructs/mesh";
import { TaskDriver } from "../../constructs/nomad";
import type { MeshPlatformStack } from "../../stacks/mesh-platform-stack";
import { clusterEnv, eventually, serverApis, throwawayLocal } from "./harness";
import { Workspace } from "./terraform";

jest.setTimeout(10 * 60 * 1000);

const env = clusterEnv();
const { nomad, consul } = serverApis(env);
const workspace = new Workspace("local", env);
const EXTERNAL = "outside-web";
const PROBE_PORT = 19090;

/** Calls the upstream once a second (bounded: 400 calls) and prints each outcome on a line. */
const PROBE = [
  "import time, urllib.request",
  "for _ in range(400):",
  "    try:",
  `        body = urllib.request.urlopen("http://127.0.0.1:${PROBE_PORT}/", timeout=2).read().decode().strip()`,
  '        print("ok " + body, flush=True)',
  "    except Exception as error:",
  '        print("fail " + type(error).__name__, flush=True)',
  "    time.sleep(1)",
].join("\n");

let server: ChildProcess | undefined;
let serverDir = "";
let deployed = false;

type Alloc = { ID: string; TaskGroup: string; ClientStatus: string; DesiredStatus: string };

/** A free TCP port on `host`. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The stack with the external service, its gateway and a caller; the caller's intention removed unless `allowed`. */
function synth(address: string, port: number, allowed: boolean): void {
  workspace.synth(throwawayLocal(env), (stack: MeshPlatformStack) => {
    const mesh = stack.platform.mesh;
    const outside = new ExternalService(stack, "Outside", { mesh, name: EXTERNAL, address, port });
    new TerminatingGateway(stack, "Gateway", { mesh, services: [outside], name: "outside-gateway" });
    const probe = new MeshService(stack, "probe", {
      mesh,
      port: 9090,
      tasks: [{ name: "probe", driver: TaskDriver.rawExec({ command: "python3", args: ["-c", PROBE] }) }],
    });
    probe.connectTo(outside, { localBindPort: PROBE_PORT });
    if (!allowed) stack.platform.intentions.removeEdge("probe", EXTERNAL);
  });
}

/** The probe's last printed outcomes. */
async function probeLines(): Promise<string[]> {
  const allocs = await nomad<Alloc[]>("job/probe/allocations");
  const running = allocs.find((a) => a.DesiredStatus === "run" && a.ClientStatus === "running");
  if (!running) return [];
  const text = await fetch(
    `${env.NOMAD_ADDR}/v1/client/fs/logs/${running.ID}?task=probe&type=stdout&plain=true&origin=end&offset=400`,
    { headers: env.NOMAD_TOKEN ? { "X-Nomad-Token": env.NOMAD_TOKEN } : {} },
  ).then((r) => r.text());
  return text.trim().split("\n").filter(Boolean);
}

afterAll(async () => {
  try {
    if (deployed) workspace.destroy();
    // The provider's destroy only forgets the CA configuration (docs/drift.md).
    await resetConsulCa(env);
  } catch (error) {
    console.error(String(error));
  } finally {
    workspace.remove();
    server?.kill("SIGKILL");
    if (serverDir) rmSync(serverDir, { recursive: true, force: true });
  }
});

describe("a service outside the mesh, through a terminating gateway", () => {
  let address = "";
  let port = 0;

  beforeAll(async () => {
    // A Consul left on another run's Vault root would have to cross-sign this run's.
    await resetConsulCa(env);
    // GIVEN an HTTP server outside the mesh, on the cluster's bridge address (where the Nomad client,
    // and so every allocation, reaches the host), bounded to the test's lifetime
    const [node] = await nomad<{ ID: string }[]>("nodes");
    const detail = await nomad<{ Attributes: Record<string, string> }>(`node/${node!.ID}`);
    address = detail.Attributes["unique.network.ip-address"]!;
    port = await freePort(address);
    serverDir = mkdtempSync(join(tmpdir(), "meshstack-outside-"));
    writeFileSync(join(serverDir, "index.html"), "outside-ok\n");
    server = spawn("timeout", ["600", "python3", "-m", "http.server", String(port), "--bind", address], {
      cwd: serverDir,
      stdio: "ignore",
    });
  });

  test("a mesh service reaches it through the gateway while its intention exists", async () => {
    // WHEN the external service, its gateway and a caller with connectTo(external) are deployed
    synth(address, port, true);
    workspace.init();
    deployed = true;
    workspace.apply();
    // THEN Consul lists the service on its agentless node, and the gateway links it
    const instances = await consul<{ Node: string; ServiceAddress: string; ServicePort: number }[]>(
      `catalog/service/${EXTERNAL}`,
    );
    expect(instances.map((i) => [i.Node, i.ServiceAddress, i.ServicePort])).toEqual([
      [`external-${EXTERNAL}`, address, port],
    ]);
    const entry = await eventually(
      async () =>
        consul<{ Services: { Name: string }[] }>("config/terminating-gateway/outside-gateway").catch(
          () => undefined,
        ),
      120_000,
      "the terminating-gateway entry Nomad writes",
    );
    expect(entry.Services.map((s) => s.Name)).toEqual([EXTERNAL]);
    // AND the caller's requests pass the gateway
    await eventually(
      async () => (await probeLines()).slice(-1)[0] === "ok outside-ok",
      240_000,
      "the probe reaching the outside service through the gateway",
    );
    // AND a second plan is empty
    expect(workspace.plan().code).toBe(0);
  });

  test("the call fails once the intention is gone: the default deny holds at the gateway", async () => {
    // WHEN the caller's intention is removed (the upstream stays)
    synth(address, port, false);
    workspace.apply();
    // THEN its requests stop passing
    await eventually(
      async () => {
        const lines = (await probeLines()).slice(-3);
        return lines.length === 3 && lines.every((line) => line.startsWith("fail"));
      },
      120_000,
      "the probe refused without its intention",
    );
    // AND with it back, they pass again
    synth(address, port, true);
    workspace.apply();
    await eventually(
      async () => (await probeLines()).slice(-1)[0] === "ok outside-ok",
      120_000,
      "the probe reaching the outside service again",
    );
  });

  test("sees and repairs drift in the catalog registration: the node deregistered by hand", async () => {
    // GIVEN the external service's node (and with it the service) deregistered through the API
    await consul("catalog/deregister", {
      method: "PUT",
      body: JSON.stringify({ Node: `external-${EXTERNAL}` }),
    });
    // THEN the plan registers exactly those again
    const changes = workspace.plannedChanges();
    expect(Object.entries(changes).sort()).toEqual([
      [expect.stringMatching(/^consul_node\.Outside_Node_\w+$/), "create"],
      [expect.stringMatching(/^consul_service\.Outside_Service_\w+$/), "create"],
    ]);
    // AND the apply repairs them: the service is back, and the next plan is empty
    workspace.apply();
    expect((await consul<unknown[]>(`catalog/service/${EXTERNAL}`)).length).toBe(1);
    expect(workspace.plan().code).toBe(0);
  });
});
