/**
 * Types for the parts of Nomad's JSON job API (`/v1/jobs`, https://developer.hashicorp.com/nomad/api-docs/json-jobs)
 * that meshstack renders. Field names are Nomad's own PascalCase names, so a rendered model is the API
 * document itself. Durations are nanoseconds, as the API expects; use {@link nanoseconds} to convert.
 *
 * Every object takes `raw`, an escape hatch deep-merged into the rendered object, for API fields this
 * model does not cover.
 */

/** A JSON value, for driver configs and raw fields. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { readonly [key: string]: JsonValue };

/** Raw API fields deep-merged into a rendered object (objects merge, everything else replaces). */
export type RawFields = { readonly [field: string]: JsonValue };

/** Any model object: carries the `raw` escape hatch. */
export interface Rawable {
  /**
   * API fields this model does not cover, deep-merged into the rendered object.
   * @default - none
   */
  readonly raw?: RawFields;
}

/** A duration in nanoseconds, the unit of every duration in Nomad's JSON API. */
export type Nanoseconds = number;

/** Nomad job types. */
export type JobType = "service" | "system" | "batch" | "sysbatch";

/** Network modes of a task group. */
export type NetworkMode = "bridge" | "host" | "none" | `cni/${string}`;

/** A placement constraint (`constraint` block). */
export interface Constraint extends Rawable {
  /** Left side, usually an attribute such as `${attr.unique.hostname}`. */
  readonly LTarget?: string;
  /** Right side, the value compared with. */
  readonly RTarget?: string;
  /** Operator, e.g. `=`, `set_contains_any`, `distinct_hosts`. */
  readonly Operand: string;
}

/** A placement preference (`affinity` block). */
export interface Affinity extends Rawable {
  /** Left side, usually an attribute. */
  readonly LTarget: string;
  /** Right side, the value compared with. */
  readonly RTarget: string;
  /** Operator, e.g. `=`. */
  readonly Operand: string;
  /** Weight from -100 to 100. */
  readonly Weight: number;
}

/** Rolling update and canary strategy (`update` block). */
export interface UpdateStrategy extends Rawable {
  /** Allocations updated at once. */
  readonly MaxParallel?: number;
  /** Health mechanism: `checks`, `task_states` or `manual`. */
  readonly HealthCheck?: "checks" | "task_states" | "manual";
  /** Time an allocation must be healthy before it counts. */
  readonly MinHealthyTime?: Nanoseconds;
  /** Deadline for an allocation to become healthy. */
  readonly HealthyDeadline?: Nanoseconds;
  /** Deadline for the deployment to make progress. */
  readonly ProgressDeadline?: Nanoseconds;
  /** Canary allocations placed before the rollout. */
  readonly Canary?: number;
  /** Revert to the last stable job when a deployment fails. */
  readonly AutoRevert?: boolean;
  /** Promote healthy canaries without an operator. */
  readonly AutoPromote?: boolean;
  /** Delay between updates of system jobs. */
  readonly Stagger?: Nanoseconds;
}

/** Restart policy of a task group or task (`restart` block). */
export interface RestartPolicy extends Rawable {
  /** Restarts allowed within `Interval`. */
  readonly Attempts?: number;
  /** Window the attempts are counted in. */
  readonly Interval?: Nanoseconds;
  /** Wait before a restart. */
  readonly Delay?: Nanoseconds;
  /** What to do when attempts run out: `fail` or `delay`. */
  readonly Mode?: "fail" | "delay";
}

/** A port of a group network. */
export interface Port extends Rawable {
  /** Port label, referenced by services and `NOMAD_PORT_<label>`. */
  readonly Label: string;
  /** Host port; static for `ReservedPorts`, 0 (chosen by Nomad) for `DynamicPorts`. */
  readonly Value?: number;
  /** Port inside the network namespace; -1 maps to the same dynamic port. */
  readonly To?: number;
  /** Named host network to bind on. */
  readonly HostNetwork?: string;
}

/** A group network (`network` block). */
export interface NetworkResource extends Rawable {
  /** Networking mode. */
  readonly Mode?: NetworkMode;
  /** Ports with a static host port. */
  readonly ReservedPorts?: readonly Port[];
  /** Ports with a host port chosen by Nomad. */
  readonly DynamicPorts?: readonly Port[];
}

/** Compute resources of a task (`resources` block). */
export interface Resources extends Rawable {
  /** CPU in MHz. */
  readonly CPU?: number;
  /** Memory in MiB. */
  readonly MemoryMB?: number;
  /** Memory the task may burst to, in MiB. */
  readonly MemoryMaxMB?: number;
}

/** A health check of a service (`check` block). */
export interface ServiceCheck extends Rawable {
  /** Check name. */
  readonly Name?: string;
  /** Check type: `http`, `tcp`, `grpc` or `script`. */
  readonly Type: "http" | "tcp" | "grpc" | "script";
  /** HTTP path. */
  readonly Path?: string;
  /** HTTP protocol: `http` or `https`. */
  readonly Protocol?: string;
  /** Port label or number to check. */
  readonly PortLabel?: string;
  /** Route the check through an automatically generated expose path. */
  readonly Expose?: boolean;
  /** Time between checks. */
  readonly Interval: Nanoseconds;
  /** Time a check may take. */
  readonly Timeout: Nanoseconds;
  /** Task the check belongs to; Nomad fills it in for Connect-native services, so render it. */
  readonly TaskName?: string;
}

/** A Connect upstream (`upstreams` block). */
export interface ConsulUpstream extends Rawable {
  /** The service called. */
  readonly DestinationName: string;
  /** Port the sidecar listens on inside the namespace for this upstream. */
  readonly LocalBindPort: number;
  /** Address the sidecar binds, default 127.0.0.1. */
  readonly LocalBindAddress?: string;
  /** Datacenter of the destination. */
  readonly Datacenter?: string;
  /** Consul namespace of the destination. */
  readonly DestinationNamespace?: string;
}

/** Transparent proxy settings (`transparent_proxy` block); `{}` enables it with defaults. */
export interface ConsulTransparentProxy extends Rawable {
  /** UID of the proxy, excluded from redirection. */
  readonly UID?: string;
  /** Port of the proxy's outbound listener. */
  readonly OutboundPort?: number;
  /** Inbound ports not redirected to the proxy. */
  readonly ExcludeInboundPorts?: readonly string[];
  /** Outbound ports not redirected to the proxy. */
  readonly ExcludeOutboundPorts?: readonly number[];
  /** Outbound CIDRs not redirected to the proxy. */
  readonly ExcludeOutboundCIDRs?: readonly string[];
  /** Do not point the workload's DNS at Consul. */
  readonly NoDNS?: boolean;
}

/** A path the sidecar exposes without mTLS, e.g. for health checks. */
export interface ConsulExposePath extends Rawable {
  /** HTTP path. */
  readonly Path: string;
  /** `http` or `http2`. */
  readonly Protocol: "http" | "http2";
  /** Port of the application inside the namespace. */
  readonly LocalPathPort: number;
  /** Label of the group port the sidecar listens on for this path. */
  readonly ListenerPort: string;
}

/** Expose settings (`expose` block). */
export interface ConsulExposeConfig extends Rawable {
  /** The exposed paths. */
  readonly Paths: readonly ConsulExposePath[];
}

/** Sidecar proxy settings (`proxy` block). */
export interface ConsulProxy extends Rawable {
  /** Upstreams reached through local ports. */
  readonly Upstreams?: readonly ConsulUpstream[];
  /** Transparent proxy; upstreams are reached through virtual addresses. */
  readonly TransparentProxy?: ConsulTransparentProxy;
  /** Paths exposed without mTLS. */
  readonly Expose?: ConsulExposeConfig;
  /** Address of the application the proxy forwards to. */
  readonly LocalServiceAddress?: string;
  /** Port of the application the proxy forwards to. */
  readonly LocalServicePort?: number;
  /** Opaque Envoy configuration. */
  readonly Config?: RawFields;
}

/** The sidecar service registered for a Connect service (`sidecar_service` block). */
export interface ConsulSidecarService extends Rawable {
  /** Tags of the sidecar service. */
  readonly Tags?: readonly string[];
  /** Port label of the sidecar. */
  readonly Port?: string;
  /** Proxy settings. */
  readonly Proxy?: ConsulProxy;
  /** Skip the default TCP check of the sidecar. */
  readonly DisableDefaultTCPCheck?: boolean;
}

/** Overrides of the task Nomad injects for the sidecar (`sidecar_task` block). */
export interface SidecarTask extends Rawable {
  /** Task name. */
  readonly Name?: string;
  /** Task driver. */
  readonly Driver?: string;
  /** Driver configuration. */
  readonly Config?: RawFields;
  /** Environment variables. */
  readonly Env?: Readonly<Record<string, string>>;
  /** Resources. */
  readonly Resources?: Resources;
  /** Time between SIGINT and SIGKILL. */
  readonly KillTimeout?: Nanoseconds;
}

/** Consul service mesh settings of a service (`connect` block). */
export interface ConsulConnect extends Rawable {
  /** The service speaks mTLS itself (Connect-native), no sidecar. */
  readonly Native?: boolean;
  /** The sidecar service. */
  readonly SidecarService?: ConsulSidecarService;
  /** Overrides of the injected sidecar task. */
  readonly SidecarTask?: SidecarTask;
}

/** A service registration (`service` block). */
export interface Service extends Rawable {
  /** Service name. */
  readonly Name: string;
  /** Port label, or a port number as a string for Connect services. */
  readonly PortLabel?: string;
  /** Tags, e.g. Traefik router labels. */
  readonly Tags?: readonly string[];
  /** Registry: `consul` or `nomad`. */
  readonly Provider?: "consul" | "nomad";
  /** Health checks. */
  readonly Checks?: readonly ServiceCheck[];
  /** Service mesh settings. */
  readonly Connect?: ConsulConnect;
  /** Service metadata. */
  readonly Meta?: Readonly<Record<string, string>>;
  /** Task a group service belongs to (Connect-native services in multi-task groups). */
  readonly TaskName?: string;
}

/** A template rendered into the task directory (`template` block). */
export interface Template extends Rawable {
  /** Template text (consul-template syntax). */
  readonly EmbeddedTmpl: string;
  /** Destination, relative to the task directory. */
  readonly DestPath: string;
  /** What to do when the rendered text changes: `restart`, `signal`, `noop` or `script`. */
  readonly ChangeMode?: "restart" | "signal" | "noop" | "script";
  /** Signal sent with `ChangeMode: "signal"`. */
  readonly ChangeSignal?: string;
  /** Left delimiter, default `{{`. */
  readonly LeftDelim?: string;
  /** Right delimiter, default `}}`. */
  readonly RightDelim?: string;
  /** File mode, e.g. `"0644"`. */
  readonly Perms?: string;
  /** Load the rendered file as environment variables. */
  readonly Envvars?: boolean;
}

/** Vault access of a task (`vault` block); with workload identity only `Role` is needed. */
export interface Vault extends Rawable {
  /** Vault JWT auth role to log in with. */
  readonly Role?: string;
  /** Legacy token policies (Nomad token role flow). */
  readonly Policies?: readonly string[];
  /** Vault namespace. */
  readonly Namespace?: string;
  /** Expose the token as `VAULT_TOKEN`. */
  readonly Env?: boolean;
  /** What to do when the token changes. */
  readonly ChangeMode?: "restart" | "signal" | "noop";
}

/** A workload identity (`identity` block). */
export interface WorkloadIdentity extends Rawable {
  /** Identity name, e.g. `vault_default`. */
  readonly Name?: string;
  /** Audiences of the JWT. */
  readonly Audience?: readonly string[];
  /** Expose the JWT as `NOMAD_TOKEN_<name>`. */
  readonly Env?: boolean;
  /** Write the JWT into the secrets directory. */
  readonly File?: boolean;
  /** Lifetime of the JWT. */
  readonly TTL?: Nanoseconds;
}

/** A volume mounted into a task (`volume_mount` block). */
export interface VolumeMount extends Rawable {
  /** Name of the group volume. */
  readonly Volume: string;
  /** Path inside the task. */
  readonly Destination: string;
  /** Mount read-only. */
  readonly ReadOnly?: boolean;
}

/** A volume requested by a task group (`volume` block). */
export interface VolumeRequest extends Rawable {
  /** Volume name. */
  readonly Name: string;
  /** `host` or `csi`. */
  readonly Type: "host" | "csi";
  /** Host volume or CSI volume ID. */
  readonly Source: string;
  /** Mount read-only. */
  readonly ReadOnly?: boolean;
}

/** A file fetched into the task directory (`artifact` block). */
export interface TaskArtifact extends Rawable {
  /** go-getter source URL. */
  readonly GetterSource: string;
  /** Destination relative to the task directory. */
  readonly RelativeDest?: string;
}

/** Lifecycle hook of a task (`lifecycle` block). */
export interface TaskLifecycle extends Rawable {
  /** `prestart`, `poststart` or `poststop`. */
  readonly Hook: "prestart" | "poststart" | "poststop";
  /** Keep running alongside the main tasks. */
  readonly Sidecar?: boolean;
}

/** A task (`task` block). */
export interface Task extends Rawable {
  /** Task name. */
  readonly Name: string;
  /** Driver: `docker`, `exec`, `raw_exec`, `qemu`, … */
  readonly Driver: string;
  /** Driver configuration. */
  readonly Config?: RawFields;
  /** Environment variables. */
  readonly Env?: Readonly<Record<string, string>>;
  /** Templates. */
  readonly Templates?: readonly Template[];
  /** Resources. */
  readonly Resources?: Resources;
  /** Vault access. */
  readonly Vault?: Vault;
  /** Workload identities. */
  readonly Identities?: readonly WorkloadIdentity[];
  /** Volume mounts. */
  readonly VolumeMounts?: readonly VolumeMount[];
  /** Artifacts. */
  readonly Artifacts?: readonly TaskArtifact[];
  /** Lifecycle hook. */
  readonly Lifecycle?: TaskLifecycle;
  /** Task-level services (host networking). */
  readonly Services?: readonly Service[];
  /** Task-level constraints. */
  readonly Constraints?: readonly Constraint[];
  /** Restart policy. */
  readonly RestartPolicy?: RestartPolicy;
  /** Time between SIGINT and SIGKILL. */
  readonly KillTimeout?: Nanoseconds;
  /** Metadata. */
  readonly Meta?: Readonly<Record<string, string>>;
}

/** A task group (`group` block). */
export interface TaskGroup extends Rawable {
  /** Group name. */
  readonly Name: string;
  /** Allocations to run (not for system jobs). */
  readonly Count?: number;
  /** Tasks. */
  readonly Tasks: readonly Task[];
  /** Networks; Nomad takes one. */
  readonly Networks?: readonly NetworkResource[];
  /** Group-level services. */
  readonly Services?: readonly Service[];
  /** Placement constraints. */
  readonly Constraints?: readonly Constraint[];
  /** Placement preferences. */
  readonly Affinities?: readonly Affinity[];
  /** Update strategy. */
  readonly Update?: UpdateStrategy;
  /** Restart policy. */
  readonly RestartPolicy?: RestartPolicy;
  /** Volumes, by name. */
  readonly Volumes?: Readonly<Record<string, VolumeRequest>>;
  /** Metadata. */
  readonly Meta?: Readonly<Record<string, string>>;
}

/** A job (`job` block). */
export interface Job extends Rawable {
  /** Job ID. */
  readonly ID: string;
  /** Job name; Nomad uses the ID when empty. */
  readonly Name?: string;
  /** Scheduler type. */
  readonly Type?: JobType;
  /** Datacenters to place in; `*` matches all. */
  readonly Datacenters?: readonly string[];
  /** Nomad namespace. */
  readonly Namespace?: string;
  /** Region. */
  readonly Region?: string;
  /** Node pool. */
  readonly NodePool?: string;
  /** Scheduling priority, 1-100. */
  readonly Priority?: number;
  /** Placement constraints. */
  readonly Constraints?: readonly Constraint[];
  /** Placement preferences. */
  readonly Affinities?: readonly Affinity[];
  /** Update strategy for all groups. */
  readonly Update?: UpdateStrategy;
  /** Task groups. */
  readonly TaskGroups: readonly TaskGroup[];
  /** Metadata. */
  readonly Meta?: Readonly<Record<string, string>>;
}
