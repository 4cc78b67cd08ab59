/**
 * The files of a new repository around meshstack: a platform repository (the mesh's control plane) or
 * an app repository (services joining a running mesh). Pure: paths and contents, written by the CLI.
 */

/** Which repository to start. */
export type RepoShape = "platform" | "app";

/** What the scaffold pins: the versions meshstack itself is built and tested with. */
export interface ScaffoldVersions {
  /** How the repository depends on meshstack: a version range, or a tarball path. */
  readonly meshstack: string;
  /** Exact versions of the peers (cdktf, constructs, the three provider bindings). */
  readonly peers: Readonly<Record<string, string>>;
  /** Exact versions of the tools: cdktf-cli, TypeScript 7, tsx, @types/node. */
  readonly tools: Readonly<Record<string, string>>;
}

/** A repository's files, by relative path. */
export type Files = Record<string, string>;

/** Every file of a new repository of `shape`, named `name`. */
export function scaffold(shape: RepoShape, name: string, versions: ScaffoldVersions): Files {
  return {
    "package.json": `${JSON.stringify(packageJson(name, versions), null, 2)}\n`,
    "cdktf.json": `${JSON.stringify(
      {
        language: "typescript",
        app: "npx tsx main.ts",
        projectId: name,
        sendCrashReports: "false",
        terraformProviders: [],
        terraformModules: [],
        context: {},
      },
      null,
      2,
    )}\n`,
    "tsconfig.json": `${JSON.stringify(
      {
        compilerOptions: {
          target: "es2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          types: ["node"],
        },
        include: ["*.ts", "test/*.ts"],
      },
      null,
      2,
    )}\n`,
    ".gitignore": "node_modules/\ncdktf.out/\n*.tfstate*\n.terraform/\n",
    "main.ts": MAIN,
    "stack.ts": shape === "platform" ? PLATFORM_STACK : appStack(name),
    "test/stack.test.ts": shape === "platform" ? PLATFORM_TEST : APP_TEST,
    ".github/workflows/pull-request.yml": WORKFLOW,
    "README.md": readme(shape, name),
  };
}

function packageJson(name: string, versions: ScaffoldVersions): Record<string, unknown> {
  return {
    name,
    version: "0.0.0",
    private: true,
    scripts: {
      synth: "cdktf synth",
      // Type-check first: `cdktf synth` runs TypeScript without checking it.
      test: "tsc --noEmit -p tsconfig.json && node --import tsx --test test/*.test.ts",
      "plan:review": "meshstack-plan-review",
    },
    dependencies: { meshstack: versions.meshstack, ...versions.peers },
    devDependencies: versions.tools,
  };
}

/** cdktf's entry point: one stack per environment. */
const MAIN = `import { App } from "cdktf";
import { buildStack } from "./stack";

const app = new App();
buildStack(app, "prod");
app.synth();
`;

const PROVIDERS = `import { ConsulProvider } from "@cdktf/provider-consul/lib/provider";
import { NomadProvider } from "@cdktf/provider-nomad/lib/provider";
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";`;

/** A platform repository: the whole control plane, addresses and bootstrap material from variables. */
const PLATFORM_STACK = `import { App, Fn, TerraformStack, TerraformVariable } from "cdktf";
${PROVIDERS}
import { MeshPlatform } from "meshstack";

/**
 * The mesh's control plane for one environment. Addresses and bootstrap material come in as Terraform
 * variables (\`TF_VAR_…\`); credentials as the providers' environment variables (VAULT_TOKEN, …).
 */
export function buildStack(app: App, name: string): TerraformStack {
  const stack = new TerraformStack(app, name);
  const text = (id: string, sensitive = false) =>
    new TerraformVariable(stack, id, { type: "string", sensitive }).stringValue;
  const vaultAddress = text("vault_address");
  const nomadAddress = text("nomad_address");
  new VaultProvider(stack, "Vault", { address: vaultAddress });
  new ConsulProvider(stack, "Consul", { address: text("consul_address"), datacenter: "dc1" });
  new NomadProvider(stack, "Nomad", { address: nomadAddress });
  // The id "Default" keeps the platform's resource addresses those of the stack.
  new MeshPlatform(stack, "Default", {
    datacenter: "dc1",
    vaultAddress,
    nomadAddress,
    consulRetryJoin: ["consul.internal"],
    consulAgentSecurity: { gossipKey: text("consul_gossip_key", true), caPem: Fn.file(text("tls_ca_file")) },
  });
  return stack;
}
`;

/** An app repository: services joining the platform's mesh, owning only their own access rules. */
const appStack = (name: string) => `import { App, TerraformStack, TerraformVariable } from "cdktf";
${PROVIDERS}
import { MeshService, ServiceMesh, TaskDriver } from "meshstack";

/**
 * This repository's services in the mesh a platform repository runs. The platform owns the ingress,
 * the default deny and the mesh-wide entries; this stack owns its jobs and who may call its services.
 */
export function buildStack(app: App, name: string): TerraformStack {
  const stack = new TerraformStack(app, name);
  const text = (id: string) => new TerraformVariable(stack, id, { type: "string" }).stringValue;
  new ConsulProvider(stack, "Consul", { address: text("consul_address"), datacenter: "dc1" });
  new NomadProvider(stack, "Nomad", { address: text("nomad_address") });
  // The owner is recorded on this repository's intentions: other repositories' plan reviews name it.
  const mesh = ServiceMesh.fromPlatform(stack, "Mesh", { datacenters: ["dc1"] }, {
    owner: ${JSON.stringify(name)},
  });
  mesh.addExternalService("payments"); // another repository's service: it grants us access
  const web = new MeshService(stack, "web", {
    mesh,
    port: 8080,
    expose: { http: { host: "web.example.com" } },
    tasks: [{ name: "web", driver: TaskDriver.docker({ image: "example/web:1.0.0" }) }],
  });
  const api = new MeshService(stack, "api", {
    mesh,
    port: 9001,
    tasks: [{ name: "api", driver: TaskDriver.docker({ image: "example/api:1.0.0" }) }],
  });
  web.connectTo(api, { localBindPort: 9001 }).connectTo("payments", { localBindPort: 9002 });
  return stack;
}
`;

const TEST_HEAD = `import { test } from "node:test";
import assert from "node:assert/strict";
import { Testing } from "cdktf";
import { buildStack } from "../stack";

/** The synthesized stack's resources of one type. */
function resources(type: string): Record<string, Record<string, unknown>> {
  const json = JSON.parse(Testing.synth(buildStack(Testing.app(), "test"), true));
  return json.resource?.[type] ?? {};
}
`;

const PLATFORM_TEST = `${TEST_HEAD}
test("the platform denies every call no relation allows", () => {
  const entries = Object.values(resources("consul_config_entry_service_intentions"));
  assert.deepEqual(
    entries.map((e) => e.name),
    ["*"],
  );
});
`;

const APP_TEST = `${TEST_HEAD}
test("this repository writes the access rules of its own services, and only those", () => {
  const allowed = Object.fromEntries(
    Object.values(resources("consul_config_entry_service_intentions")).map((e) => [
      e.name,
      (e.sources as { name: string }[]).map((s) => s.name).sort(),
    ]),
  );
  // traefik reaches web through the ingress, web reaches api; payments' owner grants web itself.
  assert.deepEqual(allowed, { api: ["web"], web: ["traefik"] });
});
`;

/** Pull requests: tests, then a plan review (see meshstack's docs/plan-review.md for secrets). */
const WORKFLOW = `name: pull-request
on: pull_request
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci --no-audit --no-fund
      - run: npm test
      - uses: opentofu/setup-opentofu@v1
        with:
          tofu_wrapper: false
      - run: sudo ln -sf "$(command -v tofu)" /usr/local/bin/terraform
      - run: npx cdktf synth
      # With a read-only CONSUL_HTTP_ADDR/CONSUL_HTTP_TOKEN, the review also reports calls to other
      # repositories' services that are not allowed yet, and allows whose caller is gone.
      - run: npx meshstack-plan-review prod --no-synth --no-refresh \${CONSUL_HTTP_ADDR:+--consul-grants} --out review.md || test $? = 2
        env:
          CONSUL_HTTP_ADDR: \${{ secrets.CONSUL_HTTP_ADDR }}
          CONSUL_HTTP_TOKEN: \${{ secrets.CONSUL_HTTP_TOKEN }}
`;

function readme(shape: RepoShape, name: string): string {
  const what =
    shape === "platform"
      ? "the mesh's control plane (Vault PKI, Consul and Nomad access, Consul agents, CA, default deny, ingress)"
      : "services joining a mesh a platform repository runs; it owns their jobs and who may call them";
  return `# ${name}

A meshstack ${shape} repository: ${what}.

\`\`\`sh
npm install
npm test              # type check, then the stack's tests
npx cdktf synth       # the Terraform JSON in cdktf.out/
npx cdktf deploy prod # with the providers' credentials (VAULT_TOKEN, CONSUL_HTTP_TOKEN, NOMAD_TOKEN)
\`\`\`
`;
}
