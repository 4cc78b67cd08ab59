import { TerraformVariable } from "cdktf";
import { ConsulAgentJob, NOMAD_NODE_ADDRESS } from "../../constructs/nomad";
import { ConsulAclToken } from "../../constructs/consul/acl-token";
import { onlyResource, resourcesOf, synth } from "../helpers";
import { group, jobs, platformStack, rawJobspecs, type Json } from "../nomad/support";

function agent(props: ConstructorParameters<typeof ConsulAgentJob>[2] = {}) {
  const { stack } = platformStack();
  new ConsulAgentJob(stack, "consul", props);
  const job = jobs(stack).consul;
  const task = group(job, "consul-agent").Tasks[0];
  return { stack, job, task, config: task.Templates[0].EmbeddedTmpl as string };
}

describe("ConsulAgentJob", () => {
  test("is a system job on the host network with the Consul ports reserved", () => {
    const { job } = agent();
    expect(job.Type).toBe("system");
    const g = group(job, "consul-agent");
    expect(g.Count).toBeUndefined();
    expect(g.Networks[0].Mode).toBe("host");
    expect(Object.fromEntries(g.Networks[0].ReservedPorts.map((p: Json) => [p.Label, p.Value]))).toEqual({
      server: 8300,
      serf_lan: 8301,
      serf_wan: 8302,
      http: 8500,
      grpc: 8502,
      dns: 8600,
    });
  });

  test("deep-merges extraConfig, so a partial acl block keeps ACLs on with default deny", () => {
    // GIVEN a user adding agent tokens only
    const { config } = agent({
      extraConfig: { acl: { tokens: { agent: '{{ with secret "x" }}{{ end }}' } } },
    });
    // THEN the secure defaults survive next to the added block
    expect(config).toMatch(
      /acl \{\n  enabled = true\n  default_policy = "deny"\n  enable_token_persistence = true\n  tokens \{\n    agent = /,
    );
  });

  test("registers with Nomad's service provider to avoid the bootstrap loop", () => {
    expect(group(agent().job, "consul-agent").Services).toEqual([
      { Name: "consul", PortLabel: "http", Provider: "nomad" },
    ]);
  });

  test("renders a secure-by-default agent config", () => {
    const { config, task } = agent();
    expect(config).toContain('datacenter = "dc1"');
    expect(config).toContain("server = true\nbootstrap_expect = 1");
    expect(config).toContain("connect {\n  enabled = true\n}");
    expect(config).toContain("ports {\n  grpc = 8502\n}");
    expect(config).toContain('acl {\n  enabled = true\n  default_policy = "deny"');
    expect(config).toContain("ui_config {\n  enabled = false\n}");
    expect(task.Templates[0]).toMatchObject({
      LeftDelim: "[[",
      RightDelim: "]]",
      DestPath: "local/consul.d/consul.hcl",
    });
  });

  test("runs the pinned image with the data volume mounted", () => {
    const { task, job } = agent({ version: "1.19.2" });
    expect(task.Driver).toBe("docker");
    expect(task.Config).toEqual({
      image: "hashicorp/consul:1.19.2",
      args: ["agent", "-config-dir=/local/consul.d"],
      network_mode: "host",
    });
    expect(task.VolumeMounts).toEqual([{ Volume: "consul-data", Destination: "/consul/data" }]);
    expect(group(job, "consul-agent").Volumes).toEqual({
      "consul-data": { Name: "consul-data", Type: "host", Source: "consul-data" },
    });
    expect(task.Resources).toEqual({ CPU: 500, MemoryMB: 256 });
  });

  test("renders clients with retry_join, recursors, gRPC TLS and an allow policy when asked", () => {
    const { config, job } = agent({
      server: false,
      retryJoin: ["10.0.0.1", "10.0.0.2"],
      recursors: ["1.1.1.1"],
      grpcTls: true,
      acl: { defaultPolicy: "allow" },
      ui: true,
    });
    expect(config).toContain("server = false");
    expect(config).not.toContain("bootstrap_expect");
    expect(config).toContain('retry_join = ["10.0.0.1", "10.0.0.2"]');
    expect(config).toContain('recursors = ["1.1.1.1"]');
    expect(config).toContain("ports {\n  grpc_tls = 8503\n}");
    expect(config).toContain('default_policy = "allow"');
    expect(group(job, "consul-agent").Networks[0].ReservedPorts).toContainEqual({
      Label: "grpc_tls",
      Value: 8503,
    });
  });

  test("runs the host binary without volumes on raw_exec", () => {
    const { task, stack } = agent({ driver: "raw_exec", binary: "/opt/bin/consul" });
    expect(task.Driver).toBe("raw_exec");
    expect(task.Config).toEqual({
      command: "/opt/bin/consul",
      args: ["agent", "-config-dir=local/consul.d"],
    });
    expect(task.VolumeMounts).toBeUndefined();
    expect(rawJobspecs(stack).consul).toContain('data_dir = \\"[[ env `NOMAD_ALLOC_DIR` ]]/data/consul\\"');
  });

  test("rolls one node at a time and hands the replacing agent its data, without leaving the datacenter", () => {
    const { stack } = platformStack();
    new ConsulAgentJob(stack, "Agent", { driver: "raw_exec", server: false, retryJoin: ["10.0.0.10"] });
    const job = jobs(stack).consul;
    expect(job.Update).toEqual({ MaxParallel: 1, Stagger: 20_000_000_000 });
    expect(group(job, "consul-agent").EphemeralDisk).toEqual({ Sticky: true });
    expect(rawJobspecs(stack).consul).toContain("skip_leave_on_interrupt = true");
  });

  describe("secured agents", () => {
    const secured = (version = "1.22.7") => {
      const { stack } = platformStack();
      const ref = (name: string) =>
        new TerraformVariable(stack, name, { type: "string", sensitive: true }).stringValue;
      new ConsulAgentJob(stack, "consul", {
        server: false,
        retryJoin: ["10.0.0.1"],
        driver: "raw_exec",
        version,
        secrets: {
          gossipKey: ref("gossip"),
          caPem: ref("ca"),
          agentToken: ref("agent"),
          dnsToken: ref("dns"),
        },
      });
      const task = group(jobs(stack).consul, "consul-agent").Tasks[0];
      return { stack, task, config: task.Templates[0].EmbeddedTmpl as string };
    };

    test("fails when given a DNS token for Consul 1.14, which has none (acl.tokens.dns)", () => {
      expect(() => secured("1.14.11")).toThrow(
        'ConsulAgentJob platform/consul: secrets.dnsToken is set, but Consul "1.14.11" has no DNS token (acl.tokens.dns, Consul >= 1.17.0); leave it out',
      );
    });

    test("keep every secret in the job's Nomad variables, none in the job or its files", () => {
      const { stack } = secured();
      const out = synth(stack);
      const variables = Object.values(resourcesOf(out, "nomad_variable"));
      expect(variables.map((v) => [v.path, v.items]).sort()).toEqual([
        ["nomad/jobs/consul", { gossip_key: "${var.gossip}", ca_pem: "${var.ca}" }],
        ["nomad/jobs/consul/consul-agent", { agent_token: "${var.agent}", dns_token: "${var.dns}" }],
      ]);
      expect(rawJobspecs(stack).consul).not.toMatch(/var\.(gossip|agent|dns)/);
      expect(onlyResource(out, "nomad_job").depends_on).toEqual([
        expect.stringMatching(/^nomad_variable\.consul_Variable_\w+$/),
        expect.stringMatching(/^nomad_variable\.consul_Variable-consul-agent_\w+$/),
      ]);
    });

    test("rewrite the tokens only when the ACL tokens behind them are replaced", () => {
      const { stack } = platformStack();
      const ref = new TerraformVariable(stack, "ref", { type: "string", sensitive: true }).stringValue;
      const token = new ConsulAclToken(stack, "Agent", {
        policyName: "agents",
        rules: "node {}",
        description: "agents",
      });
      new ConsulAgentJob(stack, "consul", {
        server: false,
        retryJoin: ["10.0.0.1"],
        secrets: { gossipKey: ref, caPem: ref, agentToken: token.secret, tokenSources: [token.token] },
      });
      const out = synth(stack);
      const tokens = Object.values(resourcesOf(out, "nomad_variable")).find(
        (v) => v.path === "nomad/jobs/consul/consul-agent",
      )!;
      // A read-only plan token reads the secret redacted: comparing it would plan a change.
      expect(tokens.lifecycle).toEqual({
        ignore_changes: ["items"],
        replace_triggered_by: [
          expect.stringMatching(/^terraform_data\.consul_Variable-consul-agentSources_\w+$/),
        ],
      });
      // ...which follows the tokens' ids: replaced, or recreated after a deletion by hand.
      expect(Object.values(resourcesOf(out, "terraform_data"))).toEqual([
        { triggers_replace: { "0": expect.stringMatching(/^\$\{consul_acl_token\.Agent_Token_\w+\.id\}$/) } },
      ]);
    });

    test("render gossip encryption, TLS through auto_encrypt and the ACL tokens from the variable", () => {
      const { config, task } = secured();
      const item = (key: string, path = "nomad/jobs/consul") =>
        `[[ with nomadVar \`${path}\` ]][[ .${key} ]][[ end ]]`;
      const token = (key: string) => item(key, "nomad/jobs/consul/consul-agent");
      expect(config).toContain(`encrypt = "${item("gossip_key")}"`);
      expect(config).toContain(
        'tls {\n  defaults {\n    ca_file = "secrets/ca.pem"\n    verify_incoming = false\n    verify_outgoing = true\n  }\n' +
          "  internal_rpc {\n    verify_server_hostname = true\n  }\n}",
      );
      expect(config).toContain("auto_encrypt {\n  tls = true\n}");
      expect(config).toContain(
        `tokens {\n    agent = "${token("agent_token")}"\n    dns = "${token("dns_token")}"\n  }`,
      );
      // The configuration holds secrets: it is rendered under secrets/, with the CA beside it.
      expect(task.Templates.map((t: Json) => t.DestPath)).toEqual([
        "secrets/consul.d/consul.hcl",
        "secrets/ca.pem",
      ]);
      expect(task.Config.args).toEqual(["agent", "-config-dir=secrets/consul.d"]);
    });

    test("serve HTTP, gRPC and DNS on loopback only, cluster traffic on the Nomad node's address", () => {
      const { config } = secured();
      expect(config).toContain('node_name = "[[ env `node.unique.name` ]]"');
      expect(config).toContain('bind_addr = "[[ env `attr.unique.network.ip-address` ]]"');
      expect(config).toContain('client_addr = "127.0.0.1"');
      // DNS follows client_addr: Consul DNS answers anyone who reaches it.
      expect(config).not.toContain("addresses");
    });

    test("serve DNS on the node's address when asked (transparent proxy)", () => {
      const { stack } = platformStack();
      new ConsulAgentJob(stack, "consul", {
        server: false,
        retryJoin: ["10.0.0.1"],
        dnsAddr: NOMAD_NODE_ADDRESS,
      });
      const config = group(jobs(stack).consul, "consul-agent").Tasks[0].Templates[0].EmbeddedTmpl as string;
      expect(config).toContain('addresses {\n  dns = "[[ env `attr.unique.network.ip-address` ]]"\n}');
    });

    test("serve HTTPS and gRPC over TLS with the node's own certificate, and plain gRPC not at all", () => {
      const { stack } = platformStack();
      const ref = (name: string) =>
        new TerraformVariable(stack, name, { type: "string", sensitive: true }).stringValue;
      const certFile = "/etc/consul.d/tls/agent-[[ env `node.unique.name` ]].pem";
      new ConsulAgentJob(stack, "consul", {
        server: false,
        retryJoin: ["10.0.0.1"],
        listenerCert: { certFile, keyFile: "/etc/consul.d/tls/agent.key" },
        secrets: { gossipKey: ref("gossip"), caPem: ref("ca"), agentToken: ref("agent") },
      });
      const consul = group(jobs(stack).consul, "consul-agent");
      const config = consul.Tasks[0].Templates[0].EmbeddedTmpl as string;
      expect(config).toContain("ports {\n  https = 8501\n  grpc_tls = 8503\n}");
      const listener = `cert_file = "${certFile}"\n    key_file = "/etc/consul.d/tls/agent.key"`;
      expect(config).toContain(`  https {\n    ${listener}\n  }`);
      expect(config).toContain(`  grpc {\n    ${listener}\n  }`);
      // RPC keeps the auto_encrypt certificate.
      expect(config).toContain("auto_encrypt {\n  tls = true\n}");
      expect(consul.Networks[0].ReservedPorts.map((p: Json) => p.Label)).toEqual([
        "server",
        "serf_lan",
        "serf_wan",
        "http",
        "https",
        "grpc_tls",
        "dns",
      ]);
    });

    describe("with a token per node", () => {
      const perNode = (tokens: Record<string, unknown>, agentToken?: string) => {
        const { stack } = platformStack();
        const ref = (name: string) =>
          new TerraformVariable(stack, name, { type: "string", sensitive: true }).stringValue;
        new ConsulAgentJob(stack, "consul", {
          server: false,
          retryJoin: ["10.0.0.1"],
          secrets: {
            gossipKey: ref("gossip"),
            caPem: ref("ca"),
            agentToken,
            nodeAgentTokens: Object.fromEntries(
              Object.entries(tokens).map(([node, v]) => [node, v === "ref" ? ref(`t-${node}`) : v]),
            ) as Record<string, string>,
          },
        });
        return stack;
      };

      test("each agent renders its own node's token from the task's variable, and runs only on the listed nodes", () => {
        const stack = perNode({ "client-1": "ref", "client-2": "ref" });
        const out = synth(stack);
        const variables = Object.values(resourcesOf(out, "nomad_variable"));
        expect(variables.map((v) => [v.path, v.items]).sort()).toEqual([
          ["nomad/jobs/consul", { gossip_key: "${var.gossip}", ca_pem: "${var.ca}" }],
          [
            "nomad/jobs/consul/consul-agent/consul",
            { "client-1": "${var.t-client-1}", "client-2": "${var.t-client-2}" },
          ],
        ]);
        const job = jobs(stack).consul;
        const config = group(job, "consul-agent").Tasks[0].Templates[0].EmbeddedTmpl as string;
        expect(config).toContain(
          'agent = "[[ with nomadVar `nomad/jobs/consul/consul-agent/consul` ]][[ index . (env `node.unique.name`) ]][[ end ]]"',
        );
        expect(job.Constraints).toEqual([
          { LTarget: "${node.unique.name}", RTarget: "client-1,client-2", Operand: "set_contains_any" },
        ]);
      });

      test("fail on both a shared and per-node tokens, none, or a node name Consul refuses", () => {
        const ref = "${var.x}";
        expect(() => perNode({ "client-1": "ref" }, ref)).toThrow(
          "ConsulAgentJob platform/consul: secrets has both agentToken and nodeAgentTokens; give only nodeAgentTokens",
        );
        expect(() => perNode({})).toThrow(
          "ConsulAgentJob platform/consul: secrets.nodeAgentTokens {} names no node; give each Nomad node's name",
        );
        expect(() => perNode({ "Client,1": "ref" })).toThrow(
          'ConsulAgentJob platform/consul: secrets.nodeAgentTokens names node "Client,1", which a Consul node identity cannot name',
        );
        expect(() => perNode({ "client-1": "literal-secret" })).toThrow(
          'ConsulAgentJob platform/consul: secrets.nodeAgentTokens["client-1"] is a literal; pass a Terraform reference',
        );
      });
    });

    test("refuse literal secrets, which would land in the synthesized JSON", () => {
      const { stack } = platformStack();
      const ref = new TerraformVariable(stack, "ref", { type: "string" }).stringValue;
      expect(
        () =>
          new ConsulAgentJob(stack, "consul", {
            server: false,
            retryJoin: ["10.0.0.1"],
            secrets: { gossipKey: "c2VjcmV0", caPem: ref, agentToken: ref },
          }),
      ).toThrow(
        "ConsulAgentJob platform/consul: secrets.gossipKey is a literal; pass a Terraform reference (a sensitive " +
          "variable, a consul_acl_token_secret_id), so no secret lands in the synthesized JSON",
      );
    });

    test("refuse server agents without a certificate of their own", () => {
      const { stack } = platformStack();
      const ref = new TerraformVariable(stack, "ref", { type: "string" }).stringValue;
      expect(
        () =>
          new ConsulAgentJob(stack, "consul", { secrets: { gossipKey: ref, caPem: ref, agentToken: ref } }),
      ).toThrow(
        "ConsulAgentJob platform/consul: secrets on server agents need the servers' own certificate; set " +
          "extraConfig.tls.defaults.cert_file and key_file, or use server: false",
      );
    });
  });

  describe("bad input", () => {
    test("fails when servers join others without bootstrapExpect", () => {
      expect(() => agent({ retryJoin: ["10.0.0.1"] })).toThrow(
        'ConsulAgentJob platform/consul: bootstrapExpect is unset for servers joining ["10.0.0.1"]; set it to the number of server nodes, or server: false for client agents',
      );
    });

    test("fails when a client agent has nothing to join", () => {
      const { stack } = platformStack();
      expect(() => new ConsulAgentJob(stack, "consul", { server: false })).toThrow(
        "ConsulAgentJob platform/consul: retryJoin [] is empty for client agents; list the servers' addresses so clients can join",
      );
    });

    test("fails when bootstrapExpect is below one", () => {
      const { stack } = platformStack();
      expect(() => new ConsulAgentJob(stack, "consul", { bootstrapExpect: 0 })).toThrow(
        "ConsulAgentJob platform/consul: bootstrapExpect 0 must be 1 or more; use the number of server nodes",
      );
    });

    test("fails when resources are zero or negative", () => {
      const { stack } = platformStack();
      expect(() => new ConsulAgentJob(stack, "consul", { resources: { memoryMb: -1 } })).toThrow(
        "ConsulAgentJob platform/consul: resources.memoryMb -1 must be a whole number of at least 10; use e.g. 128 (MiB)",
      );
    });
  });
});
