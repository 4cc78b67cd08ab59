import { NomadConsulIntegration } from "../../constructs/consul/nomad-consul";
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
      max_token_ttl: "1h",
      token_locality: "local",
    });
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

  test("binds services to their service identity and tasks to a read-only role", () => {
    const rules = Object.values(resourcesOf(build(), "consul_acl_binding_rule"));
    expect(rules.map((r) => [r.bind_type, r.selector])).toEqual([
      ["service", '"nomad_service" in value'],
      ["role", '"nomad_service" not in value'],
    ]);
    // "$${" is Terraform's escape: Consul receives the literal "${value.nomad_service}".
    expect(rules[0].bind_name).toBe("$${value.nomad_service}");
  });

  test("gives tasks only read access", () => {
    expect(onlyResource(build(), "consul_acl_policy").rules).toBe(
      'key_prefix "" {\n  policy = "read"\n}\nservice_prefix "" {\n  policy = "read"\n}\n',
    );
  });

  test("fails when the Nomad address is not a URL", () => {
    expect(() => build("")).toThrow(
      'NomadConsulIntegration test/NomadConsul: nomadAddress "" is not an http(s) URL',
    );
  });
});
