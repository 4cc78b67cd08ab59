import { PkiMountOwnership } from "../constructs/vault/connect-ca-pki";
import { builtInConsulVersion, builtInNomadVersion } from "./built-in-cluster";
import { EnvironmentConfig } from "./types";

/**
 * The built-in local cluster started by `scripts/cluster.sh` (dev-mode OpenBao, Consul and Nomad on
 * loopback). Consul runs as a dev agent (Nomad's Connect needs it before any job runs), ACLs are off,
 * and workloads use raw_exec because there is no Docker engine. Its Nomad is the open-source 1.6.1
 * (Vault through the `nomad-cluster` token role) unless the user brings another.
 */
export const local: EnvironmentConfig = {
  name: "local",
  datacenter: "dc1",
  vault: { address: "http://127.0.0.1:8200" },
  consul: {
    address: "http://127.0.0.1:8500",
    version: builtInConsulVersion(),
    aclsEnabled: false,
    agentJob: false,
  },
  nomad: { address: "http://127.0.0.1:4646", version: builtInNomadVersion() },
  pki: { ownership: PkiMountOwnership.TERRAFORM, intermediateCertTtl: "8760h", leafCertTtl: "72h" },
  // The dashboard's host port is a shortcut on loopback; shared clusters reach it through Traefik only.
  workloads: { driver: "raw_exec", envoyCommand: "envoy", demo: true, demoCanary: true, demoHostPort: 9002 },
  // Graph rules the demo keeps (checked at synth, in plan review and by the audit): only the
  // dashboard calls count-api, the ingress reaches it only through the dashboard, no wildcard allows.
  accessRules: [
    { kind: "onlyFrom", to: "count-api", sources: ["count-dashboard"] },
    { kind: "forbid", from: "traefik", to: "count-api" },
    { kind: "noWildcardSources" },
  ],
  // Lives with the dev cluster's own state: `npm run down` discards both together.
  backend: { type: "local", path: ".local/cluster/terraform.tfstate" },
};
