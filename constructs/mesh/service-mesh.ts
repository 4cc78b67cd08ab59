import { ITerraformDependable, Lazy } from "cdktf";
import { ConfigEntry } from "@cdktf/provider-consul/lib/config-entry";
import { jsonText } from "../core/json-text";
import { Construct } from "constructs";
import { check, checkLiteral, checkOptions, checkPropsOf, isObject, show } from "../core/errors";
import { checkServiceName, TASK_DRIVER_KINDS } from "../core/names";
import {
  checkBoolean,
  checkDependsOn,
  checkInstance,
  checkOneOf,
  checkText,
  checkTexts,
} from "../core/values";
import { checkOwner, HttpPermission, Intentions } from "../consul/intentions";
import { MeshDefaults, type ServiceProtocol } from "../consul/mesh-defaults";
import { ServiceRouting } from "../consul/service-routing";
import type { TaskDriverKind } from "../nomad/driver";
import type { IIngress } from "../traefik/ingress";
import { SidecarTaskOverride } from "./sidecar";
import { checkSidecarTask } from "./checks";
import { MeshPeering, type MeshPeeringOptions } from "./peering";
import { checkNomadVersion, DEFAULT_NOMAD_VERSION } from "../core/server-versions";

/** Props for {@link ServiceMesh}. */
export interface ServiceMeshProps {
  /**
   * The intention graph the mesh adds edges to.
   * @default - a new `Intentions` child with default deny
   */
  readonly intentions?: Intentions;
  /**
   * Mesh-wide config entries, needed for per-service protocols.
   * @default - none
   */
  readonly defaults?: MeshDefaults;
  /**
   * Task driver of the environment; examples pick images or host programs from it.
   * @default "docker"
   */
  readonly driver?: TaskDriverKind;
  /**
   * Override of the injected Envoy task for every service, e.g. raw_exec Envoy on the local cluster.
   * @default - Nomad's default Envoy sidecar (docker)
   */
  readonly sidecarTask?: SidecarTaskOverride;
  /**
   * The ingress services are exposed through; can also be set with {@link ServiceMesh.useIngress}.
   * @default - none
   */
  readonly ingress?: IIngress;
  /**
   * Nomad datacenters of mesh jobs.
   * @default ["*"]
   */
  readonly datacenters?: string[];
  /**
   * The Nomad version the mesh's jobs run on: services refuse at synth what it lacks (transparent
   * proxy before 1.8, a task's Vault `role` before 1.7, its Vault `policies` from 1.10).
   * @default "1.11.3"
   */
  readonly nomadVersion?: string;
  /**
   * Why the cluster cannot serve transparent proxy, though its Nomad can: services asking for it
   * fail at synth with this reason (a `MeshPlatform` whose Consul agents keep DNS on loopback sets it).
   * @default - none: transparent proxy wherever Nomad has it (1.8 on)
   */
  readonly transparentProxyUnavailable?: string;
  /**
   * Why the cluster cannot serve terminating gateways: a `TerminatingGateway` fails at synth with this
   * reason (a `MeshPlatform` with Consul ACLs sets it: the gateway's token must write its linked
   * services, which no token meshstack can give it grants yet).
   * @default - none: terminating gateways allowed
   */
  readonly terminatingGatewayUnavailable?: string;
  /**
   * Resources every mesh job depends on (e.g. the Consul agent job, the intentions).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Add the `*` → `*` deny entry to the mesh's own intentions (when `intentions` is not given). A
   * mesh joined from another repository's platform has it already: {@link ServiceMesh.fromPlatform}.
   * @default true
   */
  readonly defaultDeny?: boolean;
  /**
   * The repository (or team) that owns this stack's access rules, recorded on the intentions entries
   * the mesh writes (when `intentions` is not given), so another repository's plan review names who
   * must allow its calls (the `owner` of {@link Intentions}).
   * @default - no owner recorded
   */
  readonly owner?: string;
  /**
   * The name this mesh's datacenter goes by in its cluster peers (the `peer_name` each side gives the
   * other): needed to peer it ({@link ServiceMesh.peerWith}). `MeshPlatform` sets its datacenter.
   * @default - none: the mesh cannot be peered
   */
  readonly peerName?: string;
}

/**
 * What a member of a mesh needs from the platform that runs it, as the platform repository exports
 * it (`MeshPlatformStack` outputs; an app repository passes them as variables or remote state).
 */
export interface MeshPlatformAttributes {
  /** Nomad datacenters of the mesh's jobs. */
  readonly datacenters: string[];
  /**
   * Consul service name of the platform's ingress.
   * @default "traefik"
   */
  readonly ingressServiceName?: string;
  /**
   * Tag prefix of the ingress's Consul Catalog provider.
   * @default "traefik"
   */
  readonly ingressTagPrefix?: string;
  /**
   * The ingress's TLS entry point.
   * @default "https"
   */
  readonly ingressTlsEntryPoint?: string;
  /**
   * Task driver of the platform.
   * @default "docker"
   */
  readonly driver?: TaskDriverKind;
  /**
   * Envoy binary of raw_exec sidecars, as the platform runs them.
   * @default - Nomad's default Envoy image
   */
  readonly envoyCommand?: string;
  /**
   * Host user raw_exec sidecars run Envoy as.
   * @default - the Nomad agent's user
   */
  readonly envoyUser?: { readonly name: string; readonly uid: number };
  /**
   * The platform's Nomad version.
   * @default "1.11.3"
   */
  readonly nomadVersion?: string;
  /**
   * The mesh-wide default protocol the platform declares (its `proxy-defaults`): services of this
   * stack with another `protocol` get their own `service-defaults`, written by this stack.
   * @default "tcp"
   */
  readonly defaultProtocol?: ServiceProtocol;
}

/** Options for {@link ServiceMesh.fromPlatform}: what this repository adds to the mesh it joins. */
export interface JoinPlatformOptions {
  /**
   * This repository's name, recorded on the intentions entries it writes, so other repositories'
   * plan reviews name who must allow their calls to its services (the `owner` of {@link Intentions}).
   * @default - no owner recorded
   */
  readonly owner?: string;
}

/** A relation this stack declared toward a destination another stack owns: that stack must allow it. */
export interface GrantRequest {
  /** The calling service, in this stack. */
  readonly source: string;
  /** The called service, owned elsewhere. */
  readonly destination: string;
}

/** What the mesh knows about a member service. */
export interface MeshMember {
  /** The Consul service name. */
  readonly serviceName: string;
  /** The construct declaring it. */
  readonly node: Construct["node"];
}

/** A service of another mesh, with the mesh that runs it. */
type PeerMember = MeshMember & { readonly mesh: ServiceMesh };

/**
 * The registry of one environment's service mesh: every mesh service, the services declared
 * external, the ingress, the intention graph, and the environment's task driver and sidecar override.
 *
 * Upstreams are checked against it at synth (services can be added in any order), and relationships
 * declared on services become intentions in its {@link Intentions}.
 */
export class ServiceMesh extends Construct {
  /**
   * Joins a mesh another repository's platform runs: no platform resource (ingress, default deny,
   * mesh entries) is rendered here, only this stack's jobs and the intentions of the destinations it
   * owns. The ingress is an external service; relations to other repositories' services (declared
   * with {@link ServiceMesh.addExternalService}) render the caller's upstream and a
   * {@link ServiceMesh.grantRequests} entry, never a write to the callee's intentions.
   */
  public static fromPlatform(
    scope: Construct,
    id: string,
    attrs: MeshPlatformAttributes,
    options: JoinPlatformOptions = {},
  ): ServiceMesh {
    const where = checkPropsOf("ServiceMesh.fromPlatform", scope, id, attrs, '{ datacenters: ["dc1"] }');
    check(
      where,
      Array.isArray(attrs.datacenters),
      `datacenters ${show(attrs.datacenters)} is not a list; pass the platform's datacenters, e.g. ["dc1"]`,
    );
    const ingress: IIngress = {
      serviceName: attrs.ingressServiceName ?? "traefik",
      tagPrefix: attrs.ingressTagPrefix ?? "traefik",
      tlsEntryPoint: attrs.ingressTlsEntryPoint ?? "https",
    };
    checkText(where, "ingressTagPrefix", ingress.tagPrefix, "traefik");
    checkText(where, "ingressTlsEntryPoint", ingress.tlsEntryPoint, "https");
    checkOptions(where, options, '{ owner: "team-shop" }');
    // This stack's services' own protocols; the mesh-wide entries stay the platform's.
    const defaults = new MeshDefaults(scope, `${id}Defaults`, {
      servicesOnly: true,
      protocol: attrs.defaultProtocol,
    });
    return new ServiceMesh(scope, id, {
      defaults,
      ingress,
      defaultDeny: false,
      owner: options.owner,
      datacenters: attrs.datacenters,
      driver: attrs.driver,
      nomadVersion: attrs.nomadVersion,
      sidecarTask: attrs.envoyCommand
        ? SidecarTaskOverride.rawExecEnvoy({
            envoyPath: attrs.envoyCommand,
            user: attrs.envoyUser,
            nomadVersion: attrs.nomadVersion,
          })
        : undefined,
    });
  }

  /** The intention graph. */
  public readonly intentions: Intentions;
  /** Mesh-wide config entries, when given. */
  public readonly defaults?: MeshDefaults;
  /** The environment's task driver. */
  public readonly driver: TaskDriverKind;
  /** The environment's sidecar override, when any. */
  public readonly sidecarTask?: SidecarTaskOverride;
  /** Nomad datacenters of mesh jobs. */
  public readonly datacenters?: string[];
  /** The Nomad version the mesh's jobs run on. */
  public readonly nomadVersion: string;
  /** Why transparent proxy is refused on this cluster, when it is. */
  public readonly transparentProxyUnavailable?: string;
  /** Why terminating gateways are refused on this cluster, when they are. */
  public readonly terminatingGatewayUnavailable?: string;
  /** What every mesh job depends on. */
  public readonly dependsOn: ITerraformDependable[];
  /** The name this mesh goes by in its cluster peers, when it can be peered. */
  public readonly peerName?: string;
  /** Peered meshes by the name this mesh calls them. */
  private readonly peers = new Map<string, { mesh: ServiceMesh; peering: MeshPeering }>();
  /** Services exported to peers: service → the peers (by this mesh's name for them). */
  private readonly exports = new Map<string, Set<string>>();
  private exportedServices?: ConfigEntry;
  /** Services of peers this mesh calls, by local alias (`<peer>-<service>`). */
  private readonly peerAliases = new Map<string, { peer: string; service: string }>();
  /** The failover copy of each service that has one, in a peer. */
  private readonly failovers = new Map<string, PeerMember>();
  private readonly members = new Map<string, MeshMember>();
  private readonly external = new Set<string>();
  private readonly routings = new Map<string, ServiceRouting>();
  /** Who calls each service through its discovery chain (`connectTo`), by destination: their permissions. */
  private readonly callers = new Map<string, Map<string, HttpPermission[] | undefined>>();
  /** Relations toward destinations other stacks own, which those stacks must allow. */
  private readonly requests: GrantRequest[] = [];
  private currentIngress?: IIngress;

  public constructor(scope: Construct, id: string, props: ServiceMeshProps = {}) {
    checkPropsOf("ServiceMesh", scope, id, props, "{ ingress } or nothing");
    super(scope, id);
    checkInstance(
      this,
      "intentions",
      props.intentions,
      Intentions,
      "an Intentions construct or leave it out",
    );
    checkInstance(this, "defaults", props.defaults, MeshDefaults, "a MeshDefaults construct or leave it out");
    checkOneOf(this, "driver", props.driver, TASK_DRIVER_KINDS);
    checkSidecarTask(this, props.sidecarTask);
    checkTexts(this, "datacenters", props.datacenters, "dc1");
    check(
      this,
      props.datacenters === undefined || props.datacenters.length > 0,
      `datacenters [] is empty, so mesh jobs could run nowhere; list datacenters or leave it out for ["*"]`,
    );
    checkDependsOn(this, props.dependsOn);
    checkBoolean(this, "defaultDeny", props.defaultDeny);
    checkOwner(this, props.owner);
    if (props.peerName !== undefined) checkServiceName(this, "peerName", props.peerName);
    this.peerName = props.peerName;
    check(
      this,
      props.owner === undefined || props.intentions === undefined,
      `owner ${show(props.owner)} is set beside intentions, which carry their own; set owner on that Intentions construct`,
    );
    this.nomadVersion = props.nomadVersion ?? DEFAULT_NOMAD_VERSION;
    checkNomadVersion(this, "nomadVersion", this.nomadVersion);
    // Reasons a feature is refused here, told at synth: literals.
    for (const [field, example] of [
      ["transparentProxyUnavailable", "Consul DNS on loopback"],
      ["terminatingGatewayUnavailable", "Consul ACLs"],
    ] as const) {
      checkLiteral(this, field, props[field], "it is a reason told at synth");
      checkText(this, field, props[field], example);
    }
    this.transparentProxyUnavailable = props.transparentProxyUnavailable;
    this.terminatingGatewayUnavailable = props.terminatingGatewayUnavailable;
    this.intentions =
      props.intentions ??
      new Intentions(this, "Intentions", { defaultDeny: props.defaultDeny, owner: props.owner });
    this.defaults = props.defaults;
    this.driver = props.driver ?? "docker";
    this.sidecarTask = props.sidecarTask;
    this.datacenters = props.datacenters;
    this.dependsOn = props.dependsOn ?? [];
    if (props.ingress) this.useIngress(props.ingress);
    // L7 permissions wait for their destination's protocol, and are checked against it.
    if (this.defaults) this.intentions.useDefaults(this.defaults);
  }

  /**
   * Records that `source` calls `destination` through its sidecar, and allows exactly that edge
   * (optionally limited to L7 permissions). When the destination's routes send requests on to other
   * services, the caller is allowed to reach those too: its sidecar dials them directly.
   * @internal
   */
  public _relate(source: string, destination: string, permissions?: HttpPermission[]): void {
    // A destination another stack owns keeps its own entry: Consul has one per destination, and two
    // stacks writing it would undo each other. Its owner grants the edge (`allowFrom`).
    if (this.external.has(destination)) this.requests.push({ source, destination });
    else this.intentions.allow(source, destination, { permissions });
    const callers = this.callers.get(destination) ?? new Map<string, HttpPermission[] | undefined>();
    callers.set(source, permissions);
    this.callers.set(destination, callers);
    for (const target of this.routings.get(destination)?.routedServices ?? []) {
      this.intentions.allowRouted(source, target, destination);
    }
    const copy = this.failovers.get(destination);
    if (copy) this._allowOnPeer(source, copy, permissions);
  }

  /**
   * Peers this mesh with another (usually in another stack: one per datacenter): this mesh dials,
   * `acceptor` issues the token. Both need a {@link ServiceMeshProps.peerName}. Nothing crosses until
   * services are exported or called across ({@link MeshService.exportTo}, {@link MeshService.connectTo},
   * {@link MeshService.failoverTo}).
   */
  public peerWith(acceptor: ServiceMesh, options: MeshPeeringOptions = {}): MeshPeering {
    check(
      this,
      acceptor instanceof ServiceMesh,
      `peerWith(${show(acceptor)}): the peer must be a ServiceMesh (e.g. the other platform's platform.mesh)`,
    );
    check(
      this,
      acceptor !== this,
      `peerWith(itself): a mesh cannot peer with itself; pass the other datacenter's mesh`,
    );
    for (const mesh of [this, acceptor]) {
      check(
        this,
        mesh.peerName !== undefined,
        `peerWith(${mesh.node.path}): that mesh has no peerName, so neither side can name the other; ` +
          `set peerName on the ServiceMesh (a MeshPlatform names its datacenter)`,
      );
    }
    check(
      this,
      this.peerName !== acceptor.peerName,
      `peerWith(${acceptor.node.path}): both meshes are named ${show(this.peerName)}; give each datacenter its own peerName`,
    );
    check(
      this,
      !this.peers.has(acceptor.peerName!) && !acceptor.peers.has(this.peerName!),
      `peerWith(${acceptor.node.path}): the meshes are peered already; peer them once`,
    );
    const peering = new MeshPeering(this, acceptor, options);
    this.peers.set(acceptor.peerName!, { mesh: acceptor, peering });
    acceptor.peers.set(this.peerName!, { mesh: this, peering });
    return peering;
  }

  /** The peerings of this mesh, by the name it calls each peer. */
  public get peerings(): ReadonlyMap<string, MeshPeering> {
    return new Map([...this.peers].map(([name, { peering }]) => [name, peering]));
  }

  /**
   * The name this mesh calls `other` by, which must be one of its peers; `user` and `call` name the
   * construct and method in the error.
   * @internal
   */
  public _peerNameOf(other: ServiceMesh, user: Construct, call: string): string {
    const peer = [...this.peers].find(([, p]) => p.mesh === other)?.[0];
    check(
      user,
      peer !== undefined,
      `${call}: ${other.node.path} is not a peer of this mesh (peers: ${[...this.peers.keys()].join(", ") || "none"}); ` +
        `peer the two first with ${this.node.path}.peerWith(other)`,
    );
    return peer!;
  }

  /**
   * Shares a service of this mesh with a peer (the mesh's one `exported-services` entry).
   * @internal
   */
  public _export(service: string, peer: string): void {
    const consumers = this.exports.get(service) ?? new Set<string>();
    consumers.add(peer);
    this.exports.set(service, consumers);
    this.exportedServices ??= new ConfigEntry(this, "ExportedServices", {
      kind: "exported-services",
      name: "default",
      configJson: Lazy.stringValue({
        produce: () =>
          jsonText({
            Services: [...this.exports.keys()].sort().map((name) => ({
              Name: name,
              Consumers: [...this.exports.get(name)!].sort().map((p) => ({ Peer: p })),
            })),
          }),
      }),
      dependsOn: this.dependsOn.length ? this.dependsOn : undefined,
    });
  }

  /** The `exported-services` entry, once a service is exported. */
  public get exportedServicesEntry(): ConfigEntry | undefined {
    return this.exportedServices;
  }

  /**
   * The local name (`<peer>-<service>`) callers use as their upstream for a peer's service: a
   * resolver redirecting to it, made on first use.
   * @internal
   */
  public _aliasOf(peer: string, service: string, user: Construct): string {
    const alias = `${peer}-${service}`;
    const existing = this.peerAliases.get(alias);
    if (existing) return alias;
    check(
      user,
      !this.members.has(alias) && !this.external.has(alias),
      `connectTo(${service} of peer ${peer}): the local name for it, ${show(alias)}, is a service of this ` +
        `mesh already; rename that service`,
    );
    this._routingOf(alias, user).redirectTo({ peer, service });
    this.peerAliases.set(alias, { peer, service });
    return alias;
  }

  /**
   * Fails `service` over to `target`, a service of a peer: the resolver's failover, the target
   * exported to this mesh, and every caller of `service` (now and later) allowed on the target.
   * @internal
   */
  public _failover(service: string, target: PeerMember, user: Construct): void {
    const peer = this._peerNameOf(target.mesh, user, `failoverTo(${target.serviceName})`);
    check(
      user,
      !this.failovers.has(service),
      `failoverTo(${target.node.path}): ${show(service)} fails over already; declare one failover target`,
    );
    this._routingOf(service, user).failoverTo([{ peer, service: target.serviceName }]);
    target.mesh._export(target.serviceName, target.mesh._peerNameOf(this, user, "failoverTo"));
    this.failovers.set(service, target);
    for (const [source, permissions] of this.callers.get(service) ?? []) {
      this._allowOnPeer(source, target, permissions);
    }
  }

  /**
   * Allows this mesh's `source` on a peer's service with these permissions, once (a caller of a
   * service that fails over may also call the copy directly).
   * @internal
   */
  public _allowOnPeer(source: string, target: PeerMember, permissions: HttpPermission[] | undefined): void {
    const peer = target.mesh._peerNameOf(this, target.mesh, "failoverTo");
    if (
      target.mesh.intentions.edges.some(
        (e) => e.destination === target.serviceName && e.source === source && e.peer === peer,
      )
    ) {
      return;
    }
    target.mesh.intentions.allow(source, target.serviceName, { peer, permissions });
  }

  /**
   * The discovery chain (resolver, splitter, router) of a service, created on first use; it needs
   * the mesh's {@link MeshDefaults}, where L7 protocols are declared.
   * @internal
   */
  public _routingOf(service: string, user: Construct): ServiceRouting {
    check(
      user,
      this.defaults !== undefined,
      `versions, splits and routes need MeshDefaults (they depend on the service's protocol); ` +
        `pass defaults to the ServiceMesh`,
    );
    let routing = this.routings.get(service);
    if (!routing) {
      routing = new ServiceRouting(this, `Routing-${service}`, {
        service,
        defaults: this.defaults,
        dependsOn: this.dependsOn.length ? this.dependsOn : undefined,
      });
      this.routings.set(service, routing);
    }
    return routing;
  }

  /**
   * The discovery chain of a service, when it has one.
   * @internal
   */
  public _routingIfAny(service: string): ServiceRouting | undefined {
    return this.routings.get(service);
  }

  /**
   * Allows every caller of `service` to reach `target`, where a route of `service` sends requests.
   * @internal
   */
  public _routeCallers(service: string, target: string): void {
    for (const source of this.callers.get(service)?.keys() ?? []) {
      if (source !== target) this.intentions.allowRouted(source, target, service);
    }
  }

  /** The ingress, when one is set. */
  public get ingress(): IIngress | undefined {
    return this.currentIngress;
  }

  /** Sets the ingress services are exposed through; its service becomes a known mesh service. */
  public useIngress(ingress: IIngress): this {
    check(
      this,
      isObject(ingress) &&
        ["serviceName", "tagPrefix", "tlsEntryPoint"].every(
          (key) => typeof (ingress as unknown as Record<string, unknown>)[key] === "string",
        ),
      `ingress ${show(ingress)} is not an ingress; pass a TraefikIngress (or an object with serviceName, ` +
        `tagPrefix and tlsEntryPoint)`,
    );
    checkServiceName(this, "ingress serviceName", ingress.serviceName);
    check(
      this,
      !this.currentIngress || this.currentIngress === ingress,
      `ingress ${show(ingress.serviceName)} replaces ${show(this.currentIngress?.serviceName)}; a mesh has one ingress`,
    );
    this.currentIngress = ingress;
    this.addOutsider(ingress.serviceName);
    return this;
  }

  /**
   * Declares a service outside this stack (another repo's job, a terminating gateway) as a valid
   * upstream. Its owner keeps its intentions entry: relations to it render the caller's upstream and a
   * {@link ServiceMesh.grantRequests} entry, and the owner allows the caller (`allowFrom`).
   */
  public addExternalService(name: string): this {
    checkServiceName(this, "external service", name);
    this.addOutsider(name);
    // Relations declared before the service was known to be external give their edges back.
    for (const source of this.callers.get(name)?.keys() ?? []) {
      this.intentions.removeEdge(source, name);
      this.requests.push({ source, destination: name });
    }
    return this;
  }

  /** Relations this stack declared toward services other stacks own, which those must allow. */
  public get grantRequests(): GrantRequest[] {
    return [...this.requests].sort(
      (a, b) => a.destination.localeCompare(b.destination) || a.source.localeCompare(b.source),
    );
  }

  /** Records a service this mesh does not run, unless a mesh service already has the name. */
  private addOutsider(name: string): void {
    const member = this.members.get(name);
    check(
      this,
      !member,
      `service ${show(name)} is declared twice (${member?.node.path} and an external service); ` +
        `give each service its own name`,
    );
    this.external.add(name);
  }

  /**
   * Registers a mesh service; called by {@link MeshService}. Throws when the name is taken.
   * @internal
   */
  public _register(member: MeshMember): void {
    const existing = this.members.get(member.serviceName);
    check(
      this,
      !existing && !this.external.has(member.serviceName),
      `service ${show(member.serviceName)} is declared twice (${member.node.path} and ` +
        `${existing?.node.path ?? "an external service"}); give each service its own name`,
    );
    this.members.set(member.serviceName, member);
  }

  /**
   * Whether a name is a mesh service, an external service or the ingress.
   * @internal
   */
  public _knows(name: string): boolean {
    return this.members.has(name) || this.external.has(name) || this.peerAliases.has(name);
  }

  /** Every known service name, sorted. */
  public get serviceNames(): string[] {
    return [...new Set([...this.members.keys(), ...this.external])].sort();
  }
}
