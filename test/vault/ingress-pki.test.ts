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
  });
  return { pki, json: synth(stack) };
}

describe("IngressPki", () => {
  test("issues certificates for the domain and its subdomains from a mount of its own", () => {
    const { json } = build();
    expect(onlyResource(json, "vault_mount")).toMatchObject({ path: "prod1/ingress", type: "pki" });
    expect(onlyResource(json, "vault_pki_secret_backend_role")).toMatchObject({
      name: "traefik",
      allowed_domains: ["prod.example.com"],
      allow_subdomains: true,
      allow_wildcard_certificates: true,
      ttl: "259200",
    });
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
