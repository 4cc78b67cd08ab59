import { EnvironmentConfig } from "./types";

/** Shared staging cluster: ACLs on, Consul agents run as a Nomad system job, state in Consul KV. */
export const staging: EnvironmentConfig = {
  name: "staging",
  datacenter: "staging1",
  vault: { address: "https://vault.staging.example.internal:8200" },
  consul: {
    // The CA file on the Consul servers that signed Vault's certificate: the CA config verifies Vault.
    vaultCaFile: "/etc/consul.d/tls/vault-ca.pem",
    serverCert: { certFile: "/etc/consul.d/tls/server.pem", keyFile: "/etc/consul.d/tls/server-key.pem" },
    agentNodes: ["nomad-client-1", "nomad-client-2"],
    agentCert: { certFile: "/etc/consul.d/tls/agent.pem", keyFile: "/etc/consul.d/tls/agent-key.pem" },
    address: "https://consul.staging.example.internal:8501",
    version: "1.22.7", // the servers this team runs: current Consul
    retryJoin: ["consul.staging.example.internal"],
  },
  // Current Nomad: workload identity for Consul and Vault (the token flows are gone since 1.10).
  nomad: { address: "https://nomad.staging.example.internal:4646", version: "1.11.3" },
  pki: { leafCertTtl: "24h" },
  workloads: { demo: true },
  ingress: { domain: "staging.meshstack.internal" },
  backend: { type: "consul", address: "consul.staging.example.internal:8501", path: "meshstack/staging" },
};
