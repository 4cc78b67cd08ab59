import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ConsulProvider } from "@cdktf/provider-consul/lib/provider";
import { NomadProvider } from "@cdktf/provider-nomad/lib/provider";
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { checkPort, checkServiceName, checkUrl } from "../constructs/core/names";
import { check, show } from "../constructs/core/errors";
import { ConnectCa } from "../constructs/consul/connect-ca";
import { Intentions } from "../constructs/consul/intentions";
import { MeshDefaults } from "../constructs/consul/mesh-defaults";
import { NomadConsulIntegration } from "../constructs/consul/nomad-consul";
import { ConnectCaPki } from "../constructs/vault/connect-ca-pki";
import { ConsulCaToken } from "../constructs/vault/consul-ca-token";
import { NomadVaultIntegration } from "../constructs/vault/nomad-vault";
import { ServiceMesh, SidecarTaskOverride } from "../constructs/mesh";
import { ConsulAgentJob } from "../constructs/nomad";
import { TraefikIngress } from "../constructs/traefik";
import { Countdash } from "../examples/countdash";
import { EnvironmentConfig } from "../environments/types";
import { configureBackend } from "./backend";
import { allowCompatibleProviderVersions } from "./provider-versions";

/** Props for {@link MeshPlatformStack}. */
export interface MeshPlatformStackProps {
  /** The environment to deploy; validated at construction. */
  readonly environment: EnvironmentConfig;
}

/**
 * The whole mesh control plane for one environment, in dependency order: Vault PKI and policies →
 * Vault/Consul access for Nomad → Consul agent job → Connect CA → mesh defaults and intentions →
 * Traefik ingress and mesh workloads. Ordering comes from real references or explicit `dependsOn`.
 */
export class MeshPlatformStack extends TerraformStack {
  /** The environment this stack deploys. */
  public readonly environment: EnvironmentConfig;
  /** Vault PKI for the Connect CA. */
  public readonly pki: ConnectCaPki;
  /** Consul's Vault token for the CA provider. */
  public readonly caToken: ConsulCaToken;
  /** Nomad's access to Vault. */
  public readonly nomadVault: NomadVaultIntegration;
  /** Nomad workloads' access to Consul (ACL environments only). */
  public readonly nomadConsul?: NomadConsulIntegration;
  /** Consul's Connect CA configuration. */
  public readonly connectCa: ConnectCa;
  /** Mesh-wide Consul config entries. */
  public readonly meshDefaults: MeshDefaults;
  /** The service access graph (default deny). */
  public readonly intentions: Intentions;
  /** The Consul agent system job, where Consul runs on Nomad. */
  public readonly consulAgent?: ConsulAgentJob;
  /** The Traefik ingress job. */
  public readonly ingress: TraefikIngress;
  /** The mesh workloads' registry; add `MeshService`s to it. */
  public readonly mesh: ServiceMesh;

  public constructor(scope: Construct, id: string, props: MeshPlatformStackProps) {
    super(scope, id);
    const env = (this.environment = props.environment);
    this.validate(id, env);
    const preventDestroy = env.preventDestroy ?? true;

    allowCompatibleProviderVersions(this, [
      new VaultProvider(this, "Vault", { address: env.vault.address }),
      new ConsulProvider(this, "Consul", { address: env.consul.address, datacenter: env.datacenter }),
      new NomadProvider(this, "Nomad", { address: env.nomad.address }),
    ]);
    configureBackend(this, env.name, env.backend ?? { type: "local" });

    // 1. Vault PKI and the least-privilege CA policy.
    this.pki = new ConnectCaPki(this, "ConnectCaPki", {
      datacenter: env.datacenter,
      ownership: env.pki?.ownership,
      rootCertTtl: env.pki?.rootCertTtl,
      intermediateCertTtl: env.pki?.intermediateCertTtl,
      leafCertTtl: env.pki?.leafCertTtl,
      preventDestroy,
    });
    this.caToken = new ConsulCaToken(this, "ConsulCaToken", { pki: this.pki });

    // 2. Vault and Consul access for Nomad workloads.
    const nomadFromServers = env.nomad.addressFromServers ?? env.nomad.address;
    this.nomadVault = new NomadVaultIntegration(this, "NomadVault", {
      nomadAddress: nomadFromServers,
      mode: env.nomad.vaultMode,
      nomadVersion: env.nomad.version ?? "1.11.3",
    });

    // 3. Consul agents as a Nomad system job (real clusters; the local cluster starts Consul itself).
    const driver = env.workloads?.driver ?? "docker";
    const datacenters = [env.datacenter];
    if (env.consul.agentJob ?? true) {
      this.consulAgent = new ConsulAgentJob(this, "ConsulAgent", {
        // Client agents on every node, joining the Consul servers the environment names.
        server: false,
        datacenter: env.datacenter,
        nomadDatacenters: datacenters,
        retryJoin: env.consul.retryJoin ?? [],
        driver,
      });
    }

    const afterAgent = this.consulAgent ? [this.consulAgent.resource] : undefined;
    if (env.consul.aclsEnabled ?? true) {
      // Consul ACL resources need the agents; workloads need the auth method before they start.
      this.nomadConsul = new NomadConsulIntegration(this, "NomadConsul", {
        nomadAddress: nomadFromServers,
        dependsOn: afterAgent,
      });
    }

    // 4. Connect CA, once Consul answers and the PKI is ready.
    this.connectCa = new ConnectCa(this, "ConnectCa", {
      pki: this.pki,
      token: this.caToken,
      vaultAddress: env.vault.addressFromConsul ?? env.vault.address,
      dependsOn: afterAgent,
    });

    // 5. Mesh defaults and the default-deny intention graph.
    const afterCa = [this.connectCa.resource];
    this.meshDefaults = new MeshDefaults(this, "MeshDefaults", { dependsOn: afterCa });
    this.intentions = new Intentions(this, "Intentions", { dependsOn: afterCa, preventDestroy });

    // 6–7. Ingress and workloads start only once the CA and the default deny are in place.
    const afterMeshPolicy = [
      ...afterCa,
      ...(this.intentions.defaultDeny ? [this.intentions.defaultDeny] : []),
      ...(this.nomadConsul ? [this.nomadConsul.serviceRule, this.nomadConsul.taskRule] : []),
    ];
    this.ingress = new TraefikIngress(this, "Traefik", {
      driver,
      datacenters,
      consulAddress:
        env.consul.agentHttpPort === undefined
          ? undefined
          : `{{ env "attr.unique.network.ip-address" }}:${env.consul.agentHttpPort}`,
      dependsOn: afterMeshPolicy,
    });
    this.mesh = new ServiceMesh(this, "Mesh", {
      intentions: this.intentions,
      defaults: this.meshDefaults,
      ingress: this.ingress,
      driver,
      datacenters,
      sidecarTask: env.workloads?.envoyCommand
        ? SidecarTaskOverride.rawExecEnvoy({ envoyPath: env.workloads.envoyCommand })
        : undefined,
      dependsOn: afterMeshPolicy,
    });
    if (env.workloads?.demo) {
      new Countdash(this, "Countdash", {
        mesh: this.mesh,
        // Transparent proxy needs the consul-cni plugin on every client; raw_exec clusters lack it.
        mode: driver === "docker" ? "transparent-proxy" : "upstreams",
        dashboardHost: `count.${env.name}.meshstack.internal`,
      });
    }

    new TerraformOutput(this, "connect_root_path", { value: this.pki.rootPath });
    new TerraformOutput(this, "connect_intermediate_path", { value: this.pki.intermediatePath });
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
    if (env.consul.agentHttpPort !== undefined) {
      checkPort(this, "environment.consul.agentHttpPort", env.consul.agentHttpPort);
    }
    if (env.vault.addressFromConsul !== undefined) {
      checkUrl(this, "environment.vault.addressFromConsul", env.vault.addressFromConsul);
    }
  }
}
