import { Construct } from "constructs";
import { Node } from "@cdktf/provider-consul/lib/node";
import { Service } from "@cdktf/provider-consul/lib/service";
import { check, checkPropsOf, checkReferenceOf, show } from "../core/errors";
import { checkPort, checkServiceName } from "../core/names";
import { checkObject, checkText, requireText } from "../core/values";
import { ServiceMesh } from "./service-mesh";

/** How a terminating gateway reaches an external service over TLS. */
export interface ExternalServiceTls {
  /**
   * CA file, as the gateway's Envoy sees it, that signed the service's certificate: the gateway
   * verifies the service with it.
   * @default - plain TCP to the service
   */
  readonly caFile?: string;
  /**
   * Server name the gateway asks for and verifies (SNI).
   * @default - none
   */
  readonly sni?: string;
}

/** Props for {@link ExternalService}. */
export interface ExternalServiceProps {
  /** The mesh whose services call it (through a {@link TerminatingGateway}). */
  readonly mesh: ServiceMesh;
  /** The Consul service name callers use (`connectTo`). */
  readonly name: string;
  /** Its address (IP or host name) as the terminating gateway reaches it. */
  readonly address: string;
  /** Its port. */
  readonly port: number;
  /**
   * TLS from the gateway to the service.
   * @default - plain TCP
   */
  readonly tls?: ExternalServiceTls;
  /**
   * Consul node the service is registered on: a node with no agent (`external-node`), which no
   * agent's anti-entropy removes.
   * @default "external-<name>"
   */
  readonly nodeName?: string;
}

/**
 * A service outside the mesh (a database, a SaaS API), registered in Consul's catalog with its
 * address and port on a node of its own, so a {@link TerminatingGateway} can link it and mesh
 * services reach it with `connectTo(external)`: the relation adds exactly the intention it needs, and
 * this stack owns that intention (unlike `mesh.addExternalService`, a service another stack owns).
 */
export class ExternalService extends Construct {
  /** The Consul service name. */
  public readonly serviceName: string;
  /** TLS from the gateway to the service, when any. */
  public readonly tls?: ExternalServiceTls;
  /** The catalog node it is registered on. */
  public readonly catalogNode: Node;
  /** The catalog registration. */
  public readonly registration: Service;

  public constructor(scope: Construct, id: string, props: ExternalServiceProps) {
    checkPropsOf(
      "ExternalService",
      scope,
      id,
      props,
      '{ mesh, name: "db", address: "10.0.0.5", port: 5432 }',
    );
    checkReferenceOf(
      "ExternalService",
      scope,
      id,
      "mesh",
      props.mesh,
      ServiceMesh,
      "the ServiceMesh that calls it",
    );
    super(scope, id);
    checkServiceName(this, "name", props.name);
    requireText(this, "address", props.address, "10.0.0.5");
    checkPort(this, "port", props.port);
    checkObject(this, "tls", props.tls, '{ caFile: "/local/db-ca.pem", sni: "db.example.com" }');
    checkText(this, "tls.caFile", props.tls?.caFile, "/local/db-ca.pem");
    checkText(this, "tls.sni", props.tls?.sni, "db.example.com");
    checkText(this, "nodeName", props.nodeName, `external-${props.name}`);
    check(
      this,
      props.tls === undefined || props.tls.caFile !== undefined || props.tls.sni === undefined,
      `tls.sni ${show(props.tls?.sni)} is set without tls.caFile; the gateway verifies the name against a CA, ` +
        "so give caFile too (or leave tls out for plain TCP)",
    );
    this.serviceName = props.name;
    this.tls = props.tls;
    this.catalogNode = new Node(this, "Node", {
      name: props.nodeName ?? `external-${props.name}`,
      address: props.address,
      // No agent runs there: anti-entropy leaves it alone, and no health probe expects one.
      meta: { "external-node": "true", "external-probe": "false" },
    });
    this.registration = new Service(this, "Service", {
      name: props.name,
      nodeAttribute: this.catalogNode.name,
      address: props.address,
      port: props.port,
      meta: { "meshstack-external": "true" },
    });
    props.mesh._register(this);
  }
}
