import { ITerraformDependable, TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { check, checkPropsOf, checkSecretReference, show, isReference } from "../core/errors";
import { TaskDriver, TaskDriverKind } from "./driver";
import { HclBody, mergeHcl, renderHcl } from "./hcl";
import type { Constraint, Port, TaskGroup } from "./jobspec";
import { nanoseconds } from "./jobspec";
import { JobRole, ROLE_META_KEY } from "../core/markers";
import { VERSIONS } from "../core/versions";
import { checkConsulVersion, consulHas } from "../core/server-versions";
import { NomadJob, variableItem, variablePath } from "./job";
import { checkResources, TaskResources, toResources } from "./resources";
import {
  checkDatacenter,
  checkServiceName,
  CONSUL_NODE_IDENTITY,
  IMAGE_WITH_TAG,
  TASK_DRIVER_KINDS,
} from "../core/names";
import {
  checkBoolean,
  checkObject,
  checkOneOf,
  checkPattern,
  checkText,
  checkTexts,
  requireText,
} from "../core/values";

/** Consul ACL settings of the agent. */
export interface ConsulAclOptions {
  /**
   * Enable ACLs.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * What an unauthenticated request may do: `deny` is secure by default.
   * @default "deny"
   */
  readonly defaultPolicy?: "allow" | "deny";
}

/**
 * What a secured agent needs beside its configuration: the job writes these to its Nomad variable
 * (`nomad/jobs/<job>`), which only its own tasks can read, and renders them into the agent's files.
 * Pass Terraform references (variables, `consul_acl_token_secret_id`), never literals.
 */
export interface ConsulAgentSecrets {
  /** Gossip encryption key (`consul keygen`), the servers' `encrypt`. */
  readonly gossipKey: string;
  /** PEM of the CA that signed the Consul servers' certificates (`tls.defaults.ca_file`). */
  readonly caPem: string;
  /**
   * One token every agent uses (`acl.tokens.agent`): `node` write, `service` read. Give this or
   * `nodeAgentTokens`.
   * @default - none: `nodeAgentTokens`
   */
  readonly agentToken?: string;
  /**
   * Each node's own agent token, by Nomad node name (`node.unique.name`, the agent's `node_name`):
   * tokens with a node identity (`ConsulNodeToken`), so a token taken from one node cannot register or
   * deregister another. The job then runs on these nodes only: a node added later gets its agent
   * (and mesh workloads) once it is listed. Give this or `agentToken`.
   * @default - none: `agentToken` on every node
   */
  readonly nodeAgentTokens?: Record<string, string>;
  /**
   * Token for DNS queries (`acl.tokens.dns`, Consul >= 1.17): `node` and `service` read, so
   * `*.virtual.consul` and `*.service.consul` resolve for transparent-proxy workloads.
   * @default - none: DNS answers with the default (else the anonymous) token's rights
   */
  readonly dnsToken?: string;
  /**
   * Token for requests that carry none (`acl.tokens.default`).
   * @default - none: such requests get the anonymous token's rights
   */
  readonly defaultToken?: string;
  /**
   * The `consul_acl_token`s the token secrets are read from: the tokens in the job's variable are
   * then rewritten when one of them is replaced, not compared on every plan, so a read-only plan
   * token (which Consul shows secrets redacted) plans what a privileged one does.
   * @default - none: the tokens are compared on every plan
   */
  readonly tokenSources?: TerraformResource[];
}

/** Props for {@link ConsulAgentJob}. */
export interface ConsulAgentJobProps {
  /**
   * Nomad job ID.
   * @default "consul"
   */
  readonly jobName?: string;
  /**
   * Consul datacenter: lowercase letters, digits and "-" (Consul's rule, kept DNS and X.509 compatible).
   * @default "dc1"
   */
  readonly datacenter?: string;
  /**
   * Nomad datacenters the system job runs in.
   * @default ["*"]
   */
  readonly nomadDatacenters?: string[];
  /**
   * Nomad namespace of the job.
   * @default - the provider's namespace
   */
  readonly namespace?: string;
  /**
   * Run the agents as servers (`true`) or clients (`false`).
   * @default true
   */
  readonly server?: boolean;
  /**
   * Servers to wait for before bootstrapping (servers only).
   * @default 1
   */
  readonly bootstrapExpect?: number;
  /**
   * Addresses to join (`retry_join`); clients need at least one.
   * @default - none
   */
  readonly retryJoin?: string[];
  /**
   * ACL settings.
   * @default - enabled, default policy "deny"
   */
  readonly acl?: ConsulAclOptions;
  /**
   * Serve the web UI.
   * @default false
   */
  readonly ui?: boolean;
  /**
   * DNS recursors for names outside `.consul` (needed by transparent proxy workloads).
   * @default - none
   */
  readonly recursors?: string[];
  /**
   * Serve gRPC over TLS on 8503 (`ports.grpc_tls`, Consul 1.14+ with TLS) instead of plain 8502.
   * @default false
   */
  readonly grpcTls?: boolean;
  /**
   * The node's own certificate for the agent's TLS listeners on `clientAddr`: HTTPS on 8501 and gRPC
   * over TLS on 8503 (plain gRPC off), as files on the node. A path may name the node
   * (`` [[ env `node.unique.name` ]] ``) so each node reads its own. Client agents otherwise hold
   * only their auto_encrypt certificate, which Consul 1.14 serves on gRPC alone and which the
   * rotating Connect CA signs. Nomad picks the TLS gRPC port only when it reaches the agent over
   * HTTPS, so point the Nomad clients at it: `consul { address = "127.0.0.1:8501" ssl = true ca_file
   * grpc_address = "127.0.0.1:8503" grpc_ca_file }`, the CA that signed these certificates.
   * @default - none: HTTP and gRPC in plain text, on loopback only
   */
  readonly listenerCert?: { readonly certFile: string; readonly keyFile: string };
  /**
   * Address the agent binds for cluster traffic (go-sockaddr template allowed).
   * @default "{{ GetPrivateIP }}"
   */
  readonly bindAddr?: string;
  /**
   * Address the HTTP and gRPC listeners bind. Consul's security model allows plain HTTP only on
   * loopback; bridge-mode workloads reach the agent through the unix sockets Nomad proxies into each
   * allocation (`alloc/tmp/consul_http.sock`, `consul_grpc.sock`).
   * @default "127.0.0.1"
   */
  readonly clientAddr?: string;
  /**
   * Address of the DNS listener. Consul DNS answers with its DNS (else default, else anonymous)
   * token's rights to whoever reaches it, so it stays on loopback unless transparent proxy needs it
   * off loopback (Nomad hands the node's Consul DNS address to the allocation's resolver, and finds
   * none on loopback): then give {@link NOMAD_NODE_ADDRESS} and firewall port 8600 to the node.
   * @default - `clientAddr` (loopback)
   */
  readonly dnsAddr?: string;
  /**
   * Gossip encryption, TLS (`auto_encrypt` on clients) and ACL tokens.
   * @default - none: plaintext gossip and RPC, tokens set by hand (not for production)
   */
  readonly secrets?: ConsulAgentSecrets;
  /**
   * Log level.
   * @default "INFO"
   */
  readonly logLevel?: "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR";
  /**
   * Data directory as the task sees it. raw_exec keeps it in the allocation directory, so the agents
   * of several Nomad clients on one host never share a node ID or a Serf snapshot.
   * @default "/consul/data" for docker and exec, `<alloc dir>/consul` for raw_exec
   */
  readonly dataDir?: string;
  /**
   * Nomad host volume mounted at `dataDir` (docker and exec only; raw_exec uses the host path).
   * @default "consul-data"
   */
  readonly dataVolume?: string;
  /**
   * Resources of the agent task.
   * @default - 500 MHz, 256 MiB
   */
  readonly resources?: TaskResources;
  /**
   * Consul version: the default image, and the agent configuration's keys (a DNS token from 1.17).
   * @default "1.14.11" (`VERSIONS.consul`, the release the local clusters run: the last under MPL-2.0)
   */
  readonly version?: string;
  /**
   * Container image (docker).
   * @default "hashicorp/consul:<version>"
   */
  readonly image?: string;
  /**
   * Task driver.
   * @default "docker"
   */
  readonly driver?: TaskDriverKind;
  /**
   * Consul binary (raw_exec and exec).
   * @default "consul"
   */
  readonly binary?: string;
  /**
   * Further agent configuration, deep-merged into the generated one (a partial `acl` block keeps
   * `enabled` and `default_policy`; set them explicitly to change them).
   * @default - none
   */
  readonly extraConfig?: HclBody;
  /**
   * Placement constraints.
   * @default - none
   */
  readonly constraints?: Constraint[];
  /**
   * Resources that must exist first.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** The address Nomad advertises for its node, as the agent job's configuration template renders it. */
export const NOMAD_NODE_ADDRESS = "[[ env `attr.unique.network.ip-address` ]]";

/** The Consul agent ports, as reserved on the host. */
export const CONSUL_PORTS = {
  server: 8300,
  serf_lan: 8301,
  serf_wan: 8302,
  http: 8500,
  https: 8501,
  grpc: 8502,
  grpc_tls: 8503,
  dns: 8600,
} as const;

const CONFIG_DIR = "consul.d";
const GROUP = "consul-agent";
const TASK = "consul";

/**
 * The Consul agent as a Nomad `system` job: one agent per node, host networking, the Consul ports
 * reserved statically, and the agent configuration rendered from typed props (Connect enabled, the
 * gRPC port Envoy needs, ACLs on with default deny, UI off).
 *
 * Mind the bootstrap loop: Nomad's Connect integration needs a local Consul agent, and here that
 * agent is itself a Nomad job. So this job must not use Connect or Consul service registration (its
 * service uses the `nomad` provider), the Nomad clients must point at the agent's fixed address
 * (`consul.address = "127.0.0.1:8500"`, `grpc_address = "127.0.0.1:8502"`), and mesh jobs must
 * depend on this job (pass it in their `dependsOn`) so they are placed once the agent runs.
 * The configuration template uses `[[ ]]` delimiters so go-sockaddr `{{ }}` reaches Consul intact.
 */
export class ConsulAgentJob extends NomadJob {
  /** Consul datacenter. */
  public readonly datacenter: string;
  /** Consul HTTP port on each node. */
  public readonly httpPort: number = CONSUL_PORTS.http;
  /** Consul gRPC port on each node (8503 with TLS). */
  public readonly grpcPort: number;

  public constructor(scope: Construct, id: string, props: ConsulAgentJobProps = {}) {
    const where = checkPropsOf("ConsulAgentJob", scope, id, props, "{ datacenter, retryJoin } or nothing");
    // Renamed on the way to NomadJob, so checked here under their own names.
    checkServiceName(where, "jobName", props.jobName ?? "consul");
    checkTexts(where, "nomadDatacenters", props.nomadDatacenters, "dc1");
    const nodes = nodeTokenNames(props.secrets);
    super(scope, id, {
      name: props.jobName ?? "consul",
      type: "system",
      meta: { [ROLE_META_KEY]: "consul-agent" satisfies JobRole },
      datacenters: props.nomadDatacenters,
      namespace: props.namespace,
      // Only the nodes with a token of their own: elsewhere an agent would run without one.
      constraints: nodes.length
        ? [
            ...(props.constraints ?? []),
            { LTarget: "${node.unique.name}", RTarget: nodes.join(","), Operand: "set_contains_any" },
          ]
        : props.constraints,
      dependsOn: props.dependsOn,
      // One node at a time, 20 s apart: without it Nomad replaces every agent at once and the mesh
      // loses its catalog everywhere together (measured on prodlike: 43 s without one success).
      update: { MaxParallel: 1, Stagger: nanoseconds("20s") },
    });
    this.datacenter = props.datacenter ?? "dc1";
    checkAgentProps(this, props);
    const listenerCert = props.listenerCert;
    const grpcTls = props.grpcTls ?? listenerCert !== undefined;
    this.grpcPort = grpcTls ? CONSUL_PORTS.grpc_tls : CONSUL_PORTS.grpc;
    const server = props.server ?? true;
    check(
      this,
      server || props.bootstrapExpect === undefined,
      `bootstrapExpect ${props.bootstrapExpect} is set on client agents; only servers bootstrap, so remove it or set server: true`,
    );
    // Every node of a system job runs the agent: servers joining others must agree on the quorum size,
    // or each node bootstraps a cluster of its own.
    check(
      this,
      !server || props.bootstrapExpect !== undefined || (props.retryJoin ?? []).length === 0,
      `bootstrapExpect is unset for servers joining ${show(props.retryJoin)}; set it to the number of server ` +
        `nodes, or server: false for client agents`,
    );
    const bootstrapExpect = server ? (props.bootstrapExpect ?? 1) : undefined;
    check(
      this,
      bootstrapExpect === undefined ||
        isReference(bootstrapExpect) ||
        (Number.isInteger(bootstrapExpect) && bootstrapExpect >= 1),
      `bootstrapExpect ${show(bootstrapExpect)} must be 1 or more; use the number of server nodes`,
    );
    check(
      this,
      server || (props.retryJoin ?? []).length > 0,
      `retryJoin [] is empty for client agents; list the servers' addresses so clients can join`,
    );
    const driverKind = props.driver ?? "docker";
    const dataDir =
      // raw_exec: under alloc/data, which a sticky ephemeral disk hands to the replacing allocation, so a
      // new agent starts with its node's services instead of waiting for Nomad's next sync.
      props.dataDir ??
      (driverKind === "raw_exec" ? "[[ env `NOMAD_ALLOC_DIR` ]]/data/consul" : "/consul/data");
    const { secrets } = props;
    checkSecrets(this, server, secrets, props.extraConfig);
    // Agent files live in the task dir: relative to raw_exec's working directory, absolute in a chroot.
    const taskDir = (dir: string) => (driverKind === "raw_exec" ? dir : `/${dir}`);
    // Tokens and the gossip key make the configuration a secret: render it under secrets/.
    const configDir = `${secrets ? "secrets" : "local"}/${CONFIG_DIR}`;
    const driver = consulDriver(driverKind, props, taskDir(configDir));
    checkResources(this, "resources", props.resources);
    const portNames = [
      "server",
      "serf_lan",
      "serf_wan",
      "http",
      ...(listenerCert ? (["https"] as const) : []),
      grpcTls ? "grpc_tls" : "grpc",
      "dns",
    ] as const;
    const ports: Port[] = portNames.map((label) => ({ Label: label, Value: CONSUL_PORTS[label] }));
    const volume = driver.mountsVolumes ? (props.dataVolume ?? "consul-data") : undefined;
    // Gossip key and CA in the job's variable; the ACL tokens in the group's, which follows its tokens.
    const item = (key: string) => variableItem(variablePath(this.jobName), key);
    const tokenItem = (key: string) => variableItem(variablePath(this.jobName, GROUP), key);
    // Each node's token in the task's variable, keyed by node name: the agent renders its own.
    const nodeTokenPath = variablePath(this.jobName, `${GROUP}/${TASK}`);
    const agentToken = nodes.length
      ? `[[ with nomadVar \`${nodeTokenPath}\` ]][[ index . (env \`node.unique.name\`) ]][[ end ]]`
      : tokenItem("agent_token");
    // The Nomad node's name and address: several agents on one host stay distinct, and a node with
    // more than one private address (bridges, VPNs) binds the one Nomad advertises.
    const bindAddr = props.bindAddr ?? NOMAD_NODE_ADDRESS;
    const config = renderHcl(
      mergeHcl(
        {
          datacenter: this.datacenter,
          node_name: "[[ env `node.unique.name` ]]",
          data_dir: dataDir,
          log_level: props.logLevel ?? "INFO",
          // Nomad stops a task with SIGINT: a client agent would leave the datacenter, and the servers
          // drop its node's services until the replacement registers them again.
          skip_leave_on_interrupt: true,
          server,
          bootstrap_expect: bootstrapExpect,
          retry_join: props.retryJoin,
          bind_addr: bindAddr,
          client_addr: props.clientAddr ?? "127.0.0.1",
          addresses: props.dnsAddr === undefined ? undefined : { dns: props.dnsAddr },
          recursors: props.recursors,
          ports: {
            ...(listenerCert ? { https: CONSUL_PORTS.https } : {}),
            ...(grpcTls ? { grpc_tls: CONSUL_PORTS.grpc_tls } : { grpc: CONSUL_PORTS.grpc }),
          },
          connect: { enabled: true },
          ui_config: { enabled: props.ui ?? false },
          encrypt: secrets ? item("gossip_key") : undefined,
          tls: secrets
            ? {
                defaults: {
                  ca_file: taskDir("secrets/ca.pem"),
                  verify_incoming: server,
                  verify_outgoing: true,
                },
                internal_rpc: { verify_server_hostname: true },
                // The node's certificate on its listeners; auto_encrypt's stays for RPC.
                ...(listenerCert
                  ? {
                      https: { cert_file: listenerCert.certFile, key_file: listenerCert.keyFile },
                      grpc: { cert_file: listenerCert.certFile, key_file: listenerCert.keyFile },
                    }
                  : {}),
              }
            : undefined,
          // Client agents get their certificates from the servers; servers hand them out.
          auto_encrypt: secrets ? (server ? { allow_tls: true } : { tls: true }) : undefined,
          acl: {
            enabled: props.acl?.enabled ?? true,
            default_policy: props.acl?.defaultPolicy ?? "deny",
            enable_token_persistence: true,
            tokens: secrets
              ? {
                  agent: agentToken,
                  dns: secrets.dnsToken === undefined ? undefined : tokenItem("dns_token"),
                  default: secrets.defaultToken === undefined ? undefined : tokenItem("default_token"),
                }
              : undefined,
          },
        },
        props.extraConfig,
      ),
    );
    const template = (EmbeddedTmpl: string, DestPath: string) => ({
      EmbeddedTmpl,
      DestPath,
      ChangeMode: "restart" as const,
      LeftDelim: "[[",
      RightDelim: "]]",
    });
    if (secrets) {
      this.addVariable({ gossip_key: secrets.gossipKey, ca_pem: secrets.caPem });
      const groupTokens = {
        ...(secrets.agentToken === undefined ? {} : { agent_token: secrets.agentToken }),
        ...(secrets.dnsToken === undefined ? {} : { dns_token: secrets.dnsToken }),
        ...(secrets.defaultToken === undefined ? {} : { default_token: secrets.defaultToken }),
      };
      if (Object.keys(groupTokens).length) {
        this.addVariable(groupTokens, { subPath: GROUP, secretSources: secrets.tokenSources });
      }
      if (secrets.nodeAgentTokens) {
        this.addVariable(secrets.nodeAgentTokens, {
          subPath: `${GROUP}/${TASK}`,
          secretSources: secrets.tokenSources,
        });
      }
    }
    const group: TaskGroup = {
      Name: GROUP,
      Networks: [{ Mode: "host", ReservedPorts: ports }],
      // The replacing agent keeps the data directory (raw_exec; the other drivers mount a volume).
      EphemeralDisk: volume ? undefined : { Sticky: true },
      Services: [{ Name: this.jobName, Provider: "nomad", PortLabel: "http" }],
      Volumes: volume ? { [volume]: { Name: volume, Type: "host", Source: volume } } : undefined,
      Tasks: [
        {
          Name: TASK,
          Driver: driver.name,
          Config: driver.config,
          Templates: [
            template(config, `${configDir}/consul.hcl`),
            ...(secrets ? [template(item("ca_pem"), "secrets/ca.pem")] : []),
          ],
          VolumeMounts: volume ? [{ Volume: volume, Destination: dataDir }] : undefined,
          Resources: toResources(props.resources, { cpu: 500, memoryMb: 256 }),
        },
      ],
    };
    this.addGroup(group);
  }
}

/** Checks the agent's own props, by the rules of Consul's agent/config builder where it has them. */
function checkAgentProps(job: ConsulAgentJob, props: ConsulAgentJobProps): void {
  // agent/config/builder.go validateBasicName, and reDNSCompatible for X.509-compatible names.
  checkDatacenter(job, "datacenter", job.datacenter);
  checkBoolean(job, "server", props.server);
  checkTexts(job, "retryJoin", props.retryJoin, "10.0.0.10");
  checkObject(job, "acl", props.acl, '{ enabled: true, defaultPolicy: "deny" }');
  checkBoolean(job, "acl.enabled", props.acl?.enabled);
  checkOneOf(job, "acl.defaultPolicy", props.acl?.defaultPolicy, ["allow", "deny"]);
  checkBoolean(job, "ui", props.ui);
  checkTexts(job, "recursors", props.recursors, "1.1.1.1");
  checkBoolean(job, "grpcTls", props.grpcTls);
  checkObject(job, "listenerCert", props.listenerCert, "{ certFile, keyFile }");
  if (props.listenerCert !== undefined) {
    requireText(job, "listenerCert.certFile", props.listenerCert.certFile, "/etc/consul.d/tls/agent.pem");
    requireText(job, "listenerCert.keyFile", props.listenerCert.keyFile, "/etc/consul.d/tls/agent-key.pem");
    check(
      job,
      props.secrets !== undefined,
      "listenerCert is set without secrets; TLS listeners need the agent's TLS settings (secrets.caPem and " +
        "the rest), so give secrets too, or leave listenerCert out",
    );
  }
  checkText(job, "bindAddr", props.bindAddr, "{{ GetPrivateIP }}");
  checkText(job, "clientAddr", props.clientAddr, "127.0.0.1");
  checkText(job, "dnsAddr", props.dnsAddr, "{{ GetPrivateIP }}");
  checkOneOf(job, "logLevel", props.logLevel, ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]);
  checkText(job, "dataDir", props.dataDir, "/consul/data");
  checkText(job, "dataVolume", props.dataVolume, "consul-data");
  checkText(job, "version", props.version, VERSIONS.consul);
  const version = props.version ?? VERSIONS.consul;
  checkConsulVersion(job, "version", version);
  check(
    job,
    props.secrets?.dnsToken === undefined || consulHas(version, "dns-token"),
    `secrets.dnsToken is set, but Consul ${show(version)} has no DNS token (acl.tokens.dns, Consul >= 1.17.0); ` +
      "leave it out (DNS then answers with the default token's rights) or set version to a newer Consul",
  );
  checkPattern(
    job,
    "image",
    props.image,
    IMAGE_WITH_TAG,
    "an image reference with a tag",
    "hashicorp/consul:1.20",
  );
  checkOneOf(job, "driver", props.driver, TASK_DRIVER_KINDS);
  checkText(job, "binary", props.binary, "consul");
  checkObject(job, "extraConfig", props.extraConfig, "{ telemetry: { disable_hostname: true } }");
}

/** The node names of the per-node agent tokens, if the secrets carry them. */
function nodeTokenNames(secrets: ConsulAgentSecrets | undefined): string[] {
  const tokens: unknown = secrets?.nodeAgentTokens;
  return tokens && typeof tokens === "object" && !Array.isArray(tokens) ? Object.keys(tokens) : [];
}

function consulDriver(kind: TaskDriverKind, props: ConsulAgentJobProps, configDir: string): TaskDriver {
  const args = ["agent", `-config-dir=${configDir}`];
  if (kind === "docker") {
    const image = props.image ?? `hashicorp/consul:${props.version ?? VERSIONS.consul}`;
    return TaskDriver.docker({ image, args, extra: { network_mode: "host" } });
  }
  const options = { command: props.binary ?? "consul", args };
  return kind === "raw_exec" ? TaskDriver.rawExec(options) : TaskDriver.exec(options);
}

/** Secured agents need every secret, and servers their own certificate (which the job cannot issue). */
function checkSecrets(
  scope: ConsulAgentJob,
  server: boolean,
  secrets: ConsulAgentSecrets | undefined,
  extraConfig: HclBody | undefined,
): void {
  if (secrets === undefined) return;
  check(
    scope,
    typeof secrets === "object" && secrets !== null,
    `secrets ${show(secrets)} are not an object; pass { gossipKey, caPem, agentToken }`,
  );
  check(
    scope,
    (secrets.agentToken === undefined) !== (secrets.nodeAgentTokens === undefined),
    secrets.agentToken === undefined
      ? "secrets has neither agentToken nor nodeAgentTokens; give each node its own token in nodeAgentTokens " +
          "({ <node name>: <token secret> }), or one agentToken for all"
      : "secrets has both agentToken and nodeAgentTokens; give only nodeAgentTokens (each node its own), or only agentToken",
  );
  checkObject(scope, "secrets.nodeAgentTokens", secrets.nodeAgentTokens, '{ "client-1": token.secret }');
  const nodes = nodeTokenNames(secrets);
  check(
    scope,
    secrets.nodeAgentTokens === undefined || nodes.length > 0,
    "secrets.nodeAgentTokens {} names no node; give each Nomad node's name and its token, or use agentToken",
  );
  for (const node of nodes) {
    // Consul's node identity rule (acl/validation.go), which also keeps "," out of the constraint's set.
    check(
      scope,
      CONSUL_NODE_IDENTITY.test(node),
      `secrets.nodeAgentTokens names node ${show(node)}, which a Consul node identity cannot name; use the ` +
        'Nomad node names (lowercase letters, digits, "-" and "_"), e.g. "client-1"',
    );
    checkSecretReference(scope, `secrets.nodeAgentTokens[${show(node)}]`, secrets.nodeAgentTokens![node]);
  }
  for (const field of ["gossipKey", "caPem", "agentToken", "dnsToken", "defaultToken"] as const) {
    const value: unknown = secrets[field];
    if (value === undefined && field !== "gossipKey" && field !== "caPem") continue;
    if (field !== "caPem") checkSecretReference(scope, `secrets.${field}`, value);
    else {
      check(
        scope,
        typeof value === "string" && value !== "",
        `secrets.caPem ${show(value)} is not a PEM string; pass the CA certificate or a reference to it`,
      );
    }
  }
  const block = (body: HclBody | undefined, key: string) => {
    const value = body?.[key];
    return value && typeof value === "object" && !Array.isArray(value) ? (value as HclBody) : undefined;
  };
  check(
    scope,
    !server || block(block(extraConfig, "tls"), "defaults")?.cert_file !== undefined,
    "secrets on server agents need the servers' own certificate; set extraConfig.tls.defaults.cert_file " +
      "and key_file, or use server: false (client agents get theirs through auto_encrypt)",
  );
}
