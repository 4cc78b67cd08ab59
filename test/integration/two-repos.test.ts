/**
 * One platform and two app repositories, as teams run them: the platform deployed from this
 * repository, then two repositories written by `meshstack init --app` from the packed tarball, each
 * with its own state and its own `cdktf deploy`. `shop` runs web and api, and web calls `payments`,
 * which `billing` owns. Until billing allows web, shop's plan review reports the missing grant and the
 * mesh refuses the call; after billing's grant the call succeeds. Destroying shop leaves the platform
 * and billing untouched, and billing's review then reports its allow of the departed web.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publishedPort, resetConsulCa } from "../../local/cluster-env";
import { clusterEnv, clusterNomadVersion, eventually, serverApis, throwawayLocal } from "./harness";
import { runCaptured, Workspace } from "./terraform";

jest.setTimeout(20 * 60 * 1000);

const root = join(__dirname, "..", "..");
const env = clusterEnv();
const { consul } = serverApis(env);
const platform = new Workspace("local", env);
const scratch = mkdtempSync(join(tmpdir(), "meshstack-repos-"));
const deployed = new Set<string>();

/** The service program every app runs: `/` names it, `/call/<upstream>` calls through the sidecar. */
const PROGRAM = `import json
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = os.environ["SERVICE"]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/call/"):
            target = self.path[len("/call/"):]
            address = os.environ["UPSTREAM_" + target.upper()]
            try:
                with urllib.request.urlopen("http://" + address + "/", timeout=5) as answer:
                    result = dict(status=answer.status, answer=json.loads(answer.read()))
            except Exception as error:
                result = dict(status=0, error=type(error).__name__ + ": " + str(error))
            self.reply(json.dumps(result).encode())
            return
        self.reply(json.dumps(dict(service=NAME)).encode())

    def reply(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer((os.environ["LISTEN"], int(os.environ["PORT"])), Handler).serve_forever()
`;

/** An app repository's stack on the local cluster: joins the platform through its state. */
function appStack(owner: string, services: string): string {
  return `import { App, DataTerraformRemoteStateLocal, TerraformStack, TerraformVariable } from "cdktf";
import { readFileSync } from "node:fs";
import { ConsulProvider } from "@cdktf/provider-consul/lib/provider";
import { NomadProvider } from "@cdktf/provider-nomad/lib/provider";
import { MeshService, ServiceMesh, TaskDriver } from "meshstack";

const PROGRAM = readFileSync("app.py", "utf8");

export function buildStack(app: App, name: string): TerraformStack {
  const stack = new TerraformStack(app, name);
  const text = (id: string) => new TerraformVariable(stack, id, { type: "string" }).stringValue;
  new ConsulProvider(stack, "Consul", { address: text("consul_address"), datacenter: "dc1" });
  new NomadProvider(stack, "Nomad", { address: text("nomad_address") });
  const platform = new DataTerraformRemoteStateLocal(stack, "Platform", { path: ${JSON.stringify(join(platform.root, "terraform.tfstate"))} });
  const mesh = ServiceMesh.fromPlatform(
    stack,
    "Mesh",
    {
      datacenters: platform.getList("mesh_datacenters"),
      driver: "raw_exec",
      envoyCommand: "envoy",
      nomadVersion: ${JSON.stringify(clusterNomadVersion(env))},
    },
    { owner: ${JSON.stringify(owner)} },
  );
  const service = (id: string, port: number, hostPort?: number, protocol?: "http") =>
    new MeshService(stack, id, { mesh, port, hostPort, protocol, healthCheck: { path: "/" } });
  const run = (s: MeshService, env: Record<string, string> = {}) =>
    s.addTask({
      name: s.serviceName,
      driver: TaskDriver.rawExec({ command: "python3", args: ["local/app.py"] }),
      env: { SERVICE: s.serviceName, PORT: String(s.port), LISTEN: s === web ? "0.0.0.0" : "127.0.0.1", ...env },
      templates: [{ EmbeddedTmpl: PROGRAM, DestPath: "local/app.py", ChangeMode: "restart" }],
    });
  let web: MeshService | undefined;
${services}
  return stack;
}
`;
}

const SHOP = `  web = service("web", 9310, 9310);
  const api = service("api", 9311);
  mesh.addExternalService("payments");
  web.connectTo(api, { localBindPort: 9321 }).connectTo("payments", { localBindPort: 9322 });
  run(web, { UPSTREAM_API: web.upstreamAddress(api), UPSTREAM_PAYMENTS: web.upstreamAddress("payments") });
  run(api);`;

/**
 * billing's payments, speaking http (its own service-defaults; the platform keeps proxy-defaults):
 * first allowing only a caller that never ran, then web too.
 */
const billing = (
  grantWeb: boolean,
) => `  const payments = service("payments", 9312, undefined, "http").allowFrom("orders");
  ${grantWeb ? 'payments.allowFrom("web");' : "// web is not allowed yet"}
  run(payments);`;

/** A repository written by `meshstack init --app` from the packed tarball, with its dependencies installed. */
function initRepo(name: string, tarball: string): string {
  const dir = join(scratch, name);
  execFileSync("node", [join(root, "lib/init/cli.js"), "init", dir, "--app", "--meshstack", tarball], {
    stdio: "pipe",
  });
  writeFileSync(join(dir, "app.py"), PROGRAM);
  const flags = ["--no-audit", "--no-fund", "--loglevel=error"];
  try {
    execFileSync("npm", ["install", ...flags, "--prefer-offline"], { cwd: dir, stdio: "pipe" });
  } catch {
    execFileSync("npm", ["install", ...flags], { cwd: dir, stdio: "pipe" });
  }
  return dir;
}

/** Environment of a repository's commands: the toolchain, the cluster, and the stack's variables. */
const repoEnv = {
  ...env,
  CI: "1",
  TF_VAR_consul_address: env.CONSUL_HTTP_ADDR!,
  TF_VAR_nomad_address: env.NOMAD_ADDR!,
};

/** Runs a command in a repository; returns its exit code and output. */
function inRepo(dir: string, command: string, args: string[]): { code: number; out: string } {
  return runCaptured(command, args, { cwd: dir, env: repoEnv });
}

function cdktf(dir: string, ...args: string[]): string {
  const result = inRepo(dir, "npx", ["--no-install", "cdktf", ...args]);
  if (result.code !== 0)
    throw new Error(`cdktf ${args.join(" ")} in ${dir} exited ${result.code}:\n${result.out}`);
  return result.out;
}

/**
 * `cdktf deploy` or `destroy` as a user runs it against this cluster: the providers come from the
 * toolchain's mirror, so cdktf's extra lock step, which asks the public registry, is skipped.
 */
function apply(dir: string, command: "deploy" | "destroy"): void {
  cdktf(dir, command, "prod", "--auto-approve", "--skip-provider-lock", "--no-color");
}

function deploy(dir: string, stack: string): void {
  deployed.add(stack);
  apply(dir, "deploy");
}

/** `terraform plan -detailed-exitcode` of a repository's synthesized stack: 0 when empty. */
function secondPlan(dir: string): number {
  const result = inRepo(join(dir, "cdktf.out/stacks/prod"), "terraform", [
    "plan",
    "-detailed-exitcode",
    "-input=false",
    "-no-color",
  ]);
  if (result.code !== 0) console.error(result.out);
  return result.code;
}

/** The repository's plan review with Consul's intentions (`--consul-grants`), as its workflow runs it. */
function review(dir: string): string {
  const result = inRepo(dir, "npx", ["--no-install", "meshstack-plan-review", "prod", "--consul-grants"]);
  if (result.code !== 0 && result.code !== 2)
    throw new Error(`plan review exited ${result.code}:\n${result.out}`);
  return result.out;
}

let shop = "";
let billingRepo = "";
let web = "";

/** web's answer to `/call/<upstream>`: the upstream's reply, or the error the sidecar caused. */
async function callFromWeb(
  upstream: string,
): Promise<{ status: number; answer?: { service: string }; error?: string }> {
  const response = await fetch(`http://${web}/call/${upstream}`);
  return (await response.json()) as { status: number; answer?: { service: string }; error?: string };
}

/** The sources Consul holds for a destination's intentions entry, with its owner. */
async function consulEntry(name: string): Promise<{ sources: string[]; owner?: string }> {
  const entry = await consul<{ Sources: { Name: string }[]; Meta?: Record<string, string> }>(
    `config/service-intentions/${name}`,
  );
  return { sources: entry.Sources.map((s) => s.Name).sort(), owner: entry.Meta?.["meshstack-owner"] };
}

beforeAll(async () => {
  // A suite before this one may have left Consul on a removed Vault CA (docs/drift.md).
  await resetConsulCa(env);
  const local = throwawayLocal(env);
  platform.synth({ ...local, workloads: { ...local.workloads!, demo: false, demoCanary: false } });
  platform.init();
  deployed.add("platform"); // before the apply: a half-made platform is destroyed too
  platform.apply();
  // The tarball a user installs (prepack builds lib/), and the init command from it.
  execFileSync("npm", ["pack", "--silent", "--pack-destination", scratch], { cwd: root, stdio: "pipe" });
  const tarball = join(
    scratch,
    readdirSync(scratch).find((f) => f.endsWith(".tgz"))!,
  );
  billingRepo = initRepo("billing", tarball);
  shop = initRepo("shop", tarball);
  writeFileSync(join(billingRepo, "stack.ts"), appStack("billing", billing(false)));
  writeFileSync(join(shop, "stack.ts"), appStack("shop", SHOP));
});

afterAll(async () => {
  // Leave the cluster as we found it, apps first: they read the platform's state.
  for (const [name, dir] of [
    ["shop", shop],
    ["billing", billingRepo],
  ]) {
    if (!deployed.has(name)) continue;
    try {
      apply(dir, "destroy");
    } catch (error) {
      console.error(String(error));
    }
  }
  try {
    if (deployed.has("platform")) platform.destroy();
    await resetConsulCa(env);
  } catch (error) {
    console.error(String(error));
  }
  platform.remove();
  rmSync(scratch, { recursive: true, force: true });
});

describe("two app repositories around one platform", () => {
  test("billing deploys payments with its own state, and its entry records its owner", async () => {
    deploy(billingRepo, "billing");
    expect(readdirSync(billingRepo)).toContain("terraform.prod.tfstate");
    expect(await consulEntry("payments")).toEqual({ sources: ["orders"], owner: "billing" });
    // billing declared payments' protocol itself; the mesh-wide proxy-defaults stayed the platform's.
    expect(await consul<{ Protocol: string }>("config/service-defaults/payments")).toMatchObject({
      Protocol: "http",
    });
    expect((await consul<{ Config: { protocol: string } }>("config/proxy-defaults/global")).Config).toEqual({
      protocol: "tcp",
    });
    // The platform's default deny is the platform's: billing wrote no `*` entry.
    expect((await consulEntry("*")).sources).toEqual(["*"]);
  });

  test("before billing grants it, shop's review reports web → payments as a missing grant naming billing", () => {
    cdktf(shop, "synth");
    const markdown = review(shop);
    expect(markdown).toContain("### Access across repositories");
    expect(markdown).toContain(
      '| `web` | `payments` | `* → *` (deny) | `billing`: `allowFrom("web")` on `payments` |',
    );
    // web → api is shop's own relation: its plan writes the grant, so it is not reported.
    expect(markdown).not.toContain("| `web` | `api` |");
  });

  test("shop deploys web and api; web reaches api, and the mesh refuses web → payments", async () => {
    deploy(shop, "shop");
    const port = await eventually(() => publishedPort(env, "web", "public"), 120_000, "web's published port");
    web = `${port.HostIP}:${port.Value}`;
    const api = await eventually(
      async () => {
        const answer = await callFromWeb("api");
        return answer.status === 200 && answer;
      },
      180_000,
      "web to reach api through its upstream",
    );
    expect(api.answer).toEqual({ service: "api" });
    // payments runs and is healthy, but its intentions do not allow web: the sidecar drops the call.
    await eventually(
      async () => (await consul<unknown[]>("health/connect/payments?passing=true")).length > 0,
      120_000,
      "payments to be healthy",
    );
    const refused = await callFromWeb("payments");
    console.log(`web -> payments before the grant: ${refused.error}`);
    expect(refused.status).toBe(0);
    // payments speaks http, so its sidecar answers the denied call itself: 403 from Envoy's RBAC.
    expect(refused.error).toMatch(/HTTP Error 403/);
    // shop wrote its own destination's entry and nothing of billing's or the platform's.
    expect(await consulEntry("api")).toEqual({ sources: ["web"], owner: "shop" });
    expect(await consulEntry("payments")).toEqual({ sources: ["orders"], owner: "billing" });
  });

  test("after billing's grant the call succeeds, and shop's review finds nothing missing", async () => {
    writeFileSync(join(billingRepo, "stack.ts"), appStack("billing", billing(true)));
    deploy(billingRepo, "billing");
    const answer = await eventually(
      async () => {
        const result = await callFromWeb("payments");
        return result.status === 200 && result;
      },
      60_000,
      "web to reach payments once billing allows it",
    );
    expect(answer.answer).toEqual({ service: "payments" });
    expect(review(shop)).toContain("✅ Consul's intentions allow all 2 call(s)");
    // billing's own review: orders never ran, so its allow is reported; web runs, so it is not.
    const billingReview = review(billingRepo);
    expect(billingReview).toContain("- `payments` allows `orders`");
    expect(billingReview).not.toContain("- `payments` allows `web`");
  });

  test("every second plan is empty: platform, billing and shop", () => {
    expect(platform.plan().code).toBe(0);
    expect(secondPlan(billingRepo)).toBe(0);
    expect(secondPlan(shop)).toBe(0);
  });

  test("destroying shop leaves the platform and billing untouched, and billing's review sees web gone", async () => {
    apply(shop, "destroy");
    deployed.delete("shop");
    const jobs = await serverApis(env).nomad<{ ID: string; Status: string }[]>("jobs?namespace=*");
    const running = jobs.filter((j) => j.Status !== "dead").map((j) => j.ID);
    expect(running).toEqual(expect.arrayContaining(["payments", "traefik"]));
    expect(running).not.toContain("web");
    expect(await consulEntry("payments")).toEqual({ sources: ["orders", "web"], owner: "billing" });
    expect((await consulEntry("*")).sources).toEqual(["*"]);
    expect(platform.plan().code).toBe(0);
    expect(secondPlan(billingRepo)).toBe(0);
    // Consul deregisters web with its allocation; billing's review then names the stale allow.
    await eventually(
      async () => !("web" in (await consul<Record<string, unknown>>("catalog/services"))),
      60_000,
      "web to leave Consul's catalog",
    );
    expect(review(billingRepo)).toContain("- `payments` allows `web`");
  });
});
