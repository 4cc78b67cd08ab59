import { hostname } from "node:os";
import { Testing } from "cdktf";
import { environments, EnvironmentConfig, selectEnvironments } from "../../environments";
import type { BackendConfig } from "../../environments/types";
import { MeshPlatformStack } from "../../stacks/mesh-platform-stack";
import { buildStacks } from "../../stacks/app-stacks";
import { addressOf, onlyResource, resourcesOf, synth, SynthJson } from "../helpers";
import { VERSIONS } from "../../constructs/core/versions";

function stackFor(environment: EnvironmentConfig, id = environment.name) {
  if (environment.peering === undefined || id !== environment.name) {
    return new MeshPlatformStack(Testing.app(), id, { environment });
  }
  // A peered environment comes with its peers' stacks, as main.ts builds them; the app's synth turns
  // the token into a cross-stack reference (remote state), as cdktf deploy reads it.
  const app = Testing.app();
  const stack = buildStacks(app, selectEnvironments(environment.name)).get(environment.name)!;
  app.synth();
  return stack;
}

describe.each(Object.keys(environments))("MeshPlatformStack %s", (name) => {
  const stack = stackFor(environments[name]);
  const text = Testing.synth(stack, true);
  const json = JSON.parse(text) as SynthJson;

  test("matches the snapshot", () => {
    expect(text).toMatchSnapshot();
  });

  test("is deterministic: no absolute paths, timestamps or host names", () => {
    expect(text).not.toContain(process.cwd());
    expect(text).not.toMatch(/"\/(home|root|tmp|Users)\//);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    expect(text).not.toContain(hostname());
    expect(Testing.synth(stackFor(environments[name]), true)).toBe(text);
  });

  test("orders the Connect CA after the PKI and the mesh entries after the CA", () => {
    const ca = addressOf(json, "consul_certificate_authority");
    expect(onlyResource(json, "consul_certificate_authority").depends_on).toEqual(
      expect.arrayContaining([
        addressOf(json, "vault_policy", (p) => String(p.name).endsWith("consul-connect-ca")),
      ]),
    );
    for (const entry of Object.values(resourcesOf(json, "consul_config_entry"))) {
      expect(entry.depends_on).toEqual(expect.arrayContaining([ca]));
    }
    const deny = Object.values(resourcesOf(json, "consul_config_entry_service_intentions")).find(
      (e) => e.name === "*",
    );
    expect(deny?.depends_on).toEqual(expect.arrayContaining([ca]));
    expect(deny?.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("reads provider credentials from the environment, never from the configuration", () => {
    for (const provider of ["vault", "consul", "nomad"]) {
      const config = (JSON.parse(text).provider[provider] as Record<string, unknown>[])[0];
      expect(Object.keys(config)).not.toEqual(expect.arrayContaining(["token"]));
      expect(config).not.toHaveProperty("secret_id");
    }
  });
});

describe("MeshPlatformStack per-environment choices", () => {
  test("local keeps state in a relative file and skips Consul ACL resources", () => {
    const json = synth(stackFor(environments.local));
    expect(json.terraform?.backend).toEqual({ local: { path: "../../../.local/cluster/terraform.tfstate" } });
    expect(resourcesOf(json, "consul_acl_auth_method")).toEqual({});
  });

  test("staging uses the Consul backend with locking and no committed token", () => {
    const json = synth(stackFor(environments.staging));
    expect(json.terraform?.backend).toEqual({
      consul: {
        address: "consul.staging.example.internal:8501",
        path: "meshstack/staging",
        scheme: "https",
        lock: true,
        access_token: "",
      },
    });
    expect(Object.keys(resourcesOf(json, "consul_acl_auth_method"))).toHaveLength(1);
  });

  test("staging runs Consul client agents that join its servers, before the CA is configured", () => {
    const json = synth(stackFor(environments.staging));
    const jobs = Object.entries(resourcesOf(json, "nomad_job"));
    const [agentId, agent] = jobs.find(([, j]) => String(j.jobspec).includes('"ID":"consul"'))!;
    expect(agent.jobspec).toContain("server = false");
    expect(agent.jobspec).toContain('retry_join = [\\"consul.staging.example.internal\\"]');
    expect(onlyResource(json, "consul_certificate_authority").depends_on).toContain(`nomad_job.${agentId}`);
  });

  test("staging secures its agents with the stack's tokens and starts workloads after the binding rules", () => {
    const json = synth(stackFor(environments.staging));
    // Bootstrap material comes in through variables, the agents' tokens from the stack's own ACL tokens.
    expect(json.variable).toMatchObject({
      consul_gossip_key: { type: "string", sensitive: true },
      tls_ca_file: { type: "string" },
    });
    const variables = Object.values(resourcesOf(json, "nomad_variable"));
    expect(variables.map((v) => v.path).sort()).toEqual([
      "nomad/jobs/consul",
      "nomad/jobs/consul/consul-agent",
      "nomad/jobs/consul/consul-agent/consul",
      "nomad/jobs/traefik",
    ]);
    const itemsAt = (path: string) => variables.find((v) => v.path === path)!.items as Record<string, string>;
    expect(itemsAt("nomad/jobs/consul")).toEqual({
      gossip_key: "${var.consul_gossip_key}",
      ca_pem: "${file(var.tls_ca_file)}",
    });
    expect(itemsAt("nomad/jobs/consul/consul-agent")).toEqual({
      dns_token: expect.stringMatching(
        /^\$\{data\.consul_acl_token_secret_id\.ConsulDnsToken_Secret_\w+\.secret_id\}$/,
      ),
    });
    // Each node's agent its own token (node identity); no shared node-write policy.
    expect(itemsAt("nomad/jobs/consul/consul-agent/consul")).toEqual({
      "nomad-client-1": expect.stringMatching(
        /^\$\{data\.consul_acl_token_secret_id\.ConsulAgentToken-nomad-client-1_Secret_\w+\.secret_id\}$/,
      ),
      "nomad-client-2": expect.stringMatching(
        /^\$\{data\.consul_acl_token_secret_id\.ConsulAgentToken-nomad-client-2_Secret_\w+\.secret_id\}$/,
      ),
    });
    const policies = Object.values(resourcesOf(json, "consul_acl_policy")).map((p) => p.name);
    expect(policies).toEqual(expect.arrayContaining(["consul-dns", "traefik-catalog"]));
    expect(policies).not.toContain("consul-agents");
    const rules = Object.keys(resourcesOf(json, "consul_acl_binding_rule")).map(
      (id) => `consul_acl_binding_rule.${id}`,
    );
    expect(rules).toHaveLength(2);
    const traefik = Object.values(resourcesOf(json, "nomad_job")).find((j) =>
      String(j.jobspec).includes('"ID":"traefik"'),
    );
    expect(traefik?.depends_on).toEqual(expect.arrayContaining(rules));
  });

  test("prod uses S3 with native locking and shorter certificates", () => {
    const json = synth(stackFor(environments.prod));
    expect(json.terraform?.backend).toMatchObject({
      s3: { bucket: "example-terraform-state", encrypt: true, use_lockfile: true },
    });
    expect(onlyResource(json, "consul_certificate_authority").config_json).toContain(
      '"LeafCertTTL" = "24h", "IntermediateCertTTL" = "2160h"',
    );
  });

  test("preventDestroy false relaxes protection explicitly", () => {
    const json = synth(stackFor({ ...environments.local, preventDestroy: false }));
    for (const mount of Object.values(resourcesOf(json, "vault_mount"))) {
      expect(mount.lifecycle).toMatchObject({ prevent_destroy: false });
    }
  });
});

/** The hardening review of `staging` and `prod` (against HashiCorp's own references): none returns. */
describe.each(["staging", "prod"])("MeshPlatformStack %s hardening", (name) => {
  const json = synth(stackFor(environments[name]));
  const taskPolicy = () =>
    String(
      Object.values(resourcesOf(json, "consul_acl_policy")).find((p) => p.name === "nomad-tasks")!.rules,
    );

  test("keeps the Terraform state away from workloads where it lives in Consul KV", () => {
    const backend = environments[name].backend;
    if (backend?.type === "consul") {
      expect(taskPolicy()).toContain(`key_prefix "${backend.path}" {\n  policy = "deny"\n}`);
    } else {
      expect(taskPolicy()).not.toContain("deny");
    }
  });

  test("gives tasks node read, as nomad setup consul does since Nomad 1.10", () => {
    expect(taskPolicy()).toContain('node_prefix "" {\n  policy = "read"\n}');
  });

  test("binds each namespace's tasks to a role of its own", () => {
    const roles = Object.values(resourcesOf(json, "consul_acl_role")).map((r) => r.name);
    expect(roles).toEqual(["nomad-default-tasks"]);
    const rule = Object.values(resourcesOf(json, "consul_acl_binding_rule")).find(
      (r) => r.bind_type === "role",
    )!;
    expect(rule.bind_name).toBe("nomad-$${value.nomad_namespace}-tasks");
  });

  test("serves the ingress with a certificate from its own Vault PKI, never Traefik's default", () => {
    const traefik = Object.values(resourcesOf(json, "nomad_job"))
      .map((j) => String(j.jobspec))
      .find((spec) => spec.includes('"ID\\":\\"traefik\\"') || spec.includes('"ID":"traefik"'))!;
    expect(traefik).toContain(`pkiCert \\"${environments[name].datacenter}/ingress/issue/traefik\\"`);
    expect(traefik).toContain("defaultCertificate");
  });

  test("runs the Consul release its servers run and the Traefik release the local clusters run", () => {
    const jobs = Object.values(resourcesOf(json, "nomad_job")).map((j) => String(j.jobspec));
    expect(environments[name].consul.version).toBe("1.22.7");
    expect(jobs.join()).toContain(`hashicorp/consul:${environments[name].consul.version}`);
    expect(jobs.join()).toContain(`traefik:v${VERSIONS.traefik}`);
  });
});

describe("environments and stack bad input", () => {
  const local = environments.local;
  test("fails when an environment is unknown", () => {
    expect(() => selectEnvironments("local,qa")).toThrow(
      'environment "qa" is not defined (known: local, staging, prod, prodlike, peered-west, peered-east); add it to environments/index.ts or fix MESHSTACK_ENVIRONMENTS',
    );
  });
  test("selects a subset by name", () => {
    expect(selectEnvironments(" prod ,local").map((e) => e.name)).toEqual(["prod", "local"]);
    expect(selectEnvironments("")).toHaveLength(6);
  });
  test("a peered environment brings its peers, the accepting one first", () => {
    for (const asked of ["peered-west", "peered-east", "peered-west,peered-east"]) {
      expect(selectEnvironments(asked).map((e) => e.name)).toEqual(["peered-east", "peered-west"]);
    }
  });
  test("fails when the Vault address is missing", () => {
    expect(() => stackFor({ ...local, vault: { address: "" } })).toThrow(
      'MeshPlatformStack local: environment.vault.address "" is not an http(s) URL; use a form such as "https://vault.example:8200"',
    );
  });
  test("fails when the Consul address has no scheme", () => {
    expect(() => stackFor({ ...local, consul: { address: "127.0.0.1:8500" } })).toThrow(
      /MeshPlatformStack local: environment.consul.address "127.0.0.1:8500" is not an http\(s\) URL/,
    );
  });
  test("fails when the Nomad address is missing", () => {
    expect(() => stackFor({ ...local, nomad: { address: "" } })).toThrow(
      /environment.nomad.address "" is not an http\(s\) URL/,
    );
  });
  test("fails when the stack id differs from the environment name", () => {
    expect(() => stackFor(local, "dev")).toThrow(
      'MeshPlatformStack dev: environment.name "local" differs from the stack id; name the stack "local"',
    );
  });
  test("fails when the datacenter is invalid", () => {
    expect(() => stackFor({ ...local, datacenter: "DC 1" })).toThrow(
      /environment.datacenter "DC 1" is not a valid service name/,
    );
  });
  test("fails when the S3 backend has no bucket", () => {
    const backend = { type: "s3", bucket: "", key: "k", region: "r", kmsKeyId: "alias/state" } as const;
    expect(() => stackFor({ ...local, backend })).toThrow(
      'MeshPlatformStack local: backend.bucket "" is empty; set the S3 bucket holding the state',
    );
  });
  test("fails when the S3 backend has no KMS key: the state holds secrets", () => {
    const backend = { type: "s3", bucket: "b", key: "k", region: "r" } as unknown as BackendConfig;
    expect(() => stackFor({ ...local, backend })).toThrow(
      'MeshPlatformStack local: backend.kmsKeyId "" is empty; set the KMS key that encrypts the state ' +
        '(it holds secrets), such as "alias/terraform-state"',
    );
  });
  test("encrypts S3 state with the environment's KMS key", () => {
    const json = synth(stackFor(environments.prod));
    expect((json.terraform?.backend as Record<string, unknown>).s3).toMatchObject({
      encrypt: true,
      kms_key_id: "alias/meshstack-terraform-state",
    });
  });
  test("fails when PKI TTLs are inverted", () => {
    expect(() => stackFor({ ...local, pki: { leafCertTtl: "9000h" } })).toThrow(
      /ConnectCaPki local\/Default\/ConnectCaPki: leafCertTtl "9000h" is longer than intermediateCertTtl "8760h"/,
    );
  });
});

describe("provider version constraints", () => {
  test("allow compatible releases from the bindings' versions onwards", () => {
    const json = synth(stackFor(environments.local));
    expect(json.terraform?.required_providers).toEqual({
      vault: { source: "hashicorp/vault", version: "~> 5.6" },
      consul: { source: "consul", version: "~> 2.22" },
      nomad: { source: "nomad", version: "~> 2.5" },
    });
  });
});

describe("the peered pair (environments/peered.ts)", () => {
  const app = Testing.app();
  const stacks = buildStacks(app, selectEnvironments("peered-west"));
  app.synth();
  const [west, east] = ["peered-west", "peered-east"].map((n) => synth(stacks.get(n)!));
  const entry = (json: SynthJson, kind: string, name: string) =>
    JSON.parse(
      String(
        Object.values(resourcesOf(json, "consul_config_entry")).find(
          (e) => e.kind === kind && e.name === name,
        )?.config_json,
      ),
    ) as Record<string, unknown>;

  test("west dials east with the token east's stack mints, read from east's state", () => {
    expect(onlyResource(east, "consul_peering_token")).toMatchObject({ peer_name: "west" });
    expect(onlyResource(west, "consul_peering")).toMatchObject({
      peer_name: "east",
      peering_token: expect.stringMatching(
        /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-peered-east\./,
      ),
    });
    expect(resourcesOf(west, "consul_peering_token")).toEqual({});
    expect(resourcesOf(east, "consul_peering")).toEqual({});
  });

  test("each runs a mesh gateway on its static WAN port, and sidecars leave through it", () => {
    for (const json of [west, east]) {
      const gateway = Object.values(resourcesOf(json, "nomad_job")).find((j) =>
        String(j.jobspec).includes('"ID":"mesh-gateway"'),
      );
      expect(String(gateway?.jobspec)).toContain('"ReservedPorts":[{"Label":"mesh_wan","Value":9443}]');
      expect(entry(json, "proxy-defaults", "global")).toMatchObject({ MeshGateway: { Mode: "local" } });
    }
  });

  test("west's count-api fails over to east's, which east exports to west and opens to west's callers only", () => {
    expect(entry(west, "service-resolver", "count-api")).toMatchObject({
      Failover: { "*": { Targets: [{ Service: "count-api", Peer: "east" }] } },
    });
    expect(entry(east, "exported-services", "default")).toEqual({
      Services: [{ Name: "count-api", Consumers: [{ Peer: "west" }] }],
    });
    const sources = Object.values(resourcesOf(east, "consul_config_entry_service_intentions"))
      .filter((e) => e.name === "count-api")
      .flatMap((e) => e.sources as Record<string, unknown>[]);
    expect(sources).toEqual([
      expect.objectContaining({ name: "count-dashboard", action: "allow" }),
      expect.objectContaining({ name: "count-dashboard", peer: "west", action: "allow" }),
    ]);
  });
});
