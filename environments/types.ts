import { PkiMountOwnership, RetiringRoot } from "../constructs/vault/connect-ca-pki";
import { NomadVaultMode } from "../constructs/vault/nomad-vault";
import type { AccessRule } from "../constructs/policy/rules";

/** Where an environment keeps its Terraform state. */
export type BackendConfig =
  | {
      /** Local file, relative to the project root. */
      readonly type: "local";
      /** @default "terraform.<environment>.tfstate" */
      readonly path?: string;
    }
  | {
      /** Consul KV, with session locking. */
      readonly type: "consul";
      /** Consul address (host:port) holding the state. */
      readonly address: string;
      /** KV path of the state. */
      readonly path: string;
      /** @default "https" */
      readonly scheme?: string;
    }
  | {
      /** S3 with DynamoDB or S3-native locking. */
      readonly type: "s3";
      readonly bucket: string;
      readonly key: string;
      readonly region: string;
      /**
       * KMS key (ARN or alias) that encrypts the state object. Required: the state holds the gossip
       * key and the Consul tokens meshstack writes into Nomad variables, and S3's default encryption
       * key is readable by anyone with `s3:GetObject` on the bucket, so a key of your own (whose key
       * policy names who may decrypt) is what keeps the state to those who may deploy.
       */
      readonly kmsKeyId: string;
      /** @default - S3 lock file (`use_lockfile`) */
      readonly dynamodbTable?: string;
    }
  | {
      /** HCP Terraform / Terraform Enterprise workspace. */
      readonly type: "cloud";
      readonly organization: string;
      readonly workspace: string;
      /** @default "app.terraform.io" */
      readonly hostname?: string;
    };

/** The task driver family workloads run with. */
export type WorkloadDriver = "docker" | "raw_exec";

/**
 * Settings of one deployment environment. Addresses only: credentials come from the environment
 * (`VAULT_TOKEN`, `CONSUL_HTTP_TOKEN`, `NOMAD_TOKEN`, and the CA files `VAULT_CACERT`, `CONSUL_CACERT`,
 * `NOMAD_CACERT`), never from committed files. Environments on HTTPS take the servers' CA through the
 * Terraform variable `tls_ca_file` (a path), and agent-job environments with ACLs their gossip key
 * through the sensitive variable `consul_gossip_key` (`TF_VAR_…`).
 */
export interface EnvironmentConfig {
  /** Environment name; also the stack name (`cdktf deploy <name>`). */
  readonly name: string;
  /** Consul and Nomad datacenter. */
  readonly datacenter: string;
  /** Vault settings. */
  readonly vault: {
    /** Vault API address Terraform uses. */
    readonly address: string;
    /** @default - `address`: Vault as the Consul servers reach it */
    readonly addressFromConsul?: string;
  };
  /** Consul settings. */
  readonly consul: {
    /** Consul HTTP API address Terraform uses (URL). */
    readonly address: string;
    /**
     * The Consul servers' version (the mesh entries declare the fields it has; the agent job runs it).
     * @default "1.14.11"
     */
    readonly version?: string;
    /**
     * Consul ACLs are enabled; adds the Nomad workload-identity auth method.
     * @default true
     */
    readonly aclsEnabled?: boolean;
    /**
     * Run the Consul agent as a Nomad system job from this stack. Off where Consul runs outside Nomad
     * (the local dev cluster starts a Consul dev agent, because Nomad's Connect needs Consul first).
     * @default true
     */
    readonly agentJob?: boolean;
    /**
     * Consul servers the agent job joins.
     * @default []
     */
    readonly retryJoin?: string[];
    /**
     * CA file, as the Consul servers see it, that signed Vault's certificate (Connect CA `CAFile`);
     * relative paths resolve from the servers' working directory.
     * @default - the servers' system roots
     */
    readonly vaultCaFile?: string;
    /**
     * The Consul servers' certificate and key, as they see them: the Connect CA logs in to Vault with
     * them (Vault's `cert` auth method, trusting the `tls_ca_file` CA), so no CA token lives in
     * Terraform state.
     * @default - a periodic CA token, kept in Terraform state
     */
    readonly serverCert?: { readonly certFile: string; readonly keyFile: string };
    /**
     * Nomad node names the agent job runs on, each with an agent token of its own (a node identity).
     * @default - one agent token for every node
     */
    readonly agentNodes?: string[];
    /**
     * Each node's certificate and key for its agent's HTTPS and gRPC-over-TLS listeners, as files on
     * the node; relative paths resolve from the directory of `tls_ca_file`, and a path may name the
     * node (`` [[ env `node.unique.name` ]] ``). The Nomad clients must then reach the agent over
     * HTTPS (see `MeshPlatform` `consulAgentCert`).
     * @default - HTTP and gRPC in plain text on each node's loopback
     */
    readonly agentCert?: { readonly certFile: string; readonly keyFile: string };
    /**
     * Serve Consul DNS on each node's address for transparent proxy (see `MeshPlatform`
     * `transparentProxyDns`); firewall port 8600 to the node.
     * @default false: DNS on loopback, no transparent proxy where the stack runs the agents
     */
    readonly transparentProxyDns?: boolean;
  };
  /** Nomad settings. */
  readonly nomad: {
    /** Nomad HTTP API address Terraform uses. */
    readonly address: string;
    /** @default - `address`: Nomad as Vault and Consul reach it (for JWKS) */
    readonly addressFromServers?: string;
    /**
     * The cluster's Nomad version: picks workload identity (1.7+) or the agents' tokens and the Vault
     * token role (before 1.10), and refuses at synth what the version lacks.
     * @default "1.11.3"
     */
    readonly version?: string;
    /** @default - workload identity from Nomad 1.7, else the legacy token role */
    readonly vaultMode?: NomadVaultMode;
    /** @default "default" */
    readonly namespace?: string;
  };
  /**
   * Connect CA settings.
   * @default - Terraform-owned mounts with Consul's default TTLs
   */
  readonly pki?: {
    /** @default PkiMountOwnership.TERRAFORM */
    readonly ownership?: PkiMountOwnership;
    /**
     * Grant the CA token the root cross-sign, for the deploy that rotates the root only.
     * @default false
     */
    readonly rootRotation?: boolean;
    /**
     * Vault path of the root mount; a new one, with a higher `rootGeneration` and `retiringRoot`,
     * rotates the root (README: "Rotating the Connect root").
     * @default "<datacenter>/connect_root"
     */
    readonly rootPath?: string;
    /** @default 1 */
    readonly rootGeneration?: number;
    /**
     * The root a rotation replaces, kept until the rotation is finished.
     * @default - no rotation under way
     */
    readonly retiringRoot?: RetiringRoot;
    /**
     * Renewal period of Consul's CA token.
     * @default "72h"
     */
    readonly caTokenPeriod?: string;
    /** @default "87600h" */
    readonly rootCertTtl?: string;
    /** @default "8760h" */
    readonly intermediateCertTtl?: string;
    /** @default "72h" */
    readonly leafCertTtl?: string;
  };
  /**
   * Workload settings.
   * @default - docker driver, Nomad's Envoy image, no demo
   */
  readonly workloads?: {
    /** @default "docker" */
    readonly driver?: WorkloadDriver;
    /**
     * Envoy binary for sidecars run with raw_exec (local cluster only), as the Nomad client sees it.
     * @default - Nomad's default Envoy image
     */
    readonly envoyCommand?: string;
    /**
     * Host user raw_exec sidecars run Envoy as (name and uid), for transparent proxy.
     * @default - the Nomad agent's user
     */
    readonly envoyUser?: { readonly name: string; readonly uid: number };
    /**
     * Deploy the countdash demo, so a fresh environment shows a working mesh.
     * @default false
     */
    readonly demo?: boolean;
    /**
     * The demo uses transparent proxy (needs Nomad 1.8 and the consul-cni plugin on every client).
     * @default - with the docker driver on Nomad 1.8+ only
     */
    readonly demoTransparentProxy?: boolean;
    /**
     * Place the demo's dashboard and API on different clients, so its requests cross nodes.
     * @default false
     */
    readonly demoAcrossNodes?: boolean;
    /**
     * Instances of each countdash group (with `demoAcrossNodes`, each group's on distinct clients).
     * @default 1
     */
    readonly demoInstances?: number;
    /**
     * Publish the demo's dashboard on this host port beside its ingress route: plain HTTP past TLS
     * and the intentions, so for clusters on loopback only (the built-in local cluster).
     * @default - reached through the ingress only
     */
    readonly demoHostPort?: number;
    /**
     * Deploy the canary demo too (greeter v1/v2 behind a 90/10 split, a path and a header route,
     * and an L7 permission); its programs need the raw_exec or exec driver.
     * @default false
     */
    readonly demoCanary?: boolean;
    /**
     * The demo's count-api fails over to the count-api of the first environment in `peering.dial`, and
     * the dashboard also calls that one directly (`/peer-count`), both through the mesh gateways.
     * @default false
     */
    readonly demoAcrossPeers?: boolean;
  };
  /**
   * Rules on the mesh's access graph (`platform.accessPolicy`): checked at synth, in plan review and by
   * the audit (`meshstack-plan-review <env> --audit`).
   * @default [] - no rules
   */
  readonly accessRules?: AccessRule[];
  /**
   * Cluster peering: a mesh gateway on this datacenter's clients, and the environments whose
   * datacenters it peers with. Environments peered with each other are synthesized together (one
   * stack each; `cdktf deploy` orders them), and each stack's credentials come from the same
   * environment variables, so the datacenters share them (docs/clusters.md, "Two datacenters").
   */
  readonly peering?: {
    /** Static port of the mesh gateway's WAN listener on each client (the address peers dial). */
    readonly meshGatewayPort: number;
    /**
     * Environments this one dials: each mints a peering token for it in its own stack, deployed first.
     * @default [] - only accepts
     */
    readonly dial?: string[];
  };
  /**
   * Ingress settings.
   * @default - Traefik's generated certificate (throwaway clusters only)
   */
  readonly ingress?: {
    /** DNS domain the ingress serves, with a certificate from its own Vault PKI. */
    readonly domain: string;
  };
  /** @default { type: "local" } */
  readonly backend?: BackendConfig;
  /**
   * Protect PKI mounts, root certificate and default-deny intention with `prevent_destroy`.
   * @default true
   */
  readonly preventDestroy?: boolean;
}
