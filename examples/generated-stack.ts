import { App, TerraformStack } from "cdktf";
import { ConsulProvider } from "@cdktf/provider-consul/lib/provider";
import { NomadProvider } from "@cdktf/provider-nomad/lib/provider";
import { ServiceMesh } from "../constructs/mesh";
import { ConsulAgentJob } from "../constructs/nomad";
import { TraefikIngress } from "../constructs/traefik";
import { generateMesh, GraphShape } from "./generated";

/**
 * Builds a stack of `services` generated mesh services (a tree by default) behind a Consul agent job
 * and Traefik, with loopback providers; the input of the synth benchmark (`npm run bench`).
 */
export function buildGeneratedStack(
  app: App,
  id: string,
  services: number,
  shape: GraphShape = "tree",
): TerraformStack {
  const stack = new TerraformStack(app, id);
  new NomadProvider(stack, "NomadProvider", { address: "http://127.0.0.1:4646" });
  new ConsulProvider(stack, "ConsulProvider", { address: "127.0.0.1:8500" });
  const consul = new ConsulAgentJob(stack, "consul");
  const traefik = new TraefikIngress(stack, "traefik", { dependsOn: [consul.resource] });
  const mesh = new ServiceMesh(stack, "mesh", { ingress: traefik, dependsOn: [consul.resource] });
  generateMesh(stack, { mesh, services, shape });
  return stack;
}
