import { EnvironmentConfig } from "./types";

/** Shared staging cluster: ACLs on, Consul agents run as a Nomad system job, state in Consul KV. */
export const staging: EnvironmentConfig = {
  name: "staging",
  datacenter: "staging1",
  vault: { address: "https://vault.staging.example.internal:8200" },
  consul: {
    address: "https://consul.staging.example.internal:8501",
    retryJoin: ["consul.staging.example.internal"],
  },
  nomad: { address: "https://nomad.staging.example.internal:4646" },
  pki: { leafCertTtl: "24h" },
  workloads: { demo: true },
  ingress: { domain: "staging.meshstack.internal" },
  backend: { type: "consul", address: "consul.staging.example.internal:8501", path: "meshstack/staging" },
};
