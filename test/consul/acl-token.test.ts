import { TerraformOutput } from "cdktf";
import { ConsulAclToken, ConsulNodeToken } from "../../constructs/consul/acl-token";
import { addressOf, onlyResource, synth, testStack } from "../helpers";

describe("ConsulAclToken", () => {
  const rules = 'node_prefix "" {\n  policy = "read"\n}\n';
  const build = () => {
    const stack = testStack();
    const token = new ConsulAclToken(stack, "Dns", { policyName: "consul-dns", rules, description: "DNS" });
    new TerraformOutput(stack, "secret", { value: token.secret, sensitive: true });
    return { token, json: synth(stack) };
  };

  test("creates a policy and a token holding only it", () => {
    const { json } = build();
    const policy = addressOf(json, "consul_acl_policy");
    expect(onlyResource(json, "consul_acl_policy")).toMatchObject({ name: "consul-dns", rules });
    expect(onlyResource(json, "consul_acl_token")).toMatchObject({
      description: "DNS",
      policies: [`\${${policy}.name}`],
    });
  });

  test("hands out the secret as a reference to the token's secret data source, never a value", () => {
    const { json } = build();
    const data = (json as { data?: Record<string, Record<string, Record<string, unknown>>> }).data!;
    const [id, source] = Object.entries(data.consul_acl_token_secret_id)[0];
    expect(source.accessor_id).toBe(`\${${addressOf(json, "consul_acl_token")}.id}`);
    expect(json.output?.secret.value).toBe(`\${data.consul_acl_token_secret_id.${id}.secret_id}`);
  });

  test.each([
    [
      { policyName: "Consul DNS", rules, description: "DNS" },
      'policyName "Consul DNS" is not a Consul policy name',
    ],
    [{ policyName: "dns", rules: " ", description: "DNS" }, 'rules " " is empty; write Consul ACL rules'],
    [{ policyName: "dns", rules, description: "" }, 'description "" is empty; say what holds the token'],
  ])("fails on bad props %#", (props, message) => {
    expect(() => new ConsulAclToken(testStack(), "t", props)).toThrow(`ConsulAclToken test/t: ${message}`);
  });
});

describe("ConsulNodeToken", () => {
  test("a local token with the node's identity and no policy, its secret read by accessor", () => {
    const stack = testStack();
    const token = new ConsulNodeToken(stack, "Agent", { nodeName: "client-1", datacenter: "dc1" });
    const json = synth(stack);
    expect(onlyResource(json, "consul_acl_token")).toEqual({
      description: "Consul agent on client-1",
      local: true,
      node_identities: [{ node_name: "client-1", datacenter: "dc1" }],
    });
    expect(token.secret).toMatch(/TfToken/);
  });

  test("refuses a node name Consul's node identities refuse", () => {
    expect(
      () => new ConsulNodeToken(testStack(), "Agent", { nodeName: "client_1.", datacenter: "dc1" }),
    ).toThrow(
      'ConsulNodeToken test/Agent: nodeName "client_1." is not a node name Consul takes in a node identity',
    );
  });
});
