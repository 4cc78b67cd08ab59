import { ServiceMesh, SidecarTaskOverride } from "../../constructs/mesh";
import { ConsulAgentJob, TaskDriverKind } from "../../constructs/nomad";
import { TraefikIngress } from "../../constructs/traefik";
import { platformStack } from "../nomad/support";

/** A platform stack composed the way environments do: Consul agent, Traefik, then the mesh. */
export function platform(driver: TaskDriverKind = "docker") {
  const { stack } = platformStack();
  const consul = new ConsulAgentJob(stack, "consul", { driver });
  const traefik = new TraefikIngress(stack, "traefik", { driver, dependsOn: [consul.resource] });
  const mesh = new ServiceMesh(stack, "mesh", {
    ingress: traefik,
    driver,
    sidecarTask:
      driver === "raw_exec"
        ? SidecarTaskOverride.rawExecEnvoy({ envoyPath: "/usr/local/bin/envoy" })
        : undefined,
    dependsOn: [consul.resource],
  });
  return { stack, consul, traefik, mesh };
}
