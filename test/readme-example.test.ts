import { TerraformStack, Testing } from "cdktf";
import { NomadProvider } from "@cdktf/provider-nomad/lib/provider";
import { ConsulProvider } from "@cdktf/provider-consul/lib/provider";
import { MeshService, ServiceMesh, TaskDriver, TraefikIngress } from "../constructs";

// The README's construct example, kept honest: it must synthesize and produce what the README claims.
function readmeStack(upstream: string) {
  const stack = new TerraformStack(Testing.app(), "test");
  new NomadProvider(stack, "nomad", { address: "http://127.0.0.1:4646" });
  new ConsulProvider(stack, "consul", {});
  const ingress = new TraefikIngress(stack, "Traefik", { datacenters: ["dc1"] });
  const mesh = new ServiceMesh(stack, "Mesh", { ingress });
  const api = new MeshService(stack, "api", {
    mesh,
    port: 9001,
    healthCheck: { path: "/health" },
    tasks: [{ name: "api", driver: TaskDriver.docker({ image: "example/api:1.4.2" }) }],
  });
  const web = new MeshService(stack, "web", {
    mesh,
    port: 8080,
    expose: { http: { host: "web.example.com" } },
    tasks: [{ name: "web", driver: TaskDriver.docker({ image: "example/web:2.0.0" }) }],
  });
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
