import { isAbsolute } from "node:path";
import { Fn, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { ConsulProvider } from "@cdktf/provider-consul/lib/provider";
import { NomadProvider } from "@cdktf/provider-nomad/lib/provider";
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { nomadHas } from "../constructs/core/server-versions";
import { checkServiceName, checkUrl } from "../constructs/core/names";
import { check, show } from "../constructs/core/errors";
import { MeshPlatform, MeshPlatformProps } from "../constructs/platform/mesh-platform";
import { Canary } from "./demos/canary";
import { Countdash } from "./demos/countdash";
import { EnvironmentConfig } from "../environments/types";
import { configureBackend } from "./backend";
import { allowCompatibleProviderVersions } from "./provider-versions";

/** Props for {@link MeshPlatformStack}. */
export interface MeshPlatformStackProps {
  /** The environment to deploy; validated at construction. */
  readonly environment: EnvironmentConfig;
  /**
   * The stacks of the environments this one dials (`environment.peering.dial`, in that order): its mesh
   * peers with theirs, and its demo fails over to the first one's.
   * @default []
   */
  readonly dial?: MeshPlatformStack[];
}

/**
 * One environment's deployable stack: its providers and backend, the {@link MeshPlatform} mapped from
 * the environment's settings, and the environment's demo workloads.
 */
export class MeshPlatformStack extends TerraformStack {
  /** The environment this stack deploys. */
  public readonly environment: EnvironmentConfig;
  /** The platform (L3) this stack wires to the environment's providers and backend. */
  public readonly platform: MeshPlatform;
  /** The demo, when the environment runs it. */
  public readonly countdash?: Countdash;

  public constructor(scope: Construct, id: string, props: MeshPlatformStackProps) {
    super(scope, id);
    const env = (this.environment = props.environment);
    this.validate(id, env);

    allowCompatibleProviderVersions(this, [
      new VaultProvider(this, "Vault", { address: env.vault.address }),
      new ConsulProvider(this, "Consul", { address: env.consul.address, datacenter: env.datacenter }),
      new NomadProvider(this, "Nomad", { address: env.nomad.address }),
    ]);
    configureBackend(this, env.name, env.backend ?? { type: "local" });

    const { caFile, caPem, gossipKey } = this.bootstrapVariables(env);
    // "Default" keeps the platform's resource addresses those of the stack (cdktf leaves the id out).
    const platform = (this.platform = new MeshPlatform(this, "Default", {
      datacenter: env.datacenter,
      vaultAddress: env.vault.addressFromConsul ?? env.vault.address,
      nomadAddress: env.nomad.addressFromServers ?? env.nomad.address,
      consulAclsEnabled: env.consul.aclsEnabled,
      consulAgentJob: env.consul.agentJob,
      consulRetryJoin: env.consul.retryJoin,
      consulAgentNodes: env.consul.agentNodes,
      consulAgentCert: this.agentCert(env, caFile),
      transparentProxyDns: env.consul.transparentProxyDns,
      consulAgentSecurity: gossipKey && caPem ? { gossipKey, caPem } : undefined,
      nomadCaPem: caPem,
      vaultCaFile: env.consul.vaultCaFile,
      caLogin: this.caLogin(env, caPem),
      // State in Consul KV holds the CA's Vault token: workloads' Consul tokens must not read it.
      ingressDomain: env.ingress?.domain,
      stateKeyPrefix: env.backend?.type === "consul" ? env.backend.path : undefined,
      nomadNamespaces: env.nomad.namespace === undefined ? undefined : [env.nomad.namespace],
      nomadVersion: env.nomad.version,
      consulVersion: env.consul.version,
      nomadVaultMode: env.nomad.vaultMode,
      pkiOwnership: env.pki?.ownership,
      caRootRotation: env.pki?.rootRotation,
      caRootPath: env.pki?.rootPath,
      caRootGeneration: env.pki?.rootGeneration,
      caRetiringRoot: env.pki?.retiringRoot,
      caTokenPeriod: env.pki?.caTokenPeriod,
      rootCertTtl: env.pki?.rootCertTtl,
      intermediateCertTtl: env.pki?.intermediateCertTtl,
      leafCertTtl: env.pki?.leafCertTtl,
      driver: env.workloads?.driver,
      envoyCommand: env.workloads?.envoyCommand,
      envoyUser: env.workloads?.envoyUser,
      preventDestroy: env.preventDestroy,
      meshGateway: env.peering && { wanPort: env.peering.meshGatewayPort },
      // Calls across the peering leave through this datacenter's gateway: only gateways reach peers.
      meshGatewayMode: env.peering && "local",
    }));
    const dial = this.dialed(env, props.dial ?? []);
    for (const peer of dial)
      platform.mesh.peerWith(peer.platform.mesh, { preventDestroy: env.preventDestroy });
    // Demos belong to the environment, not to the platform.
    if (env.workloads?.demo) {
      this.countdash = new Countdash(this, "Countdash", {
        mesh: platform.mesh,
        // Transparent proxy needs Nomad 1.8, the consul-cni plugin on every client, and Envoy under a
        // uid of its own.
        mode:
          (env.workloads.demoTransparentProxy ??
          ((env.workloads.driver ?? "docker") === "docker" &&
            nomadHas(platform.mesh.nomadVersion, "transparent-proxy") &&
            platform.mesh.transparentProxyUnavailable === undefined))
            ? "transparent-proxy"
            : "upstreams",
        distinctHosts: env.workloads.demoAcrossNodes,
        instances: env.workloads.demoInstances,
        dashboardHost: `count.${env.name}.meshstack.internal`,
        dashboardHostPort: env.workloads.demoHostPort,
        peerApi: env.workloads.demoAcrossPeers ? this.peerDemoApi(dial) : undefined,
      });
    }
    if (env.workloads?.demo && env.workloads.demoCanary) {
      new Canary(this, "Canary", { mesh: platform.mesh, host: `canary.${env.name}.meshstack.internal` });
    }

    for (const rule of env.accessRules ?? []) platform.accessPolicy.addRule(rule);

    new TerraformOutput(this, "connect_root_path", { value: platform.pki.rootPath });
    new TerraformOutput(this, "connect_intermediate_path", { value: platform.pki.intermediatePath });
    // What an app repository's ServiceMesh.fromPlatform needs, read from this stack's state.
    new TerraformOutput(this, "mesh_datacenters", { value: [env.datacenter] });
    new TerraformOutput(this, "mesh_ingress_service", { value: platform.ingress.serviceName });
    new TerraformOutput(this, "mesh_driver", { value: platform.mesh.driver });
    new TerraformOutput(this, "mesh_nomad_version", { value: platform.mesh.nomadVersion });
    new TerraformOutput(this, "mesh_default_protocol", { value: platform.meshDefaults.protocol });
  }

  /**
   * Bootstrap material the cluster was built with, which no committed file may hold: the servers' CA
   * (a file path, read at plan time) on HTTPS environments, and the agents' gossip key where the stack
   * runs Consul agents with ACLs.
   */
  private bootstrapVariables(env: EnvironmentConfig): {
    caFile?: string;
    caPem?: string;
    gossipKey?: string;
  } {
    const https = [env.vault.address, env.consul.address, env.nomad.address].some((a) =>
      a.startsWith("https:"),
    );
    const caFile = https
      ? new TerraformVariable(this, "tls_ca_file", {
          type: "string",
          description:
            "Path of the PEM CA bundle that signed the Vault, Consul and Nomad servers' certificates",
        }).stringValue
      : undefined;
    const caPem = caFile === undefined ? undefined : Fn.file(caFile);
    const secured = (env.consul.agentJob ?? true) && (env.consul.aclsEnabled ?? true);
    const gossipKey = secured
      ? new TerraformVariable(this, "consul_gossip_key", {
          type: "string",
          sensitive: true,
          description: "Gossip encryption key of the Consul datacenter (consul keygen)",
        }).stringValue
      : undefined;
    return { caFile, caPem, gossipKey };
  }

  /** The agents' listener certificates, relative paths beside the `tls_ca_file` CA. */
  private agentCert(
    env: EnvironmentConfig,
    caFile: string | undefined,
  ): MeshPlatformProps["consulAgentCert"] {
    const cert = env.consul.agentCert;
    if (cert === undefined) return undefined;
    check(
      this,
      caFile !== undefined,
      "environment.consul.agentCert is set, but no server runs HTTPS, so there is no CA (tls_ca_file) for " +
        "the Nomad clients to verify the agents with; remove agentCert or use https addresses",
    );
    const beside = (file: string) => (isAbsolute(file) ? file : `${Fn.dirname(caFile!)}/${file}`);
    return { certFile: beside(cert.certFile), keyFile: beside(cert.keyFile) };
  }

  /** Consul's own login to Vault for the CA, where the environment names the servers' certificate. */
  private caLogin(env: EnvironmentConfig, caPem: string | undefined): MeshPlatformProps["caLogin"] {
    const cert = env.consul.serverCert;
    if (cert === undefined) return undefined;
    check(
      this,
      caPem !== undefined,
      `environment.consul.serverCert is set, but no server runs HTTPS, so there is no CA (tls_ca_file) to ` +
        `trust the certificate with; remove serverCert or use https addresses`,
    );
    return { ...cert, serverCaPem: caPem! };
  }

  /** The dialed stacks, checked against the environment's `peering.dial`. */
  private dialed(env: EnvironmentConfig, dial: MeshPlatformStack[]): MeshPlatformStack[] {
    const want = env.peering?.dial ?? [];
    const got = dial.map((s) => s.environment.name);
    check(
      this,
      want.length === got.length && want.every((name, i) => got[i] === name),
      `environment.peering.dial ${show(want)} needs those environments' stacks, given ${show(got)}; ` +
        `build them first and pass them as dial (main.ts does, in selectEnvironments' order)`,
    );
    return dial;
  }

  /** The first dialed peer's demo API, which the demo fails over to. */
  private peerDemoApi(dial: MeshPlatformStack[]) {
    const api = dial[0]?.countdash?.api;
    check(
      this,
      api !== undefined,
      `environment.workloads.demoAcrossPeers needs a dialed peer running the demo (peering.dial, ` +
        `workloads.demo there); dial one or drop demoAcrossPeers`,
    );
    return api!;
  }

  private validate(id: string, env: EnvironmentConfig): void {
    check(
      this,
      env.name === id,
      `environment.name ${show(env.name)} differs from the stack id; name the stack ${show(env.name)}`,
    );
    checkServiceName(this, "environment.datacenter", env.datacenter);
    checkUrl(this, "environment.vault.address", env.vault?.address ?? "");
    checkUrl(this, "environment.consul.address", env.consul?.address ?? "");
    checkUrl(this, "environment.nomad.address", env.nomad?.address ?? "");
    if (env.vault.addressFromConsul !== undefined) {
      checkUrl(this, "environment.vault.addressFromConsul", env.vault.addressFromConsul);
    }
  }
}
