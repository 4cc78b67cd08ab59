import { IntentionAction, Intentions } from "../../constructs/consul/intentions";
import { MeshDefaults } from "../../constructs/consul/mesh-defaults";
import { onlyResource, resourcesOf, synth, testStack } from "../helpers";

function entries(intentions: Intentions) {
  const json = synth(intentions.node.scope as ReturnType<typeof testStack>);
  return Object.fromEntries(
    Object.values(resourcesOf(json, "consul_config_entry_service_intentions")).map((e) => [e.name, e]),
  );
}

describe("Intentions", () => {
  test("adds a protected default-deny entry for * -> *", () => {
    const intentions = new Intentions(testStack(), "Intentions");
    expect(entries(intentions)["*"]).toEqual({
      name: "*",
      sources: [{ name: "*", action: "deny", description: "meshstack: default deny", precedence: 5 }],
      lifecycle: { prevent_destroy: true },
    });
  });

  test("records the owner in every entry's Meta, raw entries included; none by default", () => {
    const owned = new Intentions(testStack(), "Intentions", { owner: "team-shop" });
    owned.allow("web", "api").allow("web", "admin", { permissions: [{ pathPrefix: "/" }] });
    const json = synth(owned.node.scope as ReturnType<typeof testStack>);
    const typed = Object.values(resourcesOf(json, "consul_config_entry_service_intentions"));
    expect(typed.map((e) => [e.name, e.meta])).toEqual([
      ["*", { "meshstack-owner": "team-shop" }],
      ["api", { "meshstack-owner": "team-shop" }],
    ]);
    expect(JSON.parse(onlyResource(json, "consul_config_entry").config_json as string).Meta).toEqual({
      "meshstack-owner": "team-shop",
    });
    const plain = new Intentions(testStack(), "Intentions").allow("web", "api");
    expect(Object.values(entries(plain)).map((e) => (e as { meta?: unknown }).meta)).toEqual([
      undefined,
      undefined,
    ]);
  });

  test("renders one entry per destination with sorted sources", () => {
    // GIVEN
    const intentions = new Intentions(testStack(), "Intentions");
    // WHEN
    intentions.allow("web", "api").allow("traefik", "api").allow("api", "db");
    // THEN
    const byName = entries(intentions);
    expect(Object.keys(byName).sort()).toEqual(["*", "api", "db"]);
    expect(byName.api.sources).toEqual([
      { name: "traefik", action: "allow", description: "meshstack: traefik -> api", precedence: 9 },
      { name: "web", action: "allow", description: "meshstack: web -> api", precedence: 9 },
    ]);
    expect(byName.db.sources).toEqual([
      { name: "api", action: "allow", description: "meshstack: api -> db", precedence: 9 },
    ]);
  });

  test("puts edges to * into the default-deny entry: Consul keeps one entry per name", () => {
    // GIVEN an audit service that may call everything
    const intentions = new Intentions(testStack(), "Intentions");
    intentions.allow("audit", "*");
    // THEN there is still exactly one "*" entry, holding both the allow and the default deny
    const json = synth(intentions.node.scope as ReturnType<typeof testStack>);
    const wildcard = Object.values(resourcesOf(json, "consul_config_entry_service_intentions")).filter(
      (e) => e.name === "*",
    );
    expect(wildcard).toHaveLength(1);
    expect(wildcard[0].sources).toEqual([
      { name: "audit", action: "allow", description: "meshstack: audit -> *", precedence: 6 },
      { name: "*", action: "deny", description: "meshstack: default deny", precedence: 5 },
    ]);
    expect(intentions.decide("audit", "billing")).toBe(IntentionAction.ALLOW);
    expect(intentions.decide("web", "billing")).toBe(IntentionAction.DENY);
  });

  test("decides like Consul: declared edges allowed, everything else denied", () => {
    const intentions = new Intentions(testStack(), "Intentions");
    intentions.allow("web", "api").allow("*", "status").deny("intruder", "status");
    expect(intentions.decide("web", "api")).toBe(IntentionAction.ALLOW);
    expect(intentions.decide("api", "web")).toBe(IntentionAction.DENY);
    expect(intentions.decide("anyone", "status")).toBe(IntentionAction.ALLOW);
    expect(intentions.decide("intruder", "status")).toBe(IntentionAction.DENY);
    expect(intentions.decide("web", "db")).toBe(IntentionAction.DENY);
  });

  test("without default deny undeclared pairs are allowed", () => {
    const intentions = new Intentions(testStack(), "Intentions", { defaultDeny: false });
    expect(intentions.defaultDeny).toBeUndefined();
    expect(intentions.decide("a", "b")).toBe(IntentionAction.ALLOW);
    expect(entries(intentions)).toEqual({});
  });

  test("renders L7 permissions for http destinations", () => {
    const intentions = new Intentions(testStack(), "Intentions");
    intentions.allow("web", "api", {
      permissions: [{ pathExact: "/v1/counter", methods: ["GET"] }],
      description: "read-only",
    });
    expect(entries(intentions).api.sources).toEqual([
      {
        name: "web",
        description: "read-only",
        permissions: [{ action: "allow", http: [{ path_exact: "/v1/counter", methods: ["GET"] }] }],
        precedence: 9,
      },
    ]);
  });

  test("renders exact paths, and methods as Consul stores them (upper case)", () => {
    const intentions = new Intentions(testStack(), "Intentions");
    intentions.allow("web", "api", {
      permissions: [
        { pathExact: "/health", methods: ["get"] },
        { action: IntentionAction.DENY, pathExact: "/admin" },
      ],
    });
    expect(entries(intentions).api.sources[0].permissions).toEqual([
      { action: "allow", http: [{ path_exact: "/health", methods: ["GET"] }] },
      { action: "deny", http: [{ path_exact: "/admin" }] },
    ]);
  });

  test("a destination with prefix, regex or header permissions is a raw entry in Consul's own JSON", () => {
    // GIVEN permissions the provider's typed resource would send wrongly (consul provider 2.22.1)
    const stack = testStack();
    const intentions = new Intentions(stack, "Intentions");
    intentions.allow("batch", "api");
    intentions.allow("web", "api", {
      permissions: [
        { action: IntentionAction.DENY, pathPrefix: "/admin/" },
        { pathRegex: "/v[0-9]+/items", methods: ["get"] },
        {
          headers: [
            { name: "x-team", exact: "blue", ignoreCase: true },
            { name: "x-debug", present: true, invert: true },
          ],
        },
      ],
    });
    intentions.allow("*", "api");
    const json = synth(stack);
    // THEN the typed entry is gone and the raw one holds every source, as Consul stores them
    expect(
      Object.values(resourcesOf(json, "consul_config_entry_service_intentions")).map((e) => e.name),
    ).toEqual(["*"]);
    const raw = onlyResource(json, "consul_config_entry");
    expect(raw).toMatchObject({ kind: "service-intentions", name: "api" });
    expect(JSON.parse(raw.config_json as string).Sources).toEqual([
      {
        Name: "batch",
        Precedence: 9,
        Type: "consul",
        Description: "meshstack: batch -> api",
        Action: "allow",
      },
      {
        Name: "web",
        Precedence: 9,
        Type: "consul",
        Description: "meshstack: web -> api",
        Permissions: [
          { Action: "deny", HTTP: { PathPrefix: "/admin/" } },
          { Action: "allow", HTTP: { PathRegex: "/v[0-9]+/items", Methods: ["GET"] } },
          {
            Action: "allow",
            HTTP: {
              Header: [
                { Name: "x-team", Exact: "blue", IgnoreCase: true },
                { Name: "x-debug", Present: true, Invert: true },
              ],
            },
          },
        ],
      },
      { Name: "*", Precedence: 8, Type: "consul", Description: "meshstack: * -> api", Action: "allow" },
    ]);
    expect(intentions.entryFor("api")?.terraformResourceType).toBe("consul_config_entry");
  });

  test("with the mesh's defaults, an L7 entry waits for its destination's protocol entry; L4 entries do not", () => {
    const stack = testStack();
    const defaults = new MeshDefaults(stack, "Defaults");
    defaults.setServiceProtocol("api", "http");
    const intentions = new Intentions(stack, "Intentions", { defaults });
    intentions.allow("web", "api", { permissions: [{ methods: ["GET"] }] }).allow("web", "db");
    const byName = entries(intentions);
    expect(byName.api.depends_on).toEqual([
      expect.stringMatching(/^consul_config_entry_service_defaults\.Defaults_api_/),
    ]);
    expect(byName.db.depends_on).toBeUndefined();
  });

  test("with the mesh's defaults, permissions toward a tcp destination fail at synth", () => {
    const stack = testStack();
    const intentions = new Intentions(stack, "Intentions", { defaults: new MeshDefaults(stack, "Defaults") });
    intentions.allow("web", "db", { permissions: [{ methods: ["GET"] }] });
    expect(() => synth(stack)).toThrow(
      'Intentions test/Intentions: allow("web", "db") has L7 permissions but "db" speaks "tcp"',
    );
    expect(() => intentions.useDefaults(new MeshDefaults(stack, "Other"))).toThrow(
      /an intention graph follows one MeshDefaults/,
    );
  });

  test("exact paths and methods stay on the typed resource; mixing L4 and L7 for one pair is refused", () => {
    const intentions = new Intentions(testStack(), "Intentions");
    intentions.allow("web", "api", { permissions: [{ pathExact: "/health" }] });
    expect(intentions.entryFor("api")?.terraformResourceType).toBe("consul_config_entry_service_intentions");
    expect(() => intentions.allow("web", "api")).toThrow(
      'Intentions test/Intentions: allow("web", "api") mixes an L4 allow and L7 permissions for one pair',
    );
  });

  test("renders sources as Consul stores them: the precedence it computes, highest first", () => {
    // GIVEN a wildcard source next to exact ones ("*" sorts first by name)
    const intentions = new Intentions(testStack(), "Intentions");
    // WHEN
    intentions.allow("web", "api").allow("*", "api").deny("intruder", "api");
    // THEN exact sources (9) precede the wildcard (8), each group in name order, so the provider's
    // read-back (Consul's order and precedence) equals the configuration and the plan stays empty
    expect(
      entries(intentions).api.sources.map((s: { name: string; precedence: number }) => [
        s.name,
        s.precedence,
      ]),
    ).toEqual([
      ["intruder", 9],
      ["web", 9],
      ["*", 8],
    ]);
  });

  test("depends on what it is told to wait for", () => {
    const stack = testStack();
    const other = new Intentions(stack, "First", { defaultDeny: false });
    other.allow("a", "b");
    const intentions = new Intentions(stack, "Second", { dependsOn: [other.entryFor("b")!] });
    intentions.allow("c", "d");
    const json = synth(stack);
    const d = Object.values(resourcesOf(json, "consul_config_entry_service_intentions")).find(
      (e) => e.name === "d",
    );
    expect(d?.depends_on).toEqual([
      expect.stringMatching(/^consul_config_entry_service_intentions\.First_b_/),
    ]);
  });

  test("lists edges sorted by destination then source", () => {
    const intentions = new Intentions(testStack(), "Intentions");
    intentions.allow("z", "b").allow("a", "b").deny("x", "a");
    expect(intentions.edges.map((e) => `${e.source}->${e.destination}:${e.action}`)).toEqual([
      "x->a:deny",
      "a->b:allow",
      "z->b:allow",
    ]);
  });
});

describe("Intentions bad input", () => {
  const fresh = () => new Intentions(testStack(), "Intentions");
  test("fails when the same edge is declared twice", () => {
    const i = fresh().allow("web", "api");
    expect(() => i.allow("web", "api")).toThrow(
      'Intentions test/Intentions: allow("web", "api") is declared twice; remove the duplicate',
    );
  });
  test("fails when allow and deny conflict for one pair", () => {
    const i = fresh().allow("web", "api");
    expect(() => i.deny("web", "api")).toThrow(
      'Intentions test/Intentions: deny("web", "api") conflicts with the allow already declared for this pair; keep one of them',
    );
  });
  test("fails when a source name is invalid", () => {
    expect(() => fresh().allow("Web_1", "api")).toThrow(
      /Intentions test\/Intentions: source "Web_1" is not a valid service name/,
    );
  });
  test("fails when a destination name is invalid", () => {
    expect(() => fresh().allow("web", "")).toThrow(/destination "" is not a valid service name/);
  });
  test("fails when a service targets itself", () => {
    expect(() => fresh().allow("api", "api")).toThrow(
      'allow("api", "api"): a service always reaches itself; remove this edge',
    );
  });
  test("fails when declaring the wildcard pair", () => {
    expect(() => fresh().allow("*", "*")).toThrow(
      'allow("*", "*"): the wildcard pair is the default-deny entry; use defaultDeny instead',
    );
  });
});
