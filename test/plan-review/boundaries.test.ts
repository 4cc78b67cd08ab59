/**
 * Access across the mesh's boundary widens as an allow intention does: the review flags a new
 * peering (or a token for one), a service newly exported to a consumer, and a new external
 * destination behind a terminating gateway, and nothing that narrows them.
 */
import { exitCodeFor, summarizePlan } from "../../plan-review/summarize";
import { change, plan } from "./helpers";

const entry = (kind: string, name: string, config: object) => ({
  kind,
  name,
  config_json: JSON.stringify(config),
});
const exported = (services: Record<string, string[]>) =>
  entry("exported-services", "default", {
    Services: Object.entries(services).map(([Name, peers]) => ({
      Name,
      Consumers: peers.map((Peer) => ({ Peer })),
    })),
  });
const terminating = (...services: string[]) =>
  entry("terminating-gateway", "external-gw", { Services: services.map((Name) => ({ Name })) });
const critical = (changes: Parameters<typeof plan>[0]) =>
  summarizePlan(plan(changes)).critical.map((c) => [c.kind, c.address, c.message] as const);

describe("critical changes across the mesh's boundary", () => {
  test("a new peering, or a token that lets a peer in, is critical", () => {
    const found = critical([
      change("consul_peering_token.Dc2", ["create"], {
        after: { peer_name: "dc2", peering_token: "secret" },
      }),
      change("consul_peering.Dc1", ["create"], { after: { peer_name: "dc1", peering_token: "secret" } }),
    ]);
    expect(found.map(([kind, address]) => [kind, address])).toEqual([
      ["peering-added", "consul_peering_token.Dc2"],
      ["peering-added", "consul_peering.Dc1"],
    ]);
    expect(found[0]![2]).toContain("whoever holds it can peer with this datacenter");
    expect(found[1]![2]).toContain("**New peering** with `dc1`");
    // The token never reaches the review.
    expect(found.map(([, , message]) => message).join("\n")).not.toContain("secret");
  });

  test("each service newly exported to a peer is critical; one already exported is not", () => {
    const found = critical([
      change("consul_config_entry.Exports", ["update"], {
        before: exported({ api: ["dc2"] }),
        after: exported({ api: ["dc2", "dc3"], web: ["dc2"] }),
      }),
    ]);
    expect(found.map(([kind, , message]) => [kind, message.split(" (")[0]])).toEqual([
      ["service-exported", "**Service exported** `api → peer dc3`"],
      ["service-exported", "**Service exported** `web → peer dc2`"],
    ]);
  });

  test("exporting less, or dropping a linked external service, is not critical", () => {
    expect(
      critical([
        change("consul_config_entry.Exports", ["update"], {
          before: exported({ api: ["dc2", "dc3"] }),
          after: exported({ api: ["dc2"] }),
        }),
        change("consul_config_entry.Gateway", ["update"], {
          before: terminating("db", "billing"),
          after: terminating("db"),
        }),
      ]),
    ).toEqual([]);
  });

  test("the v2 exported-services resource counts the same", () => {
    const found = critical([
      change("consul_config_entry_v2_exported_services.Exports", ["create"], {
        after: { name: "exports", services: ["api"], peer_consumers: ["dc2"] },
      }),
    ]);
    expect(found.map(([kind, , message]) => [kind, message.split(" (")[0]])).toEqual([
      ["service-exported", "**Service exported** `api → peer dc2`"],
    ]);
  });

  test("a service newly linked to a terminating gateway is a new external destination", () => {
    const found = critical([
      change("consul_config_entry.Gateway", ["update"], {
        before: terminating("db"),
        after: terminating("db", "billing"),
      }),
    ]);
    expect(found).toEqual([
      [
        "external-destination",
        "consul_config_entry.Gateway",
        expect.stringContaining(
          "**External destination** `billing` through terminating gateway `external-gw`",
        ),
      ],
    ]);
  });

  test("a service newly linked by a terminating gateway job (Nomad writes its entry) is a new external destination", () => {
    const gatewayJob = (...linked: string[]) => ({
      name: "external-gw",
      jobspec: JSON.stringify({
        Job: {
          ID: "external-gw",
          TaskGroups: [
            {
              Name: "gateway",
              Services: [
                {
                  Name: "external-gw",
                  Connect: {
                    Gateway: { Proxy: {}, Terminating: { Services: linked.map((Name) => ({ Name })) } },
                  },
                },
              ],
            },
          ],
        },
      }),
    });
    const found = critical([
      change("nomad_job.Gateway", ["update"], {
        before: gatewayJob("db"),
        after: gatewayJob("db", "billing"),
      }),
    ]);
    expect(found.map(([kind, , message]) => [kind, message.split(" (")[0]])).toEqual([
      [
        "external-destination",
        "**External destination** `billing` through terminating gateway `external-gw`",
      ],
    ]);
  });

  test("an entry the plan cannot show is reported as not verifiable", () => {
    const found = critical([
      change("consul_config_entry.Exports", ["create"], {
        after: { kind: "exported-services", name: "default" },
        afterUnknown: { config_json: true },
      }),
    ]);
    expect(found).toEqual([
      [
        "service-exported",
        "consul_config_entry.Exports",
        expect.stringContaining("not verifiable, its entry is known only after apply"),
      ],
    ]);
  });

  test("the review exits 2 on them, as on a widened intention", () => {
    const reviewed = summarizePlan(
      plan([change("consul_config_entry.Gateway", ["create"], { after: terminating("db") })]),
    );
    expect(exitCodeFor(reviewed)).toBe(2);
  });
});
