import { EnvironmentConfig } from "./types";

/** Production: ACLs on, short leaf certificates, state in S3 with locking. */
export const prod: EnvironmentConfig = {
  name: "prod",
  datacenter: "prod1",
  vault: { address: "https://vault.prod.example.internal:8200" },
  consul: {
    address: "https://consul.prod.example.internal:8501",
    retryJoin: [
      "consul-1.prod.example.internal",
      "consul-2.prod.example.internal",
      "consul-3.prod.example.internal",
    ],
  },
  nomad: { address: "https://nomad.prod.example.internal:4646" },
  pki: { leafCertTtl: "24h", intermediateCertTtl: "2160h" },
  ingress: { domain: "prod.example.internal" },
  backend: {
    type: "s3",
    bucket: "example-terraform-state",
    key: "meshstack/prod.tfstate",
    region: "eu-west-1",
  },
};
