import { Construct } from "constructs";
import { MeshJob, MeshService, MeshTaskProps, ServiceMesh } from "../../constructs/mesh";
import { TaskDriver } from "../../constructs/nomad";
import { COUNT_API_PY, COUNT_DASHBOARD_PY } from "./countdash-programs";
import { pythonTask } from "./python-programs";

/** How the dashboard reaches the API. */
export type CountdashMode = "transparent-proxy" | "upstreams";

/** Props for {@link Countdash}. */
export interface CountdashProps {
  /** The mesh; its driver picks the counter images (docker) or the Python programs (raw_exec, exec). */
  readonly mesh: ServiceMesh;
  /**
   * Transparent proxy (`count-api.virtual.consul`) or a manual upstream on local port 8080.
   * @default "transparent-proxy"
   */
  readonly mode?: CountdashMode;
  /**
   * Nomad job ID.
   * @default "countdash"
   */
  readonly jobName?: string;
  /**
   * Static host port of the dashboard. Routed through the ingress (`dashboardHost`), it is plain HTTP
   * past TLS and the intentions: give it only on a cluster on loopback.
   * @default 9002 without `dashboardHost`; none with it
   */
  readonly dashboardHostPort?: number;
  /**
   * Route the dashboard through the mesh's ingress on this host.
   * @default - not exposed through the ingress
   */
  readonly dashboardHost?: string;
  /**
   * Python 3 interpreter for the host-program variant.
   * @default "python3"
   */
  readonly python?: string;
  /**
   * Place the dashboard and the API on different Nomad clients (`distinct_hosts`), so a request
   * crosses nodes through both sidecars.
   * @default false
   */
  readonly distinctHosts?: boolean;
  /**
   * Instances of each group. With `distinctHosts`, more than one places each group's instances on
   * distinct clients (a client may hold one of each), so one client's fault leaves each service an
   * instance elsewhere.
   * @default 1
   */
  readonly instances?: number;
  /**
   * The count-api of a cluster peer's demo: this count-api fails over to it, and the dashboard also
   * calls it directly (`/peer-count`, upstream port 8081), both through the mesh gateways.
   * @default - no peer
   */
  readonly peerApi?: MeshService;
}

const API_PORT = 9001;
const DASHBOARD_PORT = 9002;
const UPSTREAM_PORT = 8080;
const PEER_UPSTREAM_PORT = 8081;

/**
 * The countdash demo (Nomad's Consul service mesh guide): `count-api` and `count-dashboard` groups
 * in one job, the dashboard reaching the API through the mesh, with exactly one intention
 * (dashboard → api). On docker clusters it runs `hashicorpdev/counter-*:v3`; elsewhere small Python
 * programs rendered into the task directory.
 */
export class Countdash extends Construct {
  /** The job. */
  public readonly job: MeshJob;
  /** The counting API. */
  public readonly api: MeshService;
  /** The dashboard. */
  public readonly dashboard: MeshService;

  public constructor(scope: Construct, id: string, props: CountdashProps) {
    super(scope, id);
    const { mesh } = props;
    const transparentProxy = (props.mode ?? "transparent-proxy") === "transparent-proxy";
    const instances = props.instances ?? 1;
    const distinct = props.distinctHosts
      ? [{ Operand: "distinct_hosts" as const, RTarget: "true" }]
      : undefined;
    // One of each: every allocation on its own client. More: each group's on distinct clients.
    const groupPlacement = instances > 1 ? { count: instances, constraints: distinct } : {};
    this.job = new MeshJob(this, "Job", {
      mesh,
      name: props.jobName ?? "countdash",
      constraints: instances > 1 ? undefined : distinct,
    });
    this.api = new MeshService(this.job, "count-api", {
      mesh,
      port: API_PORT,
      ...groupPlacement,
      transparentProxy,
      healthCheck: { path: "/health" },
      tasks: [
        program(props, "web", "hashicorpdev/counter-api:v3", "api.py", COUNT_API_PY, { PORT: `${API_PORT}` }),
      ],
    });
    this.dashboard = new MeshService(this.job, "count-dashboard", {
      mesh,
      port: DASHBOARD_PORT,
      ...groupPlacement,
      hostPort: props.dashboardHostPort ?? (props.dashboardHost ? undefined : DASHBOARD_PORT),
      allowHostPortWithIngress: props.dashboardHostPort !== undefined,
      transparentProxy,
      healthCheck: { path: "/health" },
      expose: props.dashboardHost ? { http: { host: props.dashboardHost } } : undefined,
    });
    this.dashboard.connectTo(this.api, transparentProxy ? {} : { localBindPort: UPSTREAM_PORT });
    const peerApi = props.peerApi;
    if (peerApi) {
      this.api.failoverTo(peerApi);
      this.dashboard.connectTo(peerApi, { localBindPort: PEER_UPSTREAM_PORT });
    }
    this.dashboard.addTask(
      program(props, "dashboard", "hashicorpdev/counter-dashboard:v3", "dashboard.py", COUNT_DASHBOARD_PY, {
        PORT: `${DASHBOARD_PORT}`,
        COUNTING_SERVICE_URL: `http://${this.dashboard.upstreamAddress(this.api)}`,
        ...(peerApi && {
          PEER_COUNTING_SERVICE_URL: `http://${this.dashboard.upstreamAddress(peerApi)}`,
        }),
      }),
    );
  }
}

function program(
  props: CountdashProps,
  name: string,
  image: string,
  file: string,
  source: string,
  env: Record<string, string>,
): MeshTaskProps {
  if (props.mesh.driver === "docker") return { name, driver: TaskDriver.docker({ image }), env };
  return pythonTask(props.mesh.driver, { name, file, source, env, python: props.python ?? "python3" });
}
