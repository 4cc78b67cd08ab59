/**
 * The bad-input catalogue: one row per public prop or option (and per distinct rule), each a value
 * plain JavaScript could pass or Nomad, Consul or Vault would reject, and the error it must give:
 * a MeshstackError naming where (construct type and path, or factory), the field and the value.
 * Never a TypeError, never silence. The rule's upstream source is noted above each group.
 */
import * as m from "../../constructs";
import { testStack } from "../helpers";
import {
  aclToken,
  agent,
  app,
  caLogin,
  caToken as token,
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
  ref,
  rotation,
  traefik,
} from "./builders";
import { interfaceFields } from "./interfaces";

type Row = [key: string, make: () => unknown, fragment: string];

/** A Terraform reference, as secrets must be. */
const x = "test/x";

// Builders with valid defaults, so each row changes one thing.
const defaults = (p: object) => new m.MeshDefaults(testStack(), "x", p);
const intentions = (p: object = {}) => new m.Intentions(testStack(), "x", p);
const allow = (options: object, destination = "api") =>
  intentions().allow("web", destination, never(options));
const permission = (p: object) => allow({ permissions: [p] });
const task = { Name: "app", Driver: "docker", Config: { image: "redis:7.2" } };
const withGroup = (g: object, type = "service") =>
  job({ type }).addGroup(never({ Name: "app", Tasks: [task], ...g }));
const mesh = (p: object) => new m.ServiceMesh(testStack(), "x", p);
const joined = (p: object) => m.ServiceMesh.fromPlatform(testStack(), "x", { datacenters: ["dc1"], ...p });
const service = (p: object) =>
  new m.MeshService(testStack(), "x", { mesh: meshStack(), port: 9001, tasks: [app], ...p });
/** A service on a Nomad 1.6 cluster: no workload identity, no transparent proxy. */
const nomad16Service = (p: object) => {
  const stack = testStack();
  const mesh = new m.ServiceMesh(stack, "mesh", { nomadVersion: "1.6.1" });
  return new m.MeshService(stack, "x", { mesh, port: 9001, tasks: [app], ...p });
};
const versioned = () => service({ version: "v1", protocol: "http" });
const routing = (p: object = {}) => {
  const stack = testStack();
  return new m.ServiceRouting(stack, "x", { service: "api", defaults: new m.MeshDefaults(stack, "d"), ...p });
};
const split = (s: object) =>
  routing()
    .addSubset("v1", "Service.Meta.version == v1")
    .split([never(s)]);
const route = (r: object) => routing().addRoute(never(r));
const match = (mt: object) => route({ match: mt, destination: { subset: "v2" } });
const header = (h: object) => match({ headers: [h] });
const destination = (d: object) => route({ match: { pathPrefix: "/v2/" }, destination: d });
const trafficTo = (to: object) => versioned().routeTraffic({ pathPrefix: "/v2/" }, never(to));
const meshTask = (p: object) => service({ tasks: [{ ...app, ...p }] });
const expose = (route: object) => service({ expose: route });
const secured = (secrets: unknown) => agent({ server: false, retryJoin: ["10.0.0.10"], secrets });

const rows: Row[] = [
  // ConnectCaPki: names.ts rules; Consul agent/structs/connect_ca.go CommonCAProviderConfig.Validate
  // (leaf 1h-8760h, intermediate >= 3 × leaf, root >= intermediate); Vault GenericNameRegex, lowercased.
  [
    "ConnectCaPkiProps.rootGeneration",
    () => pki({ rootGeneration: 0 }),
    `ConnectCaPki ${x}: rootGeneration 0 is not a whole number in range`,
  ],
  [
    "ConnectCaPkiProps.retiringRoot",
    () => pki({ retiringRoot: "dc1/connect_root" }),
    `ConnectCaPki ${x}: retiringRoot "dc1/connect_root" is not an object`,
  ],
  ["RetiringRoot.path", () => rotation({ path: "/old/" }), `ConnectCaPki ${x}: retiringRoot.path "/old/"`],
  [
    "RetiringRoot.generation",
    () => rotation({ generation: 1.5 }),
    `ConnectCaPki ${x}: retiringRoot.generation 1.5 is not a whole number in range`,
  ],
  [
    "RetiringRoot.commonName",
    () => rotation({ commonName: "" }),
    `ConnectCaPki ${x}: retiringRoot.commonName "" is not a non-empty string`,
  ],
  [
    "RetiringRoot.intermediatePath",
    () => rotation({ intermediatePath: "/inter/" }),
    `ConnectCaPki ${x}: retiringRoot.intermediatePath "/inter/"`,
  ],
  [
    "RetiringRoot.certTtl",
    () => rotation({ certTtl: "ten years" }),
    `ConnectCaPki ${x}: retiringRoot.certTtl "ten years"`,
  ],
  ["ConnectCaPkiProps.datacenter", () => pki({ datacenter: "DC 1" }), `ConnectCaPki ${x}: datacenter "DC 1"`],
  ["ConnectCaPkiProps.rootPath", () => pki({ rootPath: "/root/" }), `ConnectCaPki ${x}: rootPath "/root/"`],
  ["ConnectCaPkiProps.rootPath", () => pki({ rootPath: 42 }), `ConnectCaPki ${x}: rootPath 42`],
  [
    "ConnectCaPkiProps.intermediatePath",
    () => pki({ intermediatePath: "a//b" }),
    `ConnectCaPki ${x}: intermediatePath "a//b"`,
  ],
  ["ConnectCaPkiProps.ownership", () => pki({ ownership: "vault" }), `ConnectCaPki ${x}: ownership "vault"`],
  [
    "ConnectCaPkiProps.rootCertTtl",
    () => pki({ rootCertTtl: "3 days" }),
    `ConnectCaPki ${x}: rootCertTtl "3 days" is not a duration`,
  ],
  [
    "ConnectCaPkiProps.rootCertTtl",
    () => pki({ rootCertTtl: "1000h" }),
    `ConnectCaPki ${x}: intermediateCertTtl "8760h" is longer than rootCertTtl "1000h"`,
  ],
  [
    "ConnectCaPkiProps.intermediateCertTtl",
    () => pki({ intermediateCertTtl: "100h" }),
    `ConnectCaPki ${x}: intermediateCertTtl "100h" is shorter than 3 × leafCertTtl "72h"`,
  ],
  [
    "ConnectCaPkiProps.leafCertTtl",
    () => pki({ leafCertTtl: "30m" }),
    `ConnectCaPki ${x}: leafCertTtl "30m" is outside what Consul accepts; use 1h-8760h`,
  ],
  [
    "ConnectCaPkiProps.leafCertTtl",
    () => pki({ leafCertTtl: "9000h", intermediateCertTtl: "30000h", rootCertTtl: "40000h" }),
    `ConnectCaPki ${x}: leafCertTtl "9000h" is outside what Consul accepts`,
  ],
  [
    "ConnectCaPkiProps.leafCertTtl",
    () => pki({ leafCertTtl: 72 }),
    `ConnectCaPki ${x}: leafCertTtl 72 is not a duration`,
  ],
  [
    "ConnectCaPkiProps.rootCommonName",
    () => pki({ rootCommonName: " " }),
    `ConnectCaPki ${x}: rootCommonName " " is not a non-empty string`,
  ],
  [
    "ConnectCaPkiProps.policyName",
    () => pki({ policyName: "Connect CA" }),
    `ConnectCaPki ${x}: policyName "Connect CA" is not a Vault policy name`,
  ],
  [
    "ConnectCaPkiProps.preventDestroy",
    () => pki({ preventDestroy: "no" }),
    `ConnectCaPki ${x}: preventDestroy "no" is not a boolean`,
  ],

  // ConsulCaToken: Vault token `period` is a positive duration.
  [
    "ConsulCaTokenProps.pki",
    () => token({ pki: null }),
    `ConsulCaToken ${x}: pki null is not a ConnectCaPki`,
  ],
  ["ConsulCaTokenProps.period", () => token({ period: "forever" }), `ConsulCaToken ${x}: period "forever"`],
  [
    "ConsulCaTokenProps.displayName",
    () => token({ displayName: 42 }),
    `ConsulCaToken ${x}: displayName 42 is not a non-empty string`,
  ],

  // ConsulCaLogin: the servers' CA and files are required; the period is a positive duration.
  [
    "ConsulCaLoginProps.pki",
    () => caLogin({ pki: "pki" }),
    `ConsulCaLogin ${x}: pki "pki" is not a ConnectCaPki`,
  ],
  [
    "ConsulCaLoginProps.datacenter",
    () => caLogin({ datacenter: "DC 1" }),
    `ConsulCaLogin ${x}: datacenter "DC 1"`,
  ],
  [
    "ConsulCaLoginProps.serverCaPem",
    () => caLogin({ serverCaPem: "" }),
    `ConsulCaLogin ${x}: serverCaPem "" is not a non-empty string`,
  ],
  [
    "ConsulCaLoginProps.certFile",
    () => caLogin({ certFile: undefined }),
    `ConsulCaLogin ${x}: certFile undefined is not a non-empty string`,
  ],
  [
    "ConsulCaLoginProps.keyFile",
    () => caLogin({ keyFile: ["k"] }),
    `ConsulCaLogin ${x}: keyFile ["k"] is not a non-empty string`,
  ],
  [
    "ConsulCaLoginProps.allowedDnsNames",
    () => caLogin({ allowedDnsNames: "server.dc1.consul" }),
    `ConsulCaLogin ${x}: allowedDnsNames "server.dc1.consul" is not a list of non-empty strings`,
  ],
  [
    "ConsulCaLoginProps.mountPath",
    () => caLogin({ mountPath: null }),
    `ConsulCaLogin ${x}: mountPath null is not a non-empty string`,
  ],
  ["ConsulCaLoginProps.period", () => caLogin({ period: "0s" }), `ConsulCaLogin ${x}: period "0s"`],
  [
    "ConsulCaLoginProps.preventDestroy",
    () => caLogin({ preventDestroy: 1 }),
    `ConsulCaLogin ${x}: preventDestroy 1 is not a boolean`,
  ],
  ["ConnectCaProps.login", () => connectCa({ login: {} }), `ConnectCa ${x}: login {} is not a ConsulCaLogin`],
  [
    "MeshPlatformProps.caLogin",
    () => platform({ caLogin: "tls/server.pem" }),
    `MeshPlatform ${x}: caLogin "tls/server.pem" is not an object`,
  ],

  // NomadVaultIntegration: Vault framework.GenericNameRegex for role names; mount paths as names.ts.
  [
    "NomadVaultIntegrationProps.preventDestroy",
    () => nomadVault({ preventDestroy: "no" }),
    `NomadVaultIntegration ${x}: preventDestroy "no" is not a boolean`,
  ],
  [
    "NomadConsulIntegrationProps.preventDestroy",
    () => nomadConsul({ preventDestroy: 0 }),
    `NomadConsulIntegration ${x}: preventDestroy 0 is not a boolean`,
  ],
  [
    "NomadVaultIntegrationProps.nomadAddress",
    () => nomadVault({ nomadAddress: "nomad:4646" }),
    `NomadVaultIntegration ${x}: nomadAddress "nomad:4646" is not an http(s) URL`,
  ],
  [
    "NomadVaultIntegrationProps.mode",
    () => nomadVault({ mode: "jwt" }),
    `NomadVaultIntegration ${x}: mode "jwt" is not supported`,
  ],
  [
    "NomadVaultIntegrationProps.nomadVersion",
    () => nomadVault({ nomadVersion: "latest" }),
    `NomadVaultIntegration ${x}: nomadVersion "latest" is not a version`,
  ],
  [
    "NomadVaultIntegrationProps.authPath",
    () => nomadVault({ authPath: "/jwt/" }),
    `NomadVaultIntegration ${x}: authPath "/jwt/" is not a valid Vault path`,
  ],
  [
    "NomadVaultIntegrationProps.roleName",
    () => nomadVault({ roleName: "Nomad Workloads" }),
    `NomadVaultIntegration ${x}: roleName "Nomad Workloads" is not a Vault role name`,
  ],
  [
    "NomadVaultIntegrationProps.audience",
    () => nomadVault({ audience: "" }),
    `NomadVaultIntegration ${x}: audience "" is not a non-empty string`,
  ],
  [
    "NomadVaultIntegrationProps.jwksCaPem",
    () => nomadVault({ jwksCaPem: "" }),
    `NomadVaultIntegration ${x}: jwksCaPem "" is not a non-empty string`,
  ],
  [
    "NomadVaultIntegrationProps.tokenPeriod",
    () => nomadVault({ tokenPeriod: "30" }),
    `NomadVaultIntegration ${x}: tokenPeriod "30" is not a duration`,
  ],
  [
    "NomadVaultIntegrationProps.kvMount",
    () => nomadVault({ kvMount: "a//b" }),
    `NomadVaultIntegration ${x}: kvMount "a//b" is not a valid Vault path`,
  ],
  // grantWorkloads: Vault's policy parser rejects unknown capabilities.
  [
    "NomadVaultIntegration.grantWorkloads(rule)",
    () => nomadVault({}).grantWorkloads(never(null)),
    `NomadVaultIntegration ${x}: grantWorkloads rule null is not an object`,
  ],
  [
    "PolicyRule.path",
    () => nomadVault({}).grantWorkloads(never({ capabilities: ["read"] })),
    `NomadVaultIntegration ${x}: grantWorkloads rule.path undefined is not a non-empty string`,
  ],
  [
    "PolicyRule.capabilities",
    () => nomadVault({}).grantWorkloads(never({ path: "pki/issue/x", capabilities: ["write"] })),
    `NomadVaultIntegration ${x}: grantWorkloads rule.capabilities ["write"] are not Vault capabilities`,
  ],
  [
    "PolicyRule.comment",
    () => nomadVault({}).grantWorkloads(never({ path: "pki/issue/x", capabilities: ["read"], comment: 1 })),
    `NomadVaultIntegration ${x}: grantWorkloads rule.comment 1 is not a non-empty string`,
  ],

  // ConnectCa
  ["ConnectCaProps.pki", () => connectCa({ pki: {} }), `ConnectCa ${x}: pki {} is not a ConnectCaPki`],
  [
    "ConnectCaProps.token",
    () => connectCa({ token: "s.xyz" }),
    `ConnectCa ${x}: token "s.xyz" is not a ConsulCaToken`,
  ],
  [
    "ConnectCaProps.vaultAddress",
    () => connectCa({ vaultAddress: "vault:8200" }),
    `ConnectCa ${x}: vaultAddress "vault:8200" is not an http(s) URL`,
  ],
  [
    "ConnectCaProps.vaultSystemRoots",
    () => connectCa({ vaultCaFile: undefined }),
    `ConnectCa ${x}: vaultCaFile is unset for "https://vault:8200"`,
  ],
  [
    "MeshPlatformProps.vaultSystemRoots",
    () => platform({ vaultSystemRoots: "yes" }),
    `ConnectCa ${x}/ConnectCa: vaultSystemRoots "yes" is not a boolean`,
  ],
  [
    "ConnectCaProps.vaultCaFile",
    () => connectCa({ vaultCaFile: "" }),
    `ConnectCa ${x}: vaultCaFile "" is not a non-empty string`,
  ],
  [
    "ConnectCaProps.dependsOn",
    () => connectCa({ dependsOn: "agent" }),
    `ConnectCa ${x}: dependsOn "agent" is not a list`,
  ],

  // NomadConsulIntegration: Consul acl/validation.go IsValidAuthMethodName.
  [
    "NomadConsulIntegrationProps.nomadAddress",
    () => nomadConsul({ nomadAddress: "" }),
    `NomadConsulIntegration ${x}: nomadAddress "" is not an http(s) URL`,
  ],
  [
    "NomadConsulIntegrationProps.authMethodName",
    () => nomadConsul({ authMethodName: "nomad workloads" }),
    `NomadConsulIntegration ${x}: authMethodName "nomad workloads" is not a Consul auth method name`,
  ],
  [
    "NomadConsulIntegrationProps.audience",
    () => nomadConsul({ audience: 42 }),
    `NomadConsulIntegration ${x}: audience 42 is not a non-empty string`,
  ],
  // Nomad nomad/structs validNamespaceName: 1-128 letters, digits and "-".
  [
    "NomadConsulIntegrationProps.namespaces",
    () => nomadConsul({ namespaces: ["pay ments"] }),
    `NomadConsulIntegration ${x}: namespaces ["pay ments"] is not a list of Nomad namespace names`,
  ],
  [
    "NomadConsulIntegrationProps.deniedKeyPrefixes",
    () => nomadConsul({ deniedKeyPrefixes: "meshstack" }),
    `NomadConsulIntegration ${x}: deniedKeyPrefixes "meshstack" is not a list of non-empty strings`,
  ],
  [
    "NomadConsulIntegrationProps.jwksCaPem",
    () => nomadConsul({ jwksCaPem: 42 }),
    `NomadConsulIntegration ${x}: jwksCaPem 42 is not a non-empty string`,
  ],
  // Nomad's Consul ACL docs: the auth method must never set MaxTokenTTL (hashicorp/nomad#24354).
  [
    "NomadConsulIntegrationProps.maxTokenTtl",
    () => nomadConsul({ maxTokenTtl: "1h" }),
    `NomadConsulIntegration ${x}: maxTokenTtl "1h" would expire every Connect sidecar's Consul token`,
  ],

  // ConsulAclToken: Consul acl/validation.go (policy names), names.ts.
  [
    "ConsulAclTokenProps.policyName",
    () => aclToken({ policyName: "DNS token" }),
    `ConsulAclToken ${x}: policyName "DNS token" is not a Consul policy name`,
  ],
  ["ConsulAclTokenProps.rules", () => aclToken({ rules: "" }), `ConsulAclToken ${x}: rules "" is empty`],
  [
    "ConsulAclTokenProps.description",
    () => aclToken({ description: 42 }),
    `ConsulAclToken ${x}: description 42 is empty`,
  ],
  [
    "ConsulAclTokenProps.dependsOn",
    () => aclToken({ dependsOn: "agent" }),
    `ConsulAclToken ${x}: dependsOn "agent" is not a list`,
  ],
  [
    "NomadConsulIntegrationProps.dependsOn",
    () => nomadConsul({ dependsOn: {} }),
    `NomadConsulIntegration ${x}: dependsOn {} is not a list`,
  ],

  // MeshDefaults: Consul's protocols for proxy-defaults/service-defaults.
  ["MeshDefaultsProps.protocol", () => defaults({ protocol: "udp" }), `MeshDefaults ${x}: protocol "udp"`],
  [
    "MeshDefaultsProps.consulVersion",
    () => defaults({ consulVersion: 1.14 }),
    `MeshDefaults ${x}: consulVersion 1.14 is not a version`,
  ],
  [
    "MeshDefaultsProps.meshDestinationsOnly",
    () => defaults({ meshDestinationsOnly: "true" }),
    `MeshDefaults ${x}: meshDestinationsOnly "true" is not a boolean`,
  ],
  [
    "MeshDefaultsProps.meshGatewayMode",
    () => defaults({ meshGatewayMode: "both" }),
    `MeshDefaults ${x}: meshGatewayMode "both" is not supported; use one of "local", "remote", "none"`,
  ],
  [
    "MeshDefaultsProps.peerThroughMeshGateways",
    () => defaults({ peerThroughMeshGateways: "yes" }),
    `MeshDefaults ${x}: peerThroughMeshGateways "yes" is not a boolean`,
  ],
  [
    "MeshDefaultsProps.dependsOn",
    () => defaults({ dependsOn: 5 }),
    `MeshDefaults ${x}: dependsOn 5 is not a list`,
  ],
  [
    "MeshDefaults.setServiceProtocol(service)",
    () => defaults({}).setServiceProtocol("Api", "http"),
    `MeshDefaults ${x}: service "Api" is not a valid service name`,
  ],
  [
    "MeshDefaults.setServiceProtocol(protocol)",
    () => defaults({}).setServiceProtocol("api", never("udp")),
    `MeshDefaults ${x}: protocol of api "udp" is not a Consul protocol`,
  ],

  // Intentions: Consul agent/structs/config_entry_intentions.go ServiceIntentionsConfigEntry.validate
  // (description <= 512, permissions only on named destinations, HTTP not empty, PathPrefix "/",
  // methods from isValidHTTPMethod and not repeated, action allow/deny).
  [
    "MeshDefaultsProps.servicesOnly",
    () => defaults({ servicesOnly: "yes" }),
    `MeshDefaults ${x}: servicesOnly "yes" is not a boolean`,
  ],
  [
    "MeshDefaultsProps.servicesOnly",
    () => defaults({ servicesOnly: true, meshDestinationsOnly: false }),
    `MeshDefaults ${x}: meshDestinationsOnly is set with servicesOnly`,
  ],
  [
    "IntentionsProps.defaultDeny",
    () => intentions({ defaultDeny: "no" }),
    `Intentions ${x}: defaultDeny "no" is not a boolean`,
  ],
  [
    "IntentionsProps.owner",
    () => intentions({ owner: "a\nb" }),
    `Intentions ${x}: owner "a\\nb" is not 1-512 characters on one line`,
  ],
  [
    "IntentionsProps.preventDestroy",
    () => intentions({ preventDestroy: 1 }),
    `Intentions ${x}: preventDestroy 1 is not a boolean`,
  ],
  [
    "IntentionsProps.dependsOn",
    () => intentions({ dependsOn: "x" }),
    `Intentions ${x}: dependsOn "x" is not a list`,
  ],
  [
    "IntentionsProps.defaults",
    () => intentions({ defaults: {} }),
    `Intentions ${x}: defaults {} is not a MeshDefaults`,
  ],
  ["Intentions.allow(source)", () => intentions().allow(never(null), "api"), `Intentions ${x}: source null`],
  [
    "Intentions.allow(destination)",
    () => intentions().allow("web", "API"),
    `Intentions ${x}: destination "API"`,
  ],
  [
    "Intentions.allow(options)",
    () => intentions().allow("web", "api", never("x")),
    `Intentions ${x}: allow options "x" are not an object`,
  ],
  [
    "Intentions.deny(options)",
    () => intentions().deny("web", "api", never(7)),
    `Intentions ${x}: deny options 7 are not an object`,
  ],
  [
    "IntentionOptions.description",
    () => allow({ description: "d".repeat(513) }),
    `Intentions ${x}: description "${"d".repeat(513)}" is not a string of at most 512 characters`,
  ],
  [
    "IntentionOptions.peer",
    () => allow({ peer: "West" }),
    `Intentions ${x}: peer "West" is not a valid service name`,
  ],
  [
    "IntentionOptions.permissions",
    () => allow({ permissions: [] }),
    `Intentions ${x}: permissions [] is not a non-empty list`,
  ],
  [
    "IntentionOptions.permissions",
    () => allow({ permissions: [{ pathExact: "/" }] }, "*"),
    `Intentions ${x}: allow("web", "*") has permissions`,
  ],
  [
    "HttpPermission.action",
    () => permission({ action: "permit", pathExact: "/" }),
    `Intentions ${x}: permissions[0].action "permit"`,
  ],
  [
    "HttpPermission.pathPrefix",
    () => permission({ pathPrefix: "api/" }),
    `Intentions ${x}: permissions[0].pathPrefix "api/" does not start with "/"`,
  ],
  [
    "HttpPermission.pathRegex",
    () => permission({ pathExact: "/a", pathRegex: "/a.*" }),
    `Intentions ${x}: permissions[0] sets 2 of pathExact, pathPrefix and pathRegex`,
  ],
  [
    "HttpPermission.headers",
    () => permission({ headers: [{ name: "x-team", regex: ".*", ignoreCase: true }] }),
    `Intentions ${x}: permissions[0].headers[0].ignoreCase applies to exact, prefix, suffix or contains only`,
  ],
  [
    "HeaderMatch.contains",
    () => header({ name: "x-canary", contains: "1" }),
    `ServiceRouting ${x}: routes[0].match.headers[0] {"name":"x-canary","contains":"1"} uses contains or ignoreCase, which Consul allows in intention permissions only`,
  ],
  [
    "HeaderMatch.ignoreCase",
    () => permission({ headers: [{ name: "x-team", exact: "a", ignoreCase: "yes" }] }),
    `Intentions ${x}: permissions[0].headers[0].ignoreCase "yes" is not a boolean`,
  ],
  [
    "HttpPermission.pathExact",
    () => permission({ pathExact: "health" }),
    `Intentions ${x}: permissions[0].pathExact "health" does not start with "/"`,
  ],
  [
    "HttpPermission.methods",
    () => permission({ methods: ["FETCH"] }),
    `Intentions ${x}: permissions[0].methods ["FETCH"] has unknown methods`,
  ],
  [
    "HttpPermission.methods",
    () => permission({ methods: ["GET", "get"] }),
    `Intentions ${x}: permissions[0].methods ["GET","get"] lists a method twice`,
  ],
  [
    "HttpPermission.methods",
    () => permission({ methods: "GET" }),
    `Intentions ${x}: permissions[0].methods "GET" is not a list`,
  ],
  [
    "HttpPermission",
    () => permission({ action: "deny" }),
    `Intentions ${x}: permissions[0] {"action":"deny"} matches nothing`,
  ],

  // NomadJob: nomad/structs/structs.go Job.Validate, Constraint.Validate, UpdateStrategy.Validate,
  // validNamespaceName; priority 1-100 (JobDefaultMaxPriority).
  ["NomadJobProps.name", () => job({ name: "My Job" }), `NomadJob ${x}: name "My Job"`],
  ["NomadJobProps.type", () => job({ type: "daemon" }), `NomadJob ${x}: type "daemon" is not supported`],
  ["NomadJobProps.datacenters", () => job({ datacenters: [] }), `NomadJob ${x}: datacenters [] is empty`],
  [
    "NomadJobProps.datacenters",
    () => job({ datacenters: [""] }),
    `NomadJob ${x}: datacenters [""] is not a list of non-empty strings`,
  ],
  [
    "NomadJobProps.namespace",
    () => job({ namespace: "my ns" }),
    `NomadJob ${x}: namespace "my ns" is not a Nomad namespace`,
  ],
  ["NomadJobProps.region", () => job({ region: "" }), `NomadJob ${x}: region "" is not a non-empty string`],
  ["NomadJobProps.priority", () => job({ priority: 101 }), `NomadJob ${x}: priority 101 is out of range`],
  [
    "NomadJobProps.constraints",
    () => job({ constraints: "linux" }),
    `NomadJob ${x}: constraints "linux" is not a list`,
  ],
  [
    "NomadJobProps.constraints",
    () => job({ constraints: [{ LTarget: "a", RTarget: "b", Operand: "~" }] }),
    `NomadJob ${x}: constraints[0].Operand "~" is not supported`,
  ],
  [
    "NomadJobProps.constraints",
    () => job({ constraints: [{ RTarget: "linux", Operand: "=" }] }),
    `NomadJob ${x}: constraints[0].LTarget undefined is empty`,
  ],
  [
    "NomadJobProps.constraints",
    () => job({ constraints: [{ LTarget: "${attr.kernel.name}", Operand: "=" }] }),
    `NomadJob ${x}: constraints[0].RTarget undefined is empty`,
  ],
  [
    "NomadJobProps.constraints",
    () => job({ constraints: [{ LTarget: "${meta.x}", RTarget: "1", Operand: "is_set" }] }),
    `NomadJob ${x}: constraints[0].RTarget "1" is set`,
  ],
  [
    "NomadJobProps.update",
    () => job({ update: { MaxParallel: -1 } }),
    `NomadJob ${x}: update.MaxParallel -1 is not a whole number in range`,
  ],
  [
    "NomadJobProps.update",
    () => job({ update: { AutoPromote: true } }),
    `NomadJob ${x}: update.AutoPromote true needs canaries`,
  ],
  [
    "NomadJobProps.update",
    () => job({ update: { MinHealthyTime: 10e9, HealthyDeadline: 5e9 } }),
    `NomadJob ${x}: update.MinHealthyTime 10000000000 is not shorter than HealthyDeadline`,
  ],
  [
    "NomadJobProps.update",
    () => job({ update: { HealthCheck: "http" } }),
    `NomadJob ${x}: update.HealthCheck "http" is not supported`,
  ],
  [
    "NomadJobProps.meta",
    () => job({ meta: { owner: 1 } }),
    `NomadJob ${x}: meta {"owner":1} is not a map of strings`,
  ],
  ["NomadJobProps.groups", () => job({ groups: "app" }), `NomadJob ${x}: groups "app" is not a list`],
  ["NomadJobProps.detach", () => job({ detach: "no" }), `NomadJob ${x}: detach "no" is not a boolean`],
  [
    "NomadJobProps.purgeOnDestroy",
    () => job({ purgeOnDestroy: 0 }),
    `NomadJob ${x}: purgeOnDestroy 0 is not a boolean`,
  ],
  [
    "NomadJobProps.rerunIfDead",
    () => job({ rerunIfDead: "yes" }),
    `NomadJob ${x}: rerunIfDead "yes" is not a boolean`,
  ],
  [
    "NomadJobProps.dependsOn",
    () => job({ dependsOn: "agent" }),
    `NomadJob ${x}: dependsOn "agent" is not a list`,
  ],
  // Groups and tasks: TaskGroup.Validate, Task.Validate, Resources.MeetsMinResources, Template.Validate.
  [
    "NomadJob.addGroup(group)",
    () => job({}).addGroup(never(null)),
    `NomadJob ${x}: group null is not an object`,
  ],
  [
    "NomadJob.addGroup(group)",
    () => withGroup({ Name: "" }),
    `NomadJob ${x}: group "" Name is not a group name`,
  ],
  [
    "NomadJob.addGroup(group)",
    () => withGroup({ Tasks: undefined }),
    `NomadJob ${x}: group "app" has no tasks`,
  ],
  [
    "NomadJob.addGroup(group)",
    () => withGroup({ Update: { Canary: 1 } }, "batch"),
    `NomadJob ${x}: group "app" sets Update but a batch job`,
  ],
  [
    "NomadJob.addGroup(group)",
    () => withGroup({ Tasks: [{ ...task, Name: "alloc" }] }),
    `NomadJob ${x}: group "app" task name "alloc" is not a Nomad task name`,
  ],
  [
    "NomadJob.addGroup(group)",
    () => withGroup({ Tasks: [{ ...task, Driver: "" }] }),
    `NomadJob ${x}: group "app" task "app" Driver "" is not a non-empty string`,
  ],
  [
    "NomadJob.addGroup(group)",
    () => withGroup({ Tasks: [{ ...task, Resources: { MemoryMB: 5 } }] }),
    `NomadJob ${x}: group "app" task "app" Resources.MemoryMB 5 is below Nomad's minimum`,
  ],
  [
    "NomadJob.addGroup(group)",
    () => withGroup({ Tasks: [{ ...task, Templates: [{ EmbeddedTmpl: "x", DestPath: "../../etc/x" }] }] }),
    `NomadJob ${x}: group "app" task "app" templates[0].DestPath "../../etc/x" escapes the allocation directory`,
  ],
  [
    "NomadJob.addGroup(group)",
    () =>
      withGroup({
        Tasks: [{ ...task, Templates: [{ EmbeddedTmpl: "x", DestPath: "local/a", Perms: "rw" }] }],
      }),
    `NomadJob ${x}: group "app" task "app" templates[0].Perms "rw" is not octal permissions`,
  ],
  [
    "NomadJob.addTask(groupName)",
    () => job({}).addTask(never(1), never(task)),
    `NomadJob ${x}: addTask group 1 is not a non-empty string`,
  ],
  [
    "NomadJob.addTask(task)",
    () => job({}).addTask("app", never({ Name: "a/b", Driver: "docker" })),
    `NomadJob ${x}: addTask group "app" task name "a/b"`,
  ],
  [
    "NomadJob.addJobspecOverride(path)",
    () => job({}).addJobspecOverride("TaskGroups.0.Count", 2),
    `NomadJob ${x}: jobspec override path "TaskGroups.0.Count"`,
  ],

  // ConsulAgentJob: Consul agent/config/builder.go (validateBasicName and reDNSCompatible for the
  // datacenter, bootstrap_expect); the rest are type checks.
  [
    "ConsulAgentJobProps.jobName",
    () => agent({ jobName: "Consul Agent" }),
    `ConsulAgentJob ${x}: jobName "Consul Agent"`,
  ],
  [
    "ConsulAgentJobProps.datacenter",
    () => agent({ datacenter: "DC_1" }),
    `ConsulAgentJob ${x}: datacenter "DC_1"`,
  ],
  [
    "ConsulAgentJobProps.nomadDatacenters",
    () => agent({ nomadDatacenters: "dc1" }),
    `ConsulAgentJob ${x}: nomadDatacenters "dc1" is not a list of non-empty strings`,
  ],
  [
    "ConsulAgentJobProps.namespace",
    () => agent({ namespace: "a b" }),
    `ConsulAgentJob ${x}: namespace "a b" is not a Nomad namespace`,
  ],
  [
    "ConsulAgentJobProps.server",
    () => agent({ server: "yes" }),
    `ConsulAgentJob ${x}: server "yes" is not a boolean`,
  ],
  [
    "ConsulAgentJobProps.bootstrapExpect",
    () => agent({ bootstrapExpect: 0 }),
    `ConsulAgentJob ${x}: bootstrapExpect 0 must be 1 or more`,
  ],
  [
    "ConsulAgentJobProps.retryJoin",
    () => agent({ retryJoin: "10.0.0.1" }),
    `ConsulAgentJob ${x}: retryJoin "10.0.0.1" is not a list of non-empty strings`,
  ],
  ["ConsulAgentJobProps.acl", () => agent({ acl: "on" }), `ConsulAgentJob ${x}: acl "on" is not an object`],
  [
    "ConsulAclOptions.enabled",
    () => agent({ acl: { enabled: "true" } }),
    `ConsulAgentJob ${x}: acl.enabled "true" is not a boolean`,
  ],
  [
    "ConsulAclOptions.defaultPolicy",
    () => agent({ acl: { defaultPolicy: "block" } }),
    `ConsulAgentJob ${x}: acl.defaultPolicy "block" is not supported`,
  ],
  ["ConsulAgentJobProps.ui", () => agent({ ui: 1 }), `ConsulAgentJob ${x}: ui 1 is not a boolean`],
  [
    "ConsulAgentJobProps.recursors",
    () => agent({ recursors: [8] }),
    `ConsulAgentJob ${x}: recursors [8] is not a list of non-empty strings`,
  ],
  [
    "ConsulAgentJobProps.listenerCert",
    () => agent({ listenerCert: { certFile: "tls/agent.pem" } }),
    `ConsulAgentJob ${x}: listenerCert.keyFile undefined is not a non-empty string`,
  ],
  [
    "ConsulAgentJobProps.listenerCert",
    () => agent({ listenerCert: "tls/agent.pem" }),
    `ConsulAgentJob ${x}: listenerCert "tls/agent.pem" is not an object`,
  ],
  [
    "ConsulAgentJobProps.listenerCert",
    () => agent({ listenerCert: { certFile: "a.pem", keyFile: "a.key" } }),
    `ConsulAgentJob ${x}: listenerCert is set without secrets`,
  ],
  [
    "MeshPlatformProps.consulAgentCert",
    () => platform({ consulAgentCert: { certFile: "", keyFile: "a.key" } }),
    `ConsulAgentJob ${x}/ConsulAgent: listenerCert.certFile "" is not a non-empty string`,
  ],
  [
    "ConsulAgentJobProps.grpcTls",
    () => agent({ grpcTls: "y" }),
    `ConsulAgentJob ${x}: grpcTls "y" is not a boolean`,
  ],
  [
    "ConsulAgentJobProps.bindAddr",
    () => agent({ bindAddr: "" }),
    `ConsulAgentJob ${x}: bindAddr "" is not a non-empty string`,
  ],
  [
    "ConsulAgentJobProps.clientAddr",
    () => agent({ clientAddr: 42 }),
    `ConsulAgentJob ${x}: clientAddr 42 is not a non-empty string`,
  ],
  [
    "ConsulAgentJobProps.dnsAddr",
    () => agent({ dnsAddr: [] }),
    `ConsulAgentJob ${x}: dnsAddr [] is not a non-empty string`,
  ],
  // Consul's security model: secrets come as Terraform references, servers need certificates.
  [
    "ConsulAgentJobProps.secrets",
    () => secured("key"),
    `ConsulAgentJob ${x}: secrets "key" are not an object`,
  ],
  [
    "ConsulAgentJobProps.secrets",
    () => secured({ gossipKey: ref("g"), caPem: ref("c"), agentToken: "t0k3n" }),
    `ConsulAgentJob ${x}: secrets.agentToken is a literal`,
  ],
  [
    "ConsulAgentJobProps.secrets",
    () => secured({ gossipKey: ref("g"), caPem: "", agentToken: ref("t") }),
    `ConsulAgentJob ${x}: secrets.caPem "" is not a PEM string`,
  ],
  [
    "ConsulAgentJobProps.secrets",
    () => agent({ secrets: { gossipKey: ref("g"), caPem: ref("c"), agentToken: ref("t") } }),
    `ConsulAgentJob ${x}: secrets on server agents need the servers' own certificate`,
  ],
  [
    "ConsulAgentJobProps.logLevel",
    () => agent({ logLevel: "verbose" }),
    `ConsulAgentJob ${x}: logLevel "verbose" is not supported`,
  ],
  [
    "ConsulAgentJobProps.dataDir",
    () => agent({ dataDir: "" }),
    `ConsulAgentJob ${x}: dataDir "" is not a non-empty string`,
  ],
  [
    "ConsulAgentJobProps.dataVolume",
    () => agent({ dataVolume: " " }),
    `ConsulAgentJob ${x}: dataVolume " " is not a non-empty string`,
  ],
  [
    "ConsulAgentJobProps.resources",
    () => agent({ resources: 256 }),
    `ConsulAgentJob ${x}: resources 256 is not an object`,
  ],
  [
    "ConsulAgentJobProps.version",
    () => agent({ version: "" }),
    `ConsulAgentJob ${x}: version "" is not a non-empty string`,
  ],
  [
    "ConsulAgentJobProps.image",
    () => agent({ image: "consul" }),
    `ConsulAgentJob ${x}: image "consul" is not an image reference with a tag`,
  ],
  [
    "ConsulAgentJobProps.driver",
    () => agent({ driver: "podman" }),
    `ConsulAgentJob ${x}: driver "podman" is not supported`,
  ],
  [
    "ConsulAgentJobProps.binary",
    () => agent({ binary: "", driver: "raw_exec" }),
    `ConsulAgentJob ${x}: binary "" is not a non-empty string`,
  ],
  [
    "ConsulAgentJobProps.extraConfig",
    () => agent({ extraConfig: "ui = true" }),
    `ConsulAgentJob ${x}: extraConfig "ui = true" is not an object`,
  ],
  [
    "ConsulAgentJobProps.constraints",
    () => agent({ constraints: [{ Operand: "distinct_property", LTarget: "${node.id}", RTarget: "0" }] }),
    `ConsulAgentJob ${x}: constraints[0].RTarget "0" is not an allowed count`,
  ],
  [
    "ConsulAgentJobProps.dependsOn",
    () => agent({ dependsOn: {} }),
    `ConsulAgentJob ${x}: dependsOn {} is not a list`,
  ],

  // TaskResources: nomad/structs MinResources (CPU 1 MHz, memory 10 MB).
  [
    "TaskResources.cpu",
    () => agent({ resources: { cpu: 0 } }),
    `ConsulAgentJob ${x}: resources.cpu 0 must be a whole number of at least 1`,
  ],
  [
    "TaskResources.memoryMb",
    () => agent({ resources: { memoryMb: 9 } }),
    `ConsulAgentJob ${x}: resources.memoryMb 9 must be a whole number of at least 10`,
  ],

  // TaskDriver factories.
  [
    "DockerDriverOptions.image",
    () => m.TaskDriver.docker({ image: "redis" }),
    `TaskDriver.docker: image "redis" needs a tag`,
  ],
  [
    "DockerDriverOptions.command",
    () => m.TaskDriver.docker(never({ image: "r:1", command: "" })),
    `TaskDriver.docker: command "" is not a non-empty string`,
  ],
  [
    "DockerDriverOptions.args",
    () => m.TaskDriver.docker(never({ image: "r:1", args: "-v" })),
    `TaskDriver.docker: args "-v" is not a list of non-empty strings`,
  ],
  [
    "DockerDriverOptions.ports",
    () => m.TaskDriver.docker(never({ image: "r:1", ports: [80] })),
    `TaskDriver.docker: ports [80] is not a list of non-empty strings`,
  ],
  [
    "DockerDriverOptions.extra",
    () => m.TaskDriver.docker(never({ image: "r:1", extra: [] })),
    `TaskDriver.docker: extra [] is not an object`,
  ],
  [
    "ExecDriverOptions.command",
    () => m.TaskDriver.rawExec({ command: " " }),
    `TaskDriver.raw_exec: command " " is empty`,
  ],
  [
    "ExecDriverOptions.args",
    () => m.TaskDriver.exec(never({ command: "a", args: [""] })),
    `TaskDriver.exec: args [""] is not a list of non-empty strings`,
  ],
  [
    "ExecDriverOptions.extra",
    () => m.TaskDriver.exec(never({ command: "a", extra: "x" })),
    `TaskDriver.exec: extra "x" is not an object`,
  ],
  [
    "TaskDriver.custom(name)",
    () => m.TaskDriver.custom("QEMU", {}),
    `TaskDriver.custom: name "QEMU" is not a driver name`,
  ],
  [
    "TaskDriver.custom(config)",
    () => m.TaskDriver.custom("qemu", never(null)),
    `TaskDriver.custom: config null is not an object`,
  ],

  // TraefikIngress: port ranges (nomad/structs validateNetworks), count >= 1, type checks.
  [
    "TraefikIngressProps.minTlsVersion",
    () => traefik({ minTlsVersion: "1.1" }),
    `TraefikIngress ${x}: minTlsVersion "1.1" is not supported`,
  ],
  [
    "TraefikIngressProps.hstsMaxAgeSeconds",
    () => traefik({ hstsMaxAgeSeconds: -1 }),
    `TraefikIngress ${x}: hstsMaxAgeSeconds -1 is not a whole number in range`,
  ],
  [
    "TraefikIngressProps.jobName",
    () => traefik({ jobName: "Traefik!" }),
    `TraefikIngress ${x}: jobName "Traefik!"`,
  ],
  [
    "TraefikIngressProps.serviceName",
    () => traefik({ serviceName: "Traefik" }),
    `TraefikIngress ${x}: serviceName "Traefik"`,
  ],
  [
    "TraefikIngressProps.datacenters",
    () => traefik({ datacenters: [] }),
    `TraefikIngress ${x}: datacenters [] is empty`,
  ],
  [
    "TraefikIngressProps.namespace",
    () => traefik({ namespace: "a/b" }),
    `TraefikIngress ${x}: namespace "a/b" is not a Nomad namespace`,
  ],
  [
    "TraefikIngressProps.tlsPort",
    () => traefik({ tlsPort: 0 }),
    `TraefikIngress ${x}: tlsPort 0 is not a port number`,
  ],
  [
    "TraefikIngressProps.httpPort",
    () => traefik({ httpPort: 70000 }),
    `TraefikIngress ${x}: httpPort 70000 is not a port number`,
  ],
  ["TraefikIngressProps.tls", () => traefik({ tls: {} }), `TraefikIngress ${x}: tls {} is not a TraefikTls`],
  [
    "TraefikIngressProps.consulTls",
    () => traefik({ consulTls: "yes" }),
    `TraefikIngress ${x}: consulTls "yes" is not a boolean`,
  ],
  [
    "TraefikIngressProps.consulAddress",
    () => traefik({ consulAddress: "" }),
    `TraefikIngress ${x}: consulAddress "" is not a non-empty string`,
  ],
  [
    "TraefikIngressProps.consulTokenSource",
    () => traefik({ consulToken: ref("t"), consulTokenSource: "consul_acl_token.x" }),
    `TraefikIngress ${x}: consulTokenSource "consul_acl_token.x" is not a TerraformResource`,
  ],
  [
    "VariableOptions.subPath",
    () => job({}).addVariable({ a: "b" }, { subPath: "../other" }),
    `NomadJob ${x}: addVariable subPath "../other" is not a group or group/task name`,
  ],
  [
    "VariableOptions.secretSources",
    () => job({}).addVariable({ a: "b" }, never({ secretSources: ["consul_acl_token.x"] })),
    `NomadJob ${x}: addVariable secretSources ["consul_acl_token.x"] are not Terraform resources`,
  ],
  [
    "TraefikIngressProps.consulToken",
    () => traefik({ consulToken: "s3cr3t" }),
    `TraefikIngress ${x}: consulToken is a literal; pass a Terraform reference`,
  ],
  [
    "TraefikIngressProps.connectByDefault",
    () => traefik({ connectByDefault: "y" }),
    `TraefikIngress ${x}: connectByDefault "y" is not a boolean`,
  ],
  [
    "TraefikIngressProps.dashboard",
    () => traefik({ dashboard: "traefik.example.com" }),
    `TraefikIngress ${x}: dashboard "traefik.example.com" is not an object`,
  ],
  [
    "TraefikDashboardOptions.host",
    () => traefik({ dashboard: { host: "not a host" } }),
    `TraefikIngress ${x}: dashboard.host "not a host" is not a host name`,
  ],
  [
    "TraefikDashboardOptions.middlewares",
    () => traefik({ dashboard: { host: "t.example.com", middlewares: ["a,b"] } }),
    `TraefikIngress ${x}: dashboard.middlewares ["a,b"] has a name with ","`,
  ],
  [
    "TraefikDashboardOptions.middlewares",
    () => traefik({ dashboard: { host: "t.example.com", middlewares: "auth" } }),
    `TraefikIngress ${x}: dashboard.middlewares "auth" is not a list of non-empty strings`,
  ],
  [
    "TraefikIngressProps.dangerouslyExposeInsecureApi",
    () => traefik({ dangerouslyExposeInsecureApi: "y" }),
    `TraefikIngress ${x}: dangerouslyExposeInsecureApi "y" is not a boolean`,
  ],
  [
    "TraefikIngressProps.constraints",
    () => traefik({ constraints: [null] }),
    `TraefikIngress ${x}: constraints[0] null is not an object`,
  ],
  [
    "TraefikIngressProps.count",
    () => traefik({ count: 0 }),
    `TraefikIngress ${x}: count 0 must be 1 or more`,
  ],
  [
    "TraefikIngressProps.driver",
    () => traefik({ driver: "podman" }),
    `TraefikIngress ${x}: driver "podman" is not supported`,
  ],
  [
    "TraefikIngressProps.version",
    () => traefik({ version: 3 }),
    `TraefikIngress ${x}: version 3 is not a non-empty string`,
  ],
  [
    "TraefikIngressProps.image",
    () => traefik({ image: "traefik" }),
    `TraefikIngress ${x}: image "traefik" is not an image reference with a tag`,
  ],
  [
    "TraefikIngressProps.binary",
    () => traefik({ binary: "" }),
    `TraefikIngress ${x}: binary "" is not a non-empty string`,
  ],
  [
    "TraefikIngressProps.resources",
    () => traefik({ resources: { cpu: 0.5 } }),
    `TraefikIngress ${x}: resources.cpu 0.5 must be a whole number`,
  ],
  [
    "TraefikIngressProps.logLevel",
    () => traefik({ logLevel: "TRACE" }),
    `TraefikIngress ${x}: logLevel "TRACE" is not supported`,
  ],
  [
    "TraefikIngressProps.dependsOn",
    () => traefik({ dependsOn: "consul" }),
    `TraefikIngress ${x}: dependsOn "consul" is not a list`,
  ],

  // TraefikTls factories: Vault PKI issue path, Go durations.
  [
    "TraefikTls.fromVault(options)",
    () => m.TraefikTls.fromVault(never(undefined)),
    `TraefikTls.fromVault: options undefined are not an object`,
  ],
  [
    "VaultTlsOptions.issuePath",
    () => m.TraefikTls.fromVault({ issuePath: "pki/sign/x", commonName: "a", role: "r" }),
    `TraefikTls.fromVault: issuePath "pki/sign/x" is not a PKI issue path`,
  ],
  [
    "VaultTlsOptions.commonName",
    () => m.TraefikTls.fromVault(never({ issuePath: "pki/issue/x", role: "r" })),
    `TraefikTls.fromVault: commonName undefined is not a non-empty string`,
  ],
  [
    "VaultTlsOptions.altNames",
    () =>
      m.TraefikTls.fromVault(never({ issuePath: "pki/issue/x", commonName: "a", role: "r", altNames: "b" })),
    `TraefikTls.fromVault: altNames "b" is not a list of non-empty strings`,
  ],
  [
    "VaultTlsOptions.ttl",
    () => m.TraefikTls.fromVault({ issuePath: "pki/issue/x", commonName: "a", role: "r", ttl: "3d" }),
    `TraefikTls.fromVault: ttl "3d" is not a duration`,
  ],
  [
    "VaultTlsOptions.role",
    () => m.TraefikTls.fromVault({ issuePath: "pki/issue/x", commonName: "a", role: "" }),
    `TraefikTls.fromVault: role "" is not a non-empty string`,
  ],
  [
    "VaultTlsOptions.policies",
    () => m.TraefikTls.fromVault({ issuePath: "pki/issue/x", commonName: "a", policies: [] }),
    `TraefikTls.fromVault: policies [] is empty`,
  ],
  [
    "VaultTlsOptions.policies (with role)",
    () => m.TraefikTls.fromVault({ issuePath: "pki/issue/x", commonName: "a", role: "r", policies: ["p"] }),
    `TraefikTls.fromVault: role "r" and policies ["p"]: give exactly one`,
  ],
  [
    "TraefikTls.fromIngressPki(pki)",
    () => m.TraefikTls.fromIngressPki(never({ path: "dc1/ingress" })),
    `TraefikTls.fromIngressPki: pki {"path":"dc1/ingress"} is not an IngressPki`,
  ],
  [
    "FileTlsOptions.certFile",
    () => m.TraefikTls.fromFiles(never({ keyFile: "k.pem" })),
    `TraefikTls.fromFiles: certFile undefined is not a non-empty string`,
  ],
  [
    "FileTlsOptions.keyFile",
    () => m.TraefikTls.fromFiles({ certFile: "c.pem", keyFile: " " }),
    `TraefikTls.fromFiles: keyFile " " is not a non-empty string`,
  ],

  // ServiceMesh
  [
    "ServiceMeshProps.intentions",
    () => mesh({ intentions: {} }),
    `ServiceMesh ${x}: intentions {} is not a Intentions`,
  ],
  [
    "ServiceMeshProps.defaults",
    () => mesh({ defaults: "x" }),
    `ServiceMesh ${x}: defaults "x" is not a MeshDefaults`,
  ],
  [
    "ServiceMeshProps.driver",
    () => mesh({ driver: "podman" }),
    `ServiceMesh ${x}: driver "podman" is not supported`,
  ],
  [
    "ServiceMeshProps.sidecarTask",
    () => mesh({ sidecarTask: { Driver: "raw_exec" } }),
    `ServiceMesh ${x}: sidecarTask {"Driver":"raw_exec"} is not a SidecarTaskOverride`,
  ],
  ["ServiceMeshProps.ingress", () => mesh({ ingress: {} }), `ServiceMesh ${x}: ingress {} is not an ingress`],
  [
    "ServiceMeshProps.datacenters",
    () => mesh({ datacenters: [] }),
    `ServiceMesh ${x}: datacenters [] is empty`,
  ],
  [
    "ServiceMeshProps.nomadVersion",
    () => mesh({ nomadVersion: "latest" }),
    `ServiceMesh ${x}: nomadVersion "latest" is not a version`,
  ],
  [
    "ServiceMeshProps.terminatingGatewayUnavailable",
    () => mesh({ terminatingGatewayUnavailable: 7 }),
    `ServiceMesh ${x}: terminatingGatewayUnavailable 7 is not a non-empty string`,
  ],
  [
    "ServiceMeshProps.transparentProxyUnavailable",
    () => mesh({ transparentProxyUnavailable: "" }),
    `ServiceMesh ${x}: transparentProxyUnavailable "" is not a non-empty string`,
  ],
  [
    "MeshPlatformProps.transparentProxyDns",
    () => platform({ transparentProxyDns: true, nomadVersion: "1.6.1" }),
    `MeshPlatform ${x}: transparentProxyDns is true, but Nomad "1.6.1" has no transparent proxy`,
  ],
  [
    "MeshPlatformProps.transparentProxyDns",
    () => platform({ transparentProxyDns: "on" }),
    `MeshPlatform ${x}: transparentProxyDns "on" is not a boolean`,
  ],
  [
    "MeshServiceProps.allowHostPortWithIngress",
    () => service({ hostPort: 9002, expose: { http: { host: "a.example.com" } } }),
    `MeshService ${x}: hostPort 9002 publishes the service in plain HTTP beside its ingress route`,
  ],
  [
    "MeshServiceProps.allowHostPortWithIngress",
    () => service({ allowHostPortWithIngress: "yes" }),
    `MeshService ${x}: allowHostPortWithIngress "yes" is not a boolean`,
  ],
  [
    "AccessPolicyProps.mesh",
    () => new m.AccessPolicy(testStack(), "x", { mesh: never("mesh") }),
    `AccessPolicy ${x}: mesh "mesh" is not a ServiceMesh`,
  ],
  [
    "ServiceMeshProps.peerName",
    () => mesh({ peerName: "East_1" }),
    `ServiceMesh ${x}: peerName "East_1" is not a valid service name`,
  ],
  [
    "MeshPeeringOptions.serverExternalAddresses",
    () => peered({ serverExternalAddresses: ["10.0.0.1"] }),
    `MeshPeering west/mesh/Peer-east: serverExternalAddresses[0] "10.0.0.1" is not host:port`,
  ],
  [
    "MeshPeeringOptions.serverExternalAddresses",
    () => peered({ serverExternalAddresses: "10.0.0.1:8503" }),
    `MeshPeering west/mesh/Peer-east: serverExternalAddresses "10.0.0.1:8503" is not a list of non-empty strings`,
  ],
  [
    "MeshPeeringOptions.preventDestroy",
    () => peered({ preventDestroy: "no" }),
    `MeshPeering west/mesh/Peer-east: preventDestroy "no" is not a boolean`,
  ],
  [
    "MeshPlatformProps.meshGateway",
    () => platform({ meshGateway: "yes" }),
    `MeshPlatform ${x}: meshGateway "yes" is not an object`,
  ],
  [
    "MeshPlatformProps.meshGateway",
    () => platform({ meshGateway: { wanPort: 70000 } }),
    `MeshGateway ${x}/MeshGateway: wanPort 70000`,
  ],
  [
    "MeshPlatformProps.meshGatewayMode",
    () => platform({ meshGatewayMode: "both" }),
    `MeshDefaults ${x}/MeshDefaults: meshGatewayMode "both" is not supported`,
  ],
  [
    "ServiceMeshProps.defaultDeny",
    () => mesh({ defaultDeny: "no" }),
    `ServiceMesh ${x}: defaultDeny "no" is not a boolean`,
  ],
  [
    "ServiceMeshProps.owner",
    () => mesh({ owner: "x".repeat(513) }),
    `ServiceMesh ${x}: owner "${"x".repeat(513)}" is not 1-512 characters on one line`,
  ],
  [
    "ServiceMeshProps.owner",
    () => mesh({ owner: "shop", intentions: new m.Intentions(testStack(), "i") }),
    `ServiceMesh ${x}: owner "shop" is set beside intentions`,
  ],
  // ServiceMesh.fromPlatform: the platform's outputs, as an app repo passes them.
  [
    "ServiceMesh.fromPlatform(attrs)",
    () => m.ServiceMesh.fromPlatform(testStack(), "x", never(undefined)),
    `ServiceMesh.fromPlatform ${x}: props undefined are not an object`,
  ],
  [
    "ServiceMesh.fromPlatform(options)",
    () => m.ServiceMesh.fromPlatform(testStack(), "x", { datacenters: ["dc1"] }, never("shop")),
    `ServiceMesh.fromPlatform ${x}: options "shop" are not an object`,
  ],
  [
    "JoinPlatformOptions.owner",
    () => m.ServiceMesh.fromPlatform(testStack(), "x", { datacenters: ["dc1"] }, { owner: "" }),
    `ServiceMesh ${x}: owner "" is not 1-512 characters on one line`,
  ],
  [
    "MeshPlatformAttributes.defaultProtocol",
    () => joined({ defaultProtocol: "udp" }),
    `MeshDefaults ${x}Defaults: protocol "udp" is not a Consul protocol`,
  ],
  [
    "MeshPlatformAttributes.datacenters",
    () => joined({ datacenters: "dc1" }),
    `ServiceMesh.fromPlatform ${x}: datacenters "dc1" is not a list`,
  ],
  [
    "MeshPlatformAttributes.ingressServiceName",
    () => joined({ ingressServiceName: "Traefik" }),
    `ServiceMesh ${x}: ingress serviceName "Traefik" is not a valid service name`,
  ],
  [
    "MeshPlatformAttributes.ingressTagPrefix",
    () => joined({ ingressTagPrefix: "" }),
    `ServiceMesh.fromPlatform ${x}: ingressTagPrefix "" is not a non-empty string`,
  ],
  [
    "MeshPlatformAttributes.ingressTlsEntryPoint",
    () => joined({ ingressTlsEntryPoint: " " }),
    `ServiceMesh.fromPlatform ${x}: ingressTlsEntryPoint " " is not a non-empty string`,
  ],
  [
    "MeshPlatformAttributes.driver",
    () => joined({ driver: "podman" }),
    `ServiceMesh ${x}: driver "podman" is not supported`,
  ],
  [
    "MeshPlatformAttributes.envoyCommand",
    () => joined({ envoyCommand: "./envoy" }),
    `SidecarTaskOverride.rawExecEnvoy: envoyPath "./envoy" is neither`,
  ],
  [
    "MeshPlatformAttributes.envoyUser",
    () => joined({ envoyCommand: "envoy", envoyUser: { name: "root", uid: 0 } }),
    `SidecarTaskOverride.rawExecEnvoy: user {"name":"root","uid":0} is not a host user`,
  ],
  [
    "MeshPlatformAttributes.nomadVersion",
    () => joined({ nomadVersion: "latest" }),
    `ServiceMesh ${x}: nomadVersion "latest" is not a version`,
  ],
  [
    "ServiceMeshProps.dependsOn",
    () => mesh({ dependsOn: "x" }),
    `ServiceMesh ${x}: dependsOn "x" is not a list`,
  ],
  [
    "ServiceMesh.useIngress(ingress)",
    () => mesh({}).useIngress(never(undefined)),
    `ServiceMesh ${x}: ingress undefined is not an ingress`,
  ],
  [
    "ServiceMesh.addExternalService(name)",
    () => mesh({}).addExternalService("Billing"),
    `ServiceMesh ${x}: external service "Billing" is not a valid service name`,
  ],

  // MeshJob: the NomadJob rules, under MeshJob's type.
  [
    "MeshJobProps.mesh",
    () => new m.MeshJob(testStack(), "x", never({ mesh: {} })),
    `MeshJob ${x}: mesh {} is not a ServiceMesh`,
  ],
  ["MeshJobProps.name", () => meshJob({ name: "Web App" }), `MeshJob ${x}: name "Web App"`],
  [
    "MeshJobProps.namespace",
    () => meshJob({ namespace: "x y" }),
    `MeshJob ${x}: namespace "x y" is not a Nomad namespace`,
  ],
  [
    "MeshJobProps.constraints",
    () => meshJob({ constraints: [{ LTarget: "a", Operand: "near" }] }),
    `MeshJob ${x}: constraints[0].Operand "near" is not supported`,
  ],
  ["MeshJobProps.meta", () => meshJob({ meta: [] }), `MeshJob ${x}: meta [] is not a map of strings`],
  ["MeshJobProps.detach", () => meshJob({ detach: "no" }), `MeshJob ${x}: detach "no" is not a boolean`],

  // MeshService: names.ts; Nomad Service.ValidateName, ServiceCheck.validateCommon (interval and
  // timeout >= 1s), UpdateStrategy.Validate; Consul upstream ports.
  [
    "MeshServiceProps.mesh",
    () => new m.MeshService(testStack(), "x", never({ port: 1 })),
    `MeshService ${x}: mesh undefined is not a ServiceMesh`,
  ],
  [
    "MeshServiceProps.name",
    () => service({ name: "API" }),
    `MeshService ${x}: name "API" is not a valid service name`,
  ],
  ["MeshServiceProps.job", () => service({ job: {} }), `MeshService ${x}: job {} is not a MeshJob`],
  [
    "MeshServiceProps.port",
    () => service({ port: "9001" }),
    `MeshService ${x}: port "9001" is not a port number`,
  ],
  ["MeshServiceProps.tasks", () => service({ tasks: app }), `MeshService ${x}: tasks {"name":"app"`],
  [
    "MeshServiceProps.transparentProxy",
    () => service({ transparentProxy: "y" }),
    `MeshService ${x}: transparentProxy "y" is not a boolean`,
  ],
  [
    "MeshServiceProps.transparentProxy (Nomad < 1.8)",
    () => nomad16Service({ transparentProxy: true }),
    `MeshService ${x}: transparentProxy true needs transparent proxy (Nomad >= 1.8.0), but nomadVersion is "1.6.1"; set transparentProxy: false`,
  ],
  [
    "MeshServiceProps.upstreams",
    () => service({ upstreams: [null] }),
    `MeshService ${x}: upstreams[0] null is not an object`,
  ],
  [
    "MeshServiceProps.hostPort",
    () => service({ hostPort: 70000 }),
    `MeshService ${x}: hostPort 70000 is not a port number`,
  ],
  [
    "MeshServiceProps.healthCheck",
    () => service({ healthCheck: "/health" }),
    `MeshService ${x}: healthCheck "/health" is not an object`,
  ],
  [
    "MeshServiceProps.exposePaths",
    () => service({ healthCheck: { path: "/h" }, exposePaths: [1] }),
    `MeshService ${x}: exposePaths [1] is not a list of non-empty strings`,
  ],
  [
    "MeshServiceProps.exposePaths",
    () => service({ healthCheck: { path: "/h" }, exposePaths: ["metrics"] }),
    `MeshService ${x}: exposePaths entry "metrics" must start with "/"`,
  ],
  [
    "MeshServiceProps.expose",
    () => service({ expose: "app.example.com" }),
    `MeshService ${x}: expose "app.example.com" is not an object`,
  ],
  [
    "MeshServiceProps.protocol",
    () => service({ protocol: "" }),
    `MeshDefaults test/defaults: protocol of x "" is not a Consul protocol`,
  ],
  [
    "MeshServiceProps.count",
    () => service({ count: -1 }),
    `MeshService ${x}: count -1 must be a whole number`,
  ],
  [
    "MeshServiceProps.constraints",
    () => service({ constraints: [{ Operand: "near" }] }),
    `MeshService ${x}: constraints[0].Operand "near"`,
  ],
  [
    "MeshServiceProps.update",
    () => service({ update: "canary" }),
    `MeshService ${x}: update "canary" is not an object`,
  ],
  [
    "MeshServiceProps.tags",
    () => service({ tags: [""] }),
    `MeshService ${x}: tags [""] is not a list of non-empty strings`,
  ],
  [
    "MeshServiceProps.sidecarTask",
    () => service({ sidecarTask: {} }),
    `MeshService ${x}: sidecarTask {} is not a SidecarTaskOverride`,
  ],
  [
    "MeshServiceProps.version",
    () => service({ version: "V1" }),
    `MeshService ${x}: version "V1" is not a version name`,
  ],
  [
    "ServiceVersionOptions.tasks",
    () => versioned().addVersion("v2", { tasks: [] }),
    `MeshService ${x}: addVersion("v2") has no tasks`,
  ],
  [
    "ServiceVersionOptions.count",
    () => versioned().addVersion("v2", { tasks: [app], count: -1 }),
    `MeshService ${x}: version "v2" count -1 is not a whole number`,
  ],
  [
    "MeshService.addVersion(version)",
    () => versioned().addVersion("v1", { tasks: [app] }),
    `MeshService ${x}: addVersion("v1"): the version is already declared`,
  ],
  [
    "MeshService.addVersion(version)",
    () => service({}).addVersion("v2", { tasks: [app] }),
    `MeshService ${x}: addVersion("v2") needs the service's own version`,
  ],
  [
    "MeshService.splitTraffic(weights)",
    () => versioned().splitTraffic({ v1: 90, v2: 20 }),
    `MeshService test/x: splitTraffic({"v1":90,"v2":20}): weights [90,20] sum to 110, not 100`,
  ],
  [
    "TrafficDestination.version",
    () => trafficTo({ version: "" }),
    `MeshService test/x: routeTraffic({"pathPrefix":"/v2/"}, {"version":""}): destination.version "" is empty`,
  ],
  [
    "TrafficDestination.service",
    () => trafficTo({ service: 42 }),
    `MeshService ${x}: routeTraffic(42): the destination must be a MeshService`,
  ],
  [
    "TrafficDestination.prefixRewrite",
    () =>
      versioned().routeTraffic({ headers: [{ name: "x-canary", present: true }] }, { prefixRewrite: "/" }),
    `MeshService test/x: routeTraffic({"headers":[{"name":"x-canary","present":true}]}, {"prefixRewrite":"/"}): destination.prefixRewrite "/" needs match.pathExact or match.pathPrefix`,
  ],
  [
    "ServiceRoutingProps.service",
    () => routing({ service: "API" }),
    `ServiceRouting test/x: service "API" is not a valid service name`,
  ],
  [
    "ServiceRoutingProps.defaults",
    () => routing({ defaults: {} }),
    `ServiceRouting test/x: defaults {} is not a MeshDefaults`,
  ],
  [
    "ServiceRoutingProps.dependsOn",
    () => routing({ dependsOn: "agent" }),
    `ServiceRouting test/x: dependsOn "agent" is not a list`,
  ],
  [
    "ServiceRouting.addSubset(name)",
    () => routing().addSubset("V2", "x"),
    `ServiceRouting test/x: subset "V2" is not a valid subset name`,
  ],
  [
    "ServiceRouting.addSubset(filter)",
    () => routing().addSubset("v2", " "),
    `ServiceRouting test/x: subset "v2" filter " " is empty`,
  ],
  [
    "TrafficSplit.subset",
    () => split({ subset: "", weight: 100 }),
    `ServiceRouting test/x: splits[0].subset "" is empty`,
  ],
  [
    "TrafficSplit.weight",
    () => split({ subset: "v1", weight: 101 }),
    `ServiceRouting test/x: splits[0].weight 101 is not a percentage`,
  ],
  [
    "TrafficSplit.weight",
    () => split({ subset: "v1", weight: 99.999 }),
    `ServiceRouting test/x: splits[0].weight 99.999 has more than two decimals`,
  ],
  [
    "ServiceRoute.match",
    () => route({ match: "/v2", destination: { subset: "v2" } }),
    `ServiceRouting test/x: routes[0].match "/v2" is not an object`,
  ],
  [
    "ServiceRoute.destination",
    () => route({ match: { pathPrefix: "/v2" } }),
    `ServiceRouting test/x: routes[0].destination undefined is not an object`,
  ],
  [
    "RouteMatch.pathExact",
    () => match({ pathExact: "v2" }),
    `ServiceRouting test/x: routes[0].match.pathExact "v2" does not start with "/"`,
  ],
  [
    "RouteMatch.pathPrefix",
    () => match({ pathPrefix: "v2" }),
    `ServiceRouting test/x: routes[0].match.pathPrefix "v2" does not start with "/"`,
  ],
  [
    "RouteMatch.pathRegex",
    () => match({ pathRegex: "" }),
    `ServiceRouting test/x: routes[0].match.pathRegex "" is empty`,
  ],
  [
    "RouteMatch.pathRegex",
    () => match({ pathPrefix: "/v2", pathRegex: "/v[0-9]+" }),
    `ServiceRouting test/x: routes[0].match sets 2 of pathExact, pathPrefix and pathRegex`,
  ],
  [
    "RouteMatch.headers",
    () => match({ headers: { name: "x" } }),
    `ServiceRouting test/x: routes[0].match.headers {"name":"x"} is not a list`,
  ],
  [
    "RouteMatch.methods",
    () => match({ methods: ["FETCH"] }),
    `ServiceRouting test/x: routes[0].match.methods ["FETCH"] has unknown methods ["FETCH"]`,
  ],
  ["RouteMatch.methods", () => match({}), `ServiceRouting test/x: routes[0].match {} matches every request`],
  [
    "HeaderMatch.name",
    () => header({ name: " ", exact: "1" }),
    `ServiceRouting test/x: routes[0].match.headers[0].name " " is empty`,
  ],
  [
    "HeaderMatch.present",
    () => header({ name: "x-canary", present: "yes" }),
    `ServiceRouting test/x: routes[0].match.headers[0].present "yes" is not a boolean`,
  ],
  [
    "HeaderMatch.exact",
    () => header({ name: "x-canary", exact: "1", prefix: "1" }),
    `ServiceRouting test/x: routes[0].match.headers[0] {"name":"x-canary","exact":"1","prefix":"1"} sets 2 of present`,
  ],
  [
    "HeaderMatch.prefix",
    () => header({ name: "x-canary", prefix: "" }),
    `ServiceRouting test/x: routes[0].match.headers[0].prefix "" is not a non-empty string`,
  ],
  [
    "HeaderMatch.suffix",
    () => header({ name: "x-canary", suffix: 1 }),
    `ServiceRouting test/x: routes[0].match.headers[0].suffix 1 is not a non-empty string`,
  ],
  [
    "HeaderMatch.regex",
    () => header({ name: "x-canary" }),
    `ServiceRouting test/x: routes[0].match.headers[0] {"name":"x-canary"} sets 0 of present`,
  ],
  [
    "HeaderMatch.invert",
    () => header({ name: "x-canary", exact: "1", invert: 1 }),
    `ServiceRouting test/x: routes[0].match.headers[0].invert 1 is not a boolean`,
  ],
  [
    "RouteDestination.service",
    () => destination({ service: "Legacy" }),
    `ServiceRouting test/x: routes[0].destination.service "Legacy" is not a valid service name`,
  ],
  ["RouteDestination.subset", () => destination({}), `ServiceRouting test/x: routes[0].destination is empty`],
  [
    "RouteDestination.prefixRewrite",
    () => destination({ prefixRewrite: 1 }),
    `ServiceRouting test/x: routes[0].destination.prefixRewrite 1 is not a string`,
  ],
  [
    "MeshTaskProps.name",
    () => meshTask({ name: "alloc" }),
    `MeshService ${x}: task name "alloc" is not a Nomad task name`,
  ],
  [
    "MeshTaskProps.driver",
    () => meshTask({ driver: "docker" }),
    `MeshService ${x}: task "app" driver "docker" is not a TaskDriver`,
  ],
  [
    "MeshTaskProps.env",
    () => meshTask({ env: { PORT: 9001 } }),
    `MeshService ${x}: task "app" env {"PORT":9001} is not a map of strings`,
  ],
  [
    "MeshTaskProps.templates",
    () => meshTask({ templates: [{ EmbeddedTmpl: "x", DestPath: "../../x" }] }),
    `MeshService ${x}: task "app" templates[0].DestPath "../../x" escapes the allocation directory`,
  ],
  [
    "MeshTaskProps.templates",
    () => meshTask({ templates: [{ EmbeddedTmpl: "x", DestPath: "local/a", ChangeMode: "signal" }] }),
    `MeshService ${x}: task "app" templates[0].ChangeMode "signal" has no ChangeSignal`,
  ],
  [
    "MeshTaskProps.templates",
    () =>
      meshTask({
        templates: [
          { EmbeddedTmpl: "a", DestPath: "local/a" },
          { EmbeddedTmpl: "b", DestPath: "local/a" },
        ],
      }),
    `MeshService ${x}: task "app" templates[1].DestPath "local/a" is written by another template too`,
  ],
  [
    "MeshTaskProps.resources",
    () => meshTask({ resources: { memoryMb: 5 } }),
    `MeshService ${x}: task "app" resources.memoryMb 5 must be a whole number of at least 10`,
  ],
  [
    "MeshTaskProps.vaultRole",
    () => meshTask({ vaultRole: 1 }),
    `MeshService ${x}: task "app" vaultRole 1 is empty`,
  ],
  [
    "MeshTaskProps.vaultRole (Nomad < 1.7)",
    () => nomad16Service({ tasks: [{ ...app, vaultRole: "app" }] }),
    `MeshService ${x}: task "app" vaultRole "app" needs workload identity for Consul and Vault (Nomad >= 1.7.0), but nomadVersion is "1.6.1"; use vaultPolicies`,
  ],
  [
    "MeshTaskProps.vaultPolicies",
    () => meshTask({ vaultPolicies: "app" }),
    `MeshService ${x}: task "app" vaultPolicies "app" is not a list of non-empty strings`,
  ],
  [
    "MeshTaskProps.vaultPolicies (Nomad >= 1.10)",
    () => meshTask({ vaultPolicies: ["app"] }),
    `MeshService ${x}: task "app" vaultPolicies ["app"] needs the token-based Consul and Vault workflows (Nomad < 1.10.0), but nomadVersion is "1.11.3"; use vaultRole`,
  ],
  [
    "MeshTaskProps.vaultPolicies (with vaultRole)",
    () => meshTask({ vaultPolicies: ["app"], vaultRole: "app" }),
    `MeshService ${x}: task "app" has both vaultRole "app" and vaultPolicies ["app"]`,
  ],
  [
    "MeshTaskProps.lifecycle",
    () => meshTask({ lifecycle: { Hook: "prerun" } }),
    `MeshService ${x}: task "app" lifecycle.Hook "prerun" is not a lifecycle hook`,
  ],
  [
    "MeshTaskProps.artifacts",
    () => meshTask({ artifacts: [{}] }),
    `MeshService ${x}: task "app" artifacts[0].GetterSource undefined is empty`,
  ],
  [
    "MeshTaskProps.artifacts",
    () => meshTask({ artifacts: [{ GetterSource: "https://e.com/a", RelativeDest: "../../../" }] }),
    `MeshService ${x}: task "app" artifacts[0].RelativeDest "../../../" escapes`,
  ],
  [
    "MeshService.addTask(task)",
    () => service({}).addTask(never("app")),
    `MeshService ${x}: props "app" are not an object`,
  ],
  [
    "MeshService.connectTo(target)",
    () => service({}).connectTo(never(null)),
    `MeshService ${x}: connectTo(null): the upstream must be a MeshService`,
  ],
  [
    "MeshService.connectTo(options)",
    () => service({}).connectTo("db", never(null)),
    `MeshService ${x}: connectTo("db") options null are not an object`,
  ],
  [
    "MeshService.upstreamAddress(target)",
    () => service({}).upstreamAddress(never(null)),
    `MeshService ${x}: upstreamAddress(null): the upstream must be a MeshService`,
  ],
  [
    "MeshService.allowFrom(source)",
    () => service({}).allowFrom(never(undefined)),
    `MeshService ${x}: allowFrom(undefined): the source must be a MeshService`,
  ],
  [
    "UpstreamOptions.localBindPort",
    () => service({}).connectTo("db", { localBindPort: 0 }),
    `MeshService ${x}: upstream "db" localBindPort 0 is not a port number`,
  ],
  [
    "UpstreamOptions.permissions",
    () => service({}).connectTo("db", { localBindPort: 5432, permissions: [] }),
    "Intentions test/mesh/Intentions: permissions [] is not a non-empty list",
  ],
  [
    "UpstreamProps.service",
    () => service({ upstreams: [{ service: "DB", localBindPort: 8080 }] }),
    `MeshService ${x}: upstream "DB" is not a valid service name`,
  ],
  [
    "MeshHealthCheck.path",
    () => service({ healthCheck: {} }),
    `MeshService ${x}: healthCheck.path undefined must start with "/"`,
  ],
  [
    "MeshHealthCheck.interval",
    () => service({ healthCheck: { path: "/h", interval: "500ms" } }),
    `MeshService ${x}: healthCheck.interval "500ms" is shorter than Nomad's minimum of 1s`,
  ],
  [
    "MeshHealthCheck.timeout",
    () => service({ healthCheck: { path: "/h", timeout: "2" } }),
    `MeshService ${x}: healthCheck.timeout "2" is not a positive duration`,
  ],
  [
    "MeshHealthCheck.expose",
    () => service({ healthCheck: { path: "/h", expose: "no" } }),
    `MeshService ${x}: healthCheck.expose "no" is not a boolean`,
  ],
  [
    "MeshUpdateOptions.maxParallel",
    () => service({ update: { maxParallel: -1 } }),
    `MeshService ${x}: update.maxParallel -1 must be 0 or more`,
  ],
  [
    "MeshUpdateOptions.canary",
    () => service({ update: { canary: 2 } }),
    `MeshService ${x}: update.canary 2 exceeds count 1`,
  ],
  [
    "MeshUpdateOptions.autoPromote",
    () => service({ update: { canary: 1, autoPromote: "y" } }),
    `MeshService ${x}: update.autoPromote "y" is not a boolean`,
  ],
  [
    "MeshUpdateOptions.autoRevert",
    () => service({ update: { autoRevert: 1 } }),
    `MeshService ${x}: update.autoRevert 1 is not a boolean`,
  ],
  [
    "MeshUpdateOptions.minHealthyTime",
    () => service({ update: { minHealthyTime: "5m" } }),
    `MeshService ${x}: update.minHealthyTime "5m" is not shorter than update.healthyDeadline`,
  ],
  [
    "MeshUpdateOptions.healthyDeadline",
    () => service({ update: { healthyDeadline: "soon" } }),
    `MeshService ${x}: update.healthyDeadline "soon" is not a positive duration`,
  ],

  // Routes: Traefik Host()/HostSNI() literal names, entry points of the ingress.
  [
    "IngressRoute.http",
    () => expose({ http: "app.example.com" }),
    `MeshService ${x}: expose.http "app.example.com" is not an object`,
  ],
  ["IngressRoute.tcp", () => expose({ tcp: 1 }), `MeshService ${x}: expose.tcp 1 is not an object`],
  [
    "HttpRoute.host",
    () => expose({ http: { host: "*.example.com" } }),
    `MeshService ${x}: expose.http.host "*.example.com" is not a host name`,
  ],
  [
    "HttpRoute.pathPrefix",
    () => expose({ http: { host: "a.example.com", pathPrefix: "api" } }),
    `MeshService ${x}: expose.http.pathPrefix "api" must start with "/"`,
  ],
  [
    "HttpRoute.entryPoint",
    () => expose({ http: { host: "a.example.com", entryPoint: "websecure" } }),
    `MeshService ${x}: expose.http.entryPoint "websecure" is not an entry point`,
  ],
  [
    "TcpRoute.sni",
    () => expose({ tcp: { sni: 5 } }),
    `MeshService ${x}: expose.tcp.sni 5 is not a host name`,
  ],
  [
    "TcpRoute.entryPoint",
    () => expose({ tcp: { sni: "db.example.com", entryPoint: "web" } }),
    `MeshService ${x}: expose.tcp.entryPoint "web" does not terminate TLS`,
  ],

  // SidecarTaskOverride factories.
  [
    "RawExecEnvoyOptions.envoyPath",
    () => m.SidecarTaskOverride.rawExecEnvoy({ envoyPath: "./envoy" }),
    `SidecarTaskOverride.rawExecEnvoy: envoyPath "./envoy" is neither`,
  ],
  [
    "RawExecEnvoyOptions.resources",
    () => m.SidecarTaskOverride.rawExecEnvoy({ envoyPath: "envoy", resources: { cpu: -1 } }),
    `SidecarTaskOverride.rawExecEnvoy: resources.cpu -1 must be a whole number`,
  ],
  [
    "RawExecEnvoyOptions.nomadVersion",
    () => m.SidecarTaskOverride.rawExecEnvoy({ envoyPath: "envoy", nomadVersion: "one" }),
    `SidecarTaskOverride.rawExecEnvoy: nomadVersion "one" is not a version`,
  ],
  // Transparent proxy exempts the proxy's uid: a name and a non-root uid (consul-cni's ProxyUID).
  [
    "RawExecEnvoyOptions.user",
    () => m.SidecarTaskOverride.rawExecEnvoy({ envoyPath: "envoy", user: never({ name: "nobody", uid: 0 }) }),
    `SidecarTaskOverride.rawExecEnvoy: user {"name":"nobody","uid":0} is not a host user`,
  ],
  [
    "MeshPlatformProps.envoyUser",
    () => platform({ driver: "raw_exec", envoyCommand: "envoy", envoyUser: "nobody" }),
    `SidecarTaskOverride.rawExecEnvoy: user "nobody" is not a host user`,
  ],
  [
    "SidecarTaskOverride.rawExecEnvoy(options)",
    () => m.SidecarTaskOverride.rawExecEnvoy(never(null)),
    `SidecarTaskOverride.rawExecEnvoy: options null are not an object`,
  ],
  [
    "SidecarTaskOverride.of(task)",
    () => m.SidecarTaskOverride.of(never("envoy")),
    `SidecarTaskOverride.of: task "envoy" is not an object`,
  ],

  // MeshPlatform: its own props here; props passed through unchanged are checked by the part, whose
  // path the error names.
  [
    "MeshPlatformProps.datacenter",
    () => platform({ datacenter: "" }),
    `MeshPlatform ${x}: datacenter "" is not a valid service name`,
  ],
  [
    "MeshPlatformProps.vaultAddress",
    () => platform({ vaultAddress: "vault" }),
    `MeshPlatform ${x}: vaultAddress "vault" is not an http(s) URL`,
  ],
  [
    "MeshPlatformProps.nomadAddress",
    () => platform({ nomadAddress: null }),
    `MeshPlatform ${x}: nomadAddress null is not an http(s) URL`,
  ],
  [
    "MeshPlatformProps.consulAclsEnabled",
    () => platform({ consulAclsEnabled: "true" }),
    `MeshPlatform ${x}: consulAclsEnabled "true" is not a boolean`,
  ],
  [
    "MeshPlatformProps.consulAgentJob",
    () => platform({ consulAgentJob: 0 }),
    `MeshPlatform ${x}: consulAgentJob 0 is not a boolean`,
  ],
  [
    "ExternalServiceProps.mesh",
    () => external({ mesh: "mesh" }),
    `ExternalService ${x}: mesh "mesh" is not a ServiceMesh`,
  ],
  ["ExternalServiceProps.name", () => external({ name: "DB" }), `ExternalService ${x}: name "DB"`],
  [
    "ExternalServiceProps.address",
    () => external({ address: "" }),
    `ExternalService ${x}: address "" is not a non-empty string`,
  ],
  ["ExternalServiceProps.port", () => external({ port: 70000 }), `ExternalService ${x}: port 70000`],
  [
    "ExternalServiceProps.tls",
    () => external({ tls: { sni: "db.example.com" } }),
    `ExternalService ${x}: tls.sni "db.example.com" is set without tls.caFile`,
  ],
  [
    "ExternalServiceProps.tls",
    () => external({ tls: { caFile: 3 } }),
    `ExternalService ${x}: tls.caFile 3 is not a non-empty string`,
  ],
  [
    "ExternalServiceProps.nodeName",
    () => external({ nodeName: "" }),
    `ExternalService ${x}: nodeName "" is not a non-empty string`,
  ],
  [
    "MeshGatewayProps.mesh",
    () => meshGateway({ mesh: null }),
    `MeshGateway ${x}: mesh null is not a ServiceMesh`,
  ],
  ["MeshGatewayProps.name", () => meshGateway({ name: "Mesh GW" }), `MeshGateway ${x}: name "Mesh GW"`],
  [
    "MeshGatewayProps.hostNetwork",
    () => meshGateway({ hostNetwork: "" }),
    `MeshGateway ${x}: hostNetwork "" is not a non-empty string`,
  ],
  ["MeshGatewayProps.wanPort", () => meshGateway({ wanPort: 0 }), `MeshGateway ${x}: wanPort 0`],
  [
    "MeshGatewayProps.count",
    () => meshGateway({ count: 1.5 }),
    `MeshGateway ${x}: count 1.5 is not a whole number in range; use 1 or more`,
  ],
  [
    "TerminatingGatewayProps.mesh",
    () => gateway({ mesh: {} }),
    `TerminatingGateway ${x}: mesh {} is not a ServiceMesh`,
  ],
  [
    "TerminatingGatewayProps.services",
    () => gateway({ services: ["db"] }),
    `TerminatingGateway ${x}: services ["db"] are not ExternalService constructs`,
  ],
  [
    "TerminatingGatewayProps.services",
    () => gateway({ services: [] }),
    `TerminatingGateway ${x}: services [] are not ExternalService constructs (or none are given)`,
  ],
  ["TerminatingGatewayProps.name", () => gateway({ name: "Gw" }), `TerminatingGateway ${x}: name "Gw"`],
  [
    "TerminatingGatewayProps.count",
    () => gateway({ count: 0 }),
    `TerminatingGateway ${x}: count 0 is not a whole number in range; use 1 or more`,
  ],
  [
    "MeshPlatformProps.consulAgentNodes",
    () => platform({ consulAgentNodes: [] }),
    `MeshPlatform ${x}: consulAgentNodes [] lists no node; list the Nomad nodes' names`,
  ],
  [
    "ConsulNodeTokenProps.nodeName",
    () => nodeToken({ nodeName: "Client.1" }),
    `ConsulNodeToken ${x}: nodeName "Client.1" is not a node name Consul takes in a node identity`,
  ],
  [
    "ConsulNodeTokenProps.datacenter",
    () => nodeToken({ datacenter: 7 }),
    `ConsulNodeToken ${x}: datacenter 7`,
  ],
  [
    "ConsulNodeTokenProps.description",
    () => nodeToken({ description: "" }),
    `ConsulNodeToken ${x}: description "" is not a non-empty string`,
  ],
  [
    "MeshPlatformProps.consulRetryJoin",
    () => platform({ consulRetryJoin: "10.0.0.10" }),
    `MeshPlatform ${x}: consulRetryJoin "10.0.0.10" is not a list of non-empty strings`,
  ],
  [
    "MeshPlatformProps.consulAgentSecurity",
    () => platform({ consulAgentSecurity: undefined }),
    `MeshPlatform ${x}: consulAgentSecurity is unset for an agent job with ACLs`,
  ],
  [
    "MeshPlatformProps.consulAgentSecurity",
    () => platform({ consulAgentSecurity: "key" }),
    `MeshPlatform ${x}: consulAgentSecurity "key" is not an object`,
  ],
  [
    "MeshPlatformProps.consulAgentSecurity",
    () => platform({ consulAgentSecurity: { gossipKey: "c2VjcmV0", caPem: "pem" } }),
    "ConsulAgentJob test/x/ConsulAgent: secrets.gossipKey is a literal",
  ],
  [
    "MeshPlatformProps.nomadCaPem",
    () => platform({ nomadCaPem: 42 }),
    `MeshPlatform ${x}: nomadCaPem 42 is not a non-empty string`,
  ],
  [
    "MeshPlatformProps.caRootRotation",
    () => platform({ caRootRotation: "yes" }),
    `ConnectCaPki test/x/ConnectCaPki: rootRotation "yes" is not a boolean`,
  ],
  [
    "ConnectCaPkiProps.rootRotation",
    () => pki({ rootRotation: 1 }),
    `ConnectCaPki ${x}: rootRotation 1 is not a boolean`,
  ],
  [
    "MeshPlatformProps.ingressDomain",
    () => platform({ ingressDomain: "https://example.com" }),
    `IngressPki test/x/IngressPki: domain "https://example.com"`,
  ],

  // IngressPki: names.ts (RFC 1123 host names), Nomad validNamespaceName.
  [
    "IngressPkiProps.datacenter",
    () => ingressPki({ datacenter: "DC 1" }),
    `IngressPki ${x}: datacenter "DC 1"`,
  ],
  ["IngressPkiProps.domain", () => ingressPki({ domain: "" }), `IngressPki ${x}: domain ""`],
  [
    "IngressPkiProps.nomadVault",
    () => ingressPki({ nomadVault: {} }),
    `IngressPki ${x}: nomadVault {} is not a NomadVaultIntegration`,
  ],
  [
    "IngressPkiProps.vaultAddress",
    () => ingressPki({ vaultAddress: "vault:8200" }),
    `IngressPki ${x}: vaultAddress "vault:8200" is not an http(s) URL`,
  ],
  [
    "IngressPkiProps.preventDestroy",
    () => ingressPki({ preventDestroy: "no" }),
    `IngressPki ${x}: preventDestroy "no" is not a boolean`,
  ],
  [
    "IngressPkiProps.jobName",
    () => ingressPki({ jobName: "Traefik!" }),
    `IngressPki ${x}: jobName "Traefik!"`,
  ],
  [
    "IngressPkiProps.namespace",
    () => ingressPki({ namespace: "a b" }),
    `IngressPki ${x}: namespace "a b" is not a Nomad namespace name`,
  ],
  [
    "MeshPlatformProps.stateKeyPrefix",
    () => platform({ stateKeyPrefix: 42 }),
    `MeshPlatform ${x}: stateKeyPrefix 42 is not a non-empty string`,
  ],
  [
    "MeshPlatformProps.nomadNamespaces",
    () => platform({ nomadNamespaces: [] }),
    "NomadConsulIntegration test/x/NomadConsul: namespaces [] is not a list of Nomad namespace names",
  ],
  [
    "MeshPlatformProps.vaultCaFile",
    () => platform({ vaultCaFile: "" }),
    `MeshPlatform ${x}: vaultCaFile "" is not a non-empty string`,
  ],
  [
    "MeshPlatformProps.nomadVersion",
    () => platform({ nomadVersion: "1" }),
    `MeshPlatform ${x}: nomadVersion "1" is not a version`,
  ],
  [
    "MeshPlatformProps.nomadVersion (workload identity before 1.7)",
    () => platform({ nomadVersion: "1.6.1", nomadVaultMode: m.NomadVaultMode.WORKLOAD_IDENTITY }),
    `NomadVaultIntegration ${x}/NomadVault: mode "workload-identity" needs workload identity for Consul and Vault (Nomad >= 1.7.0), but nomadVersion is "1.6.1"`,
  ],
  [
    "MeshPlatformProps.consulVersion",
    () => platform({ consulVersion: "latest" }),
    `MeshPlatform ${x}: consulVersion "latest" is not a version`,
  ],
  [
    "MeshPlatformProps.nomadVaultMode",
    () => platform({ nomadVaultMode: "token" }),
    `MeshPlatform ${x}: nomadVaultMode "token" is not supported`,
  ],
  [
    "MeshPlatformProps.pkiOwnership",
    () => platform({ pkiOwnership: "vault" }),
    `MeshPlatform ${x}: pkiOwnership "vault" is not supported`,
  ],
  [
    "MeshPlatformProps.rootCertTtl",
    () => platform({ rootCertTtl: "1h" }),
    `ConnectCaPki ${x}/ConnectCaPki: intermediateCertTtl "8760h" is longer than rootCertTtl "1h"`,
  ],
  [
    "MeshPlatformProps.intermediateCertTtl",
    () => platform({ intermediateCertTtl: "200h" }),
    `ConnectCaPki ${x}/ConnectCaPki: intermediateCertTtl "200h" is shorter than 3 × leafCertTtl`,
  ],
  [
    "MeshPlatformProps.caRootPath",
    () => platform({ caRootPath: "dc1//root" }),
    `ConnectCaPki ${x}/ConnectCaPki: rootPath "dc1//root"`,
  ],
  [
    "MeshPlatformProps.caRootGeneration",
    () => platform({ caRootGeneration: -2 }),
    `ConnectCaPki ${x}/ConnectCaPki: rootGeneration -2 is not a whole number in range`,
  ],
  [
    "MeshPlatformProps.caRetiringRoot",
    () => platform({ caRetiringRoot: { path: "dc1/connect_root", generation: 1 } }),
    `ConnectCaPki ${x}/ConnectCaPki: retiringRoot {"path":"dc1/connect_root","generation":1} is the current root`,
  ],
  [
    "MeshPlatformProps.caTokenPeriod",
    () => platform({ caTokenPeriod: "forever" }),
    `ConsulCaToken ${x}/ConsulCaToken: period "forever"`,
  ],
  [
    "MeshPlatformProps.leafCertTtl",
    () => platform({ leafCertTtl: "10m" }),
    `ConnectCaPki ${x}/ConnectCaPki: leafCertTtl "10m" is outside what Consul accepts`,
  ],
  [
    "MeshPlatformProps.driver",
    () => platform({ driver: "podman" }),
    `MeshPlatform ${x}: driver "podman" is not supported`,
  ],
  [
    "MeshPlatformProps.envoyCommand",
    () => platform({ envoyCommand: "envoy" }),
    `MeshPlatform ${x}: envoyCommand "envoy" needs driver "raw_exec"`,
  ],
  [
    "MeshPlatformProps.envoyCommand",
    () => platform({ envoyCommand: "my envoy", driver: "raw_exec" }),
    `SidecarTaskOverride.rawExecEnvoy: envoyPath "my envoy" is neither`,
  ],
  [
    "MeshPlatformProps.platformNamespace",
    () => platform({ platformNamespace: "mesh platform" }),
    `MeshPlatform ${x}: platformNamespace "mesh platform" is not a Nomad namespace`,
  ],
  [
    "MeshPlatformProps.preventDestroy",
    () => platform({ preventDestroy: "no" }),
    `MeshPlatform ${x}: preventDestroy "no" is not a boolean`,
  ],
];

describe("bad-input catalogue", () => {
  test.each(rows)("%s", (_key, make, fragment) => {
    let thrown: unknown;
    try {
      make();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(m.MeshstackError);
    expect((thrown as Error).message).toContain(fragment);
  });
});

/** Fields nobody can get wrong in a way a server rejects, or that are deliberately left to another change. */
const UNCHECKED: Record<string, string> = {};

/** The public props and options interfaces and their fields, read from the sources. */
function publicFields(): string[] {
  return interfaceFields()
    .filter(({ interfaceName }) =>
      /(Props|Options)$|^(RetiringRoot|HeaderMatch|RouteMatch|RouteDestination|ServiceRoute|TrafficSplit|TrafficDestination|HttpPermission|HttpRoute|TcpRoute|IngressRoute|MeshHealthCheck|TaskResources|PolicyRule|MeshPlatformAttributes)$/.test(
        interfaceName,
      ),
    )
    .map(({ key }) => key);
}

test("the catalogue covers every field of every public props and options interface", () => {
  const fields = publicFields();
  expect(fields.length).toBeGreaterThan(150);
  const covered = new Set(rows.map(([key]) => key));
  const missing = fields.filter((f) => !covered.has(f) && !(f in UNCHECKED));
  expect(missing).toEqual([]);
});
