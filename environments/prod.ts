import { EnvironmentConfig } from "./types";

/** Production: ACLs on, short leaf certificates, state in S3 with locking. */
export const prod: EnvironmentConfig = {
  name: "prod",
  datacenter: "prod1",
  vault: { address: "https://vault.prod.example.internal:8200" },
  consul: {
    // The CA file on the Consul servers that signed Vault's certificate: the CA config verifies Vault.
    vaultCaFile: "/etc/consul.d/tls/vault-ca.pem",
    // The Connect CA logs in to Vault with the servers' certificates: no CA token in state.
    serverCert: { certFile: "/etc/consul.d/tls/server.pem", keyFile: "/etc/consul.d/tls/server-key.pem" },
    // Each Nomad client's agent gets a token for its own node only.
    agentNodes: ["nomad-client-1", "nomad-client-2", "nomad-client-3"],
    // Each node's own certificate: Envoy reaches its agent's xDS over TLS.
    agentCert: { certFile: "/etc/consul.d/tls/agent.pem", keyFile: "/etc/consul.d/tls/agent-key.pem" },
    address: "https://consul.prod.example.internal:8501",
    version: "1.22.7", // the servers this team runs: current Consul
    retryJoin: [
      "consul-1.prod.example.internal",
      "consul-2.prod.example.internal",
      "consul-3.prod.example.internal",
    ],
  },
  // Current Nomad: workload identity for Consul and Vault (the token flows are gone since 1.10).
  nomad: { address: "https://nomad.prod.example.internal:4646", version: "1.11.3" },
  pki: { leafCertTtl: "24h", intermediateCertTtl: "2160h" },
  ingress: { domain: "prod.example.internal" },
  backend: {
    type: "s3",
    bucket: "example-terraform-state",
    key: "meshstack/prod.tfstate",
    region: "eu-west-1",
    // The state holds the gossip key and Consul tokens: a key of the team's own, not S3's default.
    kmsKeyId: "alias/meshstack-terraform-state",
  },
};
