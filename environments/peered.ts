import { EnvironmentConfig } from "./types";
import { prodlike } from "./prodlike";

/**
 * Two prod-shaped datacenters joined by cluster peering, each started by `scripts/prodlike.sh` as
 * `MESHSTACK_CLUSTER=peered-west` and `peered-east` (`npm run up -- peered` starts both and deploys
 * both stacks): its own OpenBao, Consul server, Nomad server and two clients on a bridge of its own.
 * `west` dials `east`; each runs the demo, and west's count-api fails over to east's through the mesh
 * gateways (Mode `local`: every call across goes through both gateways).
 */
function peered(datacenter: "west" | "east", net: string, dial: string[]): EnvironmentConfig {
  const servers = `${net}.1`;
  return {
    ...prodlike,
    name: `peered-${datacenter}`,
    datacenter,
    vault: { address: `https://${servers}:8200` },
    consul: {
      ...prodlike.consul,
      address: `https://${servers}:8501`,
      retryJoin: [servers],
      agentNodes: ["client-1", "client-2"],
    },
    nomad: { ...prodlike.nomad, address: `https://${servers}:4646` },
    ingress: { domain: `${datacenter}.peered.meshstack.internal` },
    workloads: { ...prodlike.workloads, demoAcrossPeers: dial.length > 0 },
    peering: { meshGatewayPort: 9443, dial },
    // Both stacks keep their state in west's Consul (one state token for the pair, as one team's).
    backend: { type: "consul", address: "172.26.128.1:8501", path: `meshstack/peered-${datacenter}` },
  };
}

/** The dialing datacenter: its count-api fails over to east's. */
export const peeredWest = peered("west", "172.26.128", ["peered-east"]);
/** The accepting datacenter. */
export const peeredEast = peered("east", "172.26.136", []);
