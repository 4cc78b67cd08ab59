import { Construct, IConstruct } from "constructs";
import {
  check,
  checkProps,
  checkPropsOf,
  checkReferenceOf,
  constructError,
  isObject,
  isReference,
  MeshstackError,
  show,
} from "../core/errors";
import { durationNanoseconds } from "../core/duration";
import { checkPort, checkServiceName } from "../core/names";
import type { ServiceProtocol } from "../consul/mesh-defaults";
import type { HttpPermission } from "../consul/intentions";
import { SUBSET_NAME, type RouteMatch } from "../consul/service-routing";
import {
  checkBoolean,
  checkInstance,
  checkList,
  checkInteger,
  checkObject,
  checkPattern,
  checkTexts,
} from "../core/values";
import type {
  Constraint,
  ConsulExposePath,
  ConsulProxy,
  ConsulUpstream,
  Port,
  ServiceCheck,
  TaskGroup,
  UpdateStrategy,
} from "../nomad/jobspec";
import { MeshJob } from "./mesh-job";
import { ExternalService } from "./external-service";
import { checkConstraints } from "../nomad/group-checks";
import { checkMeshTask, MeshTaskProps, toTask } from "./mesh-task";
import { requireNomadFeature } from "../core/server-versions";
import { checkMeshHealth, MeshHealthCheck, MeshUpdateOptions, meshUpdate } from "./health-and-update";
import { IngressRoute, routeTags } from "./routes";
import { ServiceMesh } from "./service-mesh";
import { SidecarTaskOverride } from "./sidecar";
import { checkSidecarTask } from "./checks";
import { Claim, guardComposition } from "../core/composition";

/** Options of {@link MeshService.connectTo}. */
export interface UpstreamOptions {
  /**
   * Port the sidecar listens on in the namespace for this upstream; required without transparent
   * proxy, not allowed with it (upstreams are reached at `<name>.virtual.consul`).
   * @default - none (transparent proxy)
   */
  readonly localBindPort?: number;
  /**
   * L7 permissions of the call (path, methods, headers): the intention this upstream adds allows only
   * these requests. The upstream must speak an HTTP protocol (`service-defaults`).
   * @default - the whole upstream (an L4 allow)
   */
  readonly permissions?: HttpPermission[];
}

/** An upstream declared by name in {@link MeshServiceProps.upstreams}. */
export interface UpstreamProps extends UpstreamOptions {
  /** The service called; a mesh service, an external service or the ingress. */
  readonly service: string;
}

/** Props for {@link MeshService}. */
export interface MeshServiceProps {
  /** The mesh the service belongs to. */
  readonly mesh: ServiceMesh;
  /**
   * Consul service name (also the group name).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The job holding the service's group.
   * @default - the scope when it is a MeshJob, else a job of its own named after the service
   */
  readonly job?: MeshJob;
  /** Port the application listens on inside the network namespace; Envoy forwards to it. */
  readonly port: number;
  /**
   * The group's tasks; more with {@link MeshService.addTask}.
   * @default - none
   */
  readonly tasks?: MeshTaskProps[];
  /**
   * Use transparent proxy: upstreams at `<name>.virtual.consul`, no local bind ports.
   * @default false
   */
  readonly transparentProxy?: boolean;
  /**
   * Upstreams by name; each also adds the intention for that edge.
   * @default - none
   */
  readonly upstreams?: UpstreamProps[];
  /**
   * Static host port forwarded to `port` (label `public`), for direct access outside the mesh. It is
   * plain HTTP past the mesh's mTLS and intentions (Nomad exempts a reserved port from transparent-proxy
   * redirection), so a service exposed through the ingress refuses it unless
   * `allowHostPortWithIngress` says otherwise.
   * @default - not published on the host
   */
  readonly hostPort?: number;
  /**
   * Keep `hostPort` beside `expose`: for clusters on loopback only (the built-in local cluster), where
   * the host port is a developer's shortcut, never on a shared network.
   * @default false
   */
  readonly allowHostPortWithIngress?: boolean;
  /**
   * HTTP health check through an expose path.
   * @default - no check beyond the sidecar's
   */
  readonly healthCheck?: MeshHealthCheck;
  /**
   * Further paths Envoy serves without mTLS (e.g. `/metrics`); they bypass intentions, so they are
   * only accepted next to a health check.
   * @default - none
   */
  readonly exposePaths?: string[];
  /**
   * Route through the mesh's ingress; adds Traefik router tags and the ingress → service intention.
   * @default - not exposed
   */
  readonly expose?: IngressRoute;
  /**
   * Service protocol (`service-defaults`); needs the mesh's {@link MeshDefaults}.
   * @default - the mesh default
   */
  readonly protocol?: ServiceProtocol;
  /**
   * Allocations.
   * @default 1
   */
  readonly count?: number;
  /**
   * Placement constraints of the group (its versions' groups too), e.g. `distinct_hosts` so that
   * losing one node, or its Consul agent, leaves another instance healthy.
   * @default - none (the job's own apply)
   */
  readonly constraints?: Constraint[];
  /**
   * Rolling update and canary settings.
   * @default - Nomad's defaults
   */
  readonly update?: MeshUpdateOptions;
  /**
   * Extra service tags.
   * @default - none
   */
  readonly tags?: string[];
  /**
   * Override of the injected Envoy task.
   * @default - the mesh's sidecar override
   */
  readonly sidecarTask?: SidecarTaskOverride;
  /**
   * The version this group runs, registered as service meta `version` and used as the default subset
   * once {@link MeshService.addVersion} adds another (e.g. "v1").
   * @default - unversioned
   */
  readonly version?: string;
}

/** Options of {@link MeshService.addVersion}. */
export interface ServiceVersionOptions {
  /** The version's tasks (the rest of the group is the service's own: port, sidecar, upstreams, check). */
  readonly tasks: MeshTaskProps[];
  /**
   * Allocations of this version.
   * @default 1
   */
  readonly count?: number;
}

/** Where {@link MeshService.routeTraffic} sends the requests it matches. */
export interface TrafficDestination {
  /**
   * A version of the destination service (its subset).
   * @default - the destination's default version
   */
  readonly version?: string;
  /**
   * Another service; its callers through this service are allowed to reach it (one intention each).
   * @default - this service
   */
  readonly service?: MeshService | string;
  /**
   * Replace the matched path prefix before forwarding; needs `pathExact` or `pathPrefix`.
   * @default - the path is forwarded unchanged
   */
  readonly prefixRewrite?: string;
}

interface ServiceVersion {
  readonly version: string;
  readonly tasks: MeshTaskProps[];
  readonly count: number;
}

interface UpstreamEdge {
  readonly service: string;
  readonly localBindPort?: number;
  /** The call is limited by L7 permissions. */
  readonly l7?: boolean;
}

const PUBLIC_PORT = "public";
const HEALTH_PORT = "healthcheck";

/**
 * A service in the Consul service mesh: one Nomad task group in bridge mode with a group-level
 * service, its Envoy sidecar (`connect.sidecar_service`), upstreams through local bind ports or
 * transparent proxy, a health check through an expose path, and optional Traefik routes.
 *
 * Relationships are methods: {@link connectTo} declares an upstream and the intention for exactly
 * that edge; exposing the service through the ingress allows the ingress to call it. An upstream to a
 * service the mesh does not know fails at synth, naming both ends.
 */
export class MeshService extends Construct {
  /** The Consul service name. */
  public readonly serviceName: string;
  /** The job holding the group. */
  public readonly job: MeshJob;
  /** The mesh. */
  public readonly mesh: ServiceMesh;
  /** The application port inside the namespace. */
  public readonly port: number;
  /** Whether the service uses transparent proxy. */
  public readonly transparentProxy: boolean;
  private readonly props: MeshServiceProps;
  private readonly tasks: MeshTaskProps[] = [];
  private readonly upstreams: UpstreamEdge[] = [];
  private readonly tags: string[];
  private readonly update?: UpdateStrategy;
  private readonly versions: ServiceVersion[] = [];

  public constructor(scope: Construct, id: string, props: MeshServiceProps) {
    checkPropsOf("MeshService", scope, id, props, "{ mesh, port, tasks }");
    checkReferenceOf(
      "MeshService",
      scope,
      id,
      "mesh",
      props.mesh,
      ServiceMesh,
      'the mesh this service belongs to, e.g. new ServiceMesh(stack, "Mesh")',
    );
    super(scope, id);
    this.props = props;
    this.mesh = props.mesh;
    this.serviceName = props.name ?? id;
    this.port = props.port;
    this.transparentProxy = props.transparentProxy ?? false;
    checkServiceName(this, "name", this.serviceName);
    checkPort(this, "port", props.port);
    if (props.hostPort !== undefined) checkPort(this, "hostPort", props.hostPort);
    checkBoolean(this, "allowHostPortWithIngress", props.allowHostPortWithIngress);
    check(
      this,
      props.hostPort === undefined || props.expose === undefined || props.allowHostPortWithIngress === true,
      `hostPort ${show(props.hostPort)} publishes the service in plain HTTP beside its ingress route, past ` +
        `TLS and the intentions; remove hostPort (the ingress reaches it), or set allowHostPortWithIngress ` +
        `on a cluster on loopback`,
    );
    this.checkTypes(props);
    if (this.transparentProxy) {
      requireNomadFeature(
        this,
        "transparentProxy",
        true,
        this.mesh.nomadVersion,
        "transparent-proxy",
        "set transparentProxy: false and give each upstream a localBindPort (connectTo(api, { localBindPort }))",
      );
      check(
        this,
        this.mesh.transparentProxyUnavailable === undefined,
        `transparentProxy is true, but ${this.mesh.transparentProxyUnavailable}; set transparentProxy: false and ` +
          "give each upstream a localBindPort (connectTo(api, { localBindPort }))",
      );
    }
    const count = props.count ?? 1;
    check(
      this,
      isReference(count) || (Number.isInteger(count) && count >= 0),
      `count ${show(count)} must be a whole number, 0 or more`,
    );
    this.update = meshUpdate(this, count, props.update);
    checkPattern(
      this,
      "version",
      props.version,
      SUBSET_NAME,
      'a version name (lower-case letters, digits, "-")',
      "v1",
    );
    checkMeshHealth(this, props.healthCheck, props.exposePaths ?? []);
    this.mesh._register(this);
    this.tags = [...(props.tags ?? [])];
    if (props.expose) this.exposeThroughIngress(props.expose);
    if (props.protocol !== undefined) {
      check(
        this,
        this.mesh.defaults !== undefined,
        `protocol ${show(props.protocol)} needs MeshDefaults; pass defaults to the ServiceMesh`,
      );
      this.mesh.defaults.setServiceProtocol(this.serviceName, props.protocol);
    }
    for (const task of props.tasks ?? []) this.addTask(task);
    for (const upstream of props.upstreams ?? []) this.connectTo(upstream.service, upstream);
    this.job =
      props.job ??
      (MeshJob.isMeshJob(scope)
        ? scope
        : new MeshJob(this, "Job", { mesh: this.mesh, name: this.serviceName }));
    this.job.addGroup(() => this._toGroup());
    this.node.addValidation({
      validate: () => [...this.unknownUpstreams(), ...this.l7Upstreams(), ...this.unknownRouteVersions()],
    });
  }

  /**
   * Runs another version of the service beside this one: a group `<name>-<version>` in the same job,
   * registered under the same service name with meta `version`. Callers in the mesh keep reaching
   * this group's version (the default subset) until {@link splitTraffic} or {@link routeTraffic} send
   * them elsewhere; the ingress dials only this group (Traefik picks instances from the catalog, not
   * through Consul's discovery chain).
   */
  public addVersion(version: string, options: ServiceVersionOptions): this {
    const own = this.props.version;
    check(
      this,
      own !== undefined,
      `addVersion(${show(version)}) needs the service's own version to route the rest of the traffic to; ` +
        `set version (e.g. "v1") on the service`,
    );
    checkPattern(this, "addVersion version", version, SUBSET_NAME, "a version name", "v2");
    check(
      this,
      version !== own && !this.versions.some((v) => v.version === version),
      `addVersion(${show(version)}): the version is already declared; declare each version once`,
    );
    checkProps(this, options, "{ tasks: [{ name, driver }] }");
    checkList(this, `version ${show(version)} tasks`, options.tasks, "tasks { name, driver }");
    check(
      this,
      (options.tasks ?? []).length > 0,
      `addVersion(${show(version)}) has no tasks; give the tasks that run this version`,
    );
    for (const task of options.tasks) checkMeshTask(this, task, this.mesh.nomadVersion);
    const count = options.count ?? 1;
    checkInteger(this, `version ${show(version)} count`, count, 0);
    const routing = this.mesh._routingOf(this.serviceName, this);
    if (routing.subsetNames.length === 0) routing.addSubset(own, versionFilter(own));
    routing.addSubset(version, versionFilter(version));
    this.versions.push({ version, tasks: [...options.tasks], count });
    this.job.addGroup(() =>
      this.groupOf({
        name: `${this.serviceName}-${version}`,
        version,
        tasks: this.versionTasks(version),
        count,
        tags: this.props.tags ?? [],
      }),
    );
    return this;
  }

  /**
   * Splits the requests callers send to this service between its versions, by percent, e.g.
   * `{ v1: 90, v2: 10 }` (a `service-splitter`). The weights sum to 100; the service needs an
   * HTTP-like protocol.
   */
  public splitTraffic(weights: Record<string, number>): this {
    check(
      this,
      isObject(weights),
      `splitTraffic(${show(weights)}): weights are not an object; pass e.g. { v1: 90, v2: 10 }`,
    );
    const routing = this.mesh._routingOf(this.serviceName, this);
    this.onChain(`splitTraffic(${show(weights)})`, () =>
      routing.split(Object.entries(weights).map(([subset, weight]) => ({ subset, weight }))),
    );
    return this;
  }

  /**
   * Sends the requests matching `match` (path, headers, methods) to a version of this service or to
   * another service (a `service-router` route; routes apply in the order they are added). Routing to
   * another service allows each caller of this one to reach it.
   */
  public routeTraffic(match: RouteMatch, to: TrafficDestination): this {
    check(
      this,
      isObject(to),
      `routeTraffic(…, ${show(to)}): the destination is not an object; pass e.g. { version: "v2" } or { service: api }`,
    );
    const service =
      to.service === undefined ? undefined : this.nameOf("routeTraffic", "destination", to.service);
    const routing = this.mesh._routingOf(this.serviceName, this);
    this.onChain(`routeTraffic(${show(match)}, ${show({ ...to, service })})`, () =>
      routing.addRoute({
        match,
        destination: {
          service: service === this.serviceName ? undefined : service,
          subset: to.version,
          prefixRewrite: to.prefixRewrite,
        },
      }),
    );
    if (service !== undefined && service !== this.serviceName)
      this.mesh._routeCallers(this.serviceName, service);
    return this;
  }

  /**
   * Declares an upstream and allows this service to call it (one intention, for this edge only).
   * With transparent proxy only the intention is needed; otherwise give `localBindPort`.
   */
  public connectTo(target: MeshService | ExternalService | string, options: UpstreamOptions = {}): this {
    const peerTarget = target instanceof MeshService && target.mesh !== this.mesh ? target : undefined;
    const service = peerTarget
      ? this.peerUpstream(peerTarget, options)
      : this.nameOf("connectTo", "upstream", target);
    checkServiceName(this, "upstream", service);
    check(
      this,
      isObject(options),
      `connectTo(${show(service)}) options ${show(options)} are not an object; pass { localBindPort } or leave them out`,
    );
    check(
      this,
      service !== this.serviceName,
      `upstream ${show(service)} is the service itself; a service reaches its own port directly, so remove it`,
    );
    check(
      this,
      !this.upstreams.some((u) => u.service === service),
      `upstream ${show(service)} is declared twice; keep one connectTo()`,
    );
    const port = options.localBindPort;
    if (this.transparentProxy) {
      check(
        this,
        port === undefined,
        `upstream ${show(service)} localBindPort ${port} is set but the service uses transparent proxy, ` +
          `which reaches upstreams at ${service}.virtual.consul; drop localBindPort or set transparentProxy: false`,
      );
    } else {
      check(
        this,
        port !== undefined,
        `upstream ${show(service)} has no localBindPort; give one (e.g. 8080) or set transparentProxy: true`,
      );
      checkPort(this, `upstream ${show(service)} localBindPort`, port);
      const clash = this.upstreams.find((u) => u.localBindPort === port);
      check(
        this,
        !clash,
        `upstream ${show(service)} localBindPort ${port} is already used by upstream ${show(clash?.service)}; ` +
          `give each upstream its own port`,
      );
      check(
        this,
        port !== this.port,
        `upstream ${show(service)} localBindPort ${port} is the service's own port; use another port`,
      );
    }
    this.upstreams.push({ service, localBindPort: port, l7: options.permissions !== undefined });
    // A peer's service is allowed in its own mesh (peerUpstream); the local alias is no service.
    if (!peerTarget) this.mesh._relate(this.serviceName, service, options.permissions);
    return this;
  }

  /**
   * The upstream for a service of a peered mesh: the local alias that redirects to it, the service
   * exported to this mesh, and this service allowed on it (with the call's permissions).
   */
  private peerUpstream(target: MeshService, options: UpstreamOptions): string {
    const call = `connectTo(${target.node.path})`;
    const peer = this.mesh._peerNameOf(target.mesh, this, call);
    check(
      this,
      !this.transparentProxy,
      `${call}: a peer's service is reached through an upstream listener, but this service uses transparent ` +
        `proxy; set transparentProxy: false and give the upstream a localBindPort`,
    );
    target.exportTo(this.mesh);
    this.mesh._allowOnPeer(this.serviceName, target, isObject(options) ? options.permissions : undefined);
    return this.mesh._aliasOf(peer, target.serviceName, this);
  }

  /**
   * Shares this service with a peered mesh (its datacenter's `exported-services` entry); the peer's
   * services still need an intention to call it ({@link connectTo} from there adds it).
   */
  public exportTo(peer: ServiceMesh): this {
    check(
      this,
      peer instanceof ServiceMesh,
      `exportTo(${show(peer)}): the peer must be a ServiceMesh peered with this one (e.g. the other platform's platform.mesh)`,
    );
    this.mesh._export(this.serviceName, this.mesh._peerNameOf(peer, this, `exportTo(${peer.node.path})`));
    return this;
  }

  /**
   * Fails this service over to its copy in a peered mesh while no instance here is healthy: the
   * resolver's failover target, the copy exported to this mesh, and every caller of this service
   * allowed on the copy (with the same permissions) — callers declared later too.
   */
  public failoverTo(target: MeshService): this {
    check(
      this,
      target instanceof MeshService,
      `failoverTo(${show(target)}): the target must be a MeshService of a peered mesh`,
    );
    check(
      this,
      target.mesh !== this.mesh,
      `failoverTo(${target.node.path}): the target is in this service's own mesh; fail over to its copy in a ` +
        `peered datacenter (a version of this service is addVersion())`,
    );
    this.mesh._failover(this.serviceName, target, this);
    return this;
  }

  /** Allows `source` to call this service, without declaring an upstream on it (e.g. a caller outside the stack). */
  public allowFrom(source: MeshService | string): this {
    this.mesh.intentions.allow(this.nameOf("allowFrom", "source", source), this.serviceName);
    return this;
  }

  /**
   * Runs a step of `call` on the service's discovery chain: its errors name this service and the
   * method the user called, in the user's words (versions and weights, not Consul's subsets and splits).
   */
  private onChain(call: string, step: () => unknown): void {
    try {
      step();
    } catch (error) {
      if (!(error instanceof MeshstackError)) throw error;
      throw constructError(
        this,
        `${call}: ${inUserWords(error.message.replace(/^ServiceRouting \S+: /, ""))}`,
      );
    }
  }

  /** The name of a service given as a MeshService or a name; `role` names it in `method`'s error. */
  private nameOf(method: string, role: string, target: MeshService | ExternalService | string): string {
    check(
      this,
      typeof target === "string" || target instanceof MeshService || target instanceof ExternalService,
      `${method}(${show(target)}): the ${role} must be a MeshService, an ExternalService ` +
        `or a service name, e.g. ${method}(api) or ${method}("api")`,
    );
    return typeof target === "string" ? target : target.serviceName;
  }

  /** Adds a task to the service's group. */
  public addTask(task: MeshTaskProps): this {
    checkMeshTask(this, task, this.mesh.nomadVersion);
    this.tasks.push(task);
    return this;
  }

  /**
   * How tasks address an upstream: `<name>.virtual.consul` with transparent proxy, else the
   * `NOMAD_UPSTREAM_ADDR_<name>` interpolation (host:port of the local listener).
   */
  public upstreamAddress(target: MeshService | ExternalService | string): string {
    const service =
      target instanceof MeshService && target.mesh !== this.mesh
        ? `${this.mesh._peerNameOf(target.mesh, this, "upstreamAddress")}-${target.serviceName}`
        : this.nameOf("upstreamAddress", "upstream", target);
    return this.transparentProxy
      ? `${service}.virtual.consul`
      : `\${NOMAD_UPSTREAM_ADDR_${service.replace(/-/g, "_")}}`;
  }

  /** The names of the declared upstreams. */
  public get upstreamNames(): string[] {
    return this.upstreams.map((u) => u.service);
  }

  /**
   * The group as it renders now.
   * @internal
   */
  public _toGroup(): TaskGroup {
    return this.groupOf({
      name: this.serviceName,
      version: this.props.version,
      tasks: this.tasks,
      count: this.props.count ?? 1,
      tags: this.tags,
    });
  }

  /** The tasks of an added version. */
  private versionTasks(version: string): MeshTaskProps[] {
    return this.versions.find((v) => v.version === version)?.tasks ?? [];
  }

  /** A group of this service: its own, or one of its versions. */
  private groupOf(variant: {
    name: string;
    version?: string;
    tasks: MeshTaskProps[];
    count: number;
    tags: string[];
  }): TaskGroup {
    const p = this.props;
    const health = p.healthCheck;
    const exposePaths: ConsulExposePath[] = [
      ...(health
        ? [
            {
              Path: health.path,
              Protocol: "http" as const,
              LocalPathPort: this.port,
              ListenerPort: HEALTH_PORT,
            },
          ]
        : []),
      ...(p.exposePaths ?? []).map((path, i) => ({
        Path: path,
        Protocol: "http" as const,
        LocalPathPort: this.port,
        ListenerPort: `expose-${i + 1}`,
      })),
    ];
    const dynamicPorts: Port[] = exposePaths.map((e) => ({ Label: e.ListenerPort, To: -1 }));
    const reserved: Port[] =
      p.hostPort === undefined ? [] : [{ Label: PUBLIC_PORT, Value: p.hostPort, To: this.port }];
    const upstreams: ConsulUpstream[] = this.upstreams
      .filter((u) => u.localBindPort !== undefined)
      .map((u) => ({ DestinationName: u.service, LocalBindPort: u.localBindPort! }));
    const sidecar = p.sidecarTask ?? this.mesh.sidecarTask;
    const proxy: ConsulProxy = {
      Upstreams: upstreams.length ? upstreams : undefined,
      TransparentProxy: this.transparentProxy
        ? { UID: sidecar?.proxyUid === undefined ? undefined : String(sidecar.proxyUid) }
        : undefined,
      Expose: exposePaths.length ? { Paths: exposePaths } : undefined,
    };
    const checks: ServiceCheck[] = health
      ? [
          {
            Name: `${this.serviceName}-health`,
            Type: "http",
            Path: health.path,
            PortLabel: HEALTH_PORT,
            Interval: durationNanoseconds(this, "healthCheck.interval", health.interval ?? "10s"),
            Timeout: durationNanoseconds(this, "healthCheck.timeout", health.timeout ?? "2s"),
          },
        ]
      : [];
    const sidecarTask = sidecar?.task;
    return {
      Name: variant.name,
      Count: variant.count,
      Constraints: p.constraints,
      Update: this.update,
      Networks: [
        {
          Mode: "bridge",
          ReservedPorts: reserved.length ? reserved : undefined,
          DynamicPorts: dynamicPorts.length ? dynamicPorts : undefined,
        },
      ],
      Services: [
        {
          Name: this.serviceName,
          PortLabel: p.hostPort === undefined ? String(this.port) : PUBLIC_PORT,
          Tags: variant.tags.length ? [...variant.tags] : undefined,
          // Consul copies it to the sidecar, where the resolver's subset filters look.
          Meta: variant.version === undefined ? undefined : { version: variant.version },
          Connect: {
            SidecarService: Object.values(proxy).some((v) => v !== undefined) ? { Proxy: proxy } : {},
            SidecarTask: sidecarTask,
          },
          Checks: checks.length ? checks : undefined,
        },
      ],
      Tasks: variant.tasks.map(toTask),
    };
  }

  private exposeThroughIngress(route: IngressRoute): void {
    const ingress = this.mesh.ingress;
    check(
      this,
      ingress !== undefined,
      `expose ${show(route)} needs an ingress in the mesh; pass ingress to the ServiceMesh or call mesh.useIngress() first`,
    );
    const tags = routeTags(this, this.serviceName, route, ingress);
    this.tags.push(...tags);
    // One router rule per ingress: Traefik would pick one of two services matching the same rule.
    const rules = tags.flatMap((tag) => {
      const [, protocol, rule] = /^traefik\.(http|tcp)\.routers\.[^.=]+\.rule=(.+)$/.exec(tag) ?? [];
      return rule ? [`${ingress.serviceName} ${protocol} router rule ${rule}`] : [];
    });
    ingressRules.set(this, [...(ingressRules.get(this) ?? []), ...rules]);
    guardComposition(this, ingressRuleClaims);
    // Traefik dials the service as a mesh client, so it needs its own intention (traefik#7407).
    this.mesh.intentions.allow(ingress.serviceName, this.serviceName);
  }

  /** Type checks of props the constructor does not check on the way. */
  private checkTypes(props: MeshServiceProps): void {
    checkInstance(this, "job", props.job, MeshJob, "a MeshJob, or leave it out for a job of its own");
    checkList(this, "tasks", props.tasks, "tasks { name, driver }");
    checkBoolean(this, "transparentProxy", props.transparentProxy);
    checkList(this, "upstreams", props.upstreams, "upstreams { service, localBindPort }");
    for (const [i, upstream] of (props.upstreams ?? []).entries()) {
      check(
        this,
        isObject(upstream),
        `upstreams[${i}] ${show(upstream)} is not an object; pass { service: "api", localBindPort: 8080 }`,
      );
    }
    checkObject(this, "healthCheck", props.healthCheck, '{ path: "/health" }');
    checkTexts(this, "exposePaths", props.exposePaths, "/metrics");
    checkObject(this, "expose", props.expose, '{ http: { host: "app.example.com" } }');
    checkObject(this, "update", props.update, "{ canary: 1 }");
    checkTexts(this, "tags", props.tags, "v2");
    checkConstraints(this, "constraints", props.constraints);
    checkSidecarTask(this, props.sidecarTask);
  }

  /** L7 permissions need an HTTP-like upstream, which only a mesh with MeshDefaults can declare. */
  private l7Upstreams(): string[] {
    // With MeshDefaults, the mesh's Intentions check each destination's protocol themselves.
    if (this.mesh.defaults) return [];
    return this.upstreams
      .filter((u) => u.l7)
      .map(
        (u) =>
          constructError(
            this,
            `upstream ${show(u.service)} has L7 permissions but its protocol is unknown (the mesh has no ` +
              `MeshDefaults); pass defaults to the ServiceMesh and give it protocol "http", or drop permissions`,
          ).message,
      );
  }

  /** A route to another service's version needs that version (its subset) declared. */
  private unknownRouteVersions(): string[] {
    const routing = this.mesh._routingIfAny(this.serviceName);
    if (!routing) return [];
    return routing.declaredRoutes
      .map((r, i) => [r.destination, i] as const)
      .filter(([d]) => d.service !== undefined && d.subset !== undefined)
      .filter(([d]) => !(this.mesh._routingIfAny(d.service!)?.subsetNames ?? []).includes(d.subset!))
      .map(
        ([d, i]) =>
          constructError(
            this,
            `routeTraffic #${i + 1} sends requests to version ${show(d.subset)} of ${show(d.service)}, which has ` +
              `no such version (versions: ${this.mesh._routingIfAny(d.service!)?.subsetNames.join(", ") || "none"}); ` +
              `add it there with addVersion() or fix the name`,
          ).message,
      );
  }

  private unknownUpstreams(): string[] {
    const unknown = this.upstreams.filter((u) => !this.mesh._knows(u.service));
    if (unknown.length === 0) return [];
    // Only listed when an upstream is unknown: sorting every name for every service is quadratic.
    const known = this.mesh.serviceNames.filter((n) => n !== this.serviceName);
    return unknown.map(
      (u) =>
        constructError(
          this,
          `upstream ${show(u.service)} is not a service in this stack (known: ${known.join(", ") || "none"}); ` +
            `fix the name, add the service, or declare it with mesh.addExternalService()`,
        ).message,
    );
  }
}

/** The resolver filter selecting one version's instances (meta Consul copies onto their sidecars). */
function versionFilter(version: string): string {
  return `Service.Meta.version == "${version}"`;
}

/** The ingress router rules each service claims. */
const ingressRules = new WeakMap<MeshService, string[]>();

/** Ingress router rules (`Host()`, `HostSNI()`): two services behind one rule would share its traffic. */
function ingressRuleClaims(construct: IConstruct): Claim[] {
  return construct instanceof MeshService
    ? (ingressRules.get(construct) ?? []).map((what) => ({ what, owner: construct }))
    : [];
}

/** A discovery-chain message in the words of MeshService's methods. */
function inUserWords(detail: string): string {
  return detail
    .replace(/split\(\) is called twice/, "splitTraffic() is called twice")
    .replace(/\bsplits\[\d+\]\./g, "")
    .replace(/\bsplits (weights|name)\b/g, (_m, w: string) => (w === "weights" ? "weights" : "weights name"))
    .replace(/\broutes\[\d+\]\./g, "")
    .replace(/add the subset/g, "add it with addVersion()")
    .replace(/\bsubsets\b/g, "versions")
    .replace(/\bsubset\b/g, "version");
}
