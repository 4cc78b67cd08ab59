import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ConsulProvider } from "@cdktf/provider-consul/lib/provider";
import { NomadProvider } from "@cdktf/provider-nomad/lib/provider";
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { checkPort, checkServiceName, checkUrl } from "../constructs/core/names";
import { check, show } from "../constructs/core/errors";
import { MeshPlatform } from "../constructs/platform/mesh-platform";
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
 * One environment's deployable stack: its providers and backend, the {@link MeshPlatform} mapped from
 * the environment's settings, and the environment's demo workloads.
 */
export class MeshPlatformStack extends TerraformStack {
  /** The environment this stack deploys. */
  public readonly environment: EnvironmentConfig;
  /** The platform (L3) this stack wires to the environment's providers and backend. */
  public readonly platform: MeshPlatform;

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

    // "Default" keeps the platform's resource addresses those of the stack (cdktf leaves the id out).
    const platform = (this.platform = new MeshPlatform(this, "Default", {
      datacenter: env.datacenter,
      vaultAddress: env.vault.addressFromConsul ?? env.vault.address,
      nomadAddress: env.nomad.addressFromServers ?? env.nomad.address,
      consulAclsEnabled: env.consul.aclsEnabled,
      consulAgentJob: env.consul.agentJob,
      consulRetryJoin: env.consul.retryJoin,
      consulAgentHttpPort: env.consul.agentHttpPort,
      nomadVersion: env.nomad.version,
      nomadVaultMode: env.nomad.vaultMode,
      pkiOwnership: env.pki?.ownership,
      rootCertTtl: env.pki?.rootCertTtl,
      intermediateCertTtl: env.pki?.intermediateCertTtl,
      leafCertTtl: env.pki?.leafCertTtl,
      driver: env.workloads?.driver,
      envoyCommand: env.workloads?.envoyCommand,
      preventDestroy: env.preventDestroy,
    }));
    // Demos belong to the environment, not to the platform.
    if (env.workloads?.demo) {
      new Countdash(this, "Countdash", {
        mesh: platform.mesh,
        // Transparent proxy needs the consul-cni plugin on every client; raw_exec clusters lack it.
        mode: (env.workloads.driver ?? "docker") === "docker" ? "transparent-proxy" : "upstreams",
        dashboardHost: `count.${env.name}.meshstack.internal`,
      });
    }

    new TerraformOutput(this, "connect_root_path", { value: platform.pki.rootPath });
    new TerraformOutput(this, "connect_intermediate_path", { value: platform.pki.intermediatePath });
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
