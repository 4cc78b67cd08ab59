import { Construct } from "constructs";
import { IntentionAction } from "../../constructs/consul/intentions";
import { MeshJob, MeshService, MeshTaskProps, ServiceMesh } from "../../constructs/mesh";
import { CANARY_WEB_PY, GREETER_PY } from "./canary-programs";
import { pythonTask } from "./python-programs";

/** Props for {@link Canary}. */
export interface CanaryProps {
  /** The mesh; it needs MeshDefaults (the greeter speaks http). */
  readonly mesh: ServiceMesh;
  /** Host the web front is routed on through the mesh's ingress. */
  readonly host: string;
  /**
   * Share of the greeter's mesh traffic sent to `v2`, in percent.
   * @default 10
   */
  readonly canaryWeight?: number;
  /**
   * Nomad job ID.
   * @default "canary"
   */
  readonly jobName?: string;
  /**
   * Python 3 interpreter of the programs.
   * @default "python3"
   */
  readonly python?: string;
}

const GREETER_PORT = 9010;
const WEB_PORT = 9011;
const UPSTREAM_PORT = 8090;

/**
 * A canary release in the mesh: `greeter` runs as `v1` and `v2` (two groups, one service), callers
 * get `v2` for a weighted share of requests, for every path under `/v2/`, and whenever they send
 * `x-canary: always`. `canary-web`, behind the ingress, calls the greeter through its sidecar and
 * may `GET` or `HEAD`, `POST` only with `x-team: blue`, and nothing under `/admin`: the greeter's
 * sidecar refuses the rest (403).
 */
export class Canary extends Construct {
  /** The job holding every group. */
  public readonly job: MeshJob;
  /** The greeter, `v1` (its default version) and `v2`. */
  public readonly greeter: MeshService;
  /** The web front, exposed through the ingress. */
  public readonly web: MeshService;

  public constructor(scope: Construct, id: string, props: CanaryProps) {
    super(scope, id);
    const { mesh } = props;
    const weight = props.canaryWeight ?? 10;
    this.job = new MeshJob(this, "Job", { mesh, name: props.jobName ?? "canary" });
    this.greeter = new MeshService(this.job, "greeter", {
      mesh,
      port: GREETER_PORT,
      protocol: "http",
      version: "v1",
      healthCheck: { path: "/health" },
      tasks: [greeter(props, "v1")],
    });
    this.greeter
      .addVersion("v2", { tasks: [greeter(props, "v2")] })
      .splitTraffic({ v1: 100 - weight, v2: weight })
      .routeTraffic({ pathPrefix: "/v2/" }, { version: "v2" })
      .routeTraffic({ headers: [{ name: "x-canary", exact: "always" }] }, { version: "v2" });
    this.web = new MeshService(this.job, "canary-web", {
      mesh,
      port: WEB_PORT,
      healthCheck: { path: "/health" },
      expose: { http: { host: props.host } },
    });
    this.web.connectTo(this.greeter, {
      localBindPort: UPSTREAM_PORT,
      permissions: [
        { action: IntentionAction.DENY, pathPrefix: "/admin" },
        { action: IntentionAction.ALLOW, methods: ["GET", "HEAD"] },
        { action: IntentionAction.ALLOW, methods: ["POST"], headers: [{ name: "x-team", exact: "blue" }] },
      ],
    });
    this.web.addTask(
      program(props, "web", "canary-web.py", CANARY_WEB_PY, {
        PORT: `${WEB_PORT}`,
        GREETER_ADDR: this.web.upstreamAddress(this.greeter),
      }),
    );
  }
}

function greeter(props: CanaryProps, version: string): MeshTaskProps {
  return program(props, "greeter", "greeter.py", GREETER_PY, { PORT: `${GREETER_PORT}`, VERSION: version });
}

function program(
  props: CanaryProps,
  name: string,
  file: string,
  source: string,
  env: Record<string, string>,
): MeshTaskProps {
  return pythonTask(props.mesh.driver, { name, file, source, env, python: props.python ?? "python3" });
}
