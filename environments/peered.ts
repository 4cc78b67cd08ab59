import { EnvironmentConfig } from "./types";
import { prodlike } from "./prodlike";

/** Where a peered pair runs: each datacenter's /24 (servers on .1) and the prefix of their stacks' names. */
export type PeeredPairSite = {
  /** First three octets of west's network, e.g. "172.26.128". */
  readonly westNet: string;
  /** First three octets of east's network. */
  readonly eastNet: string;
  /** Stack and environment names: `<prefix>-west`, `<prefix>-east`. */
  readonly prefix: string;
};

/**
 * Two prod-shaped datacenters joined by cluster peering, each started by `scripts/prodlike.sh`
 * (`MESHSTACK_CLUSTER=peered-west`, `peered-east`; `npm run up -- peered` starts both and deploys
 * both stacks): its own OpenBao, Consul server, Nomad server and two clients on a bridge of its own.
 * `west` dials `east`; each runs the demo, and west's count-api fails over to east's through the mesh
 * gateways (Mode `local`: every call across goes through both gateways). Both stacks keep their state
 * in west's Consul, under one state token.
 */
export function peeredPair(site: PeeredPairSite): [west: EnvironmentConfig, east: EnvironmentConfig] {
  const stateServer = `${site.westNet}.1:8501`;
  const datacenter = (dc: "west" | "east", net: string, dial: string[]): EnvironmentConfig => {
    const servers = `${net}.1`;
    const name = `${site.prefix}-${dc}`;
    return {
      ...prodlike,
      name,
      datacenter: dc,
      vault: { address: `https://${servers}:8200` },
      consul: {
        ...prodlike.consul,
        address: `https://${servers}:8501`,
        retryJoin: [servers],
        agentNodes: ["client-1", "client-2"],
      },
      nomad: { ...prodlike.nomad, address: `https://${servers}:4646` },
      ingress: { domain: `${name}.meshstack.internal` },
      workloads: { ...prodlike.workloads, demoAcrossPeers: dial.length > 0 },
      peering: { meshGatewayPort: 9443, dial },
      backend: { type: "consul", address: stateServer, path: `meshstack/${name}` },
    };
  };
  return [datacenter("west", site.westNet, [`${site.prefix}-east`]), datacenter("east", site.eastNet, [])];
}

/** The pair `npm run up -- peered` runs (scripts/prodlike.sh's peered-west and peered-east). */
export const [peeredWest, peeredEast] = peeredPair({
  westNet: "172.26.128",
  eastNet: "172.26.136",
  prefix: "peered",
});
