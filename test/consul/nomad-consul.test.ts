import { NomadConsulIntegration } from "../../constructs/consul/nomad-consul";
import { TerraformVariable } from "cdktf";
import { onlyResource, resourcesOf, synth, testStack } from "../helpers";

describe("NomadConsulIntegration", () => {
  const build = (nomadAddress = "https://nomad.example:4646") => {
    const stack = testStack();
    new NomadConsulIntegration(stack, "NomadConsul", { nomadAddress });
    return synth(stack);
  };

  test("creates a JWT auth method trusting Nomad's JWKS with the workload claims", () => {
    const method = onlyResource(build(), "consul_acl_auth_method");
    expect(method).toMatchObject({
      name: "nomad-workloads",
      type: "jwt",
      token_locality: "local",
    });
    // Nomad cannot recreate Consul tokens: an expiring one would cut every sidecar off the mesh.
    expect(method).not.toHaveProperty("max_token_ttl");
    expect(JSON.parse(method.config_json as string)).toEqual({
      JWKSURL: "https://nomad.example:4646/.well-known/jwks.json",
      JWTSupportedAlgs: ["RS256"],
      BoundAudiences: ["consul.io"],
      ClaimMappings: {
        nomad_namespace: "nomad_namespace",
        nomad_job_id: "nomad_job_id",
        nomad_task: "nomad_task",
        nomad_service: "nomad_service",
      },
    });
  });

  test("trusts the CA of Nomad's HTTPS certificate, escaped by Terraform when it is a reference", () => {
    const stack = testStack();
    const pem = new TerraformVariable(stack, "ca", { type: "string" }).stringValue;
    new NomadConsulIntegration(stack, "NomadConsul", { nomadAddress: "https://nomad:4646", jwksCaPem: pem });
    const config = onlyResource(synth(stack), "consul_acl_auth_method").config_json as string;
    expect(config).toMatch(/^\$\{jsonencode\(\{.*"JWKSCACert" = var\.ca/s);
  });

  test("rejects maxTokenTtl from callers that still pass it", () => {
    expect(
      () =>
        new NomadConsulIntegration(testStack(), "NomadConsul", {
          nomadAddress: "https://nomad:4646",
          maxTokenTtl: "1h",
        } as never),
    ).toThrow(
      /^NomadConsulIntegration test\/NomadConsul: maxTokenTtl "1h" would expire every Connect sidecar's Consul token: .*hashicorp\/nomad#24354\); remove it$/,
    );
  });

  test("binds services to their service identity and tasks to a read-only role", () => {
    const rules = Object.values(resourcesOf(build(), "consul_acl_binding_rule"));
    expect(rules.map((r) => [r.bind_type, r.selector])).toEqual([
      ["service", '"nomad_service" in value'],
      ["role", '"nomad_service" not in value'],
    ]);
    // "$${" is Terraform's escape: Consul receives the literal "${value.nomad_service}".
    expect(rules[0].bind_name).toBe("$${value.nomad_service}");
  });

  test("gives tasks only read access, as nomad setup consul does since Nomad 1.10 (node_prefix included)", () => {
    expect(onlyResource(build(), "consul_acl_policy").rules).toBe(
      'node_prefix "" {\n  policy = "read"\n}\nservice_prefix "" {\n  policy = "read"\n}\n' +
        'key_prefix "" {\n  policy = "read"\n}\n',
    );
  });

  test("denies tasks the KV prefixes given, such as the Terraform state's", () => {
    const stack = testStack();
    new NomadConsulIntegration(stack, "NomadConsul", {
      nomadAddress: "https://nomad:4646",
      deniedKeyPrefixes: ["meshstack/prod"],
    });
    expect(onlyResource(synth(stack), "consul_acl_policy").rules).toMatch(
      /key_prefix "" \{\n {2}policy = "read"\n\}\nkey_prefix "meshstack\/prod" \{\n {2}policy = "deny"\n\}\n$/,
    );
  });

  test("binds each namespace's tasks to a role of its own, as nomad setup consul names them", () => {
    const stack = testStack();
    new NomadConsulIntegration(stack, "NomadConsul", {
      nomadAddress: "https://nomad:4646",
      namespaces: ["default", "payments"],
    });
    const json = synth(stack);
    expect(
      Object.values(resourcesOf(json, "consul_acl_role"))
        .map((r) => r.name)
        .sort(),
    ).toEqual(["nomad-default-tasks", "nomad-payments-tasks"]);
    const taskRule = Object.values(resourcesOf(json, "consul_acl_binding_rule")).find(
      (r) => r.bind_type === "role",
    )!;
    // Consul, not Terraform, fills the namespace in: "$${" is Terraform's escape for "${".
    expect(taskRule.bind_name).toBe("nomad-$${value.nomad_namespace}-tasks");
  });

  test("fails when the Nomad address is not a URL", () => {
    expect(() => build("")).toThrow(
      'NomadConsulIntegration test/NomadConsul: nomadAddress "" is not an http(s) URL',
    );
  });
});
