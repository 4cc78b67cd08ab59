/**
 * Builders of the public constructs with valid defaults, so each row of the bad-input catalogue and
 * of the Terraform-reference table changes one thing.
 */
import { Lazy, LocalBackend, TerraformStack, Testing } from "cdktf";
import { ConsulProvider } from "@cdktf/provider-consul/lib/provider";
import * as m from "../../constructs";
import { testStack } from "../helpers";

/** A value plain JavaScript could pass, whatever the declared type. */
export const never = <T>(value: unknown) => value as T;
/** A Terraform reference, as secrets must be. */
export const ref = (value: string) => Lazy.stringValue({ produce: () => value });

export const app = { name: "app", driver: m.TaskDriver.docker({ image: "redis:7.2" }) };
export function meshStack(stack: TerraformStack = testStack()) {
  const ingress = new m.TraefikIngress(stack, "traefik", { httpPort: 8080 });
  return new m.ServiceMesh(stack, "mesh", { ingress, defaults: new m.MeshDefaults(stack, "defaults") });
}
export const pki = (p: object) => new m.ConnectCaPki(testStack(), "x", { datacenter: "dc1", ...p });
export const rotation = (retiring: object) =>
  pki({
    rootPath: "dc1/connect_root_2",
    rootGeneration: 2,
    rootRotation: true,
    retiringRoot: { path: "dc1/connect_root", generation: 1, ...retiring },
  });
export const caToken = (p: object) => {
  const stack = testStack();
  const ca = new m.ConnectCaPki(stack, "pki", { datacenter: "dc1" });
  return new m.ConsulCaToken(stack, "x", { pki: ca, ...p });
};
export const caLogin = (p: object) => {
  const stack = testStack();
  const ca = new m.ConnectCaPki(stack, "pki", { datacenter: "dc1" });
  const login = new m.ConsulCaLogin(stack, "x", {
    pki: ca,
    datacenter: "dc1",
    serverCaPem: "-----BEGIN CERTIFICATE-----",
    certFile: "tls/server.pem",
    keyFile: "tls/server.key",
    ...p,
  });
  // Its files reach Terraform through the CA configuration.
  new m.ConnectCa(stack, "ca", { pki: ca, login, vaultAddress: "http://vault:8200" });
  return login;
};
export const connectCa = (p: object) => {
  const stack = testStack();
  const ca = new m.ConnectCaPki(stack, "pki", { datacenter: "dc1" });
  const token = new m.ConsulCaToken(stack, "token", { pki: ca });
  return new m.ConnectCa(stack, "x", {
    pki: ca,
    token,
    vaultAddress: "https://vault:8200",
    vaultCaFile: "ca.pem",
    ...p,
  });
};
export const nomadVault = (p: object) =>
  new m.NomadVaultIntegration(testStack(), "x", { nomadAddress: "http://nomad:4646", ...p });
export const nomadConsul = (p: object) =>
  new m.NomadConsulIntegration(testStack(), "x", { nomadAddress: "http://nomad:4646", ...p });
export const job = (p: object) => new m.NomadJob(testStack(), "x", { name: "app", ...p });
export const agent = (p: object) => new m.ConsulAgentJob(testStack(), "x", p);
export const traefik = (p: object) => new m.TraefikIngress(testStack(), "x", p);
export const meshJob = (p: object) => {
  const stack = testStack();
  return new m.MeshJob(stack, "x", { mesh: new m.ServiceMesh(stack, "mesh"), ...p });
};
export const platform = (p: object) =>
  new m.MeshPlatform(testStack(), "x", {
    datacenter: "dc1",
    vaultAddress: "https://vault:8200",
    vaultCaFile: "/etc/consul.d/vault-ca.pem",
    nomadAddress: "http://nomad:4646",
    consulRetryJoin: ["10.0.0.10"],
    consulAgentSecurity: { gossipKey: ref("gossip"), caPem: ref("pem") },
    ...p,
  });
export const ingressPki = (p: object) => {
  const stack = testStack();
  const nomadVault = new m.NomadVaultIntegration(stack, "nv", { nomadAddress: "http://nomad:4646" });
  return new m.IngressPki(stack, "x", { datacenter: "dc1", domain: "example.com", nomadVault, ...p });
};
export const aclToken = (p: object) =>
  new m.ConsulAclToken(testStack(), "x", {
    policyName: "dns",
    rules: 'node_prefix "" {}',
    description: "DNS",
    ...p,
  });
export const external = (p: object) => {
  const stack = testStack();
  const mesh = new m.ServiceMesh(stack, "mesh");
  return new m.ExternalService(stack, "x", { mesh, name: "db", address: "10.0.0.5", port: 5432, ...p });
};
export const gateway = (p: object) => {
  const stack = testStack();
  const mesh = new m.ServiceMesh(stack, "mesh");
  const db = new m.ExternalService(stack, "db", { mesh, name: "db", address: "10.0.0.5", port: 5432 });
  return new m.TerminatingGateway(stack, "x", { mesh, services: [db], ...p });
};
export const meshGateway = (p: object) => {
  const stack = testStack();
  return new m.MeshGateway(stack, "x", { mesh: new m.ServiceMesh(stack, "mesh"), ...p });
};
export const nodeToken = (p: object) =>
  new m.ConsulNodeToken(testStack(), "x", { nodeName: "client-1", datacenter: "dc1", ...p });

/** Two meshes in two stacks of one app, each named for peering, peered with `options`. */
export function peered(options?: object): m.MeshPeering {
  const app = Testing.app();
  const named = (name: string) => {
    const stack = new TerraformStack(app, name);
    new ConsulProvider(stack, "consul", {});
    new LocalBackend(stack, { path: `terraform.${name}.tfstate` });
    return new m.ServiceMesh(stack, "mesh", { peerName: name });
  };
  return named("west").peerWith(named("east"), never(options));
}
