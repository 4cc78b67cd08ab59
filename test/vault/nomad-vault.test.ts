import { NomadVaultIntegration, NomadVaultMode } from "../../constructs/vault/nomad-vault";
import { addressOf, onlyResource, synth, testStack } from "../helpers";

function build(props: Partial<ConstructorParameters<typeof NomadVaultIntegration>[2]> = {}) {
  const stack = testStack();
  const integration = new NomadVaultIntegration(stack, "NomadVault", {
    nomadAddress: "http://nomad.example:4646",
    ...props,
  });
  return { stack, integration, json: synth(stack) };
}

describe("NomadVaultIntegration with workload identity (default)", () => {
  test("creates a JWT auth method trusting Nomad's JWKS", () => {
    const { json } = build();
    expect(onlyResource(json, "vault_jwt_auth_backend")).toMatchObject({
      path: "jwt-nomad",
      type: "jwt",
      jwks_url: "http://nomad.example:4646/.well-known/jwks.json",
      jwt_supported_algs: ["RS256", "EdDSA"],
      default_role: "nomad-workloads",
    });
  });

  test("trusts the CA of Nomad's HTTPS certificate for the JWKS", () => {
    const { json } = build({ nomadAddress: "https://nomad:4646", jwksCaPem: "-----BEGIN CERTIFICATE-----" });
    expect(onlyResource(json, "vault_jwt_auth_backend").jwks_ca_pem).toBe("-----BEGIN CERTIFICATE-----");
  });

  test("creates the default role as `nomad setup vault` does", () => {
    const { json } = build();
    const backend = addressOf(json, "vault_jwt_auth_backend");
    expect(onlyResource(json, "vault_jwt_auth_backend_role")).toEqual({
      backend: `\${${backend}.path}`,
      role_name: "nomad-workloads",
      role_type: "jwt",
      bound_audiences: ["vault.io"],
      user_claim: "/nomad_job_id",
      user_claim_json_pointer: true,
      claim_mappings: {
        nomad_namespace: "nomad_namespace",
        nomad_job_id: "nomad_job_id",
        nomad_task: "nomad_task",
      },
      token_type: "service",
      token_policies: [`\${${addressOf(json, "vault_policy")}.name}`],
      token_period: 1800,
      token_explicit_max_ttl: 0,
    });
  });

  test("scopes the workload policy to the job's own KV path through the auth accessor", () => {
    const { json } = build();
    const accessor = `\${${addressOf(json, "vault_jwt_auth_backend")}.accessor}`;
    const policy = onlyResource(json, "vault_policy").policy as string;
    const meta = (claim: string) => `{{identity.entity.aliases.${accessor}.metadata.${claim}}}`;
    expect(policy).toContain(
      `path "secret/data/${meta("nomad_namespace")}/${meta("nomad_job_id")}/*" {\n  capabilities = ["read"]`,
    );
    expect(policy).not.toMatch(/"(create|update|delete)"/);
  });

  test("grantWorkloads adds a rule to the shared policy", () => {
    const stack = testStack();
    const integration = new NomadVaultIntegration(stack, "NomadVault", { nomadAddress: "http://nomad:4646" });
    integration.grantWorkloads({ path: "pki_int/issue/traefik", capabilities: ["update"] });
    expect(onlyResource(synth(stack), "vault_policy").policy).toContain('path "pki_int/issue/traefik"');
  });
});

describe("NomadVaultIntegration legacy token role", () => {
  test("creates the nomad-cluster role and the nomad-server policy exactly as the seed lists", () => {
    const { json, integration } = build({ mode: NomadVaultMode.LEGACY_TOKEN_ROLE, nomadVersion: "1.6.1" });
    expect(integration.authBackend).toBeUndefined();
    expect(onlyResource(json, "vault_token_auth_backend_role")).toEqual({
      role_name: "nomad-cluster",
      disallowed_policies: [`\${${addressOf(json, "vault_policy")}.name}`],
      orphan: true,
      renewable: true,
      token_period: 259200,
      token_explicit_max_ttl: 0,
    });
    const policy = onlyResource(json, "vault_policy");
    expect(policy.name).toBe("nomad-server");
    const paths = [
      ...(policy.policy as string).matchAll(/path "([^"]+)" \{\n  capabilities = \[([^\]]+)\]/g),
    ].map((m) => `${m[1]}=${m[2]}`);
    expect(paths).toEqual([
      'auth/token/create/nomad-cluster="update"',
      'auth/token/roles/nomad-cluster="read"',
      'auth/token/lookup-self="read"',
      'auth/token/lookup="update"',
      'auth/token/revoke-accessor="update"',
      'sys/capabilities-self="update"',
      'auth/token/renew-self="update"',
    ]);
  });

  test("fails when combined with Nomad 1.10 or later, which removed the token workflow", () => {
    expect(() => build({ mode: NomadVaultMode.LEGACY_TOKEN_ROLE, nomadVersion: "1.10.0" })).toThrow(
      'NomadVaultIntegration test/NomadVault: mode "legacy-token-role" needs the token-based Consul and Vault ' +
        'workflows (Nomad < 1.10.0), but nomadVersion is "1.10.0"; use NomadVaultMode.WORKLOAD_IDENTITY',
    );
  });

  test("is accepted up to Nomad 1.9", () => {
    const { integration } = build({ mode: NomadVaultMode.LEGACY_TOKEN_ROLE, nomadVersion: "1.9.7" });
    expect(integration.tokenRole).toBeDefined();
  });

  test("is the default before Nomad 1.7, which has no workload identity", () => {
    expect(build({ nomadVersion: "1.6.1" }).integration.mode).toBe(NomadVaultMode.LEGACY_TOKEN_ROLE);
    expect(build({ nomadVersion: "1.7.0" }).integration.mode).toBe(NomadVaultMode.WORKLOAD_IDENTITY);
    expect(build({}).integration.mode).toBe(NomadVaultMode.WORKLOAD_IDENTITY);
  });

  test("fails when workload identity is asked of Nomad 1.6", () => {
    expect(() => build({ mode: NomadVaultMode.WORKLOAD_IDENTITY, nomadVersion: "1.6.1" })).toThrow(
      'NomadVaultIntegration test/NomadVault: mode "workload-identity" needs workload identity for Consul and ' +
        'Vault (Nomad >= 1.7.0), but nomadVersion is "1.6.1"; use NomadVaultMode.LEGACY_TOKEN_ROLE',
    );
  });

  test("fails when granting workloads in legacy mode", () => {
    const { integration } = build({ nomadVersion: "1.6.1" });
    expect(() => integration.grantWorkloads({ path: "x", capabilities: ["read"] })).toThrow(
      'NomadVaultIntegration test/NomadVault: grantWorkloads("x") needs mode "workload-identity"',
    );
  });
});

describe("NomadVaultIntegration bad input", () => {
  test("fails when the Nomad address is not a URL", () => {
    expect(() => build({ nomadAddress: "nomad:4646" })).toThrow(
      /NomadVaultIntegration test\/NomadVault: nomadAddress "nomad:4646" is not an http\(s\) URL/,
    );
  });
  test("fails when the auth path has a trailing slash", () => {
    expect(() => build({ authPath: "jwt/" })).toThrow(/authPath "jwt\/" is not a valid Vault path/);
  });
  test("fails when the token period is not a duration", () => {
    expect(() => build({ tokenPeriod: "1 hour" })).toThrow(/tokenPeriod "1 hour" is not a duration/);
  });
});
