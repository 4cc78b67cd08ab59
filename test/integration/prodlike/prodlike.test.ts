/**
 * Deploys the `prodlike` stack from empty to the prod-shaped cluster (scripts/prodlike.sh: TLS, ACLs
 * with default deny, gossip encryption, three Nomad clients in network namespaces, no Consul on them
 * but the stack's agent job) with real Terraform and providers, its state in Consul KV, and proves
 * through the servers' APIs what `prod` depends on: agents on every client, a request across nodes
 * through both sidecars with Vault-issued certificates, Consul and Vault access for workloads (workload
 * identity, or the token flows of Nomad < 1.7),
 * refusal of anonymous and plain-HTTP requests, the state lock, an empty second plan, a clean destroy.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { X509Certificate } from "node:crypto";
import { connect } from "node:tls";
import { connect as netConnect } from "node:net";
import { request as httpsRequest } from "node:https";
import { resetConsulCa, viaIngress } from "../../../local/cluster-env";
import { IntentionAction } from "../../../constructs/consul/intentions";
import { PLATFORM_NAMESPACE } from "../../../constructs/platform/mesh-platform";
import {
  api,
  clusterEnv,
  clusterHas,
  eventually,
  namespaceOf,
  serverApis,
  throwawayProdlike,
} from "../harness";
import { Workspace } from "../terraform";
import type { EnvironmentConfig } from "../../../environments";

jest.setTimeout(15 * 60 * 1000);

const env = clusterEnv();
const { vault, consul, nomad } = serverApis(env);

const HOST = "count.prodlike.meshstack.internal";
const repo = join(__dirname, "..", "..", "..");
const workspace = new Workspace("prodlike", env);
workspace.synth(throwawayProdlike(env));
/**
 * Nomad 1.7+ gives tasks and sidecars Consul and Vault tokens through workload identity; before, its
 * servers derive sidecars' service-identity tokens with their own Consul token and mint Vault tokens
 * from the nomad-cluster role. Each case below proves the generation the cluster runs.
 */
const workloadIdentity = clusterHas(
  env,
  "workload-identity",
  "prodlike: workload identity for Consul and Vault",
);
let destroyed = false;

type Alloc = {
  ID: string;
  NodeID: string;
  NodeName: string;
  TaskGroup: string;
  ClientStatus: string;
  DesiredStatus: string;
};
type Port = { Label: string; Value: number; HostIP: string };

/** The state backend's token, from the `-backend-config` file `terraform init` gets. */
const stateToken = () =>
  /access_token = "([^"]+)"/.exec(
    readFileSync(/-backend-config=(\S+)/.exec(env.TF_CLI_ARGS_init!)![1], "utf8"),
  )![1];

/**
 * Runs a one-off raw_exec task (`reader` of batch job `id`) on the cluster (on node `nodeId` when
 * given) until it ends; returns its status, its stdout and its events (which say why, when it
 * failed), then purges the job.
 */
async function runTask(
  id: string,
  task: Record<string, unknown>,
  nodeId?: string,
): Promise<{ status: string; stdout: string; events: string[] }> {
  const job = {
    ID: id,
    Name: id,
    Type: "batch",
    Datacenters: ["prod1"],
    Constraints: nodeId ? [{ LTarget: "${node.unique.id}", RTarget: nodeId, Operand: "=" }] : undefined,
    TaskGroups: [
      {
        Name: "reader",
        RestartPolicy: { Attempts: 0, Mode: "fail" },
        ReschedulePolicy: { Attempts: 0, Unlimited: false },
        Tasks: [{ Name: "reader", Driver: "raw_exec", ...task }],
      },
    ],
  };
  await nomad("jobs", { method: "POST", body: JSON.stringify({ Job: job }) });
  try {
    const done = await eventually(
      async () =>
        (await nomad<Alloc[]>(`job/${id}/allocations`)).find(
          (a) => a.ClientStatus === "complete" || a.ClientStatus === "failed",
        ),
      120_000,
      `the ${id} task to finish`,
    );
    const stdout = await fetch(
      `${env.NOMAD_ADDR}/v1/client/fs/logs/${done.ID}?task=reader&type=stdout&plain=true&origin=start`,
      { headers: { "X-Nomad-Token": env.NOMAD_TOKEN! } },
    ).then((r) => r.text());
    const detail = await nomad<{ TaskStates?: Record<string, { Events: { DisplayMessage: string }[] }> }>(
      `allocation/${done.ID}`,
    );
    const events = Object.values(detail.TaskStates ?? {}).flatMap((t) =>
      t.Events.map((e) => e.DisplayMessage),
    );
    return { status: done.ClientStatus, stdout, events };
  } finally {
    await nomad(`job/${id}?purge=true`, { method: "DELETE" });
  }
}

/**
 * Logs in to the Connect CA's Vault `cert` auth presenting the cluster's certificate `name`
 * (`tls/<name>.pem`, as the Consul server does): the status, and the token when Vault gave one.
 */
function certLogin(name: string): Promise<{ status: number; token?: string }> {
  const tls = dirname(env.TF_VAR_tls_ca_file!);
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      `${env.VAULT_ADDR}/v1/auth/prod1/consul-ca-cert/login`,
      {
        method: "POST",
        ca: readFileSync(join(tls, "ca.pem")),
        cert: readFileSync(join(tls, `${name}.pem`)),
        key: readFileSync(join(tls, `${name}.key`)),
        timeout: 10_000,
      },
      (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            token: (JSON.parse(body || "{}") as { auth?: { client_token: string } }).auth?.client_token,
          }),
        );
      },
    );
    request.on("timeout", () => request.destroy(new Error("Vault did not answer the cert login in 10 s")));
    request.on("error", reject);
    request.end(JSON.stringify({ name: "consul-connect-ca" }));
  });
}

/** Whether a TCP connection to `host:port` opens (within 3 s). */
function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port, timeout: 3000 });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}

/** The accessor of a Consul token, given its secret. */
const accessorOf = async (secret: string) =>
  (
    await api<{ AccessorID: string }>(env.CONSUL_HTTP_ADDR!, "/v1/acl/token/self", secret, {
      tokenHeader: "X-Consul-Token",
    })
  ).AccessorID;

const running = async (job: string) =>
  (await nomad<Alloc[]>(`job/${job}/allocations?namespace=${namespaceOf(job)}`)).filter(
    (a) => a.DesiredStatus === "run" && a.ClientStatus === "running",
  );

async function portOf(alloc: Alloc, label: string): Promise<Port> {
  const detail = await nomad<{ AllocatedResources: { Shared: { Ports: Port[] } } }>(`allocation/${alloc.ID}`);
  return detail.AllocatedResources.Shared.Ports.find((p) => p.Label === label)!;
}

/** A GET through Traefik's TLS port with the route's host name: status and body. */
const viaTraefik = (address: Port, path: string, host = HOST) =>
  viaIngress(`${address.HostIP}:${address.Value}`, path, host);

/**
 * The certificate a TLS server presents (the handshake may fail afterwards: mTLS wants ours), for the
 * server name `servername` (SNI) when given; `options` narrows the client's TLS versions.
 */
function presentedCertificate(
  host: string,
  port: number,
  servername?: string,
  options: { minVersion?: "TLSv1" | "TLSv1.2"; maxVersion?: "TLSv1.1" | "TLSv1.3"; ciphers?: string } = {},
): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername, rejectUnauthorized: false, timeout: 5000, ...options });
    socket.once("secureConnect", () => {
      const cert = socket.getPeerX509Certificate();
      socket.destroy();
      if (cert) resolve(cert);
      else reject(new Error(`no certificate from ${host}:${port}`));
    });
    socket.once("error", reject);
    socket.once("timeout", () => socket.destroy(new Error(`timeout from ${host}:${port}`)));
  });
}

/** Status of a request without a token (or over plain HTTP); 0 when the connection fails. */
const statusOf = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(5000) })
    .then((r) => r.status)
    .catch(() => 0);

afterAll(async () => {
  // Leave the cluster as we found it even when an assertion failed half-way.
  if (!destroyed) {
    try {
      workspace.destroy();
      await resetConsulCa(env);
    } catch (error) {
      console.error(String(error));
    }
  }
  workspace.remove();
});

describe("prodlike: the prod-shaped stack on the prod-shaped cluster", () => {
  test("deploys from empty in one run, its state in Consul KV", () => {
    workspace.init();
    const out = workspace.apply();
    expect(out).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed/);
  });

  test("runs a Consul client agent on every Nomad client, each a member of the datacenter", async () => {
    const nodes = await nomad<{ ID: string; Name: string; Status: string }[]>("nodes");
    expect(nodes.filter((n) => n.Status === "ready")).toHaveLength(3);
    const agents = await eventually(
      async () => {
        const allocs = await running("consul");
        return allocs.length === nodes.length && allocs;
      },
      120_000,
      "a running consul agent allocation on every client",
    );
    expect(new Set(agents.map((a) => a.NodeID))).toEqual(new Set(nodes.map((n) => n.ID)));
    const members = await eventually(
      async () => {
        const all =
          await consul<{ Name: string; Status: number; Tags: { role: string; dc: string } }[]>(
            "agent/members",
          );
        const clients = all.filter((m) => m.Tags.role === "node" && m.Status === 1);
        return clients.length === nodes.length && clients;
      },
      60_000,
      "every agent alive in the datacenter",
    );
    // Consul node names are the Nomad node names, in the environment's datacenter.
    expect(members.map((m) => m.Name).sort()).toEqual(nodes.map((n) => n.Name).sort());
    expect(new Set(members.map((m) => m.Tags.dc))).toEqual(new Set(["prod1"]));
    // Gossip is encrypted: every member (three clients and the server) holds the one key.
    const keyring = await consul<{ Keys: Record<string, number>; NumNodes: number }[]>("operator/keyring");
    const lan = keyring.find((k) => k.NumNodes === nodes.length + 1);
    expect(lan && Object.values(lan.Keys)).toEqual([nodes.length + 1]);
  });

  test("carries a request across nodes through both sidecars, with leaf certificates Vault signed", async () => {
    const [ingress] = await eventually(
      async () => (await running("traefik")).length === 1 && running("traefik"),
      180_000,
      "Traefik running",
    );
    const https = await portOf(ingress, "https");
    const answer = await eventually(
      async () => {
        const r = await viaTraefik(https, "/count");
        return r.status === 200 && (JSON.parse(r.body) as { service: string });
      },
      240_000,
      "count-dashboard -> count-api through Traefik",
    );
    expect(answer.service).toBe("count-api");
    const allocs = await running("countdash");
    const dashboard = allocs.find((a) => a.TaskGroup === "count-dashboard")!;
    const apiAlloc = allocs.find((a) => a.TaskGroup === "count-api")!;
    expect(dashboard.NodeID).not.toBe(apiAlloc.NodeID);

    // The sidecar's public listener presents a Connect leaf for count-api, issued under the Vault root.
    const sidecarPort = await portOf(apiAlloc, "connect-proxy-count-api");
    const leaf = await presentedCertificate(sidecarPort.HostIP, sidecarPort.Value);
    expect(leaf.subjectAltName).toMatch(
      /^URI:spiffe:\/\/[\w.-]+\.consul\/ns\/default\/dc\/prod1\/svc\/count-api$/,
    );
    const roots = await consul<{
      ActiveRootID: string;
      Roots: { ID: string; RootCert: string; IntermediateCerts: string[] }[];
    }>("connect/ca/roots");
    const active = roots.Roots.find((r) => r.ID === roots.ActiveRootID)!;
    const vaultRoot = await fetch(`${env.VAULT_ADDR}/v1/prod1/connect_root/ca/pem`).then((r) => r.text());
    expect(new X509Certificate(active.RootCert).fingerprint256).toBe(
      new X509Certificate(vaultRoot).fingerprint256,
    );
    const chain = [
      ...active.IntermediateCerts.map((pem) => new X509Certificate(pem)),
      new X509Certificate(vaultRoot),
    ];
    expect(chain.some((issuer) => leaf.checkIssued(issuer) && leaf.verify(issuer.publicKey))).toBe(true);
  });

  test("the Connect CA logs in to Vault with the Consul server's certificate: no CA token in Consul's configuration or the state", async () => {
    // GIVEN the deployed CA configuration and state
    const { Config } = await consul<{ Config: Record<string, unknown> }>("connect/ca/configuration");
    const state = workspace.run("state", "pull");
    expect(state.code).toBe(0);
    // THEN neither holds a Vault token: Consul logs in with the servers' certificate
    expect(Config.Token).toBeUndefined();
    expect(Config.AuthMethod).toMatchObject({ Type: "cert", MountPath: "prod1/consul-ca-cert" });
    expect(
      (JSON.parse(state.out) as { resources: { type: string }[] }).resources.map((r) => r.type),
    ).not.toContain("vault_token");
    // AND only the Consul server's certificate logs in; Nomad's, from the same CA, does not
    expect((await certLogin("consul-server")).status).toBe(200);
    expect((await certLogin("nomad-server")).status).toBeGreaterThanOrEqual(400);
  });

  test("gives Consul's CA login what intermediate renewal needs, not the root cross-sign, in a periodic token", async () => {
    const { token } = await certLogin("consul-server");
    // Asked with the operator's token: the login's token has no default policy to ask with.
    const caps = async (path: string) =>
      (
        await vault<{ capabilities: string[] }>("sys/capabilities", {
          method: "POST",
          body: JSON.stringify({ token, paths: [path] }),
        })
      ).capabilities;
    expect(await caps("prod1/connect_root/root/sign-self-issued")).toEqual(["deny"]);
    // What Consul's intermediate renewal does (GenerateLeafSigningCert): a new key and CSR in the
    // intermediate mount, the root signs it, the signed certificate goes back.
    expect(await caps("prod1/connect_intermediate/intermediate/generate/internal")).toContain("update");
    expect(await caps("prod1/connect_root/root/sign-intermediate")).toEqual(["update"]);
    expect(await caps("prod1/connect_intermediate/intermediate/set-signed")).toContain("update");
    const self = await api<{ data: { period: number; policies: string[] } }>(
      env.VAULT_ADDR!,
      "/v1/auth/token/lookup-self",
      token!,
    );
    expect(self.data.period).toBe(72 * 3600);
    expect(self.data.policies).toEqual(["prod1-consul-connect-ca"]);
    // The intermediate Consul signed with it is in use: the active root carries it.
    const roots = await consul<{
      ActiveRootID: string;
      Roots: { ID: string; IntermediateCerts: string[] }[];
    }>("connect/ca/roots");
    expect(roots.Roots.find((r) => r.ID === roots.ActiveRootID)!.IntermediateCerts.length).toBeGreaterThan(0);
  });

  test("gives sidecars Consul tokens that never expire under them (workload identity, or service identities Nomad derived)", async () => {
    type Token = { AccessorID: string; ExpirationTime?: string; Description: string; Local: boolean };
    if (workloadIdentity) {
      const tokens = await consul<Token[]>("acl/tokens?authmethod=nomad-workloads");
      // Sidecars, Traefik and the tasks of the demo logged in through the auth method...
      expect(tokens.length).toBeGreaterThanOrEqual(3);
      // ...and no token Nomad cannot recreate expires under a running sidecar.
      expect(tokens.filter((t) => t.ExpirationTime)).toEqual([]);
      const method = await consul<{ MaxTokenTTL?: string }>("acl/auth-method/nomad-workloads");
      expect(method.MaxTokenTTL ?? "0s").toBe("0s");
      return;
    }
    // Nomad < 1.7: its servers derive one service-identity token per sidecar (`_nomad_si [alloc] [task]`),
    // local to the datacenter, with no expiry: a sidecar never outlives its token.
    const tokens = (await consul<Token[]>("acl/tokens")).filter((t) => t.Description.startsWith("_nomad_si"));
    const sidecars = (await running("countdash")).length;
    expect(sidecars).toBe(2);
    expect(tokens.length).toBeGreaterThanOrEqual(sidecars);
    expect(tokens.filter((t) => t.ExpirationTime || !t.Local)).toEqual([]);
    // And no auth method exists for a workload to log in with.
    expect(await consul<unknown[]>("acl/auth-methods")).toEqual([]);
  });

  test("lets a task read its own Vault secret, and only through what Nomad's Vault access grants", async () => {
    await vault("sys/mounts/secret", {
      method: "POST",
      body: JSON.stringify({ type: "kv", options: { version: "2" } }),
    }).catch(
      () => undefined, // already mounted by an earlier run on this cluster
    );
    await vault("secret/data/default/vault-reader/config", {
      method: "POST",
      body: JSON.stringify({ data: { word: "meshstack-vault" } }),
    });
    if (!workloadIdentity) {
      // The token role mints a token with the policies a job names: the job's own policy here.
      await vault("sys/policies/acl/vault-reader", {
        method: "PUT",
        body: JSON.stringify({
          policy: 'path "secret/data/default/vault-reader/*" { capabilities = ["read"] }',
        }),
      });
    }
    const run = await runTask("vault-reader", {
      Config: { command: "cat", args: ["secrets/word.txt"] },
      // The default role meshstack created, through the task's workload identity; or the token role.
      Vault: workloadIdentity ? {} : { Policies: ["vault-reader"] },
      Templates: [
        {
          EmbeddedTmpl:
            '{{ with secret "secret/data/default/vault-reader/config" }}{{ .Data.data.word }}{{ end }}',
          DestPath: "secrets/word.txt",
        },
      ],
    });
    expect(run).toEqual({ status: "complete", stdout: "meshstack-vault", events: run.events });
  });

  test("runs the platform's jobs in a namespace of their own: a job with the agents' ID elsewhere reads none of their secrets", async () => {
    // GIVEN the platform's jobs, and their variables, in the platform's namespace
    const jobs = await nomad<{ ID: string; Namespace: string }[]>("jobs?namespace=*");
    expect(jobs.filter((j) => j.ID === "consul" || j.ID === "traefik").map((j) => j.Namespace)).toEqual([
      PLATFORM_NAMESPACE,
      PLATFORM_NAMESPACE,
    ]);
    const secrets = await nomad<{ Items: Record<string, string> }>(
      `var/nomad/jobs/consul?namespace=${PLATFORM_NAMESPACE}`,
    );
    expect(Object.keys(secrets.Items).sort()).toEqual(["ca_pem", "gossip_key"]);
    // WHEN a job with the agents' ID, submitted to the default namespace, looks for their variable
    const probe = {
      Config: { command: "cat", args: ["local/probe.txt"] },
      Templates: [
        {
          EmbeddedTmpl: '{{ if nomadVarExists "nomad/jobs/consul" }}readable{{ else }}absent{{ end }}',
          DestPath: "local/probe.txt",
        },
      ],
    };
    // THEN it finds nothing
    expect((await runTask("consul", probe)).stdout).toBe("absent");
    // AND the probe is no blind one: a variable at that path in its own namespace, as the agents'
    // was when they ran in the default namespace, it reads
    await nomad("var/nomad/jobs/consul", {
      method: "PUT",
      body: JSON.stringify({ Path: "nomad/jobs/consul", Items: { decoy: "1" } }),
    });
    try {
      expect((await runTask("consul", probe)).stdout).toBe("readable");
    } finally {
      await nomad("var/nomad/jobs/consul", { method: "DELETE" });
    }
  });

  test("gives each node's agent a token of its own: it may register its node, and no other", async () => {
    // GIVEN client-1's agent token, as its agent renders it from the job's variable
    const { Items } = await nomad<{ Items: Record<string, string> }>(
      `var/nomad/jobs/consul/consul-agent/consul?namespace=${PLATFORM_NAMESPACE}`,
    );
    expect(Object.keys(Items).sort()).toEqual(["client-1", "client-2", "client-3"]);
    const token = Items["client-1"]!;
    const asAgent = { tokenHeader: "X-Consul-Token" } as const;
    // THEN it is a local token with client-1's node identity and no policy
    const self = await api<{ Local: boolean; Policies?: unknown[]; NodeIdentities: unknown[] }>(
      env.CONSUL_HTTP_ADDR!,
      "/v1/acl/token/self",
      token,
      asAgent,
    );
    expect([self.Local, self.Policies ?? [], self.NodeIdentities]).toEqual([
      true,
      [],
      [{ NodeName: "client-1", Datacenter: "prod1" }],
    ]);
    // AND Consul lets it write client-1 only
    const authorize = await api<{ Allow: boolean }[]>(
      env.CONSUL_HTTP_ADDR!,
      "/v1/internal/acl/authorize",
      token,
      {
        ...asAgent,
        method: "POST",
        body: JSON.stringify(
          ["client-1", "client-2", "client-3"].map((node) => ({
            Resource: "node",
            Segment: node,
            Access: "write",
          })),
        ),
      },
    );
    expect(authorize.map((a) => a.Allow)).toEqual([true, false, false]);
    // AND registering another node with it is refused
    const register = await fetch(`${env.CONSUL_HTTP_ADDR}/v1/catalog/register`, {
      method: "PUT",
      headers: { "X-Consul-Token": token },
      body: JSON.stringify({ Node: "client-2", Address: "172.26.96.99" }),
    });
    expect(register.status).toBe(403);
  });

  test("Envoy reaches its agent's xDS over TLS, with the node's certificate; plain gRPC is closed", async () => {
    // GIVEN the API's sidecar, and the bootstrap Nomad had `consul connect envoy` write for it
    const apiAlloc = (await running("countdash")).find((a) => a.TaskGroup === "count-api")!;
    // Nomad's API serves no secrets/ file, and each client keeps its own mounts: ask a task on the
    // sidecar's node (the bootstrap carries the sidecar's token: only the TLS setting leaves it)
    const found = await runTask(
      "bootstrap-probe",
      {
        Config: {
          command: "bash",
          args: [
            "-c",
            `jq -r '.static_resources.clusters[] | select(.name == "local_agent") | .transport_socket.name' ` +
              `"$NOMAD_ALLOC_DIR/../../${apiAlloc.ID}/connect-proxy-count-api/secrets/envoy_bootstrap.json"`,
          ],
        },
      },
      apiAlloc.NodeID,
    );
    // THEN its cluster to the local agent speaks TLS
    expect(found.stdout.trim()).toBe("tls");
    // AND on a node, the agent's gRPC presents the node's certificate, verified by the servers' CA,
    // while the plain gRPC port is closed
    const run = await runTask("grpc-probe", {
      Config: {
        command: "bash",
        args: [
          "-c",
          // Bounded retries: the node's agent may be restarting when the task lands (seen once in CI).
          "for i in $(seq 20); do " +
            `out=$(openssl s_client -connect 127.0.0.1:8503 -CAfile ${env.TF_VAR_tls_ca_file} </dev/null 2>/dev/null ` +
            '| grep -E \'^(subject=|Verify return code)\'); [ -n "$out" ] && break; sleep 1; done; echo "$out"; ' +
            "(exec 3<>/dev/tcp/127.0.0.1/8502) 2>/dev/null && echo plain-open || echo plain-closed",
        ],
      },
    });
    expect(run.stdout).toMatch(/^subject=.*CN\s?=\s?consul-agent-client-\d/m);
    expect(run.stdout).toContain("Verify return code: 0 (ok)");
    expect(run.stdout).toContain("plain-closed");
  });

  test("serves Consul DNS on each node's loopback only: nothing outside the node reaches it", async () => {
    // GIVEN the nodes' addresses, where the agents take cluster traffic
    const nodes = await nomad<{ ID: string }[]>("nodes");
    const addresses = await Promise.all(
      nodes.map(
        async (n) =>
          (await nomad<{ Attributes: Record<string, string> }>(`node/${n.ID}`)).Attributes[
            "unique.network.ip-address"
          ]!,
      ),
    );
    // THEN Consul DNS (8600, bound with UDP on the same address) is closed there; Serf (8301) answers
    for (const address of addresses) {
      expect(await tcpOpen(address, 8600)).toBe(false);
      expect(await tcpOpen(address, 8301)).toBe(true);
    }
    // AND a task on a node reaches it on loopback
    const run = await runTask("dns-probe", {
      Config: {
        command: "bash",
        args: ["-c", "(exec 3<>/dev/tcp/127.0.0.1/8600) && echo open || echo closed"],
      },
    });
    expect(run.stdout.trim()).toBe("open");
  });

  test("gives a task the catalog, but not the Terraform state", async () => {
    // GIVEN a task: with workload identity it logs in to Consul (the namespace's task role); before,
    // its templates read Consul with the Nomad client's token, and the task itself has none
    const tokenHeader = workloadIdentity ? '-H "X-Consul-Token: $(cat secrets/consul_token)" ' : "";
    const run = await runTask("consul-reader", {
      ...(workloadIdentity ? { Consul: {} } : {}),
      Config: {
        command: "sh",
        args: [
          "-c",
          // The state key from the node's agent (loopback); "%%{" escapes HCL's template directive in
          // Nomad's driver config.
          `printf "state=%s " "$(curl -s -o /dev/null -w "%%{http_code}" ${tokenHeader}` +
            'http://127.0.0.1:8500/v1/kv/meshstack/prodlike)"; cat local/instances.txt',
        ],
      },
      Templates: [
        {
          // Needs node_prefix read: without it Consul filters the instances out.
          EmbeddedTmpl: '{{ range service "count-api" }}instance={{ .Address }}:{{ .Port }} {{ end }}',
          DestPath: "local/instances.txt",
        },
      ],
    });
    // THEN the state is refused, and the template lists the service's instances
    expect(run).toEqual({
      status: "complete",
      stdout: expect.stringMatching(/^state=403 instance=172\.26\.\d+\.\d+:\d+ $/),
      events: run.events,
    });
    // AND the state backend's own token still reads it
    const state = await fetch(`${env.CONSUL_HTTP_ADDR}/v1/kv/meshstack/prodlike`, {
      headers: { "X-Consul-Token": stateToken() },
    });
    expect(state.status).toBe(200);
  });

  test("refuses anonymous requests to Consul, Nomad and Vault", async () => {
    expect(await statusOf(`${env.CONSUL_HTTP_ADDR}/v1/acl/tokens`)).toBe(403);
    expect(await statusOf(`${env.CONSUL_HTTP_ADDR}/v1/kv/meshstack/prodlike`)).toBe(403);
    expect(await statusOf(`${env.NOMAD_ADDR}/v1/jobs`)).toBe(403);
    expect(await statusOf(`${env.NOMAD_ADDR}/v1/var/nomad/jobs/consul?namespace=${PLATFORM_NAMESPACE}`)).toBe(
      403,
    );
    expect(await statusOf(`${env.VAULT_ADDR}/v1/sys/mounts`)).toBe(403);
  });

  test("refuses plain HTTP on every TLS port", async () => {
    for (const base of [env.CONSUL_HTTP_ADDR!, env.NOMAD_ADDR!, env.VAULT_ADDR!]) {
      const plain = base.replace(/^https:/, "http:");
      const status = await statusOf(`${plain}/v1/status/leader`);
      // Each server answers a plain request on its TLS port with 400 and nothing else.
      expect([plain, status]).toEqual([plain, 400]);
    }
  });

  test("presents the ingress certificate its own Vault PKI issued, never Traefik's default", async () => {
    const [ingress] = await running("traefik");
    const https = await portOf(ingress, "https");
    const served = await presentedCertificate(https.HostIP, https.Value, HOST);
    expect(served.subject).toContain("CN=ingress.prodlike.meshstack.internal");
    expect(served.subjectAltName).toContain("DNS:*.prodlike.meshstack.internal");
    // The leaf comes from the intermediate on prod1/ingress, which the root on prod1/ingress_root signed.
    const pem = (mount: string) => fetch(`${env.VAULT_ADDR}/v1/${mount}/ca/pem`).then((r) => r.text());
    const intermediate = new X509Certificate(await pem("prod1/ingress"));
    const root = new X509Certificate(await pem("prod1/ingress_root"));
    expect(served.checkIssued(intermediate) && served.verify(intermediate.publicKey)).toBe(true);
    expect(intermediate.checkIssued(root) && intermediate.verify(root.publicKey)).toBe(true);
    expect(served.checkIssued(root)).toBe(false);
  });

  test("the ingress role issues for the domain's names only: no localhost, no IP SANs, no other domain", async () => {
    const issue = (body: Record<string, string>) =>
      vault<{ data: { certificate: string } }>("prod1/ingress/issue/traefik", {
        method: "POST",
        body: JSON.stringify({ ttl: "1h", ...body }),
      });
    await expect(issue({ common_name: "app.prodlike.meshstack.internal" })).resolves.toMatchObject({
      data: { certificate: expect.stringContaining("BEGIN CERTIFICATE") },
    });
    for (const refused of <Record<string, string>[]>[
      { common_name: "localhost" },
      { common_name: "app.prodlike.meshstack.internal", ip_sans: "127.0.0.1" },
      { common_name: "app.example.org" },
    ]) {
      await expect(issue(refused)).rejects.toThrow(/400/);
    }
  });

  test("the ingress refuses TLS 1.1 and names it does not serve, and sends HSTS", async () => {
    const [ingress] = await running("traefik");
    const https = await portOf(ingress, "https");
    // TLS 1.2 with the route's name works; the same name over TLS 1.1 (offered by a client that
    // allows it) and an unknown name over TLS 1.2 are refused in the handshake.
    await expect(presentedCertificate(https.HostIP, https.Value, HOST)).resolves.toBeDefined();
    const legacy = { minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" } as const;
    await expect(presentedCertificate(https.HostIP, https.Value, HOST, legacy)).rejects.toThrow();
    await expect(presentedCertificate(https.HostIP, https.Value, "unknown.example.org")).rejects.toThrow();
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const request = httpsRequest(
        {
          host: https.HostIP,
          port: https.Value,
          path: "/count",
          servername: HOST,
          headers: { Host: HOST },
          rejectUnauthorized: false,
          timeout: 5000,
        },
        (response) => {
          response.resume();
          resolve(response.headers);
        },
      );
      request.on("error", reject);
      request.on("timeout", () => request.destroy(new Error("timeout")));
      request.end();
    });
    expect(headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
  });

  test("publishes no plain HTTP port for the dashboard: only the ingress reaches it", async () => {
    for (const alloc of await running("countdash")) {
      const detail = await nomad<{ AllocatedResources: { Shared: { Ports: Port[] | null } } }>(
        `allocation/${alloc.ID}`,
      );
      const ports = detail.AllocatedResources.Shared.Ports ?? [];
      expect(ports.filter((p) => p.Label === "public")).toEqual([]);
      for (const p of ports) expect(await statusOf(`http://${p.HostIP}:9002/count`)).toBe(0);
    }
  });

  test("the Connect CA configuration verifies Vault against the CA that signed it", async () => {
    const ca = await consul<{ Provider: string; Config: Record<string, unknown> }>(
      "connect/ca/configuration",
    );
    expect(ca).toMatchObject({ Provider: "vault", Config: { CAFile: "tls/ca.pem" } });
  });

  test("serves no Traefik dashboard or API, with or without credentials", async () => {
    const [ingress] = await running("traefik");
    const https = await portOf(ingress, "https");
    for (const path of ["/dashboard/", "/api/rawdata", "/api/overview"]) {
      expect((await viaTraefik(https, path, "traefik.prodlike.meshstack.internal")).status).toBe(404);
    }
    // The insecure API port is not published either.
    expect(await statusOf(`http://${https.HostIP}:8080/api/rawdata`)).toBe(0);
  });

  test("plans no changes after the deploy", () => {
    expect(workspace.plan().code).toBe(0);
  });

  test("refuses to plan the destroy of what would break the mesh, as prod declares it (prevent_destroy)", () => {
    // GIVEN the stack as prod has it: prevent_destroy on (the suite's own copy turns it off to clean up)
    workspace.synth({ ...throwawayProdlike(env), preventDestroy: undefined });
    try {
      // WHEN a destroy is planned
      const plan = workspace.run("plan", "-destroy", "-input=false", "-no-color");
      // THEN Terraform refuses it, naming the CA's Vault login, the CA mounts and the default deny
      expect(plan.code).toBe(1);
      expect(plan.out).toContain("Instance cannot be destroyed");
      for (const address of [
        /vault_auth_backend\.ConsulCaLogin_Backend_\w+/,
        /vault_mount\.ConnectCaPki_RootMount_\w+/,
        /vault_mount\.IngressPki_RootMount_\w+/,
        /consul_config_entry_service_intentions\.Intentions_DefaultDeny_\w+/,
      ]) {
        expect(plan.out).toMatch(address);
      }
    } finally {
      workspace.synth(throwawayProdlike(env));
    }
  });

  test("sees and repairs drift in the kinds only secured clusters deploy: ACL tokens, policies, Nomad variables and namespaces, the CA's login role", async () => {
    // GIVEN an agent token, the ingress's policy and the ingress's Nomad variable removed by hand
    const tokens = await consul<{ AccessorID: string; Description: string }[]>("acl/tokens");
    const agentToken = tokens.find((t) => t.Description === "Consul agent on client-1")!;
    await consul(`acl/token/${agentToken.AccessorID}`, { method: "DELETE" });
    const policies = await consul<{ ID: string; Name: string }[]>("acl/policies");
    await consul(`acl/policy/${policies.find((p) => p.Name === "traefik-catalog")!.ID}`, {
      method: "DELETE",
    });
    await nomad(`var/nomad/jobs/traefik?namespace=${PLATFORM_NAMESPACE}`, { method: "DELETE" });
    // AND the Connect CA's login role removed, and the platform's namespace described otherwise
    await vault("auth/prod1/consul-ca-cert/certs/consul-connect-ca", { method: "DELETE" });
    await nomad(`namespace/${PLATFORM_NAMESPACE}`, {
      method: "POST",
      body: JSON.stringify({ Name: PLATFORM_NAMESPACE, Description: "changed by hand" }),
    });
    // THEN the plan recreates exactly those (and the variable fed by the new token's secret)
    const changes = workspace.plannedChanges();
    const others = Object.entries(changes).filter(([, action]) => action !== "create");
    expect(others.sort()).toEqual([
      [expect.stringMatching(/^consul_acl_token\.TraefikConsulToken_\w+$/), "update"],
      [expect.stringMatching(/^nomad_namespace\.PlatformNamespace\w*$/), "update"],
      // The agents' tokens variable follows its (recreated) token: replaced, with the new secret.
      [
        expect.stringMatching(/^nomad_variable\.ConsulAgent_Variable-consul-agent--consul_\w+$/),
        "delete,create",
      ],
      [
        expect.stringMatching(/^terraform_data\.ConsulAgent_Variable-consul-agent--consulSources_\w+$/),
        "delete,create",
      ],
    ]);
    expect(
      Object.keys(changes)
        .filter((address) => changes[address] === "create")
        .sort(),
    ).toEqual([
      expect.stringMatching(/^consul_acl_policy\.TraefikConsulToken_Policy_\w+$/),
      expect.stringMatching(/^consul_acl_token\.ConsulAgentToken-client-1_Token_\w+$/),
      expect.stringMatching(/^nomad_variable\.Traefik_Variable_\w+$/),
      expect.stringMatching(/^vault_cert_auth_backend_role\.ConsulCaLogin_Role_\w+$/),
    ]);
    // AND the apply repairs them: the next plan is empty
    workspace.apply();
    expect(workspace.plan().code).toBe(0);
  });

  test("deploys L7 permissions as Consul stores them: the next plan is empty", async () => {
    // GIVEN count-api speaking http, and the ingress allowed only some requests to it
    workspace.synth(throwawayProdlike(env), (stack) => {
      stack.platform.meshDefaults.setServiceProtocol("count-api", "http");
      stack.platform.intentions.allow("traefik", "count-api", {
        permissions: [
          { pathExact: "/health", methods: ["get", "HEAD"] },
          { action: IntentionAction.DENY, pathExact: "/admin" },
        ],
      });
    });
    try {
      // WHEN it is deployed
      workspace.apply();
      // THEN Consul holds the permissions, and a second plan finds nothing to change
      const entry = await consul<{
        Sources: { Name: string; Permissions?: { Action: string; HTTP: Record<string, unknown> }[] }[];
      }>("config/service-intentions/count-api");
      const traefik = entry.Sources.find((source) => source.Name === "traefik")!;
      expect(traefik.Permissions!.map((p) => [p.Action, p.HTTP])).toEqual([
        ["allow", expect.objectContaining({ PathExact: "/health", Methods: ["GET", "HEAD"] })],
        ["deny", expect.objectContaining({ PathExact: "/admin" })],
      ]);
      const again = workspace.plan();
      if (again.code !== 0) console.error(again.out);
      expect(again.code).toBe(0);
    } finally {
      // Back to the base stack in two deploys: Consul refuses to drop the http protocol while an L7
      // permission remains, and Terraform deletes the service-defaults entry before it updates the
      // intentions (README: remove permissions first).
      workspace.synth(throwawayProdlike(env), (stack) =>
        stack.platform.meshDefaults.setServiceProtocol("count-api", "http"),
      );
      workspace.apply();
      workspace.synth(throwawayProdlike(env));
      workspace.apply();
    }
  });

  test("reviews a plan with the read-only tokens docs/plan-review.md prescribes as with management tokens", async () => {
    // GIVEN the pull-request tokens, created from the policies the docs prescribe
    const rules = (server: string) =>
      readFileSync(join(repo, "docs/tokens", `plan-review.${server}.hcl`), "utf8");
    await vault("sys/policies/acl/plan-review", {
      method: "PUT",
      body: JSON.stringify({ policy: rules("vault") }),
    });
    const readOnly = {
      VAULT_TOKEN: (
        await vault<{ auth: { client_token: string } }>("auth/token/create", {
          method: "POST",
          body: JSON.stringify({ policies: ["plan-review"], no_default_policy: true, ttl: "15m" }),
        })
      ).auth.client_token,
      CONSUL_HTTP_TOKEN: await (async () => {
        await consul("acl/policy", {
          method: "PUT",
          body: JSON.stringify({ Name: "plan-review", Rules: rules("consul") }),
        });
        const token = await consul<{ SecretID: string }>("acl/token", {
          method: "PUT",
          body: JSON.stringify({ Description: "pull-request plans", Policies: [{ Name: "plan-review" }] }),
        });
        return token.SecretID;
      })(),
      NOMAD_TOKEN: await (async () => {
        await nomad("acl/policy/plan-review", {
          method: "POST",
          body: JSON.stringify({ Name: "plan-review", Rules: rules("nomad") }),
        });
        const token = await nomad<{ SecretID: string }>("acl/token", {
          method: "POST",
          body: JSON.stringify({ Name: "pull-request plans", Type: "client", Policies: ["plan-review"] }),
        });
        return token.SecretID;
      })(),
    };
    // AND a change to review: the pull request's code allows one more edge
    workspace.synth(throwawayProdlike(env), (stack) =>
      stack.platform.intentions.allow("traefik", "count-api"),
    );
    const review = (tokens: Record<string, string>, ...options: string[]) => {
      const run = spawnSync(
        join(repo, "node_modules/.bin/tsx"),
        [join(repo, "plan-review/cli.ts"), "prodlike", "--no-synth", ...options],
        { cwd: workspace.root, env: { ...env, ...tokens }, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
      );
      return { code: run.status, markdown: run.stdout, errors: run.stderr.replace(/\x1b\[[0-9;]*m/g, "") };
    };
    try {
      // WHEN the plan review runs as pull requests run it (--no-refresh), with each set of tokens
      const privileged = review({}, "--no-refresh");
      const pullRequest = review(readOnly, "--no-refresh");
      // THEN both show the widened access as critical, in the same review
      expect([privileged.code, privileged.errors.match(/Error: .*/g)]).toEqual([2, null]);
      expect(privileged.markdown).toContain("count-api");
      expect(pullRequest.code).toBe(2);
      expect(pullRequest.markdown).toBe(privileged.markdown);
      // AND refreshing needs more than reading: Consul serves its CA configuration (which may hold a
      // CA token) only to operator:write, so drift is left to a privileged run; everything else the
      // read-only tokens may read
      const refreshed = review(readOnly);
      expect(refreshed.code).toBe(1);
      expect(refreshed.errors.match(/Error: .*/g)).toEqual([expect.stringContaining("operator:write")]);
    } finally {
      workspace.synth(throwawayProdlike(env));
      // The pull-request tokens are the test's, not the stack's: leave none behind.
      await consul(`acl/token/${await accessorOf(readOnly.CONSUL_HTTP_TOKEN)}`, { method: "DELETE" });
      await consul(`acl/policy/name/plan-review`).then((p) =>
        consul(`acl/policy/${(p as { ID: string }).ID}`, { method: "DELETE" }),
      );
      await nomad("acl/policy/plan-review", { method: "DELETE" });
      await vault("sys/policies/acl/plan-review", { method: "DELETE" });
    }
  });

  test("refuses a second deploy while one holds the state lock, and keeps the state intact", async () => {
    // GIVEN drift (a config entry deleted by hand), so the first deploy stops at its approval
    // prompt, holding the lock, as a deploy does while someone reads its plan
    await consul("config/mesh/mesh", { method: "DELETE" });
    const first = spawn("terraform", ["apply", "-no-color"], {
      cwd: workspace.dir,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    first.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    first.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number>((resolve) => first.on("exit", (code) => resolve(code ?? 1)));
    try {
      await eventually(async () => output.includes("Enter a value:"), 120_000, "the first deploy's prompt");
      // WHEN a second deploy starts meanwhile
      const second = workspace.run("apply", "-auto-approve", "-input=false", "-no-color");
      // THEN Terraform refuses it, naming the lock and its holder
      expect(second.code).toBe(1);
      expect(second.out).toContain("Error acquiring the state lock");
      expect(second.out).toMatch(/Lock Info:\s+ID:\s+\S+\s+Path:\s+meshstack\/prodlike/);
      expect(second.out).toMatch(/Operation:\s+OperationTypeApply/);
    } finally {
      first.stdin.end("yes\n");
    }
    // AND the first deploy proceeds and repairs the drift
    expect(await exited).toBe(0);
    expect(output).toMatch(/Apply complete! Resources: 1 added, 0 changed, 0 destroyed/);
    // AND the state survived both: a third run plans nothing
    expect(workspace.plan().code).toBe(0);
  });

  test("rotates the Connect root with Consul's own login: a rotation role while it runs, the CA policy alone after", async () => {
    type Roots = { ActiveRootID: string; Roots: { ID: string; Active: boolean }[] };
    type CaConfig = { Config: { RootPKIPath: string; AuthMethod: { Params: { name: string } } } };
    const stepTo = (pki: NonNullable<EnvironmentConfig["pki"]>) => {
      const base = throwawayProdlike(env);
      workspace.synth({ ...base, pki: { ...base.pki, ...pki } });
      workspace.apply();
    };
    const loginRole = async () =>
      (await consul<CaConfig>("connect/ca/configuration")).Config.AuthMethod.Params.name;
    const before = await consul<Roots>("connect/ca/roots");
    // WHEN the rotation is prepared, Consul logs in again through the role that may cross-sign
    stepTo({ rootRotation: true });
    expect(await loginRole()).toBe("consul-connect-ca-rotation");
    // AND rotated: the old root cross-signs the new one (Consul's update fails otherwise)
    const rotated = { rootPath: "prod1/connect_root_2", rootGeneration: 2 };
    stepTo({ ...rotated, rootRotation: true, retiringRoot: { path: "prod1/connect_root", generation: 1 } });
    const after = await consul<Roots>("connect/ca/roots");
    expect(after.ActiveRootID).not.toBe(before.ActiveRootID);
    expect(after.Roots.find((r) => r.ID === before.ActiveRootID)?.Active).toBe(false);
    // AND finished: back to the CA policy alone, the rotation role gone
    stepTo(rotated);
    expect(await loginRole()).toBe("consul-connect-ca");
    expect((await consul<CaConfig>("connect/ca/configuration")).Config.RootPKIPath).toMatch(
      /^prod1\/connect_root_2\/?$/,
    );
    await expect(vault("auth/prod1/consul-ca-cert/certs/consul-connect-ca-rotation")).rejects.toThrow(/404/);
    // THEN requests still cross the mesh, and the next plan is empty
    const https = await portOf((await running("traefik"))[0]!, "https");
    await eventually(
      async () => (await viaTraefik(https, "/count")).status === 200,
      120_000,
      "a request after the rotation",
    );
    expect(workspace.plan().code).toBe(0);
  });

  test("destroys everything it created: no job, config entry, ACL object, variable or mount left", async () => {
    workspace.destroy();
    destroyed = true;
    await resetConsulCa(env);
    const jobs = (await nomad<{ ID: string; Status: string }[]>("jobs?namespace=*")).filter(
      (j) => j.Status !== "dead",
    );
    expect(jobs).toEqual([]);
    expect(await nomad<unknown[]>("vars?prefix=nomad/jobs&namespace=*")).toEqual([]);
    expect((await nomad<{ Name: string }[]>("namespaces")).map((n) => n.Name)).toEqual(["default"]);
    for (const kind of ["service-intentions", "proxy-defaults", "mesh", "service-defaults"]) {
      expect([kind, await consul<unknown[]>(`config/${kind}`)]).toEqual([kind, []]);
    }
    const policies = (await consul<{ Name: string }[]>("acl/policies"))
      .map((p) => p.Name)
      .filter((name) => !name.startsWith("builtin/"));
    // Only the cluster's bootstrap policies remain.
    expect(policies.sort()).toEqual(["global-management", "nomad-client", "nomad-server", "terraform-state"]);
    expect(await consul<unknown[]>("acl/auth-methods")).toEqual([]);
    const mounts = Object.keys((await vault<{ data: Record<string, unknown> }>("sys/mounts")).data);
    expect(mounts.filter((m) => m.startsWith("prod1/"))).toEqual([]);
    const auth = Object.keys((await vault<{ data: Record<string, unknown> }>("sys/auth")).data);
    expect(auth).not.toContain("jwt-nomad/");
    expect(auth).not.toContain("prod1/consul-ca-cert/");
    expect(
      execFileSync("terraform", ["state", "list"], { cwd: workspace.dir, env, encoding: "utf8" }).trim(),
    ).toBe("");
  });
});
