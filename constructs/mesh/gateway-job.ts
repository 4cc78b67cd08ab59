import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { checkServiceName } from "../core/names";
import { checkInteger } from "../core/values";
import { NomadJob } from "../nomad/job";
import type { ConsulGateway, NetworkResource } from "../nomad/jobspec";
import type { ServiceMesh } from "./service-mesh";

/** What differs between the Connect gateways' jobs. */
type GatewayJobOptions = {
  /** The gateway's Consul service name and Nomad job ID (checked here). */
  readonly name: string;
  /** Gateway instances (checked here). */
  readonly count: number | undefined;
  /** The group's network. */
  readonly network: NetworkResource;
  /** The gateway block. */
  readonly gateway: ConsulGateway;
  /** Port label the service registers with, when it has one. */
  readonly portLabel?: string;
  /** Resources beside the mesh's that must exist first. */
  readonly dependsOn?: ITerraformDependable[];
};

/**
 * The Nomad job of a Connect gateway: one group whose only service is the gateway, with no task of
 * its own (Nomad injects the gateway's Envoy, with the mesh's sidecar override).
 */
export function gatewayJob(scope: Construct, mesh: ServiceMesh, options: GatewayJobOptions): NomadJob {
  checkServiceName(scope, "name", options.name);
  checkInteger(scope, "count", options.count, 1);
  const dependsOn = [...mesh.dependsOn, ...(options.dependsOn ?? [])];
  const job = new NomadJob(scope, "Job", {
    name: options.name,
    datacenters: mesh.datacenters,
    dependsOn: dependsOn.length ? dependsOn : undefined,
  });
  job.addGroup({
    Name: "gateway",
    Count: options.count ?? 1,
    Networks: [options.network],
    Services: [
      {
        Name: options.name,
        PortLabel: options.portLabel,
        Connect: { Gateway: options.gateway, SidecarTask: mesh.sidecarTask?.task },
      },
    ],
    Tasks: [],
  });
  return job;
}
