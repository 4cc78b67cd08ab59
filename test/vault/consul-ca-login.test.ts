import { ConnectCa } from "../../constructs/consul/connect-ca";
import { ConnectCaPki } from "../../constructs/vault/connect-ca-pki";
import { ConsulCaLogin } from "../../constructs/vault/consul-ca-login";
import { ConsulCaToken } from "../../constructs/vault/consul-ca-token";
import { addressOf, onlyResource, resourcesOf, synth, testStack } from "../helpers";

const PEM = "-----BEGIN CERTIFICATE-----\nservers' CA\n-----END CERTIFICATE-----\n";

function build(props: Partial<ConstructorParameters<typeof ConsulCaLogin>[2]> = {}, rotation = false) {
  const stack = testStack();
  const pki = new ConnectCaPki(stack, "Pki", {
    datacenter: "dc1",
    ...(rotation
      ? {
          rootPath: "dc1/connect_root_2",
          rootGeneration: 2,
          rootRotation: true,
          retiringRoot: { path: "dc1/connect_root", generation: 1 },
        }
      : {}),
  });
  const login = new ConsulCaLogin(stack, "Login", {
    pki,
    datacenter: "dc1",
    serverCaPem: PEM,
    certFile: "/etc/consul.d/tls/server.pem",
    keyFile: "/etc/consul.d/tls/server-key.pem",
    ...props,
  });
  new ConnectCa(stack, "Ca", { pki, login, vaultAddress: "https://vault:8200", vaultCaFile: "ca.pem" });
  return { stack, pki, login, json: synth(stack) };
}

describe("ConsulCaLogin", () => {
  test("mounts Vault's cert auth method under the datacenter, protected from destroy", () => {
    const { json } = build();
    const backend = onlyResource(json, "vault_auth_backend");
    expect(backend).toMatchObject({ type: "cert", path: "dc1/consul-ca-cert" });
    expect(backend.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("lets in only certificates the servers' CA signed for server.<dc>.consul, with the CA policy alone", () => {
    const { json } = build();
    const role = onlyResource(json, "vault_cert_auth_backend_role");
    expect(role).toMatchObject({
      name: "consul-connect-ca",
      certificate: PEM,
      allowed_dns_sans: ["server.dc1.consul"],
      token_policies: [`\${${addressOf(json, "vault_policy")}.name}`],
      token_no_default_policy: true,
      token_period: 72 * 3600,
    });
    expect(role.backend).toBe(`\${${addressOf(json, "vault_auth_backend")}.path}`);
  });

  test("while a root rotation is under way, Consul logs in again through a role that may cross-sign", () => {
    const { json } = build({}, true);
    const roles = Object.values(resourcesOf(json, "vault_cert_auth_backend_role"));
    expect(roles.map((r) => [r.name, (r.token_policies as string[]).length, r.token_period])).toEqual([
      ["consul-connect-ca", 1, 72 * 3600],
      // Short-lived: once the rotation is finished nobody renews its tokens.
      ["consul-connect-ca-rotation", 2, 3600],
    ]);
    // The CA configuration names it, so the change makes Consul log in with it before the rotation.
    const rotation = addressOf(
      json,
      "vault_cert_auth_backend_role",
      (r) => r.name === "consul-connect-ca-rotation",
    );
    expect(onlyResource(json, "consul_certificate_authority").config_json).toContain(
      `"Params" = {"name" = ${rotation}.name}`,
    );
  });

  test("the CA configuration logs in with the servers' files and carries no token", () => {
    const { json } = build();
    const config = onlyResource(json, "consul_certificate_authority").config_json as string;
    expect(config).not.toContain("Token");
    expect(config).toContain(
      `"AuthMethod" = {"Type" = "cert", "MountPath" = ${addressOf(json, "vault_auth_backend")}.path, ` +
        `"Params" = {"name" = ${addressOf(json, "vault_cert_auth_backend_role")}.name}}`,
    );
    expect(config).toContain('"CertFile" = "/etc/consul.d/tls/server.pem"');
    expect(config).toContain('"KeyFile" = "/etc/consul.d/tls/server-key.pem"');
    // No token exists for the state to hold.
    expect(resourcesOf(json, "vault_token")).toEqual({});
  });

  test("waits for the role before Consul logs in", () => {
    const { json } = build();
    expect(onlyResource(json, "consul_certificate_authority").depends_on).toContain(
      addressOf(json, "vault_cert_auth_backend_role"),
    );
  });

  test("takes other DNS names, mount path, period, and preventDestroy off", () => {
    const { json } = build({
      allowedDnsNames: ["consul-1.example.internal"],
      mountPath: "consul/cert",
      period: "24h",
      preventDestroy: false,
    });
    expect(onlyResource(json, "vault_auth_backend")).toMatchObject({
      path: "consul/cert",
      lifecycle: { prevent_destroy: false },
    });
    expect(onlyResource(json, "vault_cert_auth_backend_role")).toMatchObject({
      allowed_dns_sans: ["consul-1.example.internal"],
      token_period: 86400,
    });
  });

  test("ConnectCa takes a token or a login, not both and not neither", () => {
    const { stack, pki, login } = build();
    const token = new ConsulCaToken(stack, "Token", { pki });
    const vaultAddress = "http://vault:8200";
    expect(() => new ConnectCa(stack, "Both", { pki, token, login, vaultAddress })).toThrow(
      "ConnectCa test/Both: token and login are both set; give only login (no CA token in Terraform state), " +
        "or only token",
    );
    expect(() => new ConnectCa(stack, "Neither", { pki, vaultAddress })).toThrow(
      "ConnectCa test/Neither: token undefined is not a ConsulCaToken; pass the ConsulCaToken Consul signs " +
        "with, or a ConsulCaLogin as login",
    );
  });
});
