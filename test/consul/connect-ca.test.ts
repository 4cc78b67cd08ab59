import { TerraformStack } from "cdktf";
import { ConnectCa } from "../../constructs/consul/connect-ca";
import { ConnectCaPki, PkiMountOwnership } from "../../constructs/vault/connect-ca-pki";
import { ConsulCaToken } from "../../constructs/vault/consul-ca-token";
import { addressOf, onlyResource, synth, testStack } from "../helpers";

function build(
  ownership = PkiMountOwnership.TERRAFORM,
  vaultAddress = "https://vault.example:8200",
  extra?: (s: TerraformStack) => void,
) {
  const stack = testStack();
  const pki = new ConnectCaPki(stack, "Pki", { datacenter: "dc1", ownership, leafCertTtl: "24h" });
  const token = new ConsulCaToken(stack, "Token", { pki });
  new ConnectCa(stack, "Ca", { pki, token, vaultAddress, vaultSystemRoots: true });
  extra?.(stack);
  return synth(stack);
}

describe("ConnectCa", () => {
  test("configures the vault provider with paths and TTLs taken from the PKI by reference", () => {
    const json = build();
    const ca = onlyResource(json, "consul_certificate_authority");
    const root = addressOf(json, "vault_mount", (m) => m.path === "dc1/connect_root");
    const inter = addressOf(json, "vault_mount", (m) => m.path === "dc1/connect_intermediate");
    expect(ca.connect_provider).toBe("vault");
    expect(ca.config_json).toBe(
      `\${jsonencode({"Address" = "https://vault.example:8200", "Token" = ${addressOf(json, "vault_token")}.client_token, ` +
        `"RootPKIPath" = ${root}.path, "IntermediatePKIPath" = ${inter}.path, ` +
        `"LeafCertTTL" = "24h", "IntermediateCertTTL" = "8760h", "RootCertTTL" = "87600h"})}`,
    );
  });

  test("trusts Vault's CA from a file the Consul servers read", () => {
    const stack = testStack();
    const pki = new ConnectCaPki(stack, "Pki", { datacenter: "dc1" });
    const token = new ConsulCaToken(stack, "Token", { pki });
    new ConnectCa(stack, "Ca", { pki, token, vaultAddress: "https://vault:8200", vaultCaFile: "tls/ca.pem" });
    expect(onlyResource(synth(stack), "consul_certificate_authority").config_json).toContain(
      '"CAFile" = "tls/ca.pem"',
    );
  });

  test("an https Vault needs the CA that signed it, or an explicit choice of the system roots", () => {
    const stack = testStack();
    const pki = new ConnectCaPki(stack, "Pki", { datacenter: "dc1" });
    const token = new ConsulCaToken(stack, "Token", { pki });
    expect(() => new ConnectCa(stack, "Ca", { pki, token, vaultAddress: "https://vault:8200" })).toThrow(
      'ConnectCa test/Ca: vaultCaFile is unset for "https://vault:8200"; give the CA file',
    );
    new ConnectCa(stack, "Http", { pki, token, vaultAddress: "http://127.0.0.1:8200" });
    expect(() => synth(stack)).not.toThrow();
  });

  test("waits for the root certificate and the policy", () => {
    const json = build();
    expect(onlyResource(json, "consul_certificate_authority").depends_on).toEqual([
      addressOf(json, "vault_pki_secret_backend_root_cert"),
      addressOf(json, "vault_policy"),
    ]);
  });

  test("uses plain paths when Consul owns the mounts", () => {
    const ca = onlyResource(build(PkiMountOwnership.CONSUL), "consul_certificate_authority");
    expect(ca.config_json).toContain(
      '"RootPKIPath" = "dc1/connect_root", "IntermediatePKIPath" = "dc1/connect_intermediate"',
    );
  });

  test("never writes a token value into the synthesized JSON", () => {
    const text = JSON.stringify(build());
    expect(text).not.toMatch(/"Token" = "/);
  });

  test("fails when the Vault address is not a URL", () => {
    expect(() => build(PkiMountOwnership.TERRAFORM, "vault:8200")).toThrow(
      'ConnectCa test/Ca: vaultAddress "vault:8200" is not an http(s) URL; use a form such as "https://vault.example:8200"',
    );
  });
});
