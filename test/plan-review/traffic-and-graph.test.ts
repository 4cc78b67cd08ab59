import { summarizePlan, EXIT_CODES, exitCodeFor } from "../../plan-review/summarize";
import { renderMermaid, accessGraphOf } from "../../plan-review/access-graph";
import { l7Rules, l7Widening } from "../../plan-review/l7-rules";
import type { JsonValue } from "../../plan-review/plan-json";
import { change, intentionSource, intentions, intentionsWith, plan } from "./helpers";

const ADDRESS = "consul_config_entry_service_intentions.greeter";

/** A typed L7 source as the provider reads it back (`permissions[].http[]`). */
function l7Source(
  source: string,
  permissions: { action: string; path_exact?: string; methods?: string[] }[],
) {
  return intentionSource("greeter", source, "allow", {
    action: "",
    permissions: permissions.map((p) => ({
      action: p.action,
      http: [
        {
          path_exact: p.path_exact ?? "",
          path_prefix: "",
          path_regex: "",
          methods: p.methods ?? [],
          headers: [],
        },
      ],
    })),
  });
}

const entry = (kind: string, name: string, body: object): JsonValue => ({
  id: `${kind}-${name}`,
  kind,
  name,
  namespace: null,
  partition: null,
  config_json: JSON.stringify(body),
});

const split = (v1: number, v2: number) =>
  entry("service-splitter", "greeter", {
    Splits: [
      { Weight: v1, ServiceSubset: "v1" },
      { Weight: v2, ServiceSubset: "v2" },
    ],
  });

describe("L7 rules", () => {
  test("read the same from the provider's blocks and from Consul's JSON", () => {
    const typed = l7Source("web", [
      { action: "deny", path_exact: "/admin" },
      { action: "allow", methods: ["GET", "HEAD"] },
    ]);
    const consul: JsonValue = {
      Name: "web",
      Permissions: [
        { Action: "deny", HTTP: { PathExact: "/admin" } },
        { Action: "allow", HTTP: { Methods: ["GET", "HEAD"] } },
      ],
    };
    expect(l7Rules(typed)).toEqual(l7Rules(consul));
    expect(l7Rules(consul).map((r) => [r.action, r.path, r.methods])).toEqual([
      ["deny", "/admin", []],
      ["allow", undefined, ["GET", "HEAD"]],
    ]);
  });

  test("widening: rules removed, an allow added, a deny dropped, the order changed", () => {
    const get = { action: "allow" as const, methods: ["GET"], headers: [] };
    const admin = { action: "deny" as const, methods: [], path: "/admin", headers: [] };
    const post = { action: "allow" as const, methods: ["POST"], headers: [] };
    expect(l7Widening([admin, get], [])).toBe(
      "L7 rules removed (deny /admin; allow GET): every request is allowed",
    );
    expect(l7Widening([admin, get], [admin, get, post])).toBe("+ allow POST");
    expect(l7Widening([admin, get], [get])).toBe("- deny /admin");
    expect(l7Widening([admin, get], [get, admin])).toMatch(/^rules reordered/);
    // Narrowing and no change are not widening; nor is L4 → L7.
    expect(l7Widening([admin, get, post], [admin, get])).toBeUndefined();
    expect(l7Widening([admin, get], [admin, get])).toBeUndefined();
    expect(l7Widening([], [admin, get])).toBeUndefined();
  });
});

describe("plan review of L7 permissions", () => {
  const update = (before: JsonValue, after: JsonValue) =>
    plan([
      change(ADDRESS, ["update"], {
        before: intentionsWith("greeter", [before]),
        after: intentionsWith("greeter", [after]),
      }),
    ]);

  test("a new allowed method on an edge that stays is critical, named with the rule", () => {
    const summary = summarizePlan(
      update(
        l7Source("web", [{ action: "allow", methods: ["GET"] }]),
        l7Source("web", [
          { action: "allow", methods: ["GET"] },
          { action: "allow", methods: ["POST"] },
        ]),
      ),
    );
    expect(summary.critical.map((c) => [c.kind, c.message])).toEqual([
      ["l7-widened", "**L7 rules widened**: `web` → `greeter`: `+ allow POST` (`" + ADDRESS + "`)"],
    ]);
    expect(exitCodeFor(summary)).toBe(EXIT_CODES.critical);
  });

  test("replacing L7 rules by a plain allow is critical; adding rules to a plain allow is not", () => {
    const l7 = l7Source("web", [{ action: "allow", path_exact: "/hello" }]);
    const l4 = intentionSource("greeter", "web", "allow");
    expect(summarizePlan(update(l7, l4)).critical.map((c) => c.kind)).toEqual(["l7-widened"]);
    expect(summarizePlan(update(l4, l7)).critical).toEqual([]);
  });
});

describe("plan review of traffic entries", () => {
  const address = "consul_config_entry.Mesh_Routing-greeter_Splitter_1";

  test("a split change is listed with its weights before and after", () => {
    const summary = summarizePlan(
      plan([change(address, ["update"], { before: split(90, 10), after: split(50, 50) })]),
    );
    expect(summary.traffic).toEqual([
      {
        address,
        service: "greeter",
        kind: "service-splitter",
        before: "v1 90 % · v2 10 %",
        after: "v1 50 % · v2 50 %",
      },
    ]);
    expect(summary.markdown).toContain("### Traffic (1)");
    expect(summary.markdown).toContain("- `greeter` split: `v1 90 % · v2 10 %` → `v1 50 % · v2 50 %`");
    // A weight shift moves requests, not permissions: not critical.
    expect(summary.critical).toEqual([]);
  });

  test("routes are listed one per line with their match and destination; an unchanged entry is not", () => {
    const router = (routes: object[]) => entry("service-router", "greeter", { Routes: routes });
    const v2 = { Match: { HTTP: { PathPrefix: "/v2/" } }, Destination: { ServiceSubset: "v2" } };
    const header = {
      Match: { HTTP: { Header: [{ Name: "x-canary", Exact: "always" }], Methods: ["GET"] } },
      Destination: { Service: "legacy" },
    };
    const summary = summarizePlan(
      plan([
        change("consul_config_entry.router", ["create"], { after: router([v2, header]) }),
        change("consul_config_entry.same", ["no-op"], { before: split(90, 10), after: split(90, 10) }),
      ]),
    );
    expect(summary.traffic.map((t) => [t.kind, t.before, t.after])).toEqual([
      ["service-router", undefined, "/v2/* → v2; GET x-canary=always → legacy"],
    ]);
  });
});

describe("access graph", () => {
  const resources = () => [
    change("consul_config_entry_service_intentions.dd", ["no-op"], {
      before: intentions("*", [["*", "deny"]]),
      after: intentions("*", [["*", "deny"]]),
    }),
    change(ADDRESS, ["update"], {
      before: intentionsWith("greeter", [intentionSource("greeter", "old", "allow")]),
      after: intentionsWith("greeter", [
        l7Source("web", [
          { action: "deny", path_exact: "/admin" },
          { action: "allow", methods: ["GET"] },
        ]),
      ]),
    }),
    change("consul_config_entry_service_intentions.web", ["no-op"], {
      before: intentions("web", [
        ["traefik", "allow"],
        ["batch", "deny"],
      ]),
      after: intentions("web", [
        ["traefik", "allow"],
        ["batch", "deny"],
      ]),
    }),
    change("consul_config_entry.splitter", ["create"], { after: split(90, 10) }),
    change("consul_config_entry.router", ["no-op"], {
      before: entry("service-router", "greeter", {
        Routes: [{ Match: { HTTP: { PathPrefix: "/v2/" } }, Destination: { ServiceSubset: "v2" } }],
      }),
      after: entry("service-router", "greeter", {
        Routes: [{ Match: { HTTP: { PathPrefix: "/v2/" } }, Destination: { ServiceSubset: "v2" } }],
      }),
    }),
  ];

  test("holds the allowed edges after the plan, marked kept, added or removed, with their L7 rules", () => {
    const graph = summarizePlan(plan(resources())).graph;
    expect(graph.edges).toEqual([
      { source: "old", destination: "greeter", change: "removed", rules: undefined },
      { source: "web", destination: "greeter", change: "added", rules: "deny /admin; allow GET" },
      { source: "traefik", destination: "web", change: "kept", rules: undefined },
    ]);
    expect(graph.defaultDeny).toBe(true);
    expect(graph.versions.get("greeter")).toEqual([
      { name: "v1", weight: 90, routes: [] },
      { name: "v2", weight: 10, routes: ["/v2/*"] },
    ]);
  });

  test("draws Mermaid: versions in the service's box, added edges thick and green, removed ones dashed", () => {
    const mermaid = renderMermaid(accessGraphOf(summarizePlan(plan(resources())).resources));
    expect(mermaid.split("\n")).toEqual([
      "flowchart LR",
      '  subgraph s0["greeter"]',
      '    s0_0["v1 · 90 %"]',
      '    s0_1["v2 · 10 % · /v2/*"]',
      "  end",
      '  s1["old"]',
      '  s2["traefik"]',
      '  s3["web"]',
      "  s1 -.-> s0",
      '  s3 ==>|"deny /admin; allow GET"| s0',
      "  s2 --> s3",
      "  linkStyle 0 stroke:#cf222e,stroke-dasharray:5 5",
      "  linkStyle 1 stroke:#1a7f37,stroke-width:3px",
    ]);
  });

  test("the review carries the diagram; a plan removing the default deny says so", () => {
    const withDeny = summarizePlan(plan(resources())).markdown;
    expect(withDeny).toContain("### Access graph after this plan\n\n```mermaid\nflowchart LR");
    expect(withDeny).toContain("everything else is denied");
    const removing = change("consul_config_entry_service_intentions.dd", ["delete"], {
      before: intentions("*", [["*", "deny"]]),
    });
    const without = summarizePlan(plan([removing, ...resources().slice(1)])).markdown;
    expect(without).toContain("**no default deny**");
  });

  test("an app repository's plan, which never holds the `*` entry, says the platform holds it", () => {
    const graph = summarizePlan(plan(resources().slice(1))).graph;
    expect(graph).toMatchObject({ defaultDeny: false, holdsWildcard: false });
    expect(summarizePlan(plan(resources().slice(1))).markdown).toContain(
      "the `*` → `*` rule is not in this plan (a platform repository holds it)",
    );
  });

  test("labels cannot break out of Mermaid's quotes", () => {
    const graph = {
      edges: [{ source: 'a"b', destination: "c<d>", change: "kept" as const, rules: 'allow "x"' }],
      versions: new Map(),
      defaultDeny: true,
      holdsWildcard: true,
    };
    expect(renderMermaid(graph)).toBe(
      ["flowchart LR", '  s0["a#quot;b"]', '  s1["c#lt;d#gt;"]', '  s0 -->|"allow #quot;x#quot;"| s1'].join(
        "\n",
      ),
    );
  });
});
