import { Construct } from "constructs";
import { MeshService, MeshTaskProps, ServiceMesh } from "../constructs/mesh";
import { TaskDriver } from "../constructs/nomad";

/** Shape of a generated service graph. */
export type GraphShape = "chain" | "tree";

/** Props for {@link generateMesh}. */
export interface GeneratedMeshProps {
  /** The mesh. */
  readonly mesh: ServiceMesh;
  /** Number of services. */
  readonly services: number;
  /**
   * `chain`: svc-0 → svc-1 → …; `tree`: each service calls its `fanout` children.
   * @default "tree"
   */
  readonly shape?: GraphShape;
  /**
   * Children per service in a tree.
   * @default 2
   */
  readonly fanout?: number;
  /**
   * Use transparent proxy instead of local bind ports.
   * @default false
   */
  readonly transparentProxy?: boolean;
}

const APP_PORT = 8080;
const FIRST_UPSTREAM_PORT = 10001;

/**
 * Builds `services` mesh services (`svc-0` …), each in its own job, wired as a chain or a tree with
 * one upstream and one intention per edge; used by the synth benchmark (10 to 5,000 services).
 */
export function generateMesh(scope: Construct, props: GeneratedMeshProps): MeshService[] {
  const shape = props.shape ?? "tree";
  const fanout = props.fanout ?? 2;
  if (!Number.isInteger(props.services) || props.services < 1) {
    throw new Error(`generateMesh: services ${props.services} must be 1 or more`);
  }
  const services: MeshService[] = [];
  for (let i = 0; i < props.services; i++) {
    services.push(
      new MeshService(scope, `svc-${i}`, {
        mesh: props.mesh,
        port: APP_PORT,
        transparentProxy: props.transparentProxy,
        tasks: [appTask(props.mesh)],
      }),
    );
  }
  services.forEach((service, i) => {
    const children =
      shape === "chain" ? [i + 1] : Array.from({ length: fanout }, (_, k) => i * fanout + k + 1);
    children
      .filter((child) => child < services.length)
      .forEach((child, k) =>
        service.connectTo(
          services[child],
          props.transparentProxy ? {} : { localBindPort: FIRST_UPSTREAM_PORT + k },
        ),
      );
  });
  return services;
}

function appTask(mesh: ServiceMesh): MeshTaskProps {
  if (mesh.driver === "docker") {
    return {
      name: "app",
      driver: TaskDriver.docker({
        image: "hashicorp/http-echo:1.0",
        args: [`-listen=127.0.0.1:${APP_PORT}`, "-text=ok"],
      }),
      resources: { cpu: 20, memoryMb: 32 },
    };
  }
  const args = ["-m", "http.server", `${APP_PORT}`, "--bind", "127.0.0.1"];
  return {
    name: "app",
    driver:
      mesh.driver === "exec"
        ? TaskDriver.exec({ command: "python3", args })
        : TaskDriver.rawExec({ command: "python3", args }),
    resources: { cpu: 20, memoryMb: 32 },
  };
}
