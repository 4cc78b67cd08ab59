import { Construct } from "constructs";
import { Intentions } from "../constructs/consul/intentions";
import { NomadJob, TaskDriver } from "../constructs/nomad";
import type { Task } from "../constructs/nomad/jobspec";

/** Props for {@link LegacyManualProxy}. */
export interface LegacyManualProxyProps {
  /** Intentions; the web → db edge is added to them. */
  readonly intentions: Intentions;
  /**
   * Consul binary on the nodes (runs the built-in proxy).
   * @default "consul"
   */
  readonly consulBinary?: string;
  /**
   * The database program on the nodes.
   * @default "my-database"
   */
  readonly databaseBinary?: string;
  /**
   * The web program on the nodes.
   * @default "my-web"
   */
  readonly webBinary?: string;
}

/**
 * The pre-0.10 pattern (Consul's old "Connect on Nomad" guide), kept as the legacy row: no network
 * namespaces, so the proxy is an explicit `raw_exec` task running `consul connect proxy` next to the
 * application, with dynamic host ports. Expressed with the typed jobspec model; task-level
 * `resources.network` became group `network` blocks, and the database's service address is loopback
 * (the original pointed the proxy at the host address the database did not listen on).
 *
 * Prefer {@link MeshService}: this pattern shares the host network, so any local process can use
 * the proxies.
 */
export class LegacyManualProxy extends Construct {
  /** The database job: database plus inbound proxy. */
  public readonly db: NomadJob;
  /** The web job: application plus outbound proxy with a `db` upstream. */
  public readonly web: NomadJob;

  public constructor(scope: Construct, id: string, props: LegacyManualProxyProps) {
    super(scope, id);
    const consul = props.consulBinary ?? "consul";
    const proxy = (args: string[]): Task => task("connect-proxy", consul, ["connect", "proxy", ...args]);
    this.db = new NomadJob(this, "Db", {
      name: "db",
      groups: [
        {
          Name: "db",
          Networks: [{ Mode: "host", DynamicPorts: [{ Label: "db" }, { Label: "proxy" }] }],
          Tasks: [
            task("db", props.databaseBinary ?? "my-database", ["-bind", "127.0.0.1:${NOMAD_PORT_db}"]),
            proxy([
              "-service",
              "db",
              "-service-addr",
              "127.0.0.1:${NOMAD_PORT_db}",
              "-listen",
              ":${NOMAD_PORT_proxy}",
              "-register",
            ]),
          ],
        },
      ],
    });
    this.web = new NomadJob(this, "Web", {
      name: "web",
      groups: [
        {
          Name: "web",
          Networks: [{ Mode: "host", DynamicPorts: [{ Label: "proxy" }] }],
          Tasks: [
            {
              ...task("web", props.webBinary ?? "my-web", []),
              Env: { DATABASE_URL: "postgresql://${NOMAD_ADDR_proxy}/db" },
            },
            proxy(["-service", "web", "-upstream", "db:${NOMAD_PORT_proxy}"]),
          ],
        },
      ],
    });
    props.intentions.allow("web", "db");
  }
}

function task(name: string, command: string, args: string[]): Task {
  const driver = TaskDriver.rawExec({ command, args: args.length ? args : undefined });
  return { Name: name, Driver: driver.name, Config: driver.config, Resources: { CPU: 100, MemoryMB: 64 } };
}
