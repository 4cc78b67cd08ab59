/**
 * Access across repositories: the review holds a plan's upstreams against the intentions Consul
 * holds, and the plan's own allows against the services that exist.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../plan-review/cli";
import { consulAccessFrom } from "../../plan-review/consul-read";
import {
  ConsulIntentionsView,
  crossRepoAccess,
  crossRepoMarkdown,
  OWNER_META_KEY,
} from "../../plan-review/grants";
import { OWNER_META_KEY as CONSTRUCTS_OWNER_KEY } from "../../constructs/consul/intentions";
import type { JsonValue, PlanAction } from "../../plan-review/plan-json";
import { change, intentionSource, intentionsWith, plan } from "./helpers";

/** A nomad_job change whose jobspec registers `service` with sidecar upstreams. */
function job(service: string, upstreams: string[], actions: PlanAction[] = ["create"]) {
  const spec = {
    Job: {
      ID: service,
      TaskGroups: [
        {
          Name: service,
          Services: [
            {
              Name: service,
              Connect: {
                SidecarService: { Proxy: { Upstreams: upstreams.map((d) => ({ DestinationName: d })) } },
              },
            },
          ],
        },
      ],
    },
  };
  const value = { jobspec: JSON.stringify(spec) };
  return change(`nomad_job.${service}`, actions, {
    before: actions.includes("create") ? undefined : value,
    after: actions.includes("delete") ? undefined : value,
  });
}

/** A service-intentions entry as Consul's API returns it. */
function consulEntry(name: string, sources: [string, "allow" | "deny"][], owner?: string): JsonValue {
  return {
    Kind: "service-intentions",
    Name: name,
    Sources: sources.map(([s, a]) => ({ Name: s, Action: a, Precedence: 9, Type: "consul" })),
    ...(owner ? { Meta: { [OWNER_META_KEY]: owner } } : {}),
  };
}

const DEFAULT_DENY = consulEntry("*", [["*", "deny"]]);

function view(entries: JsonValue[], services: string[] = []): ConsulIntentionsView {
  return { entries, services };
}

describe("crossRepoAccess", () => {
  test("an upstream to another repo's service that Consul denies is a missing grant naming its owner", () => {
    // GIVEN the shop plan: web calls api (its own) and payments (billing's, which allows only orders)
    const shop = plan([
      job("web", ["api", "payments"]),
      job("api", []),
      change("consul_config_entry_service_intentions.api", ["create"], {
        after: intentionsWith("api", [intentionSource("api", "web", "allow")]),
      }),
    ]);
    const consul = view(
      [DEFAULT_DENY, consulEntry("payments", [["orders", "allow"]], "billing")],
      ["orders"],
    );
    // WHEN
    const access = crossRepoAccess(shop, consul);
    // THEN only web → payments is reported, decided by the default deny, owned by billing
    expect(access).toEqual({
      missing: [{ source: "web", destination: "payments", decidedBy: "* → *", owner: "billing" }],
      stale: [],
      checked: 2,
    });
    const markdown = crossRepoMarkdown(access);
    expect(markdown).toContain("### Access across repositories");
    expect(markdown).toContain(
      '| `web` | `payments` | `* → *` (deny) | `billing`: `allowFrom("web")` on `payments` |',
    );
  });

  test("once the owner allows the caller in Consul, nothing is reported", () => {
    const shop = plan([job("web", ["payments"], ["no-op"])]);
    const consul = view([DEFAULT_DENY, consulEntry("payments", [["web", "allow"]], "billing")], ["web"]);
    const access = crossRepoAccess(shop, consul);
    expect(access).toEqual({ missing: [], stale: [], checked: 1 });
    expect(crossRepoMarkdown(access)).toContain("✅ Consul's intentions allow all 1 call(s)");
  });

  test("follows Consul's precedence: an exact deny beats a wildcard allow; * → dest beats * → *", () => {
    const shop = plan([job("web", ["a", "b", "c"])]);
    const consul = view([
      DEFAULT_DENY,
      consulEntry("a", [
        ["*", "allow"],
        ["web", "deny"],
      ]),
      consulEntry("b", [["*", "allow"]]),
    ]);
    const { missing } = crossRepoAccess(shop, consul);
    expect(missing.map((m) => [m.destination, m.decidedBy, m.owner])).toEqual([
      ["a", "web → a", undefined],
      ["c", "* → *", undefined],
    ]);
    expect(crossRepoMarkdown(crossRepoAccess(shop, consul))).toContain(
      'the repository that owns `c`: `allowFrom("web")`',
    );
  });

  test("without any intention the default policy decides, and the review says so", () => {
    const { missing } = crossRepoAccess(plan([job("web", ["api"])]), view([]));
    expect(missing).toEqual([{ source: "web", destination: "api", decidedBy: undefined, owner: undefined }]);
    expect(crossRepoMarkdown({ missing, stale: [], checked: 1 })).toContain(
      "no intention (the default policy)",
    );
  });

  test("the plan's own entries replace Consul's: a grant the plan removes is missing, one it adds is not", () => {
    // GIVEN Consul still allows web → api, but the plan deletes api's entry; and adds web → db
    const shop = plan([
      job("web", ["api", "db"], ["no-op"]),
      change("consul_config_entry_service_intentions.api", ["delete"], {
        before: intentionsWith("api", [intentionSource("api", "web", "allow")]),
      }),
      change("consul_config_entry_service_intentions.db", ["create"], {
        after: intentionsWith("db", [intentionSource("db", "web", "allow")]),
      }),
    ]);
    const consul = view([DEFAULT_DENY, consulEntry("api", [["web", "allow"]], "shop")], ["web"]);
    expect(crossRepoAccess(shop, consul).missing).toEqual([
      { source: "web", destination: "api", decidedBy: "* → *", owner: "this plan" },
    ]);
    expect(crossRepoMarkdown(crossRepoAccess(shop, consul))).toContain(
      'this repository: `allowFrom("web")` on `api`',
    );
  });

  test("an allow of the plan whose caller is neither in Consul's catalog nor in the plan is stale", () => {
    const entry = intentionsWith("payments", [
      intentionSource("payments", "web", "allow"),
      intentionSource("payments", "orders", "allow"),
      intentionSource("payments", "*", "deny"),
      intentionSource("payments", "legacy", "deny"),
      intentionSource("payments", "partner", "allow", { peer: "dc2" }),
    ]);
    const billing = plan([
      job("payments", [], ["no-op"]),
      change("consul_config_entry_service_intentions.payments", ["no-op"], { before: entry, after: entry }),
    ]);
    // web is gone (its repo was destroyed); orders runs; a deny and a peer's caller are never stale
    const access = crossRepoAccess(billing, view([DEFAULT_DENY], ["orders", "payments"]));
    expect(access.stale).toEqual([{ source: "web", destination: "payments" }]);
    expect(crossRepoMarkdown(access)).toContain("- `payments` allows `web`");
  });

  test("a caller declared in the same plan is not stale before it registers", () => {
    const shop = plan([
      job("web", ["api"]),
      job("api", []),
      change("consul_config_entry_service_intentions.api", ["create"], {
        after: intentionsWith("api", [intentionSource("api", "web", "allow")]),
      }),
    ]);
    expect(crossRepoAccess(shop, view([DEFAULT_DENY]))).toEqual({ missing: [], stale: [], checked: 1 });
  });

  test("jobs being destroyed declare no calls, and jobspecs known only after apply are skipped", () => {
    const unknown = change("nomad_job.later", ["create"], { after: {}, afterUnknown: { jobspec: true } });
    const access = crossRepoAccess(plan([job("web", ["api"], ["delete"]), unknown]), view([DEFAULT_DENY]));
    expect(access).toEqual({ missing: [], stale: [], checked: 0 });
  });

  test("the Meta key is the one meshstack's Intentions write", () => {
    expect(OWNER_META_KEY).toBe(CONSTRUCTS_OWNER_KEY);
  });
});

describe("--consul-grants", () => {
  const project = mkdtempSync(join(tmpdir(), "meshstack-grants-"));
  const file = join(project, "plan.json");
  writeFileSync(file, JSON.stringify(plan([job("web", ["payments"])])));

  test("appends the section from Consul's view, read with the CLI's environment", async () => {
    let stdout = "";
    let asked: unknown;
    const code = await main(["app", "--plan-json", file, "--consul-grants"], {
      cwd: project,
      env: { CONSUL_HTTP_ADDR: "127.0.0.1:8500", CONSUL_HTTP_TOKEN: "read-only" },
      stdout: (text) => (stdout += text),
      stderr: () => {},
      exec: () => "",
      readConsul: async (access) => {
        asked = access;
        return view([DEFAULT_DENY]);
      },
    });
    expect(code).toBe(0); // a missing grant is for the reviewer to read, not a failed review
    expect(asked).toEqual({ address: "http://127.0.0.1:8500", token: "read-only", caFile: undefined });
    expect(stdout).toContain("| `web` | `payments` | `* → *` (deny) |");
  });

  test("fails with 1, saying what it needs, without CONSUL_HTTP_ADDR", async () => {
    let stderr = "";
    const code = await main(["app", "--plan-json", file, "--consul-grants"], {
      cwd: project,
      env: {},
      stdout: () => {},
      stderr: (text) => (stderr += text),
      exec: () => "",
    });
    expect(code).toBe(1);
    expect(stderr).toContain("--consul-grants and --audit need CONSUL_HTTP_ADDR");
  });

  test("reads the address as the Consul CLI does: https with CONSUL_HTTP_SSL, the CA from CONSUL_CACERT", () => {
    expect(
      consulAccessFrom({
        CONSUL_HTTP_ADDR: "consul:8501",
        CONSUL_HTTP_SSL: "true",
        CONSUL_CACERT: "/ca.pem",
      }),
    ).toEqual({ address: "https://consul:8501", token: undefined, caFile: "/ca.pem" });
    expect(consulAccessFrom({ CONSUL_HTTP_ADDR: "https://c:8501" }).address).toBe("https://c:8501");
  });
});
