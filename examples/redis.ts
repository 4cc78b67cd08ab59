import { Construct } from "constructs";
import { MeshService, MeshTaskProps, ServiceMesh } from "../constructs/mesh";
import { TaskDriver } from "../constructs/nomad";

/** Props for {@link RedisPubSub}. */
export interface RedisPubSubProps {
  /** The mesh; its driver picks the Redis image (docker) or host binaries (raw_exec, exec). */
  readonly mesh: ServiceMesh;
  /**
   * Consul service name of Redis (also the job ID).
   * @default "redis"
   */
  readonly serviceName?: string;
  /**
   * Redis image for the docker variant (server, and `redis-cli` for the clients).
   * @default "redis:7.2"
   */
  readonly image?: string;
  /**
   * Directory of `redis-server` and `redis-cli` on the nodes, for the host-program variant.
   * @default - looked up in PATH
   */
  readonly binDir?: string;
}

const REDIS_PORT = 6379;
const CHANNEL = "messages";

/**
 * The Redis producer/consumer demo from the Nomad 0.10 talk: Redis, a producer and a consumer as
 * three tasks of one bridge-mode group, talking over the shared namespace's loopback (nothing is
 * published on the host). Redis is also a mesh service, so other services can `connectTo` it.
 */
export class RedisPubSub extends Construct {
  /** The Redis mesh service (the group). */
  public readonly service: MeshService;

  public constructor(scope: Construct, id: string, props: RedisPubSubProps) {
    super(scope, id);
    const cli = `redis-cli -h 127.0.0.1 -p ${REDIS_PORT}`;
    this.service = new MeshService(this, "Service", {
      mesh: props.mesh,
      name: props.serviceName ?? "redis",
      port: REDIS_PORT,
      tasks: [
        this.task(props, "redis", "redis-server", ["--bind", "127.0.0.1", "--port", `${REDIS_PORT}`]),
        this.shell(
          props,
          "producer",
          `while true; do ${cli} PUBLISH ${CHANNEL} "hello from producer"; sleep 1; done`,
        ),
        this.shell(props, "consumer", `${cli} SUBSCRIBE ${CHANNEL}`),
      ],
    });
  }

  private task(props: RedisPubSubProps, name: string, program: string, args: string[]): MeshTaskProps {
    if (props.mesh.driver === "docker") {
      return {
        name,
        driver: TaskDriver.docker({ image: props.image ?? "redis:7.2", command: program, args }),
      };
    }
    const command = props.binDir ? `${props.binDir}/${program}` : program;
    return { name, driver: hostDriver(props, command, args) };
  }

  private shell(props: RedisPubSubProps, name: string, script: string): MeshTaskProps {
    const withPath =
      props.binDir && props.mesh.driver !== "docker" ? `PATH="${props.binDir}:$PATH"; ${script}` : script;
    const driver =
      props.mesh.driver === "docker"
        ? TaskDriver.docker({ image: props.image ?? "redis:7.2", command: "sh", args: ["-c", withPath] })
        : hostDriver(props, "/bin/sh", ["-c", withPath]);
    return { name, driver, resources: { cpu: 50, memoryMb: 32 } };
  }
}

function hostDriver(props: RedisPubSubProps, command: string, args: string[]): TaskDriver {
  return props.mesh.driver === "exec"
    ? TaskDriver.exec({ command, args })
    : TaskDriver.rawExec({ command, args });
}
