/**
 * Composition errors: two constructs of one stack that would write the same Terraform address, Nomad
 * job, Consul config entry or ingress router rule fail at synth, naming both, never overwrite silently.
 */
import { Lazy } from "cdktf";
import {
  Intentions,
  MeshPlatform,
  MeshService,
  NomadJob,
  ServiceMesh,
  TaskDriver,
  TraefikIngress,
} from "../../constructs";
import { synth, testStack } from "../helpers";

const app = [{ name: "app", driver: TaskDriver.docker({ image: "example/app:1" }) }];
const ref = (value: string) => Lazy.stringValue({ produce: () => value });

/** The validation messages of a synth that must fail. */
function errorsOf(build: (stack: ReturnType<typeof testStack>) => void): string {
  const stack = testStack();
  build(stack);
  try {
    synth(stack);
  } catch (error) {
    return String(error);
  }
  throw new Error("synth succeeded");
}

describe("composition errors", () => {
  test("a second Traefik beside the platform's fails, naming both and pointing at platform.ingress", () => {
    // GIVEN the platform (id "Default" keeps its addresses those of the stack) and the README's
    // workloads snippet added to the same stack
    const message = errorsOf((stack) => {
      new MeshPlatform(stack, "Default", {
        datacenter: "dc1",
        vaultAddress: "https://vault:8200",
        vaultCaFile: "/etc/consul.d/vault-ca.pem",
        nomadAddress: "https://nomad:4646",
        consulRetryJoin: ["10.0.0.10"],
        consulAgentSecurity: { gossipKey: ref("gossip"), caPem: ref("pem") },
      });
      new TraefikIngress(stack, "Traefik", { datacenters: ["dc1"], namespace: "mesh-platform" });
    });
    // THEN both the Terraform address and the Nomad job are refused, with the fix
    expect(message).toContain(
      'TraefikIngress test/Traefik: Nomad job "traefik" (mesh-platform) is also written by test/Default/Traefik',
    );
    expect(message).toMatch(
      /Terraform resource nomad_job\.Traefik_\w+ is also written by test\/(Default\/)?Traefik/,
    );
    expect(message).toContain("with MeshPlatform: platform.ingress, platform.mesh, platform.intentions");
  });

  test("two default denies (two ServiceMesh with their own Intentions) fail on Consul's one `*` entry", () => {
    const message = errorsOf((stack) => {
      new ServiceMesh(stack, "Mesh");
      new ServiceMesh(stack, "Other");
    });
    expect(message).toContain(
      'Consul config entry service-intentions "*" is also written by test/Mesh/Intentions/DefaultDeny',
    );
  });

  test("two intentions graphs allowing callers of one destination fail: Consul keeps one entry per destination", () => {
    const message = errorsOf((stack) => {
      new Intentions(stack, "A", { defaultDeny: false }).allow("web", "api");
      new Intentions(stack, "B", { defaultDeny: false }).allow("shop", "api");
    });
    expect(message).toMatch(/Consul config entry service-intentions "api" is also written by test\/A\/api/);
  });

  test("two jobs with one Nomad job ID fail, even under different construct ids", () => {
    const message = errorsOf((stack) => {
      new NomadJob(stack, "Batch", { name: "report", type: "batch" });
      new NomadJob(stack, "Again", { name: "report", type: "batch" });
    });
    expect(message).toContain(
      'NomadJob test/Again: Nomad job "report" (the provider\'s namespace) is also written by test/Batch',
    );
  });

  test("jobs of one ID in two namespaces are two jobs", () => {
    const stack = testStack();
    new NomadJob(stack, "A", { name: "report", type: "batch", namespace: "team-a", groups: [] });
    new NomadJob(stack, "B", { name: "report", type: "batch", namespace: "team-b", groups: [] });
    expect(() => synth(stack)).not.toThrow(/is also written by/);
  });

  test("two services behind the same ingress Host() fail: Traefik would share the host between them", () => {
    const message = errorsOf((stack) => {
      const ingress = new TraefikIngress(stack, "Traefik", {});
      const mesh = new ServiceMesh(stack, "Mesh", { ingress });
      const expose = { http: { host: "shop.example.com" } };
      new MeshService(stack, "web", { mesh, port: 8080, expose, tasks: app });
      new MeshService(stack, "web2", { mesh, port: 8080, expose, tasks: app });
    });
    expect(message).toContain(
      "MeshService test/web2: traefik http router rule Host(`shop.example.com`) is also written by test/web",
    );
  });

  test("one service, one ingress route, and a platform's own stack compose without error", () => {
    const stack = testStack();
    const ingress = new TraefikIngress(stack, "Traefik", {});
    const mesh = new ServiceMesh(stack, "Mesh", { ingress });
    new MeshService(stack, "web", {
      mesh,
      port: 8080,
      expose: { http: { host: "a.example.com" } },
      tasks: app,
    });
    new MeshService(stack, "api", {
      mesh,
      port: 9090,
      expose: { http: { host: "b.example.com" } },
      tasks: app,
    });
    expect(() => synth(stack)).not.toThrow();
  });
});
