/**
 * Terraform references everywhere: every string, number and list prop of every public construct,
 * given a reference (a variable, an output, remote state, `Fn.*`), either synthesizes with the
 * reference handed on to Terraform, or, where meshstack must know the value at synth (a name that
 * keys Consul's entries, a version that picks what to render, a port the job is laid out by), is
 * refused with an error naming the construct, the field and the fix. Never a TypeError, never a
 * check that misreads `${TfToken[…]}` as a bad literal.
 */
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { Fn, TerraformStack, Testing, Token } from "cdktf";
import type { IConstruct } from "constructs";
import * as m from "../../constructs";
import { testStack } from "../helpers";
import {
  aclToken,
  agent,
  app,
  caToken,
  connectCa,
  ingressPki,
  job,
  meshJob,
  meshStack,
  never,
  nomadConsul,
  nomadVault,
  pki,
  platform,
  rotation,
  traefik,
} from "./builders";

/** A string reference and what Terraform receives for it. */
const s = () => Fn.lower("REF");
const S = "lower(";
/** A number reference. */
const n = () => Token.asNumber(Fn.parseint("2", 10));
const N = "parseint";
/** A list reference. */
const l = () => Fn.split(",", "a,b");
const L = "split(";

/** Synthesizes and must hand `rendered` on to Terraform. */
type Accepts = { rendered: string };
/** Must be refused at synth, naming this. */
type Literal = { literal: string };
type Row = [key: string, make: () => unknown, expectation: Accepts | Literal];

const ok = (rendered: string): Accepts => ({ rendered });
const literal = (why: string): Literal => ({ literal: why });
// Builders with valid defaults, so each row changes one thing.
/** A service in the stack of its mesh, so what the mesh renders for it is synthesized with it. */
const service = (p: object) => {
  const stack = testStack();
  return new m.MeshService(stack, "x", { mesh: meshStack(stack), port: 9001, tasks: [app], ...p });
};
const versioned = (p: object = {}) => service({ version: "v1", protocol: "http", ...p });
const meshTask = (p: object) => service({ tasks: [{ ...app, ...p }] });
const withDriver = (driver: m.TaskDriver) => service({ tasks: [{ name: "app", driver }] });
const granted = (rule: m.PolicyRule) => {
  const integration = nomadVault({});
  integration.grantWorkloads(rule);
  return integration;
};
const intentions = () => new m.Intentions(testStack(), "x");
const permission = (p: object) => intentions().allow("web", "api", { permissions: [never(p)] });
const routing = () => {
  const stack = testStack();
  return new m.ServiceRouting(stack, "x", { service: "api", defaults: new m.MeshDefaults(stack, "d") });
};
const routingOf = (name: string) => {
  const stack = testStack();
  return new m.ServiceRouting(stack, "x", { service: name, defaults: new m.MeshDefaults(stack, "d") });
};
const subsets = () =>
  routing().addSubset("v1", "Service.Meta.version == v1").addSubset("v2", "Service.Meta.version == v2");
const route = (r: object) => subsets().addRoute(never(r));
const match = (mt: object) => route({ match: mt, destination: { subset: "v2" } });
const destination = (d: object) => route({ match: { pathPrefix: "/v2/" }, destination: d });
const mesh = (p: object) => {
  const stack = testStack();
  new m.MeshService(stack, "svc", { mesh: new m.ServiceMesh(stack, "x", p), port: 9001, tasks: [app] });
  return stack;
};
const joined = (p: object, options?: object) => {
  const stack = testStack();
  const member = m.ServiceMesh.fromPlatform(stack, "x", { datacenters: ["dc1"], ...p }, options);
  new m.MeshService(stack, "svc", { mesh: member, port: 9001, tasks: [app] }).allowFrom("web");
  return stack;
};
/** A member exposed through the platform's ingress, whose tags carry the ingress attributes. */
const exposedJoined = (p: object) => {
  const stack = testStack();
  const member = m.ServiceMesh.fromPlatform(stack, "x", { datacenters: ["dc1"], ...p });
  const expose = { http: { host: "a.example.com" } };
  new m.MeshService(stack, "svc", { mesh: member, port: 9001, tasks: [app], expose });
  return stack;
};
const vaultTls = (p: object) =>
  traefik({ tls: m.TraefikTls.fromVault({ issuePath: "pki/issue/x", commonName: "a", role: "r", ...p }) });
const envoy = (p: object) =>
  meshStackWith(m.SidecarTaskOverride.rawExecEnvoy({ envoyPath: "envoy", ...never<object>(p) }));
function meshStackWith(sidecarTask: m.SidecarTaskOverride) {
  const stack = testStack();
  const owner = new m.ServiceMesh(stack, "mesh", { sidecarTask, nomadVersion: "1.6.1" });
  return new m.MeshService(stack, "x", { mesh: owner, port: 9001, tasks: [app] });
}

const NAME = literal("keys Consul's entries");
const VERSION = literal("picks what to render");

const rows: Row[] = [
  // Vault
  ["ConnectCaPkiProps.datacenter", () => pki({ datacenter: s() }), ok(S)],
  ["ConnectCaPkiProps.rootPath", () => pki({ rootPath: s() }), ok(S)],
  ["ConnectCaPkiProps.intermediatePath", () => pki({ intermediatePath: s() }), ok(S)],
  ["ConnectCaPkiProps.rootCertTtl", () => pki({ rootCertTtl: s() }), literal("rootCertTtl")],
  [
    "ConnectCaPkiProps.intermediateCertTtl",
    () => pki({ intermediateCertTtl: s() }),
    literal("intermediateCertTtl"),
  ],
  ["ConnectCaPkiProps.leafCertTtl", () => pki({ leafCertTtl: s() }), literal("leafCertTtl")],
  ["ConnectCaPkiProps.rootCommonName", () => pki({ rootCommonName: s() }), ok(S)],
  ["ConnectCaPkiProps.policyName", () => pki({ policyName: s() }), ok(S)],
  ["ConnectCaPkiProps.rootGeneration", () => pki({ rootGeneration: n() }), literal("rootGeneration")],
  ["RetiringRoot.path", () => rotation({ path: s() }), ok(S)],
  ["RetiringRoot.generation", () => rotation({ generation: n() }), literal("retiringRoot.generation")],
  ["RetiringRoot.commonName", () => rotation({ commonName: s() }), ok(S)],
  ["RetiringRoot.certTtl", () => rotation({ certTtl: s() }), literal("retiringRoot.certTtl")],
  [
    "RetiringRoot.intermediatePath",
    () => rotation({ intermediatePath: s() }),
    literal("retiringRoot.intermediatePath"),
  ],
  ["ConsulCaTokenProps.period", () => caToken({ period: s() }), literal("period")],
  ["ConsulCaTokenProps.displayName", () => caToken({ displayName: s() }), ok(S)],
  ["IngressPkiProps.datacenter", () => ingressPki({ datacenter: s() }), ok(S)],
  ["IngressPkiProps.domain", () => ingressPki({ domain: s() }), ok(S)],
  ["IngressPkiProps.jobName", () => ingressPki({ jobName: s() }), NAME],
  ["IngressPkiProps.namespace", () => ingressPki({ namespace: s() }), ok(S)],
  ["IngressPkiProps.vaultAddress", () => ingressPki({ vaultAddress: s() }), ok(S)],
  ["NomadVaultIntegrationProps.nomadAddress", () => nomadVault({ nomadAddress: s() }), ok(S)],
  ["NomadVaultIntegrationProps.nomadVersion", () => nomadVault({ nomadVersion: s() }), VERSION],
  ["NomadVaultIntegrationProps.jwksCaPem", () => nomadVault({ jwksCaPem: s() }), ok(S)],
  ["NomadVaultIntegrationProps.authPath", () => nomadVault({ authPath: s() }), ok(S)],
  ["NomadVaultIntegrationProps.roleName", () => nomadVault({ roleName: s() }), ok(S)],
  ["NomadVaultIntegrationProps.audience", () => nomadVault({ audience: s() }), ok(S)],
  ["NomadVaultIntegrationProps.tokenPeriod", () => nomadVault({ tokenPeriod: s() }), literal("tokenPeriod")],
  ["NomadVaultIntegrationProps.kvMount", () => nomadVault({ kvMount: s() }), ok(S)],
  ["PolicyRule.path", () => granted({ path: s(), capabilities: ["read"] }), ok(S)],
  ["PolicyRule.comment", () => granted({ path: "kv/x", capabilities: ["read"], comment: s() }), ok(S)],
  // Consul
  ["ConsulAclTokenProps.policyName", () => aclToken({ policyName: s() }), ok(S)],
  ["ConsulAclTokenProps.rules", () => aclToken({ rules: s() }), ok(S)],
  ["ConsulAclTokenProps.description", () => aclToken({ description: s() }), ok(S)],
  ["ConnectCaProps.vaultAddress", () => connectCa({ vaultAddress: s() }), ok(S)],
  ["ConnectCaProps.vaultCaFile", () => connectCa({ vaultCaFile: s() }), ok(S)],
  ["HeaderMatch.name", () => permission({ headers: [{ name: s(), exact: "a" }] }), ok(S)],
  ["HeaderMatch.exact", () => permission({ headers: [{ name: "x", exact: s() }] }), ok(S)],
  ["HeaderMatch.prefix", () => permission({ headers: [{ name: "x", prefix: s() }] }), ok(S)],
  ["HeaderMatch.suffix", () => permission({ headers: [{ name: "x", suffix: s() }] }), ok(S)],
  ["HeaderMatch.regex", () => permission({ headers: [{ name: "x", regex: s() }] }), ok(S)],
  ["HeaderMatch.contains", () => permission({ headers: [{ name: "x", contains: s() }] }), ok(S)],
  ["HttpPermission.pathPrefix", () => permission({ pathPrefix: s() }), ok(S)],
  ["HttpPermission.pathExact", () => permission({ pathExact: s() }), ok(S)],
  ["HttpPermission.pathRegex", () => permission({ pathRegex: s() }), ok(S)],
  ["HttpPermission.methods", () => permission({ methods: l() }), ok(L)],
  ["IntentionOptions.description", () => intentions().allow("web", "api", { description: s() }), ok(S)],
  ["IntentionsProps.owner", () => new m.Intentions(testStack(), "x", { owner: s() }), ok(S)],
  [
    "MeshDefaultsProps.consulVersion",
    () => new m.MeshDefaults(testStack(), "x", { consulVersion: s() }),
    VERSION,
  ],
  ["NomadConsulIntegrationProps.nomadAddress", () => nomadConsul({ nomadAddress: s() }), ok(S)],
  ["NomadConsulIntegrationProps.authMethodName", () => nomadConsul({ authMethodName: s() }), ok(S)],
  ["NomadConsulIntegrationProps.audience", () => nomadConsul({ audience: s() }), ok(S)],
  ["NomadConsulIntegrationProps.jwksCaPem", () => nomadConsul({ jwksCaPem: s() }), ok(S)],
  ["NomadConsulIntegrationProps.namespaces", () => nomadConsul({ namespaces: l() }), literal("namespaces")],
  [
    "NomadConsulIntegrationProps.deniedKeyPrefixes",
    () => nomadConsul({ deniedKeyPrefixes: l() }),
    literal("deniedKeyPrefixes"),
  ],
  ["RouteMatch.pathExact", () => match({ pathExact: s() }), ok(S)],
  ["RouteMatch.pathPrefix", () => match({ pathPrefix: s() }), ok(S)],
  ["RouteMatch.pathRegex", () => match({ pathRegex: s() }), ok(S)],
  ["RouteMatch.methods", () => match({ methods: l() }), ok(L)],
  ["RouteDestination.service", () => destination({ service: s() }), NAME],
  ["RouteDestination.subset", () => destination({ subset: s() }), ok(S)],
  ["RouteDestination.prefixRewrite", () => destination({ subset: "v2", prefixRewrite: s() }), ok(S)],
  ["TrafficSplit.subset", () => subsets().split([{ subset: s(), weight: 100 }]), ok(S)],
  ["TrafficSplit.weight", () => subsets().split([{ subset: "v1", weight: n() }]), literal("weight")],
  ["ServiceRoutingProps.service", () => routingOf(s()), NAME],
  // Mesh
  ["MeshHealthCheck.path", () => service({ healthCheck: { path: s() } }), ok(S)],
  [
    "MeshHealthCheck.interval",
    () => service({ healthCheck: { path: "/", interval: s() } }),
    literal("interval"),
  ],
  [
    "MeshHealthCheck.timeout",
    () => service({ healthCheck: { path: "/", timeout: s() } }),
    literal("timeout"),
  ],
  ["MeshUpdateOptions.maxParallel", () => service({ update: { maxParallel: n() } }), ok(N)],
  ["MeshUpdateOptions.canary", () => service({ update: { canary: n() } }), ok(N)],
  [
    "MeshUpdateOptions.minHealthyTime",
    () => service({ update: { minHealthyTime: s() } }),
    literal("minHealthyTime"),
  ],
  [
    "MeshUpdateOptions.healthyDeadline",
    () => service({ update: { healthyDeadline: s() } }),
    literal("healthyDeadline"),
  ],
  ["MeshJobProps.name", () => meshJob({ name: s() }), NAME],
  ["MeshJobProps.namespace", () => meshJob({ namespace: s() }), ok(S)],
  ["UpstreamOptions.localBindPort", () => service({}).connectTo("db", { localBindPort: n() }), ok(N)],
  ["UpstreamProps.service", () => service({ upstreams: [{ service: s(), localBindPort: 8080 }] }), NAME],
  ["MeshServiceProps.name", () => service({ name: s() }), NAME],
  ["MeshServiceProps.port", () => service({ port: n() }), ok(N)],
  ["MeshServiceProps.hostPort", () => service({ hostPort: n() }), ok(N)],
  [
    "MeshServiceProps.exposePaths",
    () => service({ healthCheck: { path: "/health" }, exposePaths: l() }),
    literal("exposePaths"),
  ],
  ["MeshServiceProps.count", () => service({ count: n() }), ok(N)],
  ["MeshServiceProps.tags", () => service({ tags: l() }), ok(L)],
  ["MeshServiceProps.version", () => versioned({ version: s() }), ok(S)],
  ["ServiceVersionOptions.count", () => versioned().addVersion("v2", { tasks: [app], count: n() }), ok(N)],
  [
    "TrafficDestination.version",
    () => versioned().routeTraffic({ pathPrefix: "/v2/" }, { version: s() }),
    ok(S),
  ],
  [
    "TrafficDestination.prefixRewrite",
    () => {
      const svc = versioned();
      svc.addVersion("v2", { tasks: [app] });
      return svc.routeTraffic({ pathPrefix: "/v2/" }, { version: "v2", prefixRewrite: s() });
    },
    ok(S),
  ],
  ["MeshTaskProps.name", () => meshTask({ name: s() }), ok(S)],
  ["MeshTaskProps.vaultRole", () => meshTask({ vaultRole: s() }), ok(S)],
  ["MeshTaskProps.vaultPolicies", () => meshStackWithTask({ vaultPolicies: l() }), ok(L)],
  ["HttpRoute.host", () => service({ expose: { http: { host: s() } } }), ok(S)],
  [
    "HttpRoute.pathPrefix",
    () => service({ expose: { http: { host: "a.example.com", pathPrefix: s() } } }),
    ok(S),
  ],
  [
    "HttpRoute.entryPoint",
    () => service({ expose: { http: { host: "a.example.com", entryPoint: s() } } }),
    ok(S),
  ],
  ["TcpRoute.sni", () => service({ expose: { tcp: { sni: s() } } }), ok(S)],
  [
    "TcpRoute.entryPoint",
    () => service({ expose: { tcp: { sni: "a.example.com", entryPoint: s() } } }),
    literal("entryPoint"),
  ],
  ["ServiceMeshProps.datacenters", () => mesh({ datacenters: l() }), ok(L)],
  ["ServiceMeshProps.nomadVersion", () => mesh({ nomadVersion: s() }), VERSION],
  ["ServiceMeshProps.owner", () => mesh({ owner: s() }), ok(S)],
  ["MeshPlatformAttributes.datacenters", () => joined({ datacenters: l() }), ok(L)],
  ["MeshPlatformAttributes.ingressServiceName", () => joined({ ingressServiceName: s() }), NAME],
  ["MeshPlatformAttributes.ingressTagPrefix", () => exposedJoined({ ingressTagPrefix: s() }), ok(S)],
  ["MeshPlatformAttributes.ingressTlsEntryPoint", () => exposedJoined({ ingressTlsEntryPoint: s() }), ok(S)],
  ["MeshPlatformAttributes.envoyCommand", () => joined({ envoyCommand: s(), nomadVersion: "1.6.1" }), ok(S)],
  ["MeshPlatformAttributes.nomadVersion", () => joined({ nomadVersion: s() }), VERSION],
  ["JoinPlatformOptions.owner", () => joined({}, { owner: s() }), ok(S)],
  ["RawExecEnvoyOptions.envoyPath", () => envoy({ envoyPath: s() }), ok(S)],
  ["RawExecEnvoyOptions.nomadVersion", () => envoy({ nomadVersion: s() }), VERSION],
  // Nomad
  ["ConsulAgentJobProps.jobName", () => agent({ jobName: s() }), NAME],
  ["ConsulAgentJobProps.datacenter", () => agent({ datacenter: s() }), ok(S)],
  ["ConsulAgentJobProps.nomadDatacenters", () => agent({ nomadDatacenters: l() }), ok(L)],
  ["ConsulAgentJobProps.namespace", () => agent({ namespace: s() }), ok(S)],
  ["ConsulAgentJobProps.bootstrapExpect", () => agent({ bootstrapExpect: n() }), ok(N)],
  ["ConsulAgentJobProps.retryJoin", () => agent({ server: false, retryJoin: l() }), ok(L)],
  ["ConsulAgentJobProps.recursors", () => agent({ recursors: l() }), ok(L)],
  ["ConsulAgentJobProps.bindAddr", () => agent({ bindAddr: s() }), ok(S)],
  ["ConsulAgentJobProps.clientAddr", () => agent({ clientAddr: s() }), ok(S)],
  ["ConsulAgentJobProps.dnsAddr", () => agent({ dnsAddr: s() }), ok(S)],
  ["ConsulAgentJobProps.dataDir", () => agent({ dataDir: s() }), ok(S)],
  ["ConsulAgentJobProps.dataVolume", () => agent({ dataVolume: s() }), ok(S)],
  ["ConsulAgentJobProps.version", () => agent({ version: s() }), VERSION],
  ["ConsulAgentJobProps.image", () => agent({ image: s() }), ok(S)],
  ["ConsulAgentJobProps.binary", () => agent({ driver: "raw_exec", binary: s() }), ok(S)],
  ["DockerDriverOptions.image", () => withDriver(m.TaskDriver.docker({ image: s() })), ok(S)],
  [
    "DockerDriverOptions.command",
    () => withDriver(m.TaskDriver.docker({ image: "r:1", command: s() })),
    ok(S),
  ],
  ["DockerDriverOptions.args", () => withDriver(m.TaskDriver.docker({ image: "r:1", args: l() })), ok(L)],
  ["DockerDriverOptions.ports", () => withDriver(m.TaskDriver.docker({ image: "r:1", ports: l() })), ok(L)],
  ["ExecDriverOptions.command", () => withDriver(m.TaskDriver.exec({ command: s() })), ok(S)],
  ["ExecDriverOptions.args", () => withDriver(m.TaskDriver.exec({ command: "a", args: l() })), ok(L)],
  ["NomadJobProps.name", () => job({ name: s() }), NAME],
  ["NomadJobProps.datacenters", () => job({ datacenters: l() }), ok(L)],
  ["NomadJobProps.namespace", () => job({ namespace: s() }), ok(S)],
  ["NomadJobProps.region", () => job({ region: s() }), ok(S)],
  ["NomadJobProps.priority", () => job({ priority: n() }), ok(N)],
  ["VariableOptions.subPath", () => job({}).addVariable({ a: "b" }, { subPath: s() }), literal("subPath")],
  ["TaskResources.cpu", () => agent({ resources: { cpu: n() } }), ok(N)],
  ["TaskResources.memoryMb", () => agent({ resources: { memoryMb: n() } }), ok(N)],
  // Platform
  ["MeshPlatformProps.datacenter", () => platform({ datacenter: s() }), ok(S)],
  ["MeshPlatformProps.vaultAddress", () => platform({ vaultAddress: s() }), ok(S)],
  ["MeshPlatformProps.nomadAddress", () => platform({ nomadAddress: s() }), ok(S)],
  ["MeshPlatformProps.consulRetryJoin", () => platform({ consulRetryJoin: l() }), ok(L)],
  ["MeshPlatformProps.nomadCaPem", () => platform({ nomadCaPem: s() }), ok(S)],
  ["MeshPlatformProps.vaultCaFile", () => platform({ vaultCaFile: s() }), ok(S)],
  ["MeshPlatformProps.nomadVersion", () => platform({ nomadVersion: s() }), VERSION],
  ["MeshPlatformProps.consulVersion", () => platform({ consulVersion: s() }), VERSION],
  ["MeshPlatformProps.caRootPath", () => platform({ caRootPath: s() }), ok(S)],
  [
    "MeshPlatformProps.caRootGeneration",
    () => platform({ caRootGeneration: n() }),
    literal("caRootGeneration"),
  ],
  ["MeshPlatformProps.caTokenPeriod", () => platform({ caTokenPeriod: s() }), literal("caTokenPeriod")],
  ["MeshPlatformProps.rootCertTtl", () => platform({ rootCertTtl: s() }), literal("rootCertTtl")],
  [
    "MeshPlatformProps.intermediateCertTtl",
    () => platform({ intermediateCertTtl: s() }),
    literal("intermediateCertTtl"),
  ],
  ["MeshPlatformProps.leafCertTtl", () => platform({ leafCertTtl: s() }), literal("leafCertTtl")],
  [
    "MeshPlatformProps.envoyCommand",
    () => {
      const made = platform({ driver: "raw_exec", envoyCommand: s() });
      return new m.MeshService(made, "svc", { mesh: made.mesh, port: 9001, tasks: [app] });
    },
    ok(S),
  ],
  ["MeshPlatformProps.ingressDomain", () => platform({ ingressDomain: s() }), ok(S)],
  ["MeshPlatformProps.stateKeyPrefix", () => platform({ stateKeyPrefix: s() }), ok(S)],
  ["MeshPlatformProps.nomadNamespaces", () => platform({ nomadNamespaces: l() }), literal("namespaces")],
  // Traefik
  ["TraefikDashboardOptions.host", () => traefik({ dashboard: { host: s() } }), ok(S)],
  [
    "TraefikDashboardOptions.middlewares",
    () => traefik({ dashboard: { host: "d.example.com", middlewares: l() } }),
    ok(L),
  ],
  ["TraefikIngressProps.jobName", () => traefik({ jobName: s() }), NAME],
  ["TraefikIngressProps.serviceName", () => traefik({ serviceName: s() }), NAME],
  ["TraefikIngressProps.datacenters", () => traefik({ datacenters: l() }), ok(L)],
  ["TraefikIngressProps.namespace", () => traefik({ namespace: s() }), ok(S)],
  ["TraefikIngressProps.tlsPort", () => traefik({ tlsPort: n() }), ok(N)],
  ["TraefikIngressProps.httpPort", () => traefik({ httpPort: n() }), ok(N)],
  ["TraefikIngressProps.consulAddress", () => traefik({ consulAddress: s() }), ok(S)],
  ["TraefikIngressProps.consulToken", () => traefik({ consulToken: s() }), ok(S)],
  ["TraefikIngressProps.count", () => traefik({ count: n() }), ok(N)],
  ["TraefikIngressProps.hstsMaxAgeSeconds", () => traefik({ hstsMaxAgeSeconds: n() }), ok(N)],
  ["TraefikIngressProps.version", () => traefik({ version: s() }), ok(S)],
  ["TraefikIngressProps.image", () => traefik({ image: s() }), ok(S)],
  ["TraefikIngressProps.binary", () => traefik({ driver: "raw_exec", binary: s() }), ok(S)],
  ["VaultTlsOptions.issuePath", () => vaultTls({ issuePath: s() }), ok(S)],
  ["VaultTlsOptions.commonName", () => vaultTls({ commonName: s() }), ok(S)],
  ["VaultTlsOptions.altNames", () => vaultTls({ altNames: l() }), ok(L)],
  ["VaultTlsOptions.ttl", () => vaultTls({ ttl: s() }), ok(S)],
  ["VaultTlsOptions.role", () => vaultTls({ role: s() }), ok(S)],
  ["VaultTlsOptions.policies", () => vaultTls({ role: undefined, policies: l() }), ok(L)],
  [
    "FileTlsOptions.certFile",
    () => traefik({ tls: m.TraefikTls.fromFiles({ certFile: s(), keyFile: "k.pem" }) }),
    ok(S),
  ],
  [
    "FileTlsOptions.keyFile",
    () => traefik({ tls: m.TraefikTls.fromFiles({ certFile: "c.pem", keyFile: s() }) }),
    ok(S),
  ],
];

function meshStackWithTask(p: object) {
  const stack = testStack();
  const owner = new m.ServiceMesh(stack, "mesh", { nomadVersion: "1.6.1" });
  return new m.MeshService(stack, "x", { mesh: owner, port: 9001, tasks: [{ ...app, ...p }] });
}

/** The synthesized JSON of whatever stack `made` belongs to. */
function synthOf(made: unknown): string {
  const stack = made instanceof TerraformStack ? made : TerraformStack.of(made as IConstruct);
  return Testing.synth(stack);
}

describe("a Terraform reference for every string, number and list prop", () => {
  test.each(rows.filter((r): r is [string, () => unknown, Accepts] => "rendered" in r[2]))(
    "%s: synthesizes and hands the reference to Terraform",
    (_key, make, { rendered }) => {
      expect(synthOf(make())).toContain(rendered);
    },
  );

  test.each(rows.filter((r): r is [string, () => unknown, Literal] => "literal" in r[2]))(
    "%s: is needed at synth, and a reference is refused saying so",
    (_key, make) => {
      expect(() => synthOf(make())).toThrow(/is a Terraform reference; .+ so give it as a literal/);
    },
  );
});

/** The string, number and list fields of the public props and options interfaces, from the sources. */
function referenceableFields(): string[] {
  const root = join(__dirname, "../../constructs");
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter(
    (f) => f.endsWith(".ts") && !f.includes("jobspec"),
  );
  const fields: string[] = [];
  for (const file of files) {
    const source = readFileSync(join(root, file), "utf8");
    for (const [, name, body] of source.matchAll(
      /export interface (\w+)(?: extends \w+)? \{([\s\S]*?)\n\}/g,
    )) {
      for (const [, field, type] of body.matchAll(/^ {2}readonly (\w+)\??: ([^;]+);/gm)) {
        if (/^(string|number)(\[\])?$/.test(type.trim())) fields.push(`${name}.${field}`);
      }
    }
  }
  return fields.sort();
}

test("every string, number and list field of a public interface has a row", () => {
  const covered = new Set(rows.map(([key]) => key));
  const fields = referenceableFields().filter((f) =>
    /^\w+(Props|Options|Attributes)\.|^(RetiringRoot|HeaderMatch|HttpPermission|RouteMatch|RouteDestination|TrafficSplit|TrafficDestination|MeshHealthCheck|HttpRoute|TcpRoute|TaskResources|PolicyRule)\./.test(
      f,
    ),
  );
  expect(fields.length).toBeGreaterThan(150);
  expect(fields.filter((f) => !covered.has(f))).toEqual([]);
});
