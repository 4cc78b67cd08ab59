/**
 * Types for the parts of Nomad's JSON job API (`/v1/jobs`, https://developer.hashicorp.com/nomad/api-docs/json-jobs)
 * that meshstack renders. Field names are Nomad's own PascalCase names, so a rendered model is the API
 * document itself. Durations are nanoseconds, as the API expects; use {@link nanoseconds} to convert.
 *
 * Every object takes `raw`, an escape hatch deep-merged into the rendered object, for API fields this
 * model does not cover.
 */

import type { JsonValue } from "../../core/json";

/** A JSON value, for driver configs and raw fields. */
export type { JsonValue } from "../../core/json";

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
  /**
   * Left side, usually an attribute such as `${attr.unique.hostname}`.
   * @default - Nomad's default
   */
  readonly LTarget?: string;
  /**
   * Right side, the value compared with.
   * @default - Nomad's default
   */
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
  /**
   * Allocations updated at once.
   * @default - Nomad's default
   */
  readonly MaxParallel?: number;
  /**
   * Health mechanism: `checks`, `task_states` or `manual`.
   * @default - Nomad's default
   */
  readonly HealthCheck?: "checks" | "task_states" | "manual";
  /**
   * Time an allocation must be healthy before it counts.
   * @default - Nomad's default
   */
  readonly MinHealthyTime?: Nanoseconds;
  /**
   * Deadline for an allocation to become healthy.
   * @default - Nomad's default
   */
  readonly HealthyDeadline?: Nanoseconds;
  /**
   * Deadline for the deployment to make progress.
   * @default - Nomad's default
   */
  readonly ProgressDeadline?: Nanoseconds;
  /**
   * Canary allocations placed before the rollout.
   * @default - Nomad's default
   */
  readonly Canary?: number;
  /**
   * Revert to the last stable job when a deployment fails.
   * @default - Nomad's default
   */
  readonly AutoRevert?: boolean;
  /**
   * Promote healthy canaries without an operator.
   * @default - Nomad's default
   */
  readonly AutoPromote?: boolean;
  /**
   * Delay between updates of system jobs.
   * @default - Nomad's default
   */
  readonly Stagger?: Nanoseconds;
}

/** Restart policy of a task group or task (`restart` block). */
export interface RestartPolicy extends Rawable {
  /**
   * Restarts allowed within `Interval`.
   * @default - Nomad's default
   */
  readonly Attempts?: number;
  /**
   * Window the attempts are counted in.
   * @default - Nomad's default
   */
  readonly Interval?: Nanoseconds;
  /**
   * Wait before a restart.
   * @default - Nomad's default
   */
  readonly Delay?: Nanoseconds;
  /**
   * What to do when attempts run out: `fail` or `delay`.
   * @default - Nomad's default
   */
  readonly Mode?: "fail" | "delay";
}

/** A port of a group network. */
export interface Port extends Rawable {
  /** Port label, referenced by services and `NOMAD_PORT_<label>`. */
  readonly Label: string;
  /**
   * Host port; static for `ReservedPorts`, 0 (chosen by Nomad) for `DynamicPorts`.
   * @default - Nomad's default
   */
  readonly Value?: number;
  /**
   * Port inside the network namespace; -1 maps to the same dynamic port.
   * @default - Nomad's default
   */
  readonly To?: number;
  /**
   * Named host network to bind on.
   * @default - Nomad's default
   */
  readonly HostNetwork?: string;
}

/** A group network (`network` block). */
export interface NetworkResource extends Rawable {
  /**
   * Networking mode.
   * @default - Nomad's default
   */
  readonly Mode?: NetworkMode;
  /**
   * Ports with a static host port.
   * @default - Nomad's default
   */
  readonly ReservedPorts?: readonly Port[];
  /**
   * Ports with a host port chosen by Nomad.
   * @default - Nomad's default
   */
  readonly DynamicPorts?: readonly Port[];
}

/** Compute resources of a task (`resources` block). */
export interface Resources extends Rawable {
  /**
   * CPU in MHz.
   * @default - Nomad's default
   */
  readonly CPU?: number;
  /**
   * Memory in MiB.
   * @default - Nomad's default
   */
  readonly MemoryMB?: number;
  /**
   * Memory the task may burst to, in MiB.
   * @default - Nomad's default
   */
  readonly MemoryMaxMB?: number;
}

/** A health check of a service (`check` block). */
export interface ServiceCheck extends Rawable {
  /**
   * Check name.
   * @default - Nomad's default
   */
  readonly Name?: string;
  /** Check type: `http`, `tcp`, `grpc` or `script`. */
  readonly Type: "http" | "tcp" | "grpc" | "script";
  /**
   * HTTP path.
   * @default - Nomad's default
   */
  readonly Path?: string;
  /**
   * HTTP protocol: `http` or `https`.
   * @default - Nomad's default
   */
  readonly Protocol?: string;
  /**
   * Port label or number to check.
   * @default - Nomad's default
   */
  readonly PortLabel?: string;
  /**
   * Route the check through an automatically generated expose path.
   * @default - Nomad's default
   */
  readonly Expose?: boolean;
  /** Time between checks. */
  readonly Interval: Nanoseconds;
  /** Time a check may take. */
  readonly Timeout: Nanoseconds;
  /**
   * Task the check belongs to; Nomad fills it in for Connect-native services, so render it.
   * @default - Nomad's default
   */
  readonly TaskName?: string;
}

/** A Connect upstream (`upstreams` block). */
export interface ConsulUpstream extends Rawable {
  /** The service called. */
  readonly DestinationName: string;
  /** Port the sidecar listens on inside the namespace for this upstream. */
  readonly LocalBindPort: number;
  /**
   * Address the sidecar binds, default 127.0.0.1.
   * @default - Nomad's default
   */
  readonly LocalBindAddress?: string;
  /**
   * Datacenter of the destination.
   * @default - Nomad's default
   */
  readonly Datacenter?: string;
  /**
   * Consul namespace of the destination.
   * @default - Nomad's default
   */
  readonly DestinationNamespace?: string;
}

/** Transparent proxy settings (`transparent_proxy` block); `{}` enables it with defaults. */
export interface ConsulTransparentProxy extends Rawable {
  /**
   * UID of the proxy, excluded from redirection.
   * @default - Nomad's default
   */
  readonly UID?: string;
  /**
   * Port of the proxy's outbound listener.
   * @default - Nomad's default
   */
  readonly OutboundPort?: number;
  /**
   * Inbound ports not redirected to the proxy.
   * @default - Nomad's default
   */
  readonly ExcludeInboundPorts?: readonly string[];
  /**
   * Outbound ports not redirected to the proxy.
   * @default - Nomad's default
   */
  readonly ExcludeOutboundPorts?: readonly number[];
  /**
   * Outbound CIDRs not redirected to the proxy.
   * @default - Nomad's default
   */
  readonly ExcludeOutboundCIDRs?: readonly string[];
  /**
   * Do not point the workload's DNS at Consul.
   * @default - Nomad's default
   */
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
  /**
   * Upstreams reached through local ports.
   * @default - Nomad's default
   */
  readonly Upstreams?: readonly ConsulUpstream[];
  /**
   * Transparent proxy; upstreams are reached through virtual addresses.
   * @default - Nomad's default
   */
  readonly TransparentProxy?: ConsulTransparentProxy;
  /**
   * Paths exposed without mTLS.
   * @default - Nomad's default
   */
  readonly Expose?: ConsulExposeConfig;
  /**
   * Address of the application the proxy forwards to.
   * @default - Nomad's default
   */
  readonly LocalServiceAddress?: string;
  /**
   * Port of the application the proxy forwards to.
   * @default - Nomad's default
   */
  readonly LocalServicePort?: number;
  /**
   * Opaque Envoy configuration.
   * @default - Nomad's default
   */
  readonly Config?: RawFields;
}

/** The sidecar service registered for a Connect service (`sidecar_service` block). */
export interface ConsulSidecarService extends Rawable {
  /**
   * Tags of the sidecar service.
   * @default - Nomad's default
   */
  readonly Tags?: readonly string[];
  /**
   * Port label of the sidecar.
   * @default - Nomad's default
   */
  readonly Port?: string;
  /**
   * Proxy settings.
   * @default - Nomad's default
   */
  readonly Proxy?: ConsulProxy;
  /**
   * Skip the default TCP check of the sidecar.
   * @default - Nomad's default
   */
  readonly DisableDefaultTCPCheck?: boolean;
}

/** Overrides of the task Nomad injects for the sidecar (`sidecar_task` block). */
export interface SidecarTask extends Rawable {
  /**
   * Task name.
   * @default - Nomad's default
   */
  readonly Name?: string;
  /**
   * Task driver.
   * @default - Nomad's default
   */
  readonly Driver?: string;
  /**
   * Host user the sidecar runs as.
   * @default - Nomad's default
   */
  readonly User?: string;
  /**
   * Driver configuration.
   * @default - Nomad's default
   */
  readonly Config?: RawFields;
  /**
   * Environment variables.
   * @default - Nomad's default
   */
  readonly Env?: Readonly<Record<string, string>>;
  /**
   * Resources.
   * @default - Nomad's default
   */
  readonly Resources?: Resources;
  /**
   * Time between SIGINT and SIGKILL.
   * @default - Nomad's default
   */
  readonly KillTimeout?: Nanoseconds;
}

/** Consul service mesh settings of a service (`connect` block). */
export interface ConsulConnect extends Rawable {
  /**
   * The service speaks mTLS itself (Connect-native), no sidecar.
   * @default - Nomad's default
   */
  readonly Native?: boolean;
  /**
   * The sidecar service.
   * @default - Nomad's default
   */
  readonly SidecarService?: ConsulSidecarService;
  /**
   * Overrides of the injected sidecar task (the gateway's Envoy task, for a gateway).
   * @default - Nomad's default
   */
  readonly SidecarTask?: SidecarTask;
  /**
   * The service is a Connect gateway (Nomad injects its Envoy task and writes its config entry).
   * @default - not a gateway
   */
  readonly Gateway?: ConsulGateway;
}

/** A service linked to a terminating gateway (`linked_service`). */
export interface ConsulLinkedService {
  /** The linked service's name. */
  readonly Name: string;
  /**
   * CA file, as the gateway task sees it, verifying the service's certificate.
   * @default - plain TCP
   */
  readonly CAFile?: string;
  /**
   * Server name the gateway asks for and verifies.
   * @default - none
   */
  readonly SNI?: string;
}

/** A Connect gateway (`gateway` block): its proxy, and exactly one kind. */
export interface ConsulGateway extends Rawable {
  /**
   * Envoy settings of the gateway.
   * @default - Nomad's default
   */
  readonly Proxy?: Readonly<Record<string, unknown>>;
  /**
   * A terminating gateway and the services it links.
   * @default - not a terminating gateway
   */
  readonly Terminating?: { readonly Services: readonly ConsulLinkedService[] };
  /**
   * A mesh gateway.
   * @default - not a mesh gateway
   */
  readonly Mesh?: Readonly<Record<string, never>>;
}

/** A service registration (`service` block). */
export interface Service extends Rawable {
  /** Service name. */
  readonly Name: string;
  /**
   * Port label, or a port number as a string for Connect services.
   * @default - Nomad's default
   */
  readonly PortLabel?: string;
  /**
   * Tags, e.g. Traefik router labels.
   * @default - Nomad's default
   */
  readonly Tags?: readonly string[];
  /**
   * Registry: `consul` or `nomad`.
   * @default - Nomad's default
   */
  readonly Provider?: "consul" | "nomad";
  /**
   * Health checks.
   * @default - Nomad's default
   */
  readonly Checks?: readonly ServiceCheck[];
  /**
   * Service mesh settings.
   * @default - Nomad's default
   */
  readonly Connect?: ConsulConnect;
  /**
   * Service metadata.
   * @default - Nomad's default
   */
  readonly Meta?: Readonly<Record<string, string>>;
  /**
   * Task a group service belongs to (Connect-native services in multi-task groups).
   * @default - Nomad's default
   */
  readonly TaskName?: string;
}

/** A template rendered into the task directory (`template` block). */
export interface Template extends Rawable {
  /** Template text (consul-template syntax). */
  readonly EmbeddedTmpl: string;
  /** Destination, relative to the task directory. */
  readonly DestPath: string;
  /**
   * What to do when the rendered text changes: `restart`, `signal`, `noop` or `script`.
   * @default - Nomad's default
   */
  readonly ChangeMode?: "restart" | "signal" | "noop" | "script";
  /**
   * Signal sent with `ChangeMode: "signal"`.
   * @default - Nomad's default
   */
  readonly ChangeSignal?: string;
  /**
   * Left delimiter, default `{{`.
   * @default - Nomad's default
   */
  readonly LeftDelim?: string;
  /**
   * Right delimiter, default `}}`.
   * @default - Nomad's default
   */
  readonly RightDelim?: string;
  /**
   * File mode, e.g. `"0644"`.
   * @default - Nomad's default
   */
  readonly Perms?: string;
  /**
   * Load the rendered file as environment variables.
   * @default - Nomad's default
   */
  readonly Envvars?: boolean;
}

/** Vault access of a task (`vault` block); with workload identity only `Role` is needed. */
export interface Vault extends Rawable {
  /**
   * Vault JWT auth role to log in with.
   * @default - Nomad's default
   */
  readonly Role?: string;
  /**
   * Legacy token policies (Nomad token role flow).
   * @default - Nomad's default
   */
  readonly Policies?: readonly string[];
  /**
   * Vault namespace.
   * @default - Nomad's default
   */
  readonly Namespace?: string;
  /**
   * Expose the token as `VAULT_TOKEN`.
   * @default - Nomad's default
   */
  readonly Env?: boolean;
  /**
   * What to do when the token changes.
   * @default - Nomad's default
   */
  readonly ChangeMode?: "restart" | "signal" | "noop";
}

/** A workload identity (`identity` block). */
export interface WorkloadIdentity extends Rawable {
  /**
   * Identity name, e.g. `vault_default`.
   * @default - Nomad's default
   */
  readonly Name?: string;
  /**
   * Audiences of the JWT.
   * @default - Nomad's default
   */
  readonly Audience?: readonly string[];
  /**
   * Expose the JWT as `NOMAD_TOKEN_<name>`.
   * @default - Nomad's default
   */
  readonly Env?: boolean;
  /**
   * Write the JWT into the secrets directory.
   * @default - Nomad's default
   */
  readonly File?: boolean;
  /**
   * Lifetime of the JWT.
   * @default - Nomad's default
   */
  readonly TTL?: Nanoseconds;
}

/** A volume mounted into a task (`volume_mount` block). */
export interface VolumeMount extends Rawable {
  /** Name of the group volume. */
  readonly Volume: string;
  /** Path inside the task. */
  readonly Destination: string;
  /**
   * Mount read-only.
   * @default - Nomad's default
   */
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
  /**
   * Mount read-only.
   * @default - Nomad's default
   */
  readonly ReadOnly?: boolean;
}

/** A file fetched into the task directory (`artifact` block). */
export interface TaskArtifact extends Rawable {
  /** go-getter source URL. */
  readonly GetterSource: string;
  /**
   * Destination relative to the task directory.
   * @default - Nomad's default
   */
  readonly RelativeDest?: string;
}

/** Lifecycle hook of a task (`lifecycle` block). */
export interface TaskLifecycle extends Rawable {
  /** `prestart`, `poststart` or `poststop`. */
  readonly Hook: "prestart" | "poststart" | "poststop";
  /**
   * Keep running alongside the main tasks.
   * @default - Nomad's default
   */
  readonly Sidecar?: boolean;
}

/** A task (`task` block). */
export interface Task extends Rawable {
  /** Task name. */
  readonly Name: string;
  /** Driver: `docker`, `exec`, `raw_exec`, `qemu`, … */
  readonly Driver: string;
  /**
   * Driver configuration.
   * @default - Nomad's default
   */
  readonly Config?: RawFields;
  /**
   * Environment variables.
   * @default - Nomad's default
   */
  readonly Env?: Readonly<Record<string, string>>;
  /**
   * Templates.
   * @default - Nomad's default
   */
  readonly Templates?: readonly Template[];
  /**
   * Resources.
   * @default - Nomad's default
   */
  readonly Resources?: Resources;
  /**
   * Vault access.
   * @default - Nomad's default
   */
  readonly Vault?: Vault;
  /**
   * Workload identities.
   * @default - Nomad's default
   */
  readonly Identities?: readonly WorkloadIdentity[];
  /**
   * Volume mounts.
   * @default - Nomad's default
   */
  readonly VolumeMounts?: readonly VolumeMount[];
  /**
   * Artifacts.
   * @default - Nomad's default
   */
  readonly Artifacts?: readonly TaskArtifact[];
  /**
   * Lifecycle hook.
   * @default - Nomad's default
   */
  readonly Lifecycle?: TaskLifecycle;
  /**
   * Task-level services (host networking).
   * @default - Nomad's default
   */
  readonly Services?: readonly Service[];
  /**
   * Task-level constraints.
   * @default - Nomad's default
   */
  readonly Constraints?: readonly Constraint[];
  /**
   * Restart policy.
   * @default - Nomad's default
   */
  readonly RestartPolicy?: RestartPolicy;
  /**
   * Time between SIGINT and SIGKILL.
   * @default - Nomad's default
   */
  readonly KillTimeout?: Nanoseconds;
  /**
   * Metadata.
   * @default - Nomad's default
   */
  readonly Meta?: Readonly<Record<string, string>>;
}

/** A task group (`group` block). */
export interface TaskGroup extends Rawable {
  /** Group name. */
  readonly Name: string;
  /**
   * Allocations to run (not for system jobs).
   * @default - Nomad's default
   */
  readonly Count?: number;
  /** Tasks. */
  readonly Tasks: readonly Task[];
  /**
   * Networks; Nomad takes one.
   * @default - Nomad's default
   */
  readonly Networks?: readonly NetworkResource[];
  /**
   * Group-level services.
   * @default - Nomad's default
   */
  readonly Services?: readonly Service[];
  /**
   * Placement constraints.
   * @default - Nomad's default
   */
  readonly Constraints?: readonly Constraint[];
  /**
   * Placement preferences.
   * @default - Nomad's default
   */
  readonly Affinities?: readonly Affinity[];
  /**
   * Update strategy.
   * @default - Nomad's default
   */
  readonly Update?: UpdateStrategy;
  /**
   * The allocation's local disk (`ephemeral_disk`).
   * @default - Nomad's default
   */
  readonly EphemeralDisk?: EphemeralDisk;
  /**
   * Restart policy.
   * @default - Nomad's default
   */
  readonly RestartPolicy?: RestartPolicy;
  /**
   * Volumes, by name.
   * @default - Nomad's default
   */
  readonly Volumes?: Readonly<Record<string, VolumeRequest>>;
  /**
   * Metadata.
   * @default - Nomad's default
   */
  readonly Meta?: Readonly<Record<string, string>>;
}

/** A group's local disk (`ephemeral_disk` block). */
export interface EphemeralDisk {
  /**
   * Hand `alloc/data` to the allocation that replaces this one on the same node.
   * @default - Nomad's default (false)
   */
  readonly Sticky?: boolean;
  /**
   * Copy `alloc/data` when the replacement lands on another node (needs `Sticky`).
   * @default - Nomad's default (false)
   */
  readonly Migrate?: boolean;
  /**
   * Size in MB.
   * @default - Nomad's default (300)
   */
  readonly SizeMB?: number;
}

/** A job (`job` block). */
export interface Job extends Rawable {
  /** Job ID. */
  readonly ID: string;
  /**
   * Job name; Nomad uses the ID when empty.
   * @default - Nomad's default
   */
  readonly Name?: string;
  /**
   * Scheduler type.
   * @default - Nomad's default
   */
  readonly Type?: JobType;
  /**
   * Datacenters to place in; `*` matches all.
   * @default - Nomad's default
   */
  readonly Datacenters?: readonly string[];
  /**
   * Nomad namespace.
   * @default - Nomad's default
   */
  readonly Namespace?: string;
  /**
   * Region.
   * @default - Nomad's default
   */
  readonly Region?: string;
  /**
   * Node pool.
   * @default - Nomad's default
   */
  readonly NodePool?: string;
  /**
   * Scheduling priority, 1-100.
   * @default - Nomad's default
   */
  readonly Priority?: number;
  /**
   * Placement constraints.
   * @default - Nomad's default
   */
  readonly Constraints?: readonly Constraint[];
  /**
   * Placement preferences.
   * @default - Nomad's default
   */
  readonly Affinities?: readonly Affinity[];
  /**
   * Update strategy for all groups.
   * @default - Nomad's default
   */
  readonly Update?: UpdateStrategy;
  /** Task groups. */
  readonly TaskGroups: readonly TaskGroup[];
  /**
   * Metadata.
   * @default - Nomad's default
   */
  readonly Meta?: Readonly<Record<string, string>>;
}
