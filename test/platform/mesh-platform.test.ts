import { Lazy, TerraformVariable } from "cdktf";
import { MeshPlatform, MeshPlatformProps } from "../../constructs/platform/mesh-platform";
import { ExternalService, MeshService, TerminatingGateway } from "../../constructs/mesh";
import { TaskDriver } from "../../constructs/nomad";
import { NomadVaultMode } from "../../constructs/vault/nomad-vault";
import { jobs } from "../nomad/support";
import { resourcesOf, synth, testStack } from "../helpers";

const base: MeshPlatformProps = {
  datacenter: "dc1",
  vaultAddress: "https://vault.internal:8200",
  vaultCaFile: "/etc/consul.d/vault-ca.pem",
  nomadAddress: "https://nomad.internal:4646",
  consulRetryJoin: ["consul.internal"],
  // References, as the stack passes them (Terraform variables): literals are refused for secrets.
  consulAgentSecurity: {
    gossipKey: Lazy.stringValue({ produce: () => "gossip" }),
    caPem: Lazy.stringValue({ produce: () => "pem" }),
  },
};

describe("MeshPlatform", () => {
  test("builds the whole control plane in one construct, with the dependency order of the stack", () => {
    // GIVEN
    const stack = testStack();
    // WHEN
    const platform = new MeshPlatform(stack, "Default", base);
    // THEN every layer is there, and the ingress waits for the CA and the default deny
    const json = synth(stack);
    expect(Object.keys(resourcesOf(json, "vault_mount"))).toHaveLength(2);
    expect(Object.keys(resourcesOf(json, "consul_certificate_authority"))).toHaveLength(1);
    expect(Object.keys(resourcesOf(json, "consul_acl_auth_method"))).toHaveLength(1);
    expect(Object.keys(jobs(stack)).sort()).toEqual(["consul", "traefik"]);
    const traefik = Object.values(resourcesOf(json, "nomad_job")).find((j) =>
      String(j.jobspec).includes('"ID":"traefik"'),
    )!;
    expect(traefik.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^consul_certificate_authority\./),
        expect.stringMatching(/^consul_config_entry_service_intentions\.Intentions_DefaultDeny_/),
      ]),
    );
    expect(platform.mesh.intentions).toBe(platform.intentions);
  });

  test('keeps its scope\'s resource addresses with the id "Default"', () => {
    const stack = testStack();
    new MeshPlatform(stack, "Default", base);
    const mounts = Object.keys(resourcesOf(synth(stack), "vault_mount")).sort();
    expect(mounts[0]).toMatch(/^ConnectCaPki_IntermediateMount_/);
    expect(mounts[1]).toMatch(/^ConnectCaPki_RootMount_/);
  });

  test("leaves out the agent job and the ACL resources where Consul runs outside Nomad without ACLs", () => {
    const stack = testStack();
    const platform = new MeshPlatform(stack, "Default", {
      ...base,
      consulAgentJob: false,
      consulAclsEnabled: false,
    });
    expect(platform.consulAgent).toBeUndefined();
    expect(platform.nomadConsul).toBeUndefined();
    expect(Object.keys(jobs(stack))).toEqual(["traefik"]);
  });

  test("workloads join its mesh; raw_exec platforms give their sidecars the Envoy binary", () => {
    const stack = testStack();
    const platform = new MeshPlatform(stack, "Default", {
      ...base,
      driver: "raw_exec",
      envoyCommand: "envoy",
    });
    new MeshService(stack, "api", {
      mesh: platform.mesh,
      port: 9001,
      tasks: [{ name: "api", driver: TaskDriver.rawExec({ command: "python3" }) }],
    });
    const all = jobs(stack);
    expect(all.api.TaskGroups[0].Services[0].Connect.SidecarTask).toMatchObject({
      Driver: "raw_exec",
      Config: { command: "envoy" },
    });
    // The catalog through the socket Nomad proxies to the node's agent, which stays on loopback.
    expect(JSON.stringify(all.traefik)).toContain("/tmp/consul_http.sock");
  });

  describe("bad input", () => {
    test.each<[string, Partial<MeshPlatformProps> | undefined, string]>([
      [
        "props are missing",
        undefined,
        'props undefined are not an object; pass { datacenter: "dc1", vaultAddress, nomadAddress }',
      ],
      [
        "the datacenter is not a name",
        { datacenter: "DC 1" },
        'datacenter "DC 1" is not a valid service name',
      ],
      [
        "the Vault address is not a URL",
        { vaultAddress: "vault:8200" },
        'vaultAddress "vault:8200" is not an http(s) URL',
      ],
      ["the Nomad address is not a URL", { nomadAddress: "" }, 'nomadAddress "" is not an http(s) URL'],
      [
        "an Envoy binary is given to Docker sidecars",
        { envoyCommand: "/usr/bin/envoy" },
        'envoyCommand "/usr/bin/envoy" needs driver "raw_exec" (Docker sidecars use Nomad\'s Envoy image); remove it or set driver: "raw_exec"',
      ],
    ])("fails when %s", (_case, props, message) => {
      const stack = testStack();
      const untyped = MeshPlatform as unknown as new (s: unknown, id: string, p?: unknown) => MeshPlatform;
      expect(
        () => new untyped(stack, "Default", props === undefined ? undefined : { ...base, ...props }),
      ).toThrow(`MeshPlatform test/Default: ${message}`);
    });
  });
});

describe("MeshPlatform on the open-source Nomad 1.6", () => {
  test("reaches Vault through the token role and Consul through the agents' own tokens", () => {
    // GIVEN a cluster on Nomad 1.6.1 with Consul ACLs and an ingress domain
    const stack = testStack();
    const platform = new MeshPlatform(stack, "Default", {
      ...base,
      nomadVersion: "1.6.1",
      ingressDomain: "prod.example.com",
    });
    const json = synth(stack);
    // THEN Vault has the nomad-cluster role and no JWT backend (Nomad 1.6 serves no JWKS)...
    expect(Object.values(resourcesOf(json, "vault_token_auth_backend_role"))).toEqual([
      expect.objectContaining({ role_name: "nomad-cluster" }),
    ]);
    expect(resourcesOf(json, "vault_jwt_auth_backend")).toEqual({});
    expect(resourcesOf(json, "vault_jwt_auth_backend_role")).toEqual({});
    // ...Consul has no auth method (Nomad's servers derive service-identity tokens)...
    expect(platform.nomadConsul).toBeUndefined();
    expect(resourcesOf(json, "consul_acl_auth_method")).toEqual({});
    // ...and the ingress names its issuing policy, minted through the role, waiting for that policy
    const traefik = Object.values(resourcesOf(json, "nomad_job")).find((j) =>
      String(j.jobspec).includes('"ID":"traefik"'),
    )!;
    expect(JSON.parse(String(traefik.jobspec)).Job.TaskGroups[0].Tasks[0].Vault).toEqual({
      Policies: ["dc1-ingress-issue"],
    });
    expect(traefik.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^vault_policy\.IngressPki_Policy_/)]),
    );
  });

  test("fails when a service asks for transparent proxy, which Nomad 1.6 lacks", () => {
    const stack = testStack();
    const platform = new MeshPlatform(stack, "Default", { ...base, nomadVersion: "1.6.1" });
    expect(
      () =>
        new MeshService(stack, "api", {
          mesh: platform.mesh,
          port: 9001,
          transparentProxy: true,
          tasks: [{ name: "api", driver: TaskDriver.docker({ image: "example/api:1" }) }],
        }),
    ).toThrow(
      'MeshService test/api: transparentProxy true needs transparent proxy (Nomad >= 1.8.0), but nomadVersion is "1.6.1"',
    );
  });

  test("fails when the legacy token role is asked of Nomad 1.10, which removed it", () => {
    expect(
      () =>
        new MeshPlatform(testStack(), "Default", {
          ...base,
          nomadVersion: "1.10.2",
          nomadVaultMode: NomadVaultMode.LEGACY_TOKEN_ROLE,
        }),
    ).toThrow(
      'NomadVaultIntegration test/Default/NomadVault: mode "legacy-token-role" needs the token-based Consul and Vault workflows (Nomad < 1.10.0), but nomadVersion is "1.10.2"',
    );
  });
});

describe("MeshPlatform from Terraform references", () => {
  test("takes addresses, datacenter, domain and CA files from variables, as a consumer repo passes them", () => {
    // GIVEN every value a platform repo feeds from variables, outputs or remote state
    const stack = testStack();
    const v = (name: string) => new TerraformVariable(stack, name, { type: "string" }).stringValue;
    const platform = new MeshPlatform(stack, "Default", {
      ...base,
      datacenter: v("datacenter"),
      vaultAddress: v("vault_address"),
      nomadAddress: v("nomad_address"),
      consulRetryJoin: new TerraformVariable(stack, "retry_join", { type: "list(string)" }).listValue,
      nomadCaPem: v("nomad_ca_pem"),
      vaultCaFile: v("vault_ca_file"),
      ingressDomain: v("domain"),
      stateKeyPrefix: v("state_prefix"),
    });
    // WHEN it synthesizes
    const json = synth(stack);
    // THEN each lands as its reference, where the servers check it at apply
    const ca = Object.values(resourcesOf(json, "consul_certificate_authority"))[0];
    expect(String(ca.config_json)).toContain("var.vault_address");
    expect(Object.values(resourcesOf(json, "vault_mount")).map((m) => m.path)).toEqual(
      expect.arrayContaining(["${var.datacenter}/connect_root", "${var.datacenter}/ingress"]),
    );
    expect(platform.pki.rootPath).toMatch(/TfToken/);
  });

  test("still refuses a literal that is wrong", () => {
    const stack = testStack();
    const v = (name: string) => new TerraformVariable(stack, name, { type: "string" }).stringValue;
    expect(
      () => new MeshPlatform(stack, "Default", { ...base, datacenter: v("dc"), vaultAddress: "vault:8200" }),
    ).toThrow('MeshPlatform test/Default: vaultAddress "vault:8200" is not an http(s) URL');
  });
});

describe("names that key the access graph", () => {
  test("fails when a service name is a Terraform reference, saying why it must be a literal", () => {
    const stack = testStack();
    const platform = new MeshPlatform(stack, "Default", base);
    const name = new TerraformVariable(stack, "name", { type: "string" }).stringValue;
    expect(
      () =>
        new MeshService(stack, "api", {
          mesh: platform.mesh,
          name,
          port: 9001,
          tasks: [{ name: "api", driver: TaskDriver.docker({ image: "example/api:1" }) }],
        }),
    ).toThrow(
      "MeshService test/api: name is a Terraform reference; a service or job name keys the access graph and Consul's entries at synth, so give it as a literal",
    );
  });
});

describe("what would break the mesh is protected", () => {
  test("the Consul auth method and Vault's JWT backend carry prevent_destroy, unless the platform is a throwaway", () => {
    const protectedTypes = (preventDestroy?: boolean) => {
      const stack = testStack();
      new MeshPlatform(stack, "Default", { ...base, preventDestroy });
      const json = synth(stack);
      return ["consul_acl_auth_method", "vault_jwt_auth_backend"].map(
        (type) => Object.values(resourcesOf(json, type))[0]?.lifecycle,
      );
    };
    expect(protectedTypes()).toEqual([{ prevent_destroy: true }, { prevent_destroy: true }]);
    expect(protectedTypes(false)).toEqual([{ prevent_destroy: false }, { prevent_destroy: false }]);
  });
});

describe("the platform's jobs run in a namespace of their own", () => {
  test("creates the namespace and places the agents, Traefik, their variables and the ingress's Vault role in it", () => {
    const stack = testStack();
    new MeshPlatform(stack, "Default", { ...base, ingressDomain: "example.internal" });
    const json = synth(stack);
    const [namespace] = Object.values(resourcesOf(json, "nomad_namespace"));
    expect(namespace).toMatchObject({ name: "mesh-platform" });
    const spec = jobs(stack);
    expect([spec.consul.Namespace, spec.traefik.Namespace]).toEqual(["mesh-platform", "mesh-platform"]);
    expect(Object.values(resourcesOf(json, "nomad_variable")).map((v) => v.namespace)).toEqual([
      "mesh-platform",
      "mesh-platform",
      "mesh-platform",
    ]);
    // Both jobs and their variables wait for it: Nomad refuses a job in a namespace that does not exist
    // yet, and deleting a namespace that still holds a variable.
    for (const resource of [
      ...Object.values(resourcesOf(json, "nomad_job")),
      ...Object.values(resourcesOf(json, "nomad_variable")),
    ]) {
      expect(resource.depends_on).toContainEqual(
        expect.stringMatching(/^nomad_namespace\.PlatformNamespace/),
      );
    }
    // On Nomad >= 1.7 the ingress's Vault role binds the job in that namespace only.
    expect(
      Object.values(resourcesOf(json, "vault_jwt_auth_backend_role")).map((r) => r.bound_claims),
    ).toContainEqual({
      nomad_namespace: "mesh-platform",
      nomad_job_id: "traefik",
    });
  });

  test("takes another namespace, or the default one (which it does not create)", () => {
    const namespaceOf = (platformNamespace: string) => {
      const stack = testStack();
      new MeshPlatform(stack, "Default", { ...base, platformNamespace });
      return [
        Object.values(resourcesOf(synth(stack), "nomad_namespace")).length,
        jobs(stack).traefik.Namespace,
      ];
    };
    expect(namespaceOf("platform")).toEqual([1, "platform"]);
    expect(namespaceOf("default")).toEqual([0, "default"]);
  });
});

describe("the Connect CA's login", () => {
  test("with caLogin, Consul logs in with its servers' certificate and no CA token is created", () => {
    const stack = testStack();
    const platform = new MeshPlatform(stack, "Default", {
      ...base,
      caTokenPeriod: "24h",
      caLogin: { serverCaPem: "PEM", certFile: "tls/server.pem", keyFile: "tls/server.key" },
    });
    const json = synth(stack);
    expect(platform.caToken).toBeUndefined();
    expect(resourcesOf(json, "vault_token")).toEqual({});
    expect(Object.values(resourcesOf(json, "vault_cert_auth_backend_role"))[0]).toMatchObject({
      certificate: "PEM",
      allowed_dns_sans: ["server.dc1.consul"],
      token_period: 86400,
    });
    expect(Object.values(resourcesOf(json, "vault_auth_backend"))[0]!.lifecycle).toEqual({
      prevent_destroy: true,
    });
    expect(Object.values(resourcesOf(json, "consul_certificate_authority"))[0]!.config_json).toContain(
      '"CertFile" = "tls/server.pem"',
    );
  });

  test("without it, the periodic CA token as before", () => {
    const stack = testStack();
    const platform = new MeshPlatform(stack, "Default", base);
    expect(platform.caLogin).toBeUndefined();
    expect(Object.keys(resourcesOf(synth(stack), "vault_token"))).toHaveLength(1);
  });
});

describe("the Consul agents' tokens", () => {
  test("with consulAgentNodes, each node's agent gets a local token with its node identity, and no shared token exists", () => {
    const stack = testStack();
    new MeshPlatform(stack, "Default", { ...base, consulAgentNodes: ["client-1", "client-2"] });
    const json = synth(stack);
    const tokens = Object.values(resourcesOf(json, "consul_acl_token"));
    expect(tokens.filter((t) => t.node_identities).map((t) => [t.local, t.node_identities])).toEqual([
      [true, [{ node_name: "client-1", datacenter: "dc1" }]],
      [true, [{ node_name: "client-2", datacenter: "dc1" }]],
    ]);
    expect(Object.values(resourcesOf(json, "consul_acl_policy")).map((p) => p.name)).not.toContain(
      "consul-agents",
    );
    const perNode = Object.values(resourcesOf(json, "nomad_variable")).find((v) =>
      String(v.path).endsWith("/consul-agent/consul"),
    )!;
    expect(Object.keys(perNode.items as object)).toEqual(["client-1", "client-2"]);
    expect(jobs(stack).consul.Constraints).toContainEqual({
      LTarget: "${node.unique.name}",
      RTarget: "client-1,client-2",
      Operand: "set_contains_any",
    });
  });

  test("refuses node names given as a reference: one token is written per node", () => {
    const stack = testStack();
    const nodes = new TerraformVariable(stack, "nodes", { type: "list(string)" }).listValue;
    expect(() => new MeshPlatform(stack, "Default", { ...base, consulAgentNodes: [nodes[0]!] })).toThrow(
      "MeshPlatform test/Default: consulAgentNodes is a Terraform reference; one agent token is written per node",
    );
  });

  test("keeps Consul DNS on loopback, off it only when transparent proxy is asked for", () => {
    const dnsOf = (transparentProxyDns?: boolean) => {
      const stack = testStack();
      new MeshPlatform(stack, "Default", { ...base, nomadVersion: "1.11.3", transparentProxyDns });
      const config = jobs(stack).consul.TaskGroups[0].Tasks[0].Templates[0].EmbeddedTmpl as string;
      return /addresses \{\n {2}dns = "([^"]+)"/.exec(config)?.[1];
    };
    expect(dnsOf()).toBeUndefined();
    expect(dnsOf(true)).toBe("[[ env `attr.unique.network.ip-address` ]]");
  });

  test("refuses transparent proxy at synth while Consul DNS stays on loopback", () => {
    const stack = testStack();
    const platform = new MeshPlatform(stack, "Default", { ...base, nomadVersion: "1.11.3" });
    expect(
      () =>
        new MeshService(stack, "web", {
          mesh: platform.mesh,
          port: 8080,
          transparentProxy: true,
          tasks: [{ name: "web", driver: TaskDriver.docker({ image: "example/web:1.0" }) }],
        }),
    ).toThrow(
      "MeshService test/web: transparentProxy is true, but the platform's Consul agents serve DNS on loopback " +
        "only (MeshPlatform transparentProxyDns); set transparentProxy: false",
    );
  });
});

describe("terminating gateways on the platform", () => {
  const gatewayOn = (nomadVersion: string) => {
    const stack = testStack();
    const platform = new MeshPlatform(stack, "Default", { ...base, nomadVersion });
    const db = new ExternalService(stack, "Db", {
      mesh: platform.mesh,
      name: "db",
      address: "10.0.0.5",
      port: 5432,
    });
    return () => new TerminatingGateway(stack, "Gateway", { mesh: platform.mesh, services: [db] });
  };

  test("run with Consul ACLs before Nomad 1.7, where the client's own token registers the gateway", () => {
    expect(gatewayOn("1.6.1")().serviceName).toBe("terminating-gateway");
  });

  test("are refused at synth with ACLs and workload identity, whose gateway identity cannot write linked services", () => {
    expect(gatewayOn("1.7.0")).toThrow(
      "TerminatingGateway test/Gateway: the mesh cannot run a terminating gateway: with Consul ACLs and " +
        "workload identity (Nomad >= 1.7) the gateway registers with its own service identity",
    );
  });
});
