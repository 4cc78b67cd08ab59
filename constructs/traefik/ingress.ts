import { ITerraformDependable, TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { check, checkPropsOf, checkSecretReference, show, isReference } from "../core/errors";
import { checkHostName, checkPort, checkServiceName, IMAGE_WITH_TAG, TASK_DRIVER_KINDS } from "../core/names";
import { JobRole, ROLE_META_KEY } from "../core/markers";
import { VERSIONS } from "../core/versions";
import { NomadJob, TaskDriver, TaskDriverKind } from "../nomad";
import { variableItem, variablePath } from "../nomad/job";
import {
  checkBoolean,
  checkInstance,
  checkInteger,
  checkObject,
  checkOneOf,
  checkPattern,
  checkText,
  checkTexts,
} from "../core/values";
import { checkResources, TaskResources, toResources } from "../nomad/resources";
import type { Constraint, Port, Service, Template } from "../nomad/jobspec";
import { nanoseconds } from "../nomad/jobspec";
import { TraefikTls } from "./tls";
import { renderToml, TomlTable } from "./toml";
import { joinText } from "../core/json-text";

/**
 * An ingress that routes to mesh services from Consul catalog tags; what {@link ServiceMesh} needs to
 * generate router tags and the ingress' own intentions.
 */
export interface IIngress {
  /** The ingress' Consul service name: the source of its intentions. */
  readonly serviceName: string;
  /** Tag prefix the ingress reads (`traefik`). */
  readonly tagPrefix: string;
  /** Entry point terminating TLS (HTTP routers with `tls=true`, TCP `HostSNI` routers). */
  readonly tlsEntryPoint: string;
  /** Plain HTTP entry point, if any. */
  readonly httpEntryPoint?: string;
}

/** Dashboard settings of {@link TraefikIngress}. */
export interface TraefikDashboardOptions {
  /** Host the dashboard is routed on, over the TLS entry point. */
  readonly host: string;
  /**
   * Middlewares on the dashboard router, e.g. an authentication middleware (names without ",").
   * @default - none
   */
  readonly middlewares?: string[];
}

/** Props for {@link TraefikIngress}. */
export interface TraefikIngressProps {
  /**
   * Nomad job ID.
   * @default "traefik"
   */
  readonly jobName?: string;
  /**
   * Consul service name of the ingress (Connect-native) and the catalog provider's `serviceName`.
   * @default "traefik"
   */
  readonly serviceName?: string;
  /**
   * Nomad datacenters.
   * @default ["*"]
   */
  readonly datacenters?: string[];
  /**
   * Nomad namespace.
   * @default - the provider's namespace
   */
  readonly namespace?: string;
  /**
   * Static host port of the TLS entry point (HTTPS and TCP `HostSNI` share it).
   * @default 8443
   */
  readonly tlsPort?: number;
  /**
   * Static host port of a plain HTTP entry point named `web`.
   * @default - no plain HTTP entry point
   */
  readonly httpPort?: number;
  /**
   * Certificate of the TLS entry point.
   * @default - Traefik's self-signed default certificate
   */
  readonly tls?: TraefikTls;
  /**
   * Consul HTTP address the catalog provider reads.
   * @default - the unix socket Nomad proxies to the node's Consul agent for Connect-native tasks
   *   (`<alloc dir>/tmp/consul_http.sock`), so the agent's HTTP API can stay on loopback
   */
  readonly consulAddress?: string;
  /**
   * The node's Consul agent serves its API over HTTPS (the Nomad clients reach it with `ssl = true`,
   * see `ConsulAgentJob` `listenerCert`): the catalog provider then speaks TLS through Nomad's socket,
   * verifying the agent with the CA and server name Nomad hands Connect-native tasks
   * (`CONSUL_CACERT`, `CONSUL_TLS_SERVER_NAME=localhost`).
   * @default false
   */
  readonly consulTls?: boolean;
  /**
   * Consul ACL token of the catalog provider (`service` write on the ingress's own name for its
   * Connect leaf certificate, `service` and `node` read for the catalog), as a Terraform reference:
   * the job writes it to its Nomad variable and renders it into a file under `secrets/`.
   * @default - none (Consul without ACLs)
   */
  readonly consulToken?: string;
  /**
   * The resource `consulToken`'s secret is read from (a `consul_acl_token`): the token in the job's
   * variable is then rewritten when that resource is replaced, not compared on every plan, so a
   * read-only plan token (which Consul shows secrets redacted) plans what a privileged one does.
   * @default - none: the token is compared on every plan
   */
  readonly consulTokenSource?: TerraformResource;
  /**
   * Route to services through Connect without the `traefik.consulcatalog.connect=true` tag.
   * @default false
   */
  readonly connectByDefault?: boolean;
  /**
   * Serve the dashboard on a host of the TLS entry point.
   * @default - no dashboard
   */
  readonly dashboard?: TraefikDashboardOptions;
  /**
   * Serve the API and dashboard on port 8080 without TLS or authentication (`api.insecure`). Only
   * for throwaway local clusters: anyone reaching the port controls nothing but sees everything.
   * @default false
   */
  readonly dangerouslyExposeInsecureApi?: boolean;
  /**
   * Placement constraints, e.g. pin to edge nodes.
   * @default - none
   */
  readonly constraints?: Constraint[];
  /**
   * Allocations.
   * @default 1
   */
  readonly count?: number;
  /**
   * Task driver.
   * @default "docker"
   */
  readonly driver?: TaskDriverKind;
  /**
   * Traefik version, used for the default image.
   * @default "v3.7.15" (`VERSIONS.traefik`, the release the local clusters run)
   */
  readonly version?: string;
  /**
   * Container image (docker).
   * @default "traefik:<version>"
   */
  readonly image?: string;
  /**
   * Traefik binary (raw_exec and exec).
   * @default "traefik"
   */
  readonly binary?: string;
  /**
   * Resources of the Traefik task.
   * @default - 200 MHz, 128 MiB
   */
  readonly resources?: TaskResources;
  /**
   * Log level.
   * @default "INFO"
   */
  readonly logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /**
   * Lowest TLS version the TLS entry point accepts (Traefik's default `tls.options`); TLS 1.0 and 1.1
   * are refused either way.
   * @default "1.2"
   */
  readonly minTlsVersion?: "1.2" | "1.3";
  /**
   * `Strict-Transport-Security` max-age, in seconds, sent on every HTTP route of the TLS entry point,
   * so browsers never fall back to plain HTTP; 0 sends none.
   * @default 31536000 (one year)
   */
  readonly hstsMaxAgeSeconds?: number;
  /**
   * Resources that must exist first (e.g. the Consul agent job).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** The Traefik task, which the Connect-native service belongs to. */
const TASK = "traefik";
const TLS_ENTRY_POINT = "https";
const HTTP_ENTRY_POINT = "web";
const API_PORT = 8080;

/**
 * Traefik v3 as a Connect-native Nomad service job in bridge mode: the Consul catalog provider with
 * `connectAware`, services opted in by tags (`exposedByDefault = false`), HTTP and TCP (`HostSNI`)
 * routers sharing one TLS entry point, and its static configuration rendered as TOML from typed props.
 *
 * Traefik dials mesh services as a mesh client, so each exposed service needs an intention from the
 * ingress (traefik#7407, nomad#14574); {@link ServiceMesh} adds it when a service is exposed.
 * The dashboard is off unless routed on a host of the TLS entry point; `api.insecure` needs the
 * explicit {@link TraefikIngressProps.dangerouslyExposeInsecureApi}.
 */
export class TraefikIngress extends NomadJob implements IIngress {
  /** The ingress' Consul service name. */
  public readonly serviceName: string;
  /** Tag prefix of the catalog provider. */
  public readonly tagPrefix = "traefik";
  /** The TLS entry point's name. */
  public readonly tlsEntryPoint = TLS_ENTRY_POINT;
  /** The plain HTTP entry point's name, when there is one. */
  public readonly httpEntryPoint?: string;
  /** Static host port of the TLS entry point. */
  public readonly tlsPort: number;

  public constructor(scope: Construct, id: string, props: TraefikIngressProps = {}) {
    const where = checkPropsOf("TraefikIngress", scope, id, props, "{ datacenters } or nothing");
    // Renamed on the way to NomadJob, so checked here under its own name.
    checkServiceName(where, "jobName", props.jobName ?? "traefik");
    super(scope, id, {
      name: props.jobName ?? "traefik",
      meta: { [ROLE_META_KEY]: "ingress" satisfies JobRole },
      datacenters: props.datacenters,
      namespace: props.namespace,
      constraints: props.constraints,
      dependsOn: props.dependsOn,
    });
    this.serviceName = props.serviceName ?? "traefik";
    checkServiceName(this, "serviceName", this.serviceName);
    this.tlsPort = props.tlsPort ?? 8443;
    this.httpEntryPoint = props.httpPort === undefined ? undefined : HTTP_ENTRY_POINT;
    checkInstance(
      this,
      "consulTokenSource",
      props.consulTokenSource,
      TerraformResource,
      "a consul_acl_token",
    );
    if (props.consulToken !== undefined) {
      checkSecretReference(this, "consulToken", props.consulToken);
      this.addVariable(
        { consul_token: props.consulToken },
        { secretSources: props.consulTokenSource ? [props.consulTokenSource] : undefined },
      );
    }
    for (const [field, value] of [
      ["tlsPort", this.tlsPort],
      ["httpPort", props.httpPort],
    ] as const) {
      if (value === undefined) continue;
      checkPort(this, field, value);
      check(
        this,
        !props.dangerouslyExposeInsecureApi || value !== API_PORT,
        `${field} ${value} is the insecure API's port inside the namespace; use another port for ${field}`,
      );
    }
    check(
      this,
      props.httpPort !== this.tlsPort,
      `httpPort ${props.httpPort} equals tlsPort; give plain HTTP its own port`,
    );
    checkIngressProps(this, props);
    if (props.dashboard) {
      checkHostName(this, "dashboard.host", props.dashboard.host, "traefik.example.com");
    }
    checkResources(this, "resources", props.resources);
    const count = props.count ?? 1;
    check(
      this,
      isReference(count) || (Number.isInteger(count) && count >= 1),
      `count ${show(count)} must be 1 or more`,
    );

    const driver = traefikDriver(props.driver ?? "docker", props);
    const ports: Port[] = [
      { Label: TLS_ENTRY_POINT, Value: this.tlsPort, To: this.tlsPort },
      ...(props.httpPort === undefined
        ? []
        : [{ Label: HTTP_ENTRY_POINT, Value: props.httpPort, To: props.httpPort }]),
    ];
    const dynamicPorts: Port[] = props.dangerouslyExposeInsecureApi ? [{ Label: "api", To: API_PORT }] : [];
    const tls = props.tls?.material;
    const templates: Template[] = [
      {
        EmbeddedTmpl: renderToml(this.staticConfig(props, driver)),
        DestPath: staticConfigPath(props),
        ChangeMode: "restart",
      },
      {
        EmbeddedTmpl: renderToml(hardening(props)),
        DestPath: "local/dynamic/hardening.toml",
        ChangeMode: "noop",
      },
      ...(tls
        ? [
            ...tls.templates,
            {
              EmbeddedTmpl: renderToml(
                tlsConfig(tls.inSecrets ? `${driver.secretsDir}/` : "", tls.certFile, tls.keyFile),
              ),
              DestPath: "local/dynamic/tls.toml",
              ChangeMode: "noop" as const,
            },
          ]
        : []),
    ];
    const service: Service = {
      Name: this.serviceName,
      PortLabel: TLS_ENTRY_POINT,
      Connect: { Native: true },
      // Nomad binds a Connect-native service and its checks to the task; rendering the task name
      // keeps the submitted job equal to what Nomad stores, so a second plan is empty.
      TaskName: TASK,
      Tags: props.dashboard ? this.dashboardTags(props.dashboard) : undefined,
      Checks: [
        {
          Name: "tls-port",
          TaskName: TASK,
          Type: "tcp",
          PortLabel: TLS_ENTRY_POINT,
          Interval: nanoseconds("10s"),
          Timeout: nanoseconds("2s"),
        },
      ],
    };
    this.addGroup({
      Name: "traefik",
      Count: count,
      Networks: [
        {
          Mode: "bridge",
          ReservedPorts: ports,
          DynamicPorts: dynamicPorts.length ? dynamicPorts : undefined,
        },
      ],
      Services: [service],
      Tasks: [
        {
          Name: TASK,
          Driver: driver.name,
          Config: driver.config,
          Templates: templates,
          // Nomad names the CA it copies into secrets/ by its chroot path: raw_exec has no chroot.
          Env:
            props.consulTls && driver.name === "raw_exec"
              ? { CONSUL_CACERT: "secrets/consul_ca_file.pem" }
              : undefined,
          Vault: tls?.vault,
          Resources: toResources(props.resources, { cpu: 200, memoryMb: 128 }),
        },
      ],
    });
  }

  private staticConfig(props: TraefikIngressProps, driver: TaskDriver): TomlTable {
    const entryPoints: Record<string, TomlTable> = {
      [TLS_ENTRY_POINT]: {
        address: `:${this.tlsPort}`,
        // HSTS on every HTTP route of the TLS entry point (TCP routes carry no headers).
        http: sendsHsts(props) ? { middlewares: ["hsts@file"] } : undefined,
      },
    };
    if (props.httpPort !== undefined) entryPoints[HTTP_ENTRY_POINT] = { address: `:${props.httpPort}` };
    if (props.dangerouslyExposeInsecureApi) entryPoints.traefik = { address: `:${API_PORT}` };
    return {
      global: { checkNewVersion: false, sendAnonymousUsage: false },
      log: { level: props.logLevel ?? "INFO" },
      entryPoints,
      api: {
        dashboard: Boolean(props.dashboard) || Boolean(props.dangerouslyExposeInsecureApi),
        insecure: props.dangerouslyExposeInsecureApi ? true : undefined,
      },
      providers: {
        consulCatalog: {
          prefix: this.tagPrefix,
          serviceName: this.serviceName,
          connectAware: true,
          // Blocking queries instead of a 15 s poll: a route follows its instances' health within
          // Traefik's 2 s throttle, not up to 15 s late (measured in the fault suite's agent roll).
          watch: true,
          connectByDefault: props.connectByDefault ?? false,
          exposedByDefault: false,
          endpoint: {
            address: props.consulAddress ?? `unix://{{ env "NOMAD_ALLOC_DIR" }}/tmp/consul_http.sock`,
            scheme: props.consulTls ? "https" : "http",
            token:
              props.consulToken === undefined
                ? undefined
                : variableItem(variablePath(this.jobName), "consul_token", ["{{", "}}"]),
          },
        },
        // TLS options and HSTS always; the certificate too, when given.
        file: { directory: `${driver.localDir}/dynamic`, watch: true },
      },
    };
  }

  private dashboardTags(dashboard: TraefikDashboardOptions): string[] {
    const router = `${this.tagPrefix}.http.routers.${this.serviceName}-dashboard`;
    return [
      `${this.tagPrefix}.enable=true`,
      `${router}.rule=Host(\`${dashboard.host}\`)`,
      `${router}.entrypoints=${TLS_ENTRY_POINT}`,
      `${router}.tls=true`,
      `${router}.service=api@internal`,
      ...(dashboard.middlewares?.length
        ? [`${router}.middlewares=${joinText(dashboard.middlewares, ",")}`]
        : []),
    ];
  }
}

/** Type checks of the props the constructor does not check on the way. */
function checkIngressProps(ingress: TraefikIngress, props: TraefikIngressProps): void {
  checkInstance(
    ingress,
    "tls",
    props.tls,
    TraefikTls,
    "TraefikTls.fromVault({ ... }) or TraefikTls.fromFiles({ ... })",
  );
  checkText(ingress, "consulAddress", props.consulAddress, "127.0.0.1:8500");
  checkBoolean(ingress, "consulTls", props.consulTls);
  checkBoolean(ingress, "connectByDefault", props.connectByDefault);
  checkObject(ingress, "dashboard", props.dashboard, '{ host: "traefik.example.com" }');
  const middlewares = props.dashboard?.middlewares;
  checkTexts(ingress, "dashboard.middlewares", middlewares, "auth@file");
  check(
    ingress,
    !middlewares?.some((m) => m.includes(",")),
    `dashboard.middlewares ${show(middlewares)} has a name with ","; Traefik splits the label on ",", so list each middleware apart`,
  );
  checkBoolean(ingress, "dangerouslyExposeInsecureApi", props.dangerouslyExposeInsecureApi);
  checkOneOf(ingress, "driver", props.driver, TASK_DRIVER_KINDS);
  checkText(ingress, "version", props.version, `v${VERSIONS.traefik}`);
  checkPattern(
    ingress,
    "image",
    props.image,
    IMAGE_WITH_TAG,
    "an image reference with a tag",
    `traefik:v${VERSIONS.traefik}`,
  );
  checkText(ingress, "binary", props.binary, "traefik");
  checkOneOf(ingress, "logLevel", props.logLevel, ["DEBUG", "INFO", "WARN", "ERROR"]);
  checkOneOf(ingress, "minTlsVersion", props.minTlsVersion, ["1.2", "1.3"]);
  checkInteger(ingress, "hstsMaxAgeSeconds", props.hstsMaxAgeSeconds, 0);
}

const HSTS_MAX_AGE = 31_536_000;

/**
 * The dynamic configuration every ingress gets: the default TLS options (TLS 1.2 or later; with a
 * certificate of its own, `sniStrict`, so a name it does not serve is refused rather than answered
 * with the default certificate) and the HSTS middleware.
 */
/** Whether the ingress sends HSTS: a max-age above 0, or one known only at apply. */
function sendsHsts(props: TraefikIngressProps): boolean {
  const maxAge = props.hstsMaxAgeSeconds ?? HSTS_MAX_AGE;
  return isReference(maxAge) || maxAge > 0;
}

function hardening(props: TraefikIngressProps): TomlTable {
  const maxAge = props.hstsMaxAgeSeconds ?? HSTS_MAX_AGE;
  return {
    tls: {
      options: {
        default: {
          minVersion: props.minTlsVersion === "1.3" ? "VersionTLS13" : "VersionTLS12",
          sniStrict: props.tls !== undefined,
        },
      },
    },
    ...(sendsHsts(props)
      ? { http: { middlewares: { hsts: { headers: { stsSeconds: maxAge, stsIncludeSubdomains: true } } } } }
      : {}),
  };
}

function tlsConfig(prefix: string, certFile: string, keyFile: string): TomlTable {
  const pair = { certFile: `${prefix}${certFile}`, keyFile: `${prefix}${keyFile}` };
  return { tls: { certificates: [pair], stores: { default: { defaultCertificate: pair } } } };
}

function traefikDriver(kind: TaskDriverKind, props: TraefikIngressProps): TaskDriver {
  if (kind === "docker") {
    return TaskDriver.docker({
      image: props.image ?? `traefik:${props.version ?? `v${VERSIONS.traefik}`}`,
      args: [`--configFile=/${staticConfigPath(props)}`],
    });
  }
  const options = {
    command: props.binary ?? "traefik",
    args: [`--configFile=${kind === "raw_exec" ? "" : "/"}${staticConfigPath(props)}`],
  };
  return kind === "raw_exec" ? TaskDriver.rawExec(options) : TaskDriver.exec(options);
}

/** The static configuration holds the Consul token when there is one: then it is a secret. */
function staticConfigPath(props: TraefikIngressProps): string {
  return `${props.consulToken === undefined ? "local" : "secrets"}/traefik.toml`;
}
