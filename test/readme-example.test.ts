import { TerraformStack, Testing } from "cdktf";
import { NomadProvider } from "@cdktf/provider-nomad/lib/provider";
import { ConsulProvider } from "@cdktf/provider-consul/lib/provider";
import {
  IntentionAction,
  MeshDefaults,
  MeshService,
  ServiceMesh,
  TaskDriver,
  TraefikIngress,
} from "../constructs";

/** The stack and ingress the README's examples start from. */
function readmeBase() {
  const stack = new TerraformStack(Testing.app(), "test");
  new NomadProvider(stack, "nomad", { address: "http://127.0.0.1:4646" });
  new ConsulProvider(stack, "consul", {});
  return { stack, ingress: new TraefikIngress(stack, "Traefik", { datacenters: ["dc1"] }) };
}

/** The README's `web` service, exposed through the ingress; the canary example reuses it. */
function readmeWeb(stack: TerraformStack, mesh: ServiceMesh): MeshService {
  return new MeshService(stack, "web", {
    mesh,
    port: 8080,
    expose: { http: { host: "web.example.com" } },
    tasks: [{ name: "web", driver: TaskDriver.docker({ image: "example/web:2.0.0" }) }],
  });
}

// The README's construct example, kept honest: it must synthesize and produce what the README claims.
function readmeStack(upstream: string) {
  const { stack, ingress } = readmeBase();
  const mesh = new ServiceMesh(stack, "Mesh", { ingress });
  const api = new MeshService(stack, "api", {
    mesh,
    port: 9001,
    healthCheck: { path: "/health" },
    tasks: [{ name: "api", driver: TaskDriver.docker({ image: "example/api:1.4.2" }) }],
  });
  const web = readmeWeb(stack, mesh);
  web.connectTo(upstream === "api" ? api : upstream, { localBindPort: 9001 });
  return { stack, mesh };
}

describe("README construct example", () => {
  test("allows exactly web -> api and traefik -> web", () => {
    const { stack, mesh } = readmeStack("api");
    Testing.synth(stack, true);
    expect(mesh.intentions.edges.map((e) => `${e.source}->${e.destination}`)).toEqual([
      "web->api",
      "traefik->web",
    ]);
  });

  test("fails at synth for a misspelt upstream, as the README shows", () => {
    const { stack } = readmeStack("apii");
    expect(() => Testing.synth(stack, true)).toThrow(
      'MeshService test/web: upstream "apii" is not a service in this stack (known: api, traefik); fix the name, add the service, or declare it with mesh.addExternalService()',
    );
  });
});

describe("README canary example", () => {
  function canaryStack() {
    const { stack, ingress } = readmeBase();
    const mesh = new ServiceMesh(stack, "Mesh", { ingress, defaults: new MeshDefaults(stack, "Defaults") });
    const api = new MeshService(stack, "api", {
      mesh,
      port: 9001,
      protocol: "http",
      version: "v1",
      tasks: [{ name: "api", driver: TaskDriver.docker({ image: "example/api:1.4.2" }) }],
    });
    const web = readmeWeb(stack, mesh);
    api
      .addVersion("v2", {
        tasks: [{ name: "api", driver: TaskDriver.docker({ image: "example/api:1.5.0" }) }],
      })
      .splitTraffic({ v1: 90, v2: 10 })
      .routeTraffic({ pathPrefix: "/v2/" }, { version: "v2" })
      .routeTraffic({ headers: [{ name: "x-canary", exact: "always" }] }, { version: "v2" });
    web.connectTo(api, {
      localBindPort: 9001,
      permissions: [
        { action: IntentionAction.DENY, pathPrefix: "/admin" },
        { methods: ["GET", "HEAD"] },
        { methods: ["POST"], headers: [{ name: "x-team", exact: "blue" }] },
      ],
    });
    return JSON.parse(Testing.synth(stack, true)) as {
      resource: Record<string, Record<string, { kind?: string; config_json?: string }>>;
    };
  }

  test("renders a resolver, a 90/10 splitter and a router with two routes", () => {
    const entries = Object.values(canaryStack().resource.consul_config_entry);
    const body = (kind: string) => JSON.parse(entries.find((e) => e.kind === kind)!.config_json!);
    expect(Object.keys(body("service-resolver").Subsets)).toEqual(["v1", "v2"]);
    expect(body("service-splitter").Splits.map((s: { Weight: number }) => s.Weight)).toEqual([90, 10]);
    expect(body("service-router").Routes).toHaveLength(2);
  });
});
