import { App, TerraformStack } from "cdktf";
import { ConsulProvider } from "@cdktf/provider-consul/lib/provider";
import { NomadProvider } from "@cdktf/provider-nomad/lib/provider";
import { ServiceMesh } from "../constructs/mesh";
import { ConsulAgentJob } from "../constructs/nomad";
import { TraefikIngress } from "../constructs/traefik";
import { generateMesh, GraphShape } from "./generated";
import { AccessPolicy } from "../constructs/policy/access-policy";

/**
 * Builds a stack of `services` generated mesh services (a tree by default) behind a Consul agent job
 * and Traefik, with loopback providers; the input of the synth benchmark (`npm run bench`).
 */
export function buildGeneratedStack(
  app: App,
  id: string,
  services: number,
  shape: GraphShape = "tree",
  rules = 0,
): TerraformStack {
  const stack = new TerraformStack(app, id);
  new NomadProvider(stack, "NomadProvider", { address: "http://127.0.0.1:4646" });
  new ConsulProvider(stack, "ConsulProvider", { address: "127.0.0.1:8500" });
  const consul = new ConsulAgentJob(stack, "consul");
  const traefik = new TraefikIngress(stack, "traefik", { dependsOn: [consul.resource] });
  const mesh = new ServiceMesh(stack, "mesh", { ingress: traefik, dependsOn: [consul.resource] });
  generateMesh(stack, { mesh, services, shape });
  if (rules > 0) addTreeRules(new AccessPolicy(stack, "policy", { mesh }), services, rules);
  return stack;
}

/**
 * Up to `count` rules a tree of `services` keeps (calls go from `svc-i` to `svc-2i+1` and `svc-2i+2`),
 * the costly kinds first: paths between sibling subtrees (each search walks a whole subtree), then
 * each child's only caller, no call back up, and no wildcard source.
 */
function addTreeRules(policy: AccessPolicy, services: number, count: number): void {
  const svc = (i: number) => `svc-${i}`;
  const parent = (i: number) => Math.floor((i - 1) / 2);
  const rules: (() => unknown)[] = [() => policy.noWildcardSources()];
  for (let i = 1; i + 1 < services && rules.length < count; i += 2) {
    rules.push(() => policy.forbidPath({ from: svc(i), to: svc(i + 1) }));
    rules.push(() => policy.forbidPath({ from: svc(i + 1), to: svc(i) }));
    rules.push(() => policy.onlyFrom(svc(i), [svc(parent(i))]));
    rules.push(() => policy.forbid({ from: svc(i), to: svc(parent(i)) }));
  }
  rules.slice(0, count).forEach((add) => add());
}
