/**
 * A service outside the mesh, reached through a terminating gateway, on the real local cluster: an
 * HTTP server on the cluster's bridge (no sidecar, no Consul agent) is registered in Consul's catalog
 * (`ExternalService`), linked to a `TerminatingGateway` job, and called by a mesh service through its
 * upstream (`connectTo(external)`), which adds exactly that intention. The call passes while the
 * intention exists and fails once it is gone (the default deny), a second plan is empty, and drift
 * in the catalog registration is seen and repaired.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resetConsulCa } from "../../local/cluster-env";
import { ExternalService, MeshGateway, TerminatingGateway } from "../../constructs/mesh";
import type { MeshPlatformStack } from "../../stacks/mesh-platform-stack";
import {
  clusterEnv,
  eventually,
  freePort,
  probe,
  probeOutcomes,
  serverApis,
  throwawayLocal,
} from "./harness";
import { Workspace } from "./terraform";

jest.setTimeout(10 * 60 * 1000);

const env = clusterEnv();
const { nomad, consul } = serverApis(env);
const workspace = new Workspace("local", env);
const EXTERNAL = "outside-web";
const EXTERNAL_TLS = "outside-tls";
const PROBE_PORT = 19090;
const PROBE_TLS_PORT = 19091;

/** Serves the current directory over HTTPS with server.pem/server.key (the gateway verifies it). */
const HTTPS_SERVER = [
  "import http.server, ssl, sys",
  "server = http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), http.server.SimpleHTTPRequestHandler)",
  "context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)",
  'context.load_cert_chain("server.pem", "server.key")',
  "server.socket = context.wrap_socket(server.socket, server_side=True)",
  "server.serve_forever()",
].join("\n");

const servers: ChildProcess[] = [];
let serverDir = "";
let deployed = false;

/** What the stack under test holds beside the platform. */
interface Outside {
  readonly address: string;
  readonly port: number;
  /** The caller's intention to the plain service exists. */
  readonly allowed: boolean;
  /** An HTTPS service too, verified by the gateway with this CA file and server name. */
  readonly tls?: { readonly port: number; readonly caFile: string; readonly sni: string };
}

/** The stack with the external services, their gateway and a caller of each. */
function synth(outside: Outside): void {
  workspace.synth(throwawayLocal(env), (stack: MeshPlatformStack) => {
    const mesh = stack.platform.mesh;
    const { address } = outside;
    const plain = new ExternalService(stack, "Outside", {
      mesh,
      name: EXTERNAL,
      address,
      port: outside.port,
    });
    const tls = outside.tls
      ? new ExternalService(stack, "OutsideTls", {
          mesh,
          name: EXTERNAL_TLS,
          address,
          port: outside.tls.port,
          tls: { caFile: outside.tls.caFile, sni: outside.tls.sni },
        })
      : undefined;
    // A mesh gateway too: this datacenter's door for other datacenters and peers.
    new MeshGateway(stack, "MeshGateway", { mesh });
    new TerminatingGateway(stack, "Gateway", {
      mesh,
      services: tls ? [plain, tls] : [plain],
      name: "outside-gateway",
    });
    probe(stack, "probe", plain, PROBE_PORT);
    if (tls) probe(stack, "probe-tls", tls, PROBE_TLS_PORT);
    if (!outside.allowed) stack.platform.intentions.removeEdge("probe", EXTERNAL);
  });
}

const probeLines = (job = "probe") => probeOutcomes(env, job);

afterAll(async () => {
  try {
    if (deployed) workspace.destroy();
    // The provider's destroy only forgets the CA configuration (docs/drift.md).
    await resetConsulCa(env);
  } catch (error) {
    console.error(String(error));
  } finally {
    workspace.remove();
    for (const server of servers) server.kill("SIGKILL");
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
    servers.push(
      spawn("timeout", ["600", "python3", "-m", "http.server", String(port), "--bind", address], {
        cwd: serverDir,
        stdio: "ignore",
      }),
    );
  });

  test("a mesh service reaches it through the gateway while its intention exists", async () => {
    // WHEN the external service, its gateway and a caller with connectTo(external) are deployed
    synth({ address, port, allowed: true });
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
    // AND the mesh gateway runs: registered as Consul's mesh-gateway kind, with its LAN and WAN
    // addresses, and healthy
    const meshGateway = await eventually(
      async () => {
        const [found] = await consul<
          {
            Service: { Kind: string; TaggedAddresses?: Record<string, unknown> };
            Checks: { Status: string }[];
          }[]
        >("health/service/mesh-gateway");
        return found && found.Checks.every((c) => c.Status === "passing") && found;
      },
      180_000,
      "the mesh gateway healthy",
    );
    expect(meshGateway.Service.Kind).toBe("mesh-gateway");
    expect(Object.keys(meshGateway.Service.TaggedAddresses ?? {}).sort()).toEqual(
      expect.arrayContaining(["lan_ipv4", "wan_ipv4"]),
    );
    // AND a second plan is empty
    expect(workspace.plan().code).toBe(0);
  });

  test("the call fails once the intention is gone: the default deny holds at the gateway", async () => {
    // WHEN the caller's intention is removed (the upstream stays)
    synth({ address, port, allowed: false });
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
    synth({ address, port, allowed: true });
    workspace.apply();
    await eventually(
      async () => (await probeLines()).slice(-1)[0] === "ok outside-ok",
      120_000,
      "the probe reaching the outside service again",
    );
  });

  test("verifies an HTTPS service with its CA and server name: the right name passes, another fails", async () => {
    // GIVEN an HTTPS server outside the mesh, its certificate for outside.test from a CA of the test's
    const tlsPort = await freePort(address);
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: serverDir, stdio: "ignore" });
    openssl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=outside test CA",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
    );
    openssl(
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-subj",
      "/CN=outside.test",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
    );
    writeFileSync(join(serverDir, "san.ext"), "subjectAltName=DNS:outside.test\n");
    openssl(
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      "san.ext",
      "-out",
      "server.pem",
    );
    servers.push(
      spawn("timeout", ["600", "python3", "-c", HTTPS_SERVER, address, String(tlsPort)], {
        cwd: serverDir,
        stdio: "ignore",
      }),
    );
    const tls = (sni: string) => ({ port: tlsPort, caFile: join(serverDir, "ca.pem"), sni });
    // WHEN it is linked to the gateway with that CA and name, and a mesh service calls it
    synth({ address, port, allowed: true, tls: tls("outside.test") });
    workspace.apply();
    // THEN the call passes: mTLS to the gateway, the gateway's own TLS (verified) to the server
    await eventually(
      async () => (await probeLines("probe-tls")).slice(-1)[0] === "ok outside-ok",
      180_000,
      "the TLS probe reaching the HTTPS service through the gateway",
    );
    // AND with another server name the gateway refuses the server's certificate: the call fails
    synth({ address, port, allowed: true, tls: tls("elsewhere.test") });
    workspace.apply();
    await eventually(
      async () => {
        const lines = (await probeLines("probe-tls")).slice(-3);
        return lines.length === 3 && lines.every((line) => line.startsWith("fail"));
      },
      120_000,
      "the TLS probe refused by the gateway's certificate check",
    );
    synth({ address, port, allowed: true });
    workspace.apply();
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
