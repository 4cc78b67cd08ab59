import { builtInConsulVersion, builtInNomadVersion, builtInTransparentProxy } from "./built-in-cluster";
import { prod } from "./prod";
import { EnvironmentConfig } from "./types";

/** The prod-shaped cluster's servers (scripts/prodlike.sh): the host side of its machines' bridge. */
const servers = "172.26.96.1";

/**
 * `prod` on the prod-shaped cluster started by `scripts/prodlike.sh`: the same datacenter, ACLs, TLS and
 * Consul client agents as the stack's system job, with three Nomad clients in network namespaces. It
 * differs from `prod` in addresses, backend, task driver (raw_exec with the toolchain's Envoy: there
 * is no Docker engine) and Nomad generation: the open-source Nomad 1.6.1 reaches Consul with its
 * agents' tokens and Vault through the token role, where `prod` uses workload identity; a Nomad the
 * user brings (1.7+) gets workload identity here too, and transparent proxy from 1.8.
 */
export const prodlike: EnvironmentConfig = {
  ...prod,
  name: "prodlike",
  vault: { address: `https://${servers}:8200` },
  consul: {
    address: `https://${servers}:8501`,
    version: builtInConsulVersion(),
    retryJoin: [servers],
    // The script starts the Consul server in its state directory, where the CA lives at tls/ca.pem.
    vaultCaFile: "tls/ca.pem",
    serverCert: { certFile: "tls/consul-server.pem", keyFile: "tls/consul-server.key" },
    // The script's Nomad clients: each one's agent registers its own node only.
    agentNodes: ["client-1", "client-2", "client-3"],
    // Consul DNS leaves loopback only for the transparent-proxy demo on a Nomad >= 1.8 you bring.
    transparentProxyDns: builtInTransparentProxy(),
    // Each client's agent serves HTTPS and gRPC over TLS with its own certificate, beside the CA.
    agentCert: {
      certFile: "consul-agent-[[ env `node.unique.name` ]].pem",
      keyFile: "consul-agent-[[ env `node.unique.name` ]].key",
    },
  },
  nomad: { address: `https://${servers}:4646`, version: builtInNomadVersion() },
  ingress: { domain: "prodlike.meshstack.internal" },
  workloads: {
    driver: "raw_exec",
    envoyCommand: "envoy",
    // Envoy runs as nobody, apart from the workloads (which raw_exec runs as the Nomad agent's user):
    // transparent proxy exempts only the proxy's uid from redirection.
    envoyUser: { name: "nobody", uid: 65534 },
    demo: true,
    demoTransparentProxy: builtInTransparentProxy(),
    demoAcrossNodes: true,
  },
  // A team's state without HCP Terraform: Consul KV over TLS, locked by a Consul session. The token
  // (KV prefix and sessions only) comes from the backend config file the cluster script writes.
  backend: { type: "consul", address: `${servers}:8501`, path: "meshstack/prodlike" },
};
