import { TraefikTls } from "../../constructs/traefik/tls";
import { IngressPki } from "../../constructs/vault/ingress-pki";
import { NomadVaultIntegration, NomadVaultMode } from "../../constructs/vault/nomad-vault";
import { onlyResource, synth, testStack } from "../helpers";

function build(mode = NomadVaultMode.WORKLOAD_IDENTITY) {
  const stack = testStack();
  const nomadVault = new NomadVaultIntegration(stack, "NomadVault", {
    nomadAddress: "https://nomad:4646",
    mode,
    nomadVersion: mode === NomadVaultMode.WORKLOAD_IDENTITY ? "1.11.3" : "1.6.1",
  });
  const pki = new IngressPki(stack, "Ingress", {
    datacenter: "prod1",
    domain: "prod.example.com",
    nomadVault,
    vaultAddress: "https://vault.example:8200",
  });
  return { pki, json: synth(stack) };
}

describe("IngressPki", () => {
  test("issues server certificates for the domain's names only, from an intermediate the root signed", () => {
    const { json } = build();
    const mounts = Object.values(json.resource!.vault_mount).map((m) => [m.path, m.type, m.lifecycle]);
    expect(mounts.sort()).toEqual([
      ["prod1/ingress", "pki", { prevent_destroy: true }],
      ["prod1/ingress_root", "pki", { prevent_destroy: true }],
    ]);
    // The root lives on its own mount and signs only the intermediate, limited to the domain.
    expect(onlyResource(json, "vault_pki_secret_backend_root_cert")).toMatchObject({
      backend: expect.stringContaining("RootMount"),
      lifecycle: { prevent_destroy: true },
    });
    expect(onlyResource(json, "vault_pki_secret_backend_root_sign_intermediate")).toMatchObject({
      backend: expect.stringContaining("RootMount"),
      csr: expect.stringContaining("IntermediateRequest"),
      permitted_dns_domains: ["prod.example.com"],
    });
    expect(onlyResource(json, "vault_pki_secret_backend_intermediate_set_signed").certificate).toContain(
      "IntermediateSigned",
    );
    // The role: the domain and its subdomains, no localhost, no IP SANs, server use only, no copies kept.
    expect(onlyResource(json, "vault_pki_secret_backend_role")).toMatchObject({
      backend: expect.stringMatching(/Ingress_Mount_/),
      name: "traefik",
      allowed_domains: ["prod.example.com"],
      allow_subdomains: true,
      allow_wildcard_certificates: true,
      allow_localhost: false,
      allow_ip_sans: false,
      server_flag: true,
      client_flag: false,
      enforce_hostnames: true,
      no_store: true,
      ttl: "259200",
    });
  });

  test("names Vault's issuing-certificate and CRL URLs in what each mount issues", () => {
    const { json } = build();
    const urls = Object.values(json.resource!.vault_pki_secret_backend_config_urls).map((u) => [
      u.issuing_certificates,
      u.crl_distribution_points,
    ]);
    expect(urls).toEqual([
      [
        ["https://vault.example:8200/v1/prod1/ingress_root/ca"],
        ["https://vault.example:8200/v1/prod1/ingress_root/crl"],
      ],
      [
        ["https://vault.example:8200/v1/prod1/ingress/ca"],
        ["https://vault.example:8200/v1/prod1/ingress/crl"],
      ],
    ]);
  });

  test("lets only the ingress job's workload identity issue, and nothing else", () => {
    const { json } = build();
    const policies = Object.values(json.resource!.vault_policy);
    const issue = policies.find((p) => p.name === "prod1-ingress-issue")!;
    expect(issue.policy).toBe('path "prod1/ingress/issue/traefik" {\n  capabilities = ["update"]\n}\n');
    const login = Object.values(json.resource!.vault_jwt_auth_backend_role).find(
      (r) => r.role_name === "traefik-ingress",
    )!;
    expect(login).toMatchObject({
      bound_claims: { nomad_namespace: "default", nomad_job_id: "traefik" },
      token_policies: [expect.stringMatching(/^\$\{vault_policy\.Ingress_Policy_\w+\.name\}$/)],
    });
  });

  test("gives the ingress a certificate for ingress.<domain> and every host of the domain", () => {
    const { pki } = build();
    const material = TraefikTls.fromIngressPki(pki).material;
    expect(material.vault).toEqual({ Role: "traefik-ingress" });
    expect(material.templates[0].EmbeddedTmpl).toContain(
      '{{ with pkiCert "prod1/ingress/issue/traefik" "common_name=ingress.prod.example.com" "alt_names=*.prod.example.com" "ttl=72h" }}',
    );
  });

  test("with the legacy token role (Nomad 1.6), the ingress job asks for the issuing policy by name", () => {
    // GIVEN Nomad's servers minting task tokens from the nomad-cluster role
    const { pki, json } = build(NomadVaultMode.LEGACY_TOKEN_ROLE);
    // THEN no JWT role exists, and the job's vault block names the policy that may only issue
    expect(pki.loginRole).toBeUndefined();
    expect(json.resource!.vault_jwt_auth_backend_role).toBeUndefined();
    expect(TraefikTls.fromIngressPki(pki).material.vault).toEqual({ Policies: ["prod1-ingress-issue"] });
    const issue = Object.values(json.resource!.vault_policy).find((p) => p.name === "prod1-ingress-issue")!;
    expect(issue.policy).toBe('path "prod1/ingress/issue/traefik" {\n  capabilities = ["update"]\n}\n');
  });
});
