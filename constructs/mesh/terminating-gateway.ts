import { Construct } from "constructs";
import { check, checkPropsOf, checkReferenceOf, show } from "../core/errors";
import { checkList } from "../core/values";
import { NomadJob } from "../nomad/job";
import { gatewayJob } from "./gateway-job";
import { ExternalService } from "./external-service";
import { ServiceMesh } from "./service-mesh";

/** Props for {@link TerminatingGateway}. */
export interface TerminatingGatewayProps {
  /** The mesh whose services reach the external services through it. */
  readonly mesh: ServiceMesh;
  /** The external services it links (each registered in Consul's catalog). */
  readonly services: ExternalService[];
  /**
   * Its Consul service name, and its Nomad job's ID.
   * @default "terminating-gateway"
   */
  readonly name?: string;
  /**
   * Gateway instances.
   * @default 1
   */
  readonly count?: number;
}

/**
 * A Consul terminating gateway as a Nomad job (`connect { gateway { terminating {} } }`): mesh
 * services reach the {@link ExternalService}s it links through it, with mTLS up to the gateway and
 * the service's own TLS after it. Nomad injects the gateway's Envoy (with the mesh's sidecar
 * override, e.g. raw_exec Envoy) and writes the `terminating-gateway` config entry. Only the callers
 * a relation declares (`connectTo(external)`) get an intention; the default deny keeps the rest out.
 *
 * With Consul ACLs the token that registers the gateway must also write each linked service (Consul
 * fetches their leaf certificates with it). Before Nomad 1.7 that is the Nomad client's own Consul
 * token, which Nomad's documented client policy gives `service_prefix "" write`; from 1.7 it is the
 * gateway's workload identity, which the platform's binding does not widen yet, so a `MeshPlatform`
 * with ACLs on Nomad >= 1.7 sets `terminatingGatewayUnavailable` and the gateway is refused at synth.
 * The Nomad servers write the `terminating-gateway` entry with their own Consul token, which needs
 * `mesh = "write"`.
 */
export class TerminatingGateway extends Construct {
  /** The gateway's Consul service name. */
  public readonly serviceName: string;
  /** The gateway's Nomad job. */
  public readonly job: NomadJob;

  public constructor(scope: Construct, id: string, props: TerminatingGatewayProps) {
    checkPropsOf("TerminatingGateway", scope, id, props, "{ mesh, services: [db] }");
    checkReferenceOf("TerminatingGateway", scope, id, "mesh", props.mesh, ServiceMesh, "the mesh it serves");
    super(scope, id);
    checkList(this, "services", props.services, "ExternalService constructs");
    check(
      this,
      props.services.length > 0 && props.services.every((s) => s instanceof ExternalService),
      `services ${show(props.services.map((s) => (s instanceof ExternalService ? s.serviceName : s)))} ` +
        "are not ExternalService constructs (or none are given); link at least one ExternalService",
    );
    check(
      this,
      props.mesh.terminatingGatewayUnavailable === undefined,
      `the mesh cannot run a terminating gateway: ${props.mesh.terminatingGatewayUnavailable}; reach the ` +
        "service another way (e.g. an egress you run), or run the mesh without Consul ACLs",
    );
    const name = props.name ?? "terminating-gateway";
    this.job = gatewayJob(this, props.mesh, {
      name,
      count: props.count,
      network: { Mode: "bridge" },
      gateway: {
        Proxy: {},
        Terminating: {
          Services: props.services.map((s) => ({
            Name: s.serviceName,
            CAFile: s.tls?.caFile,
            SNI: s.tls?.sni,
          })),
        },
      },
      // The catalog registrations first: Nomad writes the gateway's entry naming them.
      dependsOn: props.services.map((s) => s.registration),
    });
    this.serviceName = name;
  }
}
