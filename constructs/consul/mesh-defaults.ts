import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ConfigEntry } from "@cdktf/provider-consul/lib/config-entry";
import { ConfigEntryServiceDefaults } from "@cdktf/provider-consul/lib/config-entry-service-defaults";
import { check, checkPropsOf, show } from "../core/errors";
import { checkServiceName } from "../core/names";
import { checkBoolean, checkDependsOn, checkOneOf } from "../core/values";
import { checkConsulVersion, consulHas } from "../core/server-versions";
import { VERSIONS } from "../core/versions";
import { guardComposition } from "../core/composition";
import { configEntryClaims } from "./entry-claims";

/** The protocol Envoy proxies a service with; L7 intentions and routing need `http`, `http2` or `grpc`. */
export type ServiceProtocol = "tcp" | "http" | "http2" | "grpc";

const PROTOCOLS: readonly ServiceProtocol[] = ["tcp", "http", "http2", "grpc"];

/** Protocols Consul's L7 features (intention permissions, routers, splitters) need. */
export function isL7Protocol(protocol: ServiceProtocol): boolean {
  return protocol !== "tcp";
}

/**
 * The `proxy-defaults` body as Consul reads it back. The provider compares `config_json` through
 * Consul's typed structs, where `AccessLogs`, `Expose`, `MeshGateway` and `TransparentProxy` come
 * back as `{}` when omitted: declaring them empty keeps the second plan empty
 * (terraform-provider-consul#281; the provider's own tests write them the same way).
 */
function proxyDefaultsBody(
  protocol: ServiceProtocol,
  consulVersion: string,
  meshGatewayMode: MeshGatewayMode | undefined,
): Record<string, unknown> {
  return {
    ...(consulHas(consulVersion, "access-logs") ? { AccessLogs: {} } : {}),
    Config: { protocol },
    Expose: {},
    MeshGateway: meshGatewayMode === undefined ? {} : { Mode: meshGatewayMode },
    TransparentProxy: {},
  };
}

/**
 * How sidecars reach services in other datacenters and peers (`proxy-defaults` `MeshGateway.Mode`):
 * `local` through this datacenter's mesh gateway (then the other side's), `remote` straight to the
 * other side's gateway, `none` directly.
 */
export type MeshGatewayMode = "local" | "remote" | "none";

const MESH_GATEWAY_MODES: readonly MeshGatewayMode[] = ["local", "remote", "none"];

/** Props for {@link MeshDefaults}. */
export interface MeshDefaultsProps {
  /**
   * Mesh-wide default protocol (`proxy-defaults` `global`, `Config.protocol`).
   * @default "tcp"
   */
  readonly protocol?: ServiceProtocol;
  /**
   * Let transparent proxies dial only mesh destinations (`mesh` entry,
   * `TransparentProxy.MeshDestinationsOnly`), so a compromised workload cannot bypass intentions
   * by calling addresses outside the mesh.
   * @default true
   */
  readonly meshDestinationsOnly?: boolean;
  /**
   * How sidecars reach other datacenters and cluster peers (`proxy-defaults` `MeshGateway.Mode`).
   * `local` sends every cross-boundary call through this datacenter's {@link MeshGateway}, so only the
   * gateways need a route to the other side.
   * @default - Consul's default (no mode: sidecars dial the other side's gateway)
   */
  readonly meshGatewayMode?: MeshGatewayMode;
  /**
   * Let the Consul servers reach their cluster peers through the mesh gateways (`mesh` entry,
   * `Peering.PeerThroughMeshGateways`), so servers need no route to each other: peering tokens then
   * name the gateways' WAN addresses. Set it before the peering is established.
   * @default false
   */
  readonly peerThroughMeshGateways?: boolean;
  /**
   * The Consul servers' version: the entries declare exactly the fields it has (Consul 1.14 refuses
   * `AccessLogs`, newer servers read it back and would otherwise show a change in every plan).
   * @default "1.14.11" (`VERSIONS.consul`, the release the local clusters run)
   */
  readonly consulVersion?: string;
  /**
   * Resources that must exist first (e.g. the Consul agent job).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Write only the `service-defaults` of this stack's services: in an app repository the platform's
   * repository holds the mesh-wide `proxy-defaults` and `mesh` entries (`protocol` then states the
   * platform's default, which this stack does not write). {@link ServiceMesh.fromPlatform} makes one.
   * @default false
   */
  readonly servicesOnly?: boolean;
}

/**
 * Mesh-wide Consul configuration entries: `proxy-defaults` (global protocol), `mesh` (transparent
 * proxy egress) and one `service-defaults` per service whose protocol differs from the default.
 */
export class MeshDefaults extends Construct {
  /** The mesh-wide default protocol. */
  public readonly protocol: ServiceProtocol;
  /** The `proxy-defaults` entry; absent with `servicesOnly` (the platform's repository holds it). */
  public readonly proxyDefaults?: ConfigEntry;
  /** The `mesh` entry; absent with `servicesOnly`. */
  public readonly mesh?: ConfigEntry;
  private readonly serviceDefaults = new Map<
    string,
    { protocol: ServiceProtocol; entry?: ConfigEntryServiceDefaults }
  >();
  private readonly dependsOn?: ITerraformDependable[];

  public constructor(scope: Construct, id: string, props: MeshDefaultsProps = {}) {
    checkPropsOf("MeshDefaults", scope, id, props, "{ protocol } or nothing");
    super(scope, id);
    guardComposition(this, configEntryClaims);
    this.protocol = props.protocol ?? "tcp";
    this.checkProtocol("protocol", this.protocol);
    checkBoolean(this, "meshDestinationsOnly", props.meshDestinationsOnly);
    checkOneOf(this, "meshGatewayMode", props.meshGatewayMode, MESH_GATEWAY_MODES);
    checkBoolean(this, "peerThroughMeshGateways", props.peerThroughMeshGateways);
    const consulVersion = props.consulVersion ?? VERSIONS.consul;
    checkConsulVersion(this, "consulVersion", consulVersion);
    checkDependsOn(this, props.dependsOn);
    checkBoolean(this, "servicesOnly", props.servicesOnly);
    for (const field of ["meshDestinationsOnly", "meshGatewayMode", "peerThroughMeshGateways"] as const) {
      check(
        this,
        !props.servicesOnly || props[field] === undefined,
        `${field} is set with servicesOnly, which writes no mesh-wide entry; set it in the platform's repository`,
      );
    }
    this.dependsOn = props.dependsOn?.length ? props.dependsOn : undefined;
    if (props.servicesOnly) return;
    this.proxyDefaults = new ConfigEntry(this, "ProxyDefaults", {
      kind: "proxy-defaults",
      name: "global",
      configJson: JSON.stringify(proxyDefaultsBody(this.protocol, consulVersion, props.meshGatewayMode)),
      dependsOn: this.dependsOn,
    });
    this.mesh = new ConfigEntry(this, "Mesh", {
      kind: "mesh",
      name: "mesh",
      configJson: JSON.stringify({
        TransparentProxy: { MeshDestinationsOnly: props.meshDestinationsOnly ?? true },
        ...(props.peerThroughMeshGateways ? { Peering: { PeerThroughMeshGateways: true } } : {}),
      }),
      dependsOn: this.dependsOn,
    });
  }

  /** Sets a service's protocol (`service-defaults`); a no-op when it equals the mesh default. */
  public setServiceProtocol(
    service: string,
    protocol: ServiceProtocol,
  ): ConfigEntryServiceDefaults | undefined {
    checkServiceName(this, "service", service);
    this.checkProtocol(`protocol of ${service}`, protocol);
    const existing = this.serviceDefaults.get(service);
    check(
      this,
      !existing || existing.protocol === protocol,
      `service ${show(service)} is set to protocol ${show(existing?.protocol)} and ${show(protocol)}; ` +
        `a service has one protocol, so declare it once`,
    );
    if (existing) return existing.entry;
    const entry =
      protocol === this.protocol
        ? undefined
        : new ConfigEntryServiceDefaults(this, service, {
            name: service,
            protocol,
            // What the provider reads back from Consul's empty blocks, declared, or every plan would
            // show a change (found by the prodlike suite); expose is also required (MinItems 1).
            expose: [{ checks: false }],
            meshGateway: [{ mode: "" }],
            transparentProxy: [{ dialedDirectly: false, outboundListenerPort: 0 }],
            dependsOn: this.proxyDefaults ? [this.proxyDefaults] : this.dependsOn,
          });
    this.serviceDefaults.set(service, { protocol, entry });
    return entry;
  }

  /** The `service-defaults` entry of a service, when it has its own protocol. */
  public serviceDefaultsOf(service: string): ConfigEntryServiceDefaults | undefined {
    return this.serviceDefaults.get(service)?.entry;
  }

  /**
   * The entry that declares a service's protocol: its own `service-defaults`, else `proxy-defaults`;
   * none in this stack for a service at the platform's default (`servicesOnly`).
   */
  public protocolEntryOf(service: string): ConfigEntryServiceDefaults | ConfigEntry | undefined {
    return this.serviceDefaultsOf(service) ?? this.proxyDefaults;
  }

  /** The effective protocol of a service. */
  public protocolOf(service: string): ServiceProtocol {
    return this.serviceDefaults.get(service)?.protocol ?? this.protocol;
  }

  private checkProtocol(field: string, value: string): void {
    check(
      this,
      (PROTOCOLS as readonly string[]).includes(value),
      `${field} ${show(value)} is not a Consul protocol; use one of ${PROTOCOLS.join(", ")}`,
    );
  }
}
