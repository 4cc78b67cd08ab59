import { TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { check, checkLiteral, checkPropsOf, isReference, show } from "../core/errors";
import { Namespace } from "@cdktf/provider-nomad/lib/namespace";
import { checkDatacenter, checkUrl, NOMAD_NAMESPACE, TASK_DRIVER_KINDS } from "../core/names";
import { checkBoolean, checkObject, checkOneOf, checkPattern, checkText, checkTexts } from "../core/values";
import { ConsulAclToken, ConsulNodeToken } from "../consul/acl-token";
import { ConnectCa } from "../consul/connect-ca";
import { Intentions } from "../consul/intentions";
import { MeshDefaults, type MeshGatewayMode } from "../consul/mesh-defaults";
import { AccessPolicy } from "../policy/access-policy";
import { NomadConsulIntegration } from "../consul/nomad-consul";
import { MeshGateway, type MeshGatewayProps, ServiceMesh, SidecarTaskOverride } from "../mesh";
import { ConsulAgentJob, ConsulAgentSecrets, NOMAD_NODE_ADDRESS } from "../nomad/consul-agent";
import { TaskDriverKind } from "../nomad/driver";
import { TraefikIngress, TraefikTls } from "../traefik";
import { ConnectCaPki, PkiMountOwnership, RetiringRoot } from "../vault/connect-ca-pki";
import { ConsulCaLogin } from "../vault/consul-ca-login";
import { ConsulCaToken } from "../vault/consul-ca-token";
import { IngressPki } from "../vault/ingress-pki";
import {
  checkConsulVersion,
  checkNomadVersion,
  consulHas,
  DEFAULT_NOMAD_VERSION,
  nomadHas,
} from "../core/server-versions";
import { VERSIONS } from "../core/versions";
import { NomadVaultIntegration, NomadVaultMode } from "../vault/nomad-vault";

/** The Nomad namespace of the platform's own jobs, unless `MeshPlatformProps.platformNamespace` says otherwise. */
export const PLATFORM_NAMESPACE = "mesh-platform";

/** The platform's mesh gateway: {@link MeshGatewayProps} but the mesh, which is the platform's. */
export type PlatformMeshGateway = Omit<MeshGatewayProps, "mesh">;

/** Props for {@link MeshPlatform}. */
export interface MeshPlatformProps {
  /** Consul and Nomad datacenter; also prefixes the PKI mount paths. */
  readonly datacenter: string;
  /** Vault as the Consul servers reach it (the Connect CA provider's address). */
  readonly vaultAddress: string;
  /**
   * Run a mesh gateway (`MeshGateway`) for cross-datacenter and cluster-peering traffic, with these
   * settings (its `mesh` is the platform's). Peering this platform's mesh with another
   * (`platform.mesh.peerWith(other)`) needs one on each side.
   * @default - no mesh gateway
   */
  readonly meshGateway?: PlatformMeshGateway;
  /**
   * How sidecars reach peers and other datacenters (`proxy-defaults` `MeshGateway.Mode`); `local`
   * sends every such call through this datacenter's mesh gateway.
   * @default - Consul's default
   */
  readonly meshGatewayMode?: MeshGatewayMode;
  /** Nomad's HTTP address as Vault and Consul reach it (its JWKS for workload identity). */
  readonly nomadAddress: string;
  /**
   * Consul ACLs are on: adds Nomad's workload-identity auth method and binding rules (Nomad >= 1.7;
   * older agents use their own Consul tokens, bootstrapped with the cluster).
   * @default true
   */
  readonly consulAclsEnabled?: boolean;
  /**
   * Run the Consul client agents as a Nomad system job. Off where Consul runs outside Nomad.
   * @default true
   */
  readonly consulAgentJob?: boolean;
  /**
   * Consul servers the agent job joins; the agent job's clients need at least one.
   * @default [] - only valid without the agent job
   */
  readonly consulRetryJoin?: string[];
  /**
   * Nomad node names (`node.unique.name`) the agent job runs on: each node's agent gets a token of its
   * own with a node identity (`ConsulNodeToken`), so a token taken from one node cannot register or
   * deregister another, and the job runs on these nodes only (list a new node, deploy, then it gets
   * its agent). Without it, one `node_prefix ""` write token serves every node.
   * @default - one agent token for every node
   */
  readonly consulAgentNodes?: string[];
  /**
   * Each node's certificate for its agent's HTTPS and gRPC-over-TLS listeners, as files on the node
   * (see `ConsulAgentJob` `listenerCert`): Envoy then reaches its agent's xDS over TLS. The Nomad
   * clients must reach the agent over HTTPS with the CA that signed them (`consul { address =
   * "127.0.0.1:8501" ssl = true ca_file grpc_address = "127.0.0.1:8503" grpc_ca_file }`).
   * @default - none: HTTP and gRPC in plain text on each node's loopback
   */
  readonly consulAgentCert?: { readonly certFile: string; readonly keyFile: string };
  /**
   * Serve Consul DNS on each node's address, which transparent proxy needs (Nomad hands the node's
   * Consul DNS to allocations; on loopback it finds none) and Nomad >= 1.8 has. Consul DNS answers
   * anyone who reaches it with its DNS token's rights (every service and node), so firewall port 8600
   * to the node. Off, DNS stays on loopback and services asking for transparent proxy fail at synth.
   * @default false
   */
  readonly transparentProxyDns?: boolean;
  /**
   * Gossip encryption key and server CA of the agent job's agents (TLS through `auto_encrypt`), as
   * Terraform references; the platform adds their ACL tokens. Required with the agent job and ACLs:
   * Consul's security model needs gossip encryption and TLS.
   * @default - none (only valid without the agent job or without ACLs)
   */
  readonly consulAgentSecurity?: { readonly gossipKey: string; readonly caPem: string };
  /**
   * PEM of the CA that signed Nomad's HTTPS certificate, for Vault and Consul fetching its JWKS.
   * @default - their system roots
   */
  readonly nomadCaPem?: string;
  /**
   * CA file, as the Consul servers see it, that signed Vault's HTTPS certificate.
   * @default - the servers' system roots
   */
  readonly vaultCaFile?: string;
  /**
   * Verify an `https` Vault against the Consul servers' system roots instead of `vaultCaFile` (see
   * the `ConnectCa` construct).
   * @default false
   */
  readonly vaultSystemRoots?: boolean;
  /**
   * The Nomad version the cluster runs. It picks how Nomad reaches Consul and Vault — workload
   * identity from 1.7; before, the agents' own Consul tokens (servers derive sidecars'
   * service-identity tokens) and the Vault token role — and refuses what the version lacks
   * (transparent proxy before 1.8, workload identity before 1.7, the token role from 1.10).
   * @default "1.11.3"
   */
  readonly nomadVersion?: string;
  /**
   * The Consul servers' version: the mesh entries declare exactly the fields it has, and the agent
   * job runs that release.
   * @default "1.14.11" (`VERSIONS.consul`, the release the local clusters run)
   */
  readonly consulVersion?: string;
  /**
   * How Nomad reaches Vault.
   * @default - NomadVaultMode.WORKLOAD_IDENTITY from Nomad 1.7, else NomadVaultMode.LEGACY_TOKEN_ROLE
   */
  readonly nomadVaultMode?: NomadVaultMode;
  /**
   * Who owns the PKI mounts.
   * @default PkiMountOwnership.TERRAFORM
   */
  readonly pkiOwnership?: PkiMountOwnership;
  /**
   * Grant Consul's CA token the root cross-sign for the deploy that rotates the root; unset it after.
   * @default false
   */
  readonly caRootRotation?: boolean;
  /**
   * Vault path of the Connect root mount; a new path (with a higher `caRootGeneration` and
   * `caRetiringRoot`) rotates the root.
   * @default "<datacenter>/connect_root"
   */
  readonly caRootPath?: string;
  /**
   * Generation of the Connect root (see `ConnectCaPki` `rootGeneration`).
   * @default 1
   */
  readonly caRootGeneration?: number;
  /**
   * The root a rotation replaces, kept while Consul cross-signs with it (see
   * `ConnectCaPki` `retiringRoot`).
   * @default - no rotation under way
   */
  readonly caRetiringRoot?: RetiringRoot;
  /**
   * Renewal period of Consul's CA token, given or issued at login (Consul renews it; see
   * `ConsulCaToken` `period`).
   * @default "72h"
   */
  readonly caTokenPeriod?: string;
  /**
   * Consul's servers log in to Vault for the Connect CA with their own TLS certificates (see
   * `ConsulCaLogin`): no CA token is created, so none lives in Terraform state. Recommended wherever
   * the servers have certificates from a CA of your own; without it, the CA's Vault token (periodic,
   * CA policy only) is in the state.
   * @default - a CA token (`ConsulCaToken`), kept in Terraform state
   */
  readonly caLogin?: {
    /** PEM of the CA that signed the Consul servers' certificates. */
    readonly serverCaPem: string;
    /** The servers' certificate file, as they see it. */
    readonly certFile: string;
    /** Its key file, as the servers see it. */
    readonly keyFile: string;
  };
  /** @default "87600h" */
  readonly rootCertTtl?: string;
  /** @default "8760h" */
  readonly intermediateCertTtl?: string;
  /** @default "72h" */
  readonly leafCertTtl?: string;
  /**
   * Task driver of the platform's jobs and mesh workloads.
   * @default "docker"
   */
  readonly driver?: TaskDriverKind;
  /**
   * Envoy binary for raw_exec sidecars, as the Nomad client sees it.
   * @default - Nomad's default Envoy image
   */
  readonly envoyCommand?: string;
  /**
   * Host user raw_exec sidecars run Envoy as, by name and uid: needed for transparent proxy, whose
   * redirection exempts only the proxy's uid.
   * @default - the Nomad agent's user
   */
  readonly envoyUser?: { readonly name: string; readonly uid: number };
  /**
   * DNS domain the ingress serves: its TLS entry point then presents a certificate for the domain and
   * its subdomains from a Vault PKI of its own (`IngressPki`, issued through the ingress job's
   * workload identity), never Traefik's generated default.
   * @default - Traefik's generated default certificate (only for throwaway clusters)
   */
  readonly ingressDomain?: string;
  /**
   * Consul KV prefix of the Terraform state, when it lives in Consul: no workload may read it (it
   * holds the Connect CA's Vault token).
   * @default - none (state elsewhere)
   */
  readonly stateKeyPrefix?: string;
  /**
   * Nomad namespaces whose tasks get a Consul role (`nomad-<namespace>-tasks`).
   * @default ["default"]
   */
  readonly nomadNamespaces?: string[];
  /**
   * Nomad namespace of the platform's own jobs, the Consul agents and Traefik, which the platform
   * creates. Their variables hold the gossip key and Consul tokens, and the ingress's identity reaches
   * its Vault role: in a namespace of their own, only whoever may submit jobs there reaches those (a
   * job with the same ID elsewhere reads nothing). Grant `submit-job` in it to the platform's deploy
   * token alone.
   * @default "mesh-platform"
   */
  readonly platformNamespace?: string;
  /**
   * Protect the PKI mounts, root certificate and default-deny intention with `prevent_destroy`.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * The zero-trust mesh control plane, in dependency order: Vault PKI and the CA policy → Vault and
 * Consul access for Nomad → Consul agent job → Connect CA → mesh defaults and default-deny intentions
 * → Traefik ingress → the registry mesh workloads join (`platform.mesh`). Ordering comes from real
 * references or explicit `dependsOn`, so a fresh deploy converges in one run.
 *
 * Give it the id `"Default"` to keep its resources' Terraform addresses those of its scope (as
 * `MeshPlatformStack` does): the platform's parts then plan as they would without the wrapper.
 */
export class MeshPlatform extends Construct {
  /** Vault PKI for the Connect CA. */
  public readonly pki: ConnectCaPki;
  /** Consul's Vault token for the CA provider, where Consul does not log in itself. */
  public readonly caToken?: ConsulCaToken;
  /** Consul's own login to Vault for the CA provider, where `caLogin` is given. */
  public readonly caLogin?: ConsulCaLogin;
  /** Nomad's access to Vault. */
  public readonly nomadVault: NomadVaultIntegration;
  /** Nomad workloads' access to Consul (ACL environments on Nomad >= 1.7 only). */
  public readonly nomadConsul?: NomadConsulIntegration;
  /** Consul's Connect CA configuration. */
  public readonly connectCa: ConnectCa;
  /** Mesh-wide Consul config entries. */
  public readonly meshDefaults: MeshDefaults;
  /** The service access graph (default deny). */
  public readonly intentions: Intentions;
  /** The Consul agent system job, where Consul runs on Nomad. */
  public readonly consulAgent?: ConsulAgentJob;
  /** The ingress's certificate authority, where the platform serves a domain. */
  public readonly ingressPki?: IngressPki;
  /** The namespace of the platform's jobs, where the platform creates it (not `default`). */
  public readonly platformNamespace?: Namespace;
  /** The Traefik ingress job. */
  public readonly ingress: TraefikIngress;
  /** The mesh workloads' registry; add `MeshService`s to it. */
  public readonly mesh: ServiceMesh;
  /** The mesh gateway, when `meshGateway` is set. */
  public readonly meshGateway?: MeshGateway;
  /** Rules on the mesh's whole access graph, checked at synth and carried to plan review and the audit. */
  public readonly accessPolicy: AccessPolicy;

  public constructor(scope: Construct, id: string, props: MeshPlatformProps) {
    checkPropsOf("MeshPlatform", scope, id, props, '{ datacenter: "dc1", vaultAddress, nomadAddress }');
    super(scope, id);
    checkDatacenter(this, "datacenter", props.datacenter);
    checkUrl(this, "vaultAddress", props.vaultAddress);
    checkUrl(this, "nomadAddress", props.nomadAddress);
    // Props renamed on the way to the parts, checked here under their own names (the parts check the rest).
    checkBoolean(this, "consulAclsEnabled", props.consulAclsEnabled);
    checkBoolean(this, "consulAgentJob", props.consulAgentJob);
    checkTexts(this, "consulRetryJoin", props.consulRetryJoin, "10.0.0.10");
    checkOneOf(this, "nomadVaultMode", props.nomadVaultMode, Object.values(NomadVaultMode));
    checkOneOf(this, "pkiOwnership", props.pkiOwnership, Object.values(PkiMountOwnership));
    checkOneOf(this, "driver", props.driver, TASK_DRIVER_KINDS);
    checkBoolean(this, "preventDestroy", props.preventDestroy);
    checkBoolean(this, "transparentProxyDns", props.transparentProxyDns);
    checkObject(this, "consulAgentSecurity", props.consulAgentSecurity, "{ gossipKey, caPem }");
    checkText(this, "nomadCaPem", props.nomadCaPem, "-----BEGIN CERTIFICATE-----…");
    checkText(this, "vaultCaFile", props.vaultCaFile, "/etc/consul.d/vault-ca.pem");
    checkText(this, "stateKeyPrefix", props.stateKeyPrefix, "meshstack/prod");
    checkText(this, "ingressDomain", props.ingressDomain, "prod.example.com");
    check(
      this,
      props.envoyCommand === undefined || props.driver === "raw_exec",
      `envoyCommand ${show(props.envoyCommand)} needs driver "raw_exec" (Docker sidecars use Nomad's Envoy image); ` +
        `remove it or set driver: "raw_exec"`,
    );
    const nomadVersion = props.nomadVersion ?? DEFAULT_NOMAD_VERSION;
    const consulVersion = props.consulVersion ?? VERSIONS.consul;
    checkConsulVersion(this, "consulVersion", consulVersion);
    checkNomadVersion(this, "nomadVersion", nomadVersion);
    check(
      this,
      !props.transparentProxyDns || nomadHas(nomadVersion, "transparent-proxy"),
      `transparentProxyDns is true, but Nomad ${show(nomadVersion)} has no transparent proxy ` +
        "(Nomad >= 1.8.0); leave it out, so Consul DNS stays on loopback",
    );
    const preventDestroy = props.preventDestroy ?? true;
    const driver = props.driver ?? "docker";
    const datacenters = [props.datacenter];
    const namespace = props.platformNamespace ?? PLATFORM_NAMESPACE;
    checkLiteral(this, "platformNamespace", namespace, "the platform's jobs and variables are named in it");
    checkPattern(
      this,
      "platformNamespace",
      namespace,
      NOMAD_NAMESPACE,
      "a Nomad namespace",
      PLATFORM_NAMESPACE,
    );
    if (namespace !== "default") {
      this.platformNamespace = new Namespace(this, "PlatformNamespace", {
        name: namespace,
        description: "meshstack platform jobs: the Consul agents and the ingress",
      });
    }
    const inNamespace = this.platformNamespace ? [this.platformNamespace] : [];

    // 1. Vault PKI and the least-privilege CA policy.
    checkLiteral(
      this,
      "caRootGeneration",
      props.caRootGeneration,
      "the generation names the CA mounts at synth",
    );
    this.pki = new ConnectCaPki(this, "ConnectCaPki", {
      datacenter: props.datacenter,
      ownership: props.pkiOwnership,
      rootCertTtl: props.rootCertTtl,
      intermediateCertTtl: props.intermediateCertTtl,
      leafCertTtl: props.leafCertTtl,
      rootRotation: props.caRootRotation,
      rootPath: props.caRootPath,
      rootGeneration: props.caRootGeneration,
      retiringRoot: props.caRetiringRoot,
      preventDestroy,
    });
    checkObject(this, "caLogin", props.caLogin, "{ serverCaPem, certFile, keyFile }");
    if (props.caLogin) {
      this.caLogin = new ConsulCaLogin(this, "ConsulCaLogin", {
        ...props.caLogin,
        pki: this.pki,
        datacenter: props.datacenter,
        period: props.caTokenPeriod,
        preventDestroy,
      });
    } else {
      this.caToken = new ConsulCaToken(this, "ConsulCaToken", { pki: this.pki, period: props.caTokenPeriod });
    }

    // 2. Vault and Consul access for Nomad workloads.
    this.nomadVault = new NomadVaultIntegration(this, "NomadVault", {
      nomadAddress: props.nomadAddress,
      mode: props.nomadVaultMode,
      nomadVersion,
      jwksCaPem: props.nomadCaPem,
      preventDestroy,
    });

    // 3. Consul agents as a Nomad system job (real clusters; a dev cluster may start Consul itself),
    // with their ACL tokens, then Nomad's workload identities in Consul.
    const acls = props.consulAclsEnabled ?? true;
    if (props.consulAgentJob ?? true) {
      const security = props.consulAgentSecurity;
      check(
        this,
        !acls || security !== undefined,
        "consulAgentSecurity is unset for an agent job with ACLs; pass { gossipKey, caPem } (Terraform " +
          "references): Consul's security model needs gossip encryption and TLS between agents",
      );
      this.consulAgent = new ConsulAgentJob(this, "ConsulAgent", {
        // Client agents on every node, joining the Consul servers given.
        server: false,
        datacenter: props.datacenter,
        nomadDatacenters: datacenters,
        retryJoin: props.consulRetryJoin ?? [],
        driver,
        version: consulVersion,
        namespace,
        listenerCert: props.consulAgentCert,
        dependsOn: inNamespace.length ? inNamespace : undefined,
        // Consul DNS off loopback only where transparent proxy is wanted.
        dnsAddr: props.transparentProxyDns ? NOMAD_NODE_ADDRESS : undefined,
        secrets:
          security && acls
            ? { ...security, ...this.agentTokens(props.datacenter, consulVersion, props.consulAgentNodes) }
            : undefined,
      });
    }
    if (this.platformNamespace) this.consulAgent?.variablesDependOn(this.platformNamespace);
    const afterAgent = this.consulAgent ? [this.consulAgent.resource] : undefined;
    if (acls && nomadHas(nomadVersion, "workload-identity")) {
      // Workloads need the auth method before they start.
      this.nomadConsul = new NomadConsulIntegration(this, "NomadConsul", {
        nomadAddress: props.nomadAddress,
        jwksCaPem: props.nomadCaPem,
        namespaces: props.nomadNamespaces,
        deniedKeyPrefixes: props.stateKeyPrefix === undefined ? undefined : [props.stateKeyPrefix],
        preventDestroy,
      });
    }

    // 4. Connect CA, once Consul answers and the PKI is ready.
    this.connectCa = new ConnectCa(this, "ConnectCa", {
      pki: this.pki,
      token: this.caToken,
      login: this.caLogin,
      vaultAddress: props.vaultAddress,
      vaultCaFile: props.vaultCaFile,
      vaultSystemRoots: props.vaultSystemRoots,
      dependsOn: afterAgent,
    });

    // 5. Mesh defaults and the default-deny intention graph.
    const afterCa = [this.connectCa.resource];
    this.meshDefaults = new MeshDefaults(this, "MeshDefaults", {
      dependsOn: afterCa,
      consulVersion,
      meshGatewayMode: props.meshGatewayMode,
    });
    this.intentions = new Intentions(this, "Intentions", { dependsOn: afterCa, preventDestroy });

    // 6–7. Ingress and workloads start only once the CA and the default deny are in place.
    const afterMeshPolicy = [
      ...afterCa,
      ...(this.intentions.defaultDeny ? [this.intentions.defaultDeny] : []),
      ...(this.nomadConsul ? [this.nomadConsul.serviceRule, this.nomadConsul.taskRule] : []),
    ];
    const ingressToken = acls ? this.ingressToken() : undefined;
    if (props.ingressDomain !== undefined) {
      this.ingressPki = new IngressPki(this, "IngressPki", {
        datacenter: props.datacenter,
        domain: props.ingressDomain,
        nomadVault: this.nomadVault,
        vaultAddress: props.vaultAddress,
        namespace,
        preventDestroy,
      });
    }
    this.ingress = new TraefikIngress(this, "Traefik", {
      driver,
      datacenters,
      tls: this.ingressPki && TraefikTls.fromIngressPki(this.ingressPki),
      consulToken: ingressToken?.secret,
      consulTokenSource: ingressToken?.token,
      consulTls: props.consulAgentCert !== undefined,
      namespace,
      // Its template issues the certificate as soon as it starts: the PKI role and login come first.
      dependsOn: this.ingressPki
        ? [
            ...afterMeshPolicy,
            ...inNamespace,
            this.ingressPki.role,
            this.ingressPki.loginRole ?? this.ingressPki.policy,
          ]
        : [...afterMeshPolicy, ...inNamespace],
    });
    if (this.platformNamespace) this.ingress.variablesDependOn(this.platformNamespace);
    this.mesh = new ServiceMesh(this, "Mesh", {
      intentions: this.intentions,
      defaults: this.meshDefaults,
      ingress: this.ingress,
      driver,
      datacenters,
      nomadVersion,
      // Before Nomad 1.7 a client registers the gateway with its own Consul token, which writes every
      // service (the linked services' certificates need that); from 1.7 the gateway's own identity does.
      terminatingGatewayUnavailable:
        acls && nomadHas(nomadVersion, "workload-identity")
          ? "with Consul ACLs and workload identity (Nomad >= 1.7) the gateway registers with its own service " +
            "identity, which cannot write its linked services, and meshstack's binding grants no more yet"
          : undefined,
      transparentProxyUnavailable:
        this.consulAgent && !props.transparentProxyDns
          ? "the platform's Consul agents serve DNS on loopback only (MeshPlatform transparentProxyDns)"
          : undefined,
      sidecarTask: props.envoyCommand
        ? SidecarTaskOverride.rawExecEnvoy({
            envoyPath: props.envoyCommand,
            user: props.envoyUser,
            nomadVersion,
          })
        : undefined,
      dependsOn: afterMeshPolicy,
      // A datacenter given as a reference cannot name peers at synth: such a mesh is not peered.
      peerName: isReference(props.datacenter) ? undefined : props.datacenter,
    });
    this.accessPolicy = new AccessPolicy(this, "AccessPolicy", { mesh: this.mesh });
    if (props.meshGateway !== undefined) {
      checkObject(this, "meshGateway", props.meshGateway, "{ wanPort: 8443 }");
      this.meshGateway = new MeshGateway(this, "MeshGateway", { ...props.meshGateway, mesh: this.mesh });
    }
  }

  /**
   * The agents' own tokens (Consul's agent-token rules: one per listed node with its node identity,
   * else one shared) and, where Consul has one (1.17 on), the DNS token transparent proxy needs; older
   * Consul has no DNS token, and transparent proxy needs Nomad 1.8 anyway, so DNS keeps the anonymous
   * token's rights there.
   */
  private agentTokens(
    datacenter: string,
    consulVersion: string,
    nodes: string[] | undefined,
  ): Pick<ConsulAgentSecrets, "agentToken" | "nodeAgentTokens" | "dnsToken"> & {
    tokenSources: TerraformResource[];
  } {
    checkLiteral(this, "consulAgentNodes", nodes, "one agent token is written per node");
    checkTexts(this, "consulAgentNodes", nodes, "client-1");
    check(
      this,
      nodes === undefined || nodes.length > 0,
      `consulAgentNodes [] lists no node; list the Nomad nodes' names (one token is written per node), ` +
        "or leave it out for one shared token",
    );
    const agent = nodes
      ? nodes.map(
          (node) => new ConsulNodeToken(this, `ConsulAgentToken-${node}`, { nodeName: node, datacenter }),
        )
      : new ConsulAclToken(this, "ConsulAgentToken", {
          policyName: "consul-agents",
          description: "Consul client agents (the agent job)",
          rules: 'node_prefix "" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "read"\n}\n',
        });
    const agents = Array.isArray(agent)
      ? {
          nodeAgentTokens: Object.fromEntries(agent.map((token, i) => [nodes![i]!, token.secret])),
          tokenSources: agent.map((token) => token.token),
        }
      : { agentToken: agent.secret, tokenSources: [agent.token] };
    if (!consulHas(consulVersion, "dns-token")) return agents;
    const dns = new ConsulAclToken(this, "ConsulDnsToken", {
      policyName: "consul-dns",
      description: "Consul DNS on the client agents",
      // What answering service lookups needs (their nodes' addresses); no prepared queries, no KV.
      rules: 'node_prefix "" {\n  policy = "read"\n}\nservice_prefix "" {\n  policy = "read"\n}\n',
    });
    return { ...agents, dnsToken: dns.secret, tokenSources: [...agents.tokenSources, dns.token] };
  }

  /** Traefik's catalog token: its own Connect leaf certificate, and the catalog read-only. */
  private ingressToken(): ConsulAclToken {
    return new ConsulAclToken(this, "TraefikConsulToken", {
      policyName: "traefik-catalog",
      description: "Traefik's Consul Catalog provider",
      rules:
        'service "traefik" {\n  policy = "write"\n}\nservice_prefix "" {\n  policy = "read"\n}\n' +
        'node_prefix "" {\n  policy = "read"\n}\n',
    });
  }
}
