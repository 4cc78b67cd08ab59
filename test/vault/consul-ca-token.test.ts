import { TerraformOutput } from "cdktf";
import { ConnectCaPki } from "../../constructs/vault/connect-ca-pki";
import { ConsulCaToken } from "../../constructs/vault/consul-ca-token";
import { addressOf, onlyResource, synth, testStack } from "../helpers";

describe("ConsulCaToken", () => {
  test("is a periodic, renewable, orphan token carrying only the CA policy", () => {
    // GIVEN
    const stack = testStack();
    const pki = new ConnectCaPki(stack, "Pki", { datacenter: "dc1" });
    // WHEN
    new ConsulCaToken(stack, "Token", { pki });
    const json = synth(stack);
    // THEN
    expect(onlyResource(json, "vault_token")).toEqual({
      policies: [`\${${addressOf(json, "vault_policy")}.name}`],
      no_parent: true,
      renewable: true,
      period: "72h",
      display_name: "consul-connect-ca",
    });
  });

  test("exposes the secret only as a reference", () => {
    const stack = testStack();
    const token = new ConsulCaToken(stack, "Token", {
      pki: new ConnectCaPki(stack, "Pki", { datacenter: "dc1" }),
    });
    new TerraformOutput(stack, "secret", { value: token.secret, sensitive: true });
    expect(synth(stack).output?.secret.value).toMatch(/^\$\{vault_token\.Token_[0-9A-F]+\.client_token\}$/);
  });

  test("fails when the period is not a duration", () => {
    const stack = testStack();
    const pki = new ConnectCaPki(stack, "Pki", { datacenter: "dc1" });
    expect(() => new ConsulCaToken(stack, "Token", { pki, period: "forever" })).toThrow(
      'ConsulCaToken test/Token: period "forever" is not a duration',
    );
  });
});
