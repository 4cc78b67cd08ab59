/**
 * Terraform references everywhere: every string, number and list prop of every public construct,
 * given a reference (a variable, an output, remote state, `Fn.*`), either synthesizes with the
 * reference handed on to Terraform, or, where meshstack must know the value at synth (a name that
 * keys Consul's entries, a version that picks what to render, a port the job is laid out by), is
 * refused with an error naming the construct, the field and the fix. Never a TypeError, never a
 * check that misreads `${TfToken[…]}` as a bad literal.
 */
import { Fn, TerraformStack, Testing, Token } from "cdktf";
import type { IConstruct } from "constructs";
import * as m from "../../constructs";
import { testStack } from "../helpers";
import { show } from "../../constructs/core/errors";
import {
  aclToken,
  agent,
  app,
  caLogin,
  caToken,
  connectCa,
  ingressPki,
  job,
  meshJob,
  external,
  gateway,
  meshGateway,
  meshStack,
  never,
  nodeToken,
  nomadConsul,
  nomadVault,
  peered,
  pki,
  platform,
  rotation,
  traefik,
} from "./builders";
import { interfaceFields } from "./interfaces";

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
/** The prop's type: a string, a number or a list of strings. */
type Kind = "s" | "n" | "l";
/** A prop: how to build a construct with `v` as its value, what a reference must do, and its type. */
type Row = [key: string, make: (v: unknown) => unknown, expectation: Accepts | Literal, kind: Kind];

/** A reference of each kind. */
const REFERENCE: Readonly<Record<Kind, () => unknown>> = { s, n, l };

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
  ["ConnectCaPkiProps.datacenter", (v) => pki({ datacenter: never(v) }), ok(S), "s"],
  ["ConnectCaPkiProps.rootPath", (v) => pki({ rootPath: never(v) }), ok(S), "s"],
  ["ConnectCaPkiProps.intermediatePath", (v) => pki({ intermediatePath: never(v) }), ok(S), "s"],
  ["ConnectCaPkiProps.rootCertTtl", (v) => pki({ rootCertTtl: never(v) }), literal("rootCertTtl"), "s"],
  [
    "ConnectCaPkiProps.intermediateCertTtl",
    (v) => pki({ intermediateCertTtl: never(v) }),
    literal("intermediateCertTtl"),
    "s",
  ],
  ["ConnectCaPkiProps.leafCertTtl", (v) => pki({ leafCertTtl: never(v) }), literal("leafCertTtl"), "s"],
  ["ConnectCaPkiProps.rootCommonName", (v) => pki({ rootCommonName: never(v) }), ok(S), "s"],
  ["ConnectCaPkiProps.policyName", (v) => pki({ policyName: never(v) }), ok(S), "s"],
  [
    "ConnectCaPkiProps.rootGeneration",
    (v) => pki({ rootGeneration: never(v) }),
    literal("rootGeneration"),
    "n",
  ],
  ["RetiringRoot.path", (v) => rotation({ path: never(v) }), ok(S), "s"],
  [
    "RetiringRoot.generation",
    (v) => rotation({ generation: never(v) }),
    literal("retiringRoot.generation"),
    "n",
  ],
  ["RetiringRoot.commonName", (v) => rotation({ commonName: never(v) }), ok(S), "s"],
  ["RetiringRoot.certTtl", (v) => rotation({ certTtl: never(v) }), literal("retiringRoot.certTtl"), "s"],
  [
    "RetiringRoot.intermediatePath",
    (v) => rotation({ intermediatePath: never(v) }),
    literal("retiringRoot.intermediatePath"),
    "s",
  ],
  ["ConsulCaTokenProps.period", (v) => caToken({ period: never(v) }), literal("period"), "s"],
  ["ConsulCaLoginProps.datacenter", (v) => caLogin({ datacenter: never(v) }), ok(S), "s"],
  ["ConsulCaLoginProps.serverCaPem", (v) => caLogin({ serverCaPem: never(v) }), ok(S), "s"],
  ["ConsulCaLoginProps.certFile", (v) => caLogin({ certFile: never(v) }), ok(S), "s"],
  ["ConsulCaLoginProps.keyFile", (v) => caLogin({ keyFile: never(v) }), ok(S), "s"],
  ["ConsulCaLoginProps.allowedDnsNames", (v) => caLogin({ allowedDnsNames: never(v) }), ok(L), "l"],
  ["ConsulCaLoginProps.mountPath", (v) => caLogin({ mountPath: never(v) }), ok(S), "s"],
  ["ConsulCaLoginProps.period", (v) => caLogin({ period: never(v) }), literal("period"), "s"],
  ["ConsulCaTokenProps.displayName", (v) => caToken({ displayName: never(v) }), ok(S), "s"],
  ["IngressPkiProps.datacenter", (v) => ingressPki({ datacenter: never(v) }), ok(S), "s"],
  ["IngressPkiProps.domain", (v) => ingressPki({ domain: never(v) }), ok(S), "s"],
  ["IngressPkiProps.jobName", (v) => ingressPki({ jobName: never(v) }), NAME, "s"],
  ["IngressPkiProps.namespace", (v) => ingressPki({ namespace: never(v) }), ok(S), "s"],
  ["IngressPkiProps.vaultAddress", (v) => ingressPki({ vaultAddress: never(v) }), ok(S), "s"],
  ["NomadVaultIntegrationProps.nomadAddress", (v) => nomadVault({ nomadAddress: never(v) }), ok(S), "s"],
  ["NomadVaultIntegrationProps.nomadVersion", (v) => nomadVault({ nomadVersion: never(v) }), VERSION, "s"],
  ["NomadVaultIntegrationProps.jwksCaPem", (v) => nomadVault({ jwksCaPem: never(v) }), ok(S), "s"],
  ["NomadVaultIntegrationProps.authPath", (v) => nomadVault({ authPath: never(v) }), ok(S), "s"],
  ["NomadVaultIntegrationProps.roleName", (v) => nomadVault({ roleName: never(v) }), ok(S), "s"],
  ["NomadVaultIntegrationProps.audience", (v) => nomadVault({ audience: never(v) }), ok(S), "s"],
  [
    "NomadVaultIntegrationProps.tokenPeriod",
    (v) => nomadVault({ tokenPeriod: never(v) }),
    literal("tokenPeriod"),
    "s",
  ],
  ["NomadVaultIntegrationProps.kvMount", (v) => nomadVault({ kvMount: never(v) }), ok(S), "s"],
  ["PolicyRule.path", (v) => granted({ path: never(v), capabilities: ["read"] }), ok(S), "s"],
  [
    "PolicyRule.comment",
    (v) => granted({ path: "kv/x", capabilities: ["read"], comment: never(v) }),
    ok(S),
    "s",
  ],
  // Consul
  ["ConsulAclTokenProps.policyName", (v) => aclToken({ policyName: never(v) }), ok(S), "s"],
  ["ConsulAclTokenProps.rules", (v) => aclToken({ rules: never(v) }), ok(S), "s"],
  ["ConsulAclTokenProps.description", (v) => aclToken({ description: never(v) }), ok(S), "s"],
  ["ConnectCaProps.vaultAddress", (v) => connectCa({ vaultAddress: never(v) }), ok(S), "s"],
  ["ConnectCaProps.vaultCaFile", (v) => connectCa({ vaultCaFile: never(v) }), ok(S), "s"],
  ["HeaderMatch.name", (v) => permission({ headers: [{ name: never(v), exact: "a" }] }), ok(S), "s"],
  ["HeaderMatch.exact", (v) => permission({ headers: [{ name: "x", exact: never(v) }] }), ok(S), "s"],
  ["HeaderMatch.prefix", (v) => permission({ headers: [{ name: "x", prefix: never(v) }] }), ok(S), "s"],
  ["HeaderMatch.suffix", (v) => permission({ headers: [{ name: "x", suffix: never(v) }] }), ok(S), "s"],
  ["HeaderMatch.regex", (v) => permission({ headers: [{ name: "x", regex: never(v) }] }), ok(S), "s"],
  ["HeaderMatch.contains", (v) => permission({ headers: [{ name: "x", contains: never(v) }] }), ok(S), "s"],
  ["HttpPermission.pathPrefix", (v) => permission({ pathPrefix: never(v) }), ok(S), "s"],
  ["HttpPermission.pathExact", (v) => permission({ pathExact: never(v) }), ok(S), "s"],
  ["HttpPermission.pathRegex", (v) => permission({ pathRegex: never(v) }), ok(S), "s"],
  ["HttpPermission.methods", (v) => permission({ methods: never(v) }), ok(L), "l"],
  [
    "IntentionOptions.description",
    (v) => intentions().allow("web", "api", { description: never(v) }),
    ok(S),
    "s",
  ],
  ["IntentionsProps.owner", (v) => new m.Intentions(testStack(), "x", { owner: never(v) }), ok(S), "s"],
  [
    "MeshDefaultsProps.consulVersion",
    (v) => new m.MeshDefaults(testStack(), "x", { consulVersion: never(v) }),
    VERSION,
    "s",
  ],
  ["NomadConsulIntegrationProps.nomadAddress", (v) => nomadConsul({ nomadAddress: never(v) }), ok(S), "s"],
  [
    "NomadConsulIntegrationProps.authMethodName",
    (v) => nomadConsul({ authMethodName: never(v) }),
    ok(S),
    "s",
  ],
  ["NomadConsulIntegrationProps.audience", (v) => nomadConsul({ audience: never(v) }), ok(S), "s"],
  ["NomadConsulIntegrationProps.jwksCaPem", (v) => nomadConsul({ jwksCaPem: never(v) }), ok(S), "s"],
  [
    "NomadConsulIntegrationProps.namespaces",
    (v) => nomadConsul({ namespaces: never(v) }),
    literal("namespaces"),
    "l",
  ],
  [
    "NomadConsulIntegrationProps.deniedKeyPrefixes",
    (v) => nomadConsul({ deniedKeyPrefixes: never(v) }),
    literal("deniedKeyPrefixes"),
    "l",
  ],
  ["RouteMatch.pathExact", (v) => match({ pathExact: never(v) }), ok(S), "s"],
  ["RouteMatch.pathPrefix", (v) => match({ pathPrefix: never(v) }), ok(S), "s"],
  ["RouteMatch.pathRegex", (v) => match({ pathRegex: never(v) }), ok(S), "s"],
  ["RouteMatch.methods", (v) => match({ methods: never(v) }), ok(L), "l"],
  ["RouteDestination.service", (v) => destination({ service: never(v) }), NAME, "s"],
  ["RouteDestination.subset", (v) => destination({ subset: never(v) }), ok(S), "s"],
  [
    "RouteDestination.prefixRewrite",
    (v) => destination({ subset: "v2", prefixRewrite: never(v) }),
    ok(S),
    "s",
  ],
  ["TrafficSplit.subset", (v) => subsets().split([{ subset: never(v), weight: 100 }]), ok(S), "s"],
  [
    "TrafficSplit.weight",
    (v) => subsets().split([{ subset: "v1", weight: never(v) }]),
    literal("weight"),
    "n",
  ],
  ["ServiceRoutingProps.service", (v) => routingOf(never(v)), NAME, "s"],
  // Mesh
  ["MeshHealthCheck.path", (v) => service({ healthCheck: { path: never(v) } }), ok(S), "s"],
  [
    "MeshHealthCheck.interval",
    (v) => service({ healthCheck: { path: "/", interval: never(v) } }),
    literal("interval"),
    "s",
  ],
  [
    "MeshHealthCheck.timeout",
    (v) => service({ healthCheck: { path: "/", timeout: never(v) } }),
    literal("timeout"),
    "s",
  ],
  ["MeshUpdateOptions.maxParallel", (v) => service({ update: { maxParallel: never(v) } }), ok(N), "n"],
  ["MeshUpdateOptions.canary", (v) => service({ update: { canary: never(v) } }), ok(N), "n"],
  [
    "MeshUpdateOptions.minHealthyTime",
    (v) => service({ update: { minHealthyTime: never(v) } }),
    literal("minHealthyTime"),
    "s",
  ],
  [
    "MeshUpdateOptions.healthyDeadline",
    (v) => service({ update: { healthyDeadline: never(v) } }),
    literal("healthyDeadline"),
    "s",
  ],
  ["MeshJobProps.name", (v) => meshJob({ name: never(v) }), NAME, "s"],
  ["MeshJobProps.namespace", (v) => meshJob({ namespace: never(v) }), ok(S), "s"],
  [
    "UpstreamOptions.localBindPort",
    (v) => service({}).connectTo("db", { localBindPort: never(v) }),
    ok(N),
    "n",
  ],
  [
    "UpstreamProps.service",
    (v) => service({ upstreams: [{ service: never(v), localBindPort: 8080 }] }),
    NAME,
    "s",
  ],
  ["MeshServiceProps.name", (v) => service({ name: never(v) }), NAME, "s"],
  ["MeshServiceProps.port", (v) => service({ port: never(v) }), ok(N), "n"],
  ["MeshServiceProps.hostPort", (v) => service({ hostPort: never(v) }), ok(N), "n"],
  [
    "MeshServiceProps.exposePaths",
    (v) => service({ healthCheck: { path: "/health" }, exposePaths: never(v) }),
    literal("exposePaths"),
    "l",
  ],
  ["MeshServiceProps.count", (v) => service({ count: never(v) }), ok(N), "n"],
  ["MeshServiceProps.tags", (v) => service({ tags: never(v) }), ok(L), "l"],
  ["MeshServiceProps.version", (v) => versioned({ version: never(v) }), ok(S), "s"],
  [
    "ServiceVersionOptions.count",
    (v) => versioned().addVersion("v2", { tasks: [app], count: never(v) }),
    ok(N),
    "n",
  ],
  [
    "TrafficDestination.version",
    (v) => versioned().routeTraffic({ pathPrefix: "/v2/" }, { version: never(v) }),
    ok(S),
    "s",
  ],
  [
    "TrafficDestination.prefixRewrite",
    (v) => {
      const svc = versioned();
      svc.addVersion("v2", { tasks: [app] });
      return svc.routeTraffic({ pathPrefix: "/v2/" }, { version: "v2", prefixRewrite: never(v) });
    },
    ok(S),
    "s",
  ],
  ["MeshTaskProps.name", (v) => meshTask({ name: never(v) }), ok(S), "s"],
  ["MeshTaskProps.vaultRole", (v) => meshTask({ vaultRole: never(v) }), ok(S), "s"],
  ["MeshTaskProps.vaultPolicies", (v) => meshStackWithTask({ vaultPolicies: never(v) }), ok(L), "l"],
  ["HttpRoute.host", (v) => service({ expose: { http: { host: never(v) } } }), ok(S), "s"],
  [
    "HttpRoute.pathPrefix",
    (v) => service({ expose: { http: { host: "a.example.com", pathPrefix: never(v) } } }),
    ok(S),
    "s",
  ],
  [
    "HttpRoute.entryPoint",
    (v) => service({ expose: { http: { host: "a.example.com", entryPoint: never(v) } } }),
    ok(S),
    "s",
  ],
  ["TcpRoute.sni", (v) => service({ expose: { tcp: { sni: never(v) } } }), ok(S), "s"],
  [
    "TcpRoute.entryPoint",
    (v) => service({ expose: { tcp: { sni: "a.example.com", entryPoint: never(v) } } }),
    literal("entryPoint"),
    "s",
  ],
  ["ServiceMeshProps.datacenters", (v) => mesh({ datacenters: never(v) }), ok(L), "l"],
  ["ServiceMeshProps.nomadVersion", (v) => mesh({ nomadVersion: never(v) }), VERSION, "s"],
  ["ServiceMeshProps.owner", (v) => mesh({ owner: never(v) }), ok(S), "s"],
  ["ServiceMeshProps.peerName", (v) => mesh({ peerName: never(v) }), NAME, "s"],
  [
    "MeshPeeringOptions.serverExternalAddresses",
    (v) => peered({ serverExternalAddresses: never(v) }).token,
    ok(L),
    "l",
  ],
  ["IntentionOptions.peer", (v) => intentions().allow("web", "api", { peer: never(v) }), NAME, "s"],
  [
    "ServiceMeshProps.terminatingGatewayUnavailable",
    (v) => mesh({ terminatingGatewayUnavailable: never(v) }),
    literal("terminatingGatewayUnavailable"),
    "s",
  ],
  [
    "ServiceMeshProps.transparentProxyUnavailable",
    (v) => mesh({ transparentProxyUnavailable: never(v) }),
    literal("transparentProxyUnavailable"),
    "s",
  ],
  ["MeshPlatformAttributes.datacenters", (v) => joined({ datacenters: never(v) }), ok(L), "l"],
  ["MeshPlatformAttributes.ingressServiceName", (v) => joined({ ingressServiceName: never(v) }), NAME, "s"],
  [
    "MeshPlatformAttributes.ingressTagPrefix",
    (v) => exposedJoined({ ingressTagPrefix: never(v) }),
    ok(S),
    "s",
  ],
  [
    "MeshPlatformAttributes.ingressTlsEntryPoint",
    (v) => exposedJoined({ ingressTlsEntryPoint: never(v) }),
    ok(S),
    "s",
  ],
  [
    "MeshPlatformAttributes.envoyCommand",
    (v) => joined({ envoyCommand: never(v), nomadVersion: "1.6.1" }),
    ok(S),
    "s",
  ],
  ["MeshPlatformAttributes.nomadVersion", (v) => joined({ nomadVersion: never(v) }), VERSION, "s"],
  ["JoinPlatformOptions.owner", (v) => joined({}, { owner: never(v) }), ok(S), "s"],
  ["RawExecEnvoyOptions.envoyPath", (v) => envoy({ envoyPath: never(v) }), ok(S), "s"],
  ["RawExecEnvoyOptions.nomadVersion", (v) => envoy({ nomadVersion: never(v) }), VERSION, "s"],
  // Nomad
  ["ConsulAgentJobProps.jobName", (v) => agent({ jobName: never(v) }), NAME, "s"],
  ["ConsulAgentJobProps.datacenter", (v) => agent({ datacenter: never(v) }), ok(S), "s"],
  ["ConsulAgentJobProps.nomadDatacenters", (v) => agent({ nomadDatacenters: never(v) }), ok(L), "l"],
  ["ConsulAgentJobProps.namespace", (v) => agent({ namespace: never(v) }), ok(S), "s"],
  ["ConsulAgentJobProps.bootstrapExpect", (v) => agent({ bootstrapExpect: never(v) }), ok(N), "n"],
  ["ConsulAgentJobProps.retryJoin", (v) => agent({ server: false, retryJoin: never(v) }), ok(L), "l"],
  ["ConsulAgentJobProps.recursors", (v) => agent({ recursors: never(v) }), ok(L), "l"],
  ["ConsulAgentJobProps.bindAddr", (v) => agent({ bindAddr: never(v) }), ok(S), "s"],
  ["ConsulAgentJobProps.clientAddr", (v) => agent({ clientAddr: never(v) }), ok(S), "s"],
  ["ConsulAgentJobProps.dnsAddr", (v) => agent({ dnsAddr: never(v) }), ok(S), "s"],
  ["ConsulAgentJobProps.dataDir", (v) => agent({ dataDir: never(v) }), ok(S), "s"],
  ["ConsulAgentJobProps.dataVolume", (v) => agent({ dataVolume: never(v) }), ok(S), "s"],
  ["ConsulAgentJobProps.version", (v) => agent({ version: never(v) }), VERSION, "s"],
  ["ConsulAgentJobProps.image", (v) => agent({ image: never(v) }), ok(S), "s"],
  ["ConsulAgentJobProps.binary", (v) => agent({ driver: "raw_exec", binary: never(v) }), ok(S), "s"],
  ["DockerDriverOptions.image", (v) => withDriver(m.TaskDriver.docker({ image: never(v) })), ok(S), "s"],
  [
    "DockerDriverOptions.command",
    (v) => withDriver(m.TaskDriver.docker({ image: "r:1", command: never(v) })),
    ok(S),
    "s",
  ],
  [
    "DockerDriverOptions.args",
    (v) => withDriver(m.TaskDriver.docker({ image: "r:1", args: never(v) })),
    ok(L),
    "l",
  ],
  [
    "DockerDriverOptions.ports",
    (v) => withDriver(m.TaskDriver.docker({ image: "r:1", ports: never(v) })),
    ok(L),
    "l",
  ],
  ["ExecDriverOptions.command", (v) => withDriver(m.TaskDriver.exec({ command: never(v) })), ok(S), "s"],
  [
    "ExecDriverOptions.args",
    (v) => withDriver(m.TaskDriver.exec({ command: "a", args: never(v) })),
    ok(L),
    "l",
  ],
  ["NomadJobProps.name", (v) => job({ name: never(v) }), NAME, "s"],
  ["NomadJobProps.datacenters", (v) => job({ datacenters: never(v) }), ok(L), "l"],
  ["NomadJobProps.namespace", (v) => job({ namespace: never(v) }), ok(S), "s"],
  ["NomadJobProps.region", (v) => job({ region: never(v) }), ok(S), "s"],
  ["NomadJobProps.priority", (v) => job({ priority: never(v) }), ok(N), "n"],
  [
    "VariableOptions.subPath",
    (v) => job({}).addVariable({ a: "b" }, { subPath: never(v) }),
    literal("subPath"),
    "s",
  ],
  ["TaskResources.cpu", (v) => agent({ resources: { cpu: never(v) } }), ok(N), "n"],
  ["TaskResources.memoryMb", (v) => agent({ resources: { memoryMb: never(v) } }), ok(N), "n"],
  // Platform
  ["MeshPlatformProps.datacenter", (v) => platform({ datacenter: never(v) }), ok(S), "s"],
  ["MeshPlatformProps.vaultAddress", (v) => platform({ vaultAddress: never(v) }), ok(S), "s"],
  ["MeshPlatformProps.nomadAddress", (v) => platform({ nomadAddress: never(v) }), ok(S), "s"],
  ["MeshPlatformProps.consulRetryJoin", (v) => platform({ consulRetryJoin: never(v) }), ok(L), "l"],
  [
    "MeshPlatformProps.consulAgentNodes",
    (v) => platform({ consulAgentNodes: never(v) }),
    literal("consulAgentNodes"),
    "l",
  ],
  ["ConsulNodeTokenProps.nodeName", (v) => nodeToken({ nodeName: never(v) }), ok(S), "s"],
  ["ExternalServiceProps.name", (v) => external({ name: never(v) }), NAME, "s"],
  ["ExternalServiceProps.address", (v) => external({ address: never(v) }), ok(S), "s"],
  ["ExternalServiceProps.port", (v) => external({ port: never(v) }), ok(N), "n"],
  ["ExternalServiceProps.nodeName", (v) => external({ nodeName: never(v) }), ok(S), "s"],
  ["TerminatingGatewayProps.name", (v) => gateway({ name: never(v) }), NAME, "s"],
  ["MeshGatewayProps.name", (v) => meshGateway({ name: never(v) }), NAME, "s"],
  ["MeshGatewayProps.hostNetwork", (v) => meshGateway({ hostNetwork: never(v) }), ok(S), "s"],
  ["MeshGatewayProps.wanPort", (v) => meshGateway({ wanPort: never(v) }), ok(N), "n"],
  ["MeshGatewayProps.count", (v) => meshGateway({ count: never(v) }), ok(N), "n"],
  ["TerminatingGatewayProps.count", (v) => gateway({ count: never(v) }), ok(N), "n"],
  ["ConsulNodeTokenProps.datacenter", (v) => nodeToken({ datacenter: never(v) }), ok(S), "s"],
  ["ConsulNodeTokenProps.description", (v) => nodeToken({ description: never(v) }), ok(S), "s"],
  ["MeshPlatformProps.nomadCaPem", (v) => platform({ nomadCaPem: never(v) }), ok(S), "s"],
  ["MeshPlatformProps.vaultCaFile", (v) => platform({ vaultCaFile: never(v) }), ok(S), "s"],
  ["MeshPlatformProps.nomadVersion", (v) => platform({ nomadVersion: never(v) }), VERSION, "s"],
  ["MeshPlatformProps.consulVersion", (v) => platform({ consulVersion: never(v) }), VERSION, "s"],
  ["MeshPlatformProps.caRootPath", (v) => platform({ caRootPath: never(v) }), ok(S), "s"],
  [
    "MeshPlatformProps.caRootGeneration",
    (v) => platform({ caRootGeneration: never(v) }),
    literal("caRootGeneration"),
    "n",
  ],
  [
    "MeshPlatformProps.caTokenPeriod",
    (v) => platform({ caTokenPeriod: never(v) }),
    literal("caTokenPeriod"),
    "s",
  ],
  ["MeshPlatformProps.rootCertTtl", (v) => platform({ rootCertTtl: never(v) }), literal("rootCertTtl"), "s"],
  [
    "MeshPlatformProps.intermediateCertTtl",
    (v) => platform({ intermediateCertTtl: never(v) }),
    literal("intermediateCertTtl"),
    "s",
  ],
  ["MeshPlatformProps.leafCertTtl", (v) => platform({ leafCertTtl: never(v) }), literal("leafCertTtl"), "s"],
  [
    "MeshPlatformProps.envoyCommand",
    (v) => {
      const made = platform({ driver: "raw_exec", envoyCommand: never(v) });
      return new m.MeshService(made, "svc", { mesh: made.mesh, port: 9001, tasks: [app] });
    },
    ok(S),
    "s",
  ],
  ["MeshPlatformProps.ingressDomain", (v) => platform({ ingressDomain: never(v) }), ok(S), "s"],
  ["MeshPlatformProps.stateKeyPrefix", (v) => platform({ stateKeyPrefix: never(v) }), ok(S), "s"],
  [
    "MeshPlatformProps.platformNamespace",
    (v) => platform({ platformNamespace: never(v) }),
    literal("platformNamespace"),
    "s",
  ],
  [
    "MeshPlatformProps.nomadNamespaces",
    (v) => platform({ nomadNamespaces: never(v) }),
    literal("namespaces"),
    "l",
  ],
  // Traefik
  ["TraefikDashboardOptions.host", (v) => traefik({ dashboard: { host: never(v) } }), ok(S), "s"],
  [
    "TraefikDashboardOptions.middlewares",
    (v) => traefik({ dashboard: { host: "d.example.com", middlewares: never(v) } }),
    ok(L),
    "l",
  ],
  ["TraefikIngressProps.jobName", (v) => traefik({ jobName: never(v) }), NAME, "s"],
  ["TraefikIngressProps.serviceName", (v) => traefik({ serviceName: never(v) }), NAME, "s"],
  ["TraefikIngressProps.datacenters", (v) => traefik({ datacenters: never(v) }), ok(L), "l"],
  ["TraefikIngressProps.namespace", (v) => traefik({ namespace: never(v) }), ok(S), "s"],
  ["TraefikIngressProps.tlsPort", (v) => traefik({ tlsPort: never(v) }), ok(N), "n"],
  ["TraefikIngressProps.httpPort", (v) => traefik({ httpPort: never(v) }), ok(N), "n"],
  ["TraefikIngressProps.consulAddress", (v) => traefik({ consulAddress: never(v) }), ok(S), "s"],
  ["TraefikIngressProps.consulToken", (v) => traefik({ consulToken: never(v) }), ok(S), "s"],
  ["TraefikIngressProps.count", (v) => traefik({ count: never(v) }), ok(N), "n"],
  ["TraefikIngressProps.hstsMaxAgeSeconds", (v) => traefik({ hstsMaxAgeSeconds: never(v) }), ok(N), "n"],
  ["TraefikIngressProps.version", (v) => traefik({ version: never(v) }), ok(S), "s"],
  ["TraefikIngressProps.image", (v) => traefik({ image: never(v) }), ok(S), "s"],
  ["TraefikIngressProps.binary", (v) => traefik({ driver: "raw_exec", binary: never(v) }), ok(S), "s"],
  ["VaultTlsOptions.issuePath", (v) => vaultTls({ issuePath: never(v) }), ok(S), "s"],
  ["VaultTlsOptions.commonName", (v) => vaultTls({ commonName: never(v) }), ok(S), "s"],
  ["VaultTlsOptions.altNames", (v) => vaultTls({ altNames: never(v) }), ok(L), "l"],
  ["VaultTlsOptions.ttl", (v) => vaultTls({ ttl: never(v) }), ok(S), "s"],
  ["VaultTlsOptions.role", (v) => vaultTls({ role: never(v) }), ok(S), "s"],
  ["VaultTlsOptions.policies", (v) => vaultTls({ role: undefined, policies: never(v) }), ok(L), "l"],
  [
    "FileTlsOptions.certFile",
    (v) => traefik({ tls: m.TraefikTls.fromFiles({ certFile: never(v), keyFile: "k.pem" }) }),
    ok(S),
    "s",
  ],
  [
    "FileTlsOptions.keyFile",
    (v) => traefik({ tls: m.TraefikTls.fromFiles({ certFile: "c.pem", keyFile: never(v) }) }),
    ok(S),
    "s",
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
  test.each(rows.filter((r): r is [string, (v: unknown) => unknown, Accepts, Kind] => "rendered" in r[2]))(
    "%s: synthesizes and hands the reference to Terraform",
    (_key, make, { rendered }, kind) => {
      expect(synthOf(make(REFERENCE[kind]()))).toContain(rendered);
    },
  );

  test.each(rows.filter((r): r is [string, (v: unknown) => unknown, Literal, Kind] => "literal" in r[2]))(
    "%s: is needed at synth, and a reference is refused saying so",
    (_key, make, _expectation, kind) => {
      expect(() => synthOf(make(REFERENCE[kind]()))).toThrow(
        /is a Terraform reference; .+ so give it as a literal/,
      );
    },
  );
});

/**
 * What plain JavaScript may pass in place of each kind: the wrong JSON type, `null`, a list holding
 * `null`. Each either synthesizes (a value that needs no check) or fails with meshstack's error.
 */
const WRONG: Readonly<Record<Kind, readonly unknown[]>> = {
  s: [null, 42, ["a"], { a: 1 }, true],
  n: [null, "9", [1], { a: 1 }, Number.NaN],
  l: [null, "a", [null], [42], { a: 1 }],
};

describe("a value of the wrong type for every string, number and list prop", () => {
  test.each(
    rows.flatMap(([key, make, , kind]) =>
      WRONG[kind].map((value) => [key, show(value), make, value] as const),
    ),
  )("%s = %s: meshstack's error or a synthesized stack, never a TypeError", (_key, _shown, make, value) => {
    let thrown: unknown;
    try {
      synthOf(make(value));
    } catch (error) {
      thrown = error;
    }
    if (thrown !== undefined) expect(thrown).toBeInstanceOf(m.MeshstackError);
  });
});

/** The string, number and list fields of the exported interfaces, from the sources. */
function referenceableFields(): string[] {
  return interfaceFields()
    .filter(({ type }) => /^(string|number)(\[\])?$/.test(type))
    .map(({ key }) => key);
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
