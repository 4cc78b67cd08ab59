import { EnvironmentConfig } from "./types";

/** Production: ACLs on, short leaf certificates, state in S3 with locking. */
export const prod: EnvironmentConfig = {
  name: "prod",
  datacenter: "prod1",
  vault: { address: "https://vault.prod.example.internal:8200" },
  consul: {
    // The CA file on the Consul servers that signed Vault's certificate: the CA config verifies Vault.
    vaultCaFile: "/etc/consul.d/tls/vault-ca.pem",
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
  },
};
