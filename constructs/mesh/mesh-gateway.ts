import { Construct } from "constructs";
import { checkPropsOf, checkReferenceOf } from "../core/errors";
import { checkPort } from "../core/names";
import { checkText } from "../core/values";
import { NomadJob } from "../nomad/job";
import { gatewayJob } from "./gateway-job";
import type { Port } from "../nomad/jobspec";
import { ServiceMesh } from "./service-mesh";

/** Props for {@link MeshGateway}. */
export interface MeshGatewayProps {
  /** The mesh whose traffic it carries to and from other datacenters or peers. */
  readonly mesh: ServiceMesh;
  /**
   * Its Consul service name, and its Nomad job's ID.
   * @default "mesh-gateway"
   */
  readonly name?: string;
  /**
   * Nomad host network of the clients that reach the other datacenters (`port.host_network`): Nomad
   * places the gateway only on clients that have it.
   * @default - the client's default network
   */
  readonly hostNetwork?: string;
  /**
   * Static port of the gateway's WAN listener (the address the other side dials).
   * @default - a dynamic port
   */
  readonly wanPort?: number;
  /**
   * Gateway instances.
   * @default 1
   */
  readonly count?: number;
}

const WAN_PORT = "mesh_wan";

/**
 * A Consul mesh gateway as a Nomad job (`connect { gateway { mesh {} } }`): it carries mesh traffic
 * to and from other datacenters and cluster peers, so their services reach each other without every
 * node having a route to every other. Nomad injects the gateway's Envoy (with the mesh's sidecar
 * override) and binds its LAN and WAN listeners; the WAN listener is the port other datacenters dial.
 */
export class MeshGateway extends Construct {
  /** The gateway's Consul service name. */
  public readonly serviceName: string;
  /** The gateway's Nomad job. */
  public readonly job: NomadJob;

  public constructor(scope: Construct, id: string, props: MeshGatewayProps) {
    checkPropsOf("MeshGateway", scope, id, props, "{ mesh }");
    checkReferenceOf("MeshGateway", scope, id, "mesh", props.mesh, ServiceMesh, "the mesh it serves");
    super(scope, id);
    const name = props.name ?? "mesh-gateway";
    checkText(this, "hostNetwork", props.hostNetwork, "public");
    if (props.wanPort !== undefined) checkPort(this, "wanPort", props.wanPort);
    const port: Port = { Label: WAN_PORT, Value: props.wanPort, HostNetwork: props.hostNetwork };
    this.job = gatewayJob(this, props.mesh, {
      name,
      count: props.count,
      network: {
        Mode: "bridge",
        ...(props.wanPort === undefined ? { DynamicPorts: [port] } : { ReservedPorts: [port] }),
      },
      gateway: { Proxy: {}, Mesh: {} },
      portLabel: WAN_PORT,
    });
    this.serviceName = name;
  }
}
