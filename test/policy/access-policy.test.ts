import { TerraformStack } from "cdktf";
import { AccessPolicy } from "../../constructs/policy/access-policy";
import { AccessRule, accessViolations } from "../../constructs/policy/rules";
import { MeshDefaults } from "../../constructs/consul/mesh-defaults";
import { ExternalService, MeshService, ServiceMesh } from "../../constructs/mesh";
import { TaskDriver, TraefikIngress } from "../../constructs";
import { synth, testStack } from "../helpers";

/** A shop: the ingress exposes web, web calls api, api calls db and a route of api sends /pay to payments. */
function shop(stack: TerraformStack = testStack()) {
  const ingress = new TraefikIngress(stack, "Traefik", { httpPort: 8080 });
  const mesh = new ServiceMesh(stack, "Mesh", {
    ingress,
    defaults: new MeshDefaults(stack, "Defaults", { protocol: "http" }),
  });
  const service = (name: string, expose = false) =>
    new MeshService(stack, name, {
      mesh,
      port: 9000,
      tasks: [{ name, driver: TaskDriver.docker({ image: `example/${name}:1` }) }],
      expose: expose ? { http: { host: `${name}.example.com` } } : undefined,
    });
  const web = service("web", true);
  const api = service("api");
  const db = service("db");
  const payments = service("payments");
  web.connectTo(api, { localBindPort: 9001 });
  api.connectTo(db, { localBindPort: 9002 });
  return { stack, mesh, ingress, web, api, db, payments };
}

const policy = (mesh: ServiceMesh) => new AccessPolicy(mesh, "Policy", { mesh });

describe("AccessPolicy rules on the declared graph", () => {
  test("a graph that keeps every rule synthesizes, and the rules are listed as written", () => {
    const { stack, mesh, ingress, db, payments } = shop();
    const p = policy(mesh)
      .forbid({ from: ingress, to: db })
      .forbidPath({ from: ingress, to: payments })
      .onlyFrom(db, ["api"])
      .noWildcardSources();
    expect(p.violations()).toEqual([]);
    expect(() => synth(stack)).not.toThrow();
    expect(p.rules).toEqual([
      { kind: "forbid", from: "traefik", to: "db" },
      { kind: "forbidPath", from: "traefik", to: "payments" },
      { kind: "onlyFrom", to: "db", sources: ["api"] },
      { kind: "noWildcardSources" },
    ]);
  });

  test("forbidPath names every hop of the offending path, through a chain of relations", () => {
    const { mesh, ingress, db } = shop();
    const [v] = policy(mesh).forbidPath({ from: ingress, to: db }).violations();
    expect(v.rule).toBe("forbidPath(traefik → db)");
    expect(v.edges).toEqual(["traefik → web", "web → api", "api → db"]);
    expect(v.message).toBe(
      "rule forbidPath(traefik → db) is broken: traefik reaches db through traefik → web, web → api, api → db; " +
        "remove one of these relations (or the route that made one), or the rule",
    );
  });

  test("a route counts: its caller reaches the route's target, and the hop says which route", () => {
    const { mesh, ingress, web, payments } = shop();
    web.routeTraffic({ pathPrefix: "/pay/" }, { service: payments });
    // The ingress does not call web through web's chain (it dials instances), so: web's callers.
    const caller = new MeshService(mesh, "mobile", {
      mesh,
      port: 9000,
      tasks: [{ name: "mobile", driver: TaskDriver.docker({ image: "example/mobile:1" }) }],
    });
    caller.connectTo(web, { localBindPort: 9005 });
    const [v] = policy(mesh).forbidPath({ from: caller, to: payments }).violations();
    expect(v.edges).toEqual(["mobile → payments (routed by web)"]);
    expect(violationsOf(mesh, { kind: "forbidPath", from: ingress.serviceName, to: "payments" })).toEqual([]);
  });

  test("forbid sees the direct edge and a wildcard allow alike", () => {
    const { mesh, web, db } = shop();
    expect(policy(mesh).forbid({ from: web, to: db }).violations()).toEqual([]);
    mesh.intentions.allow("*", "db");
    const [v] = violationsOf(mesh, { kind: "forbid", from: web.serviceName, to: db.serviceName });
    expect(v.edges).toEqual(["* → db"]);
    expect(v.message).toMatch(
      /lets web call db; remove the relation that declares it \(or the wildcard allow\)/,
    );
  });

  test("an exact deny beats a wildcard allow, as in Consul", () => {
    const { mesh, web, db } = shop();
    mesh.intentions.allow("*", "db").deny("web", "db");
    expect(policy(mesh).forbid({ from: web, to: db }).violations()).toEqual([]);
  });

  test("onlyFrom lists every other allowed source, wildcard and peer sources included", () => {
    const { mesh, web, db } = shop();
    web.connectTo(db, { localBindPort: 9003 });
    mesh.intentions.allow("api", "db", { peer: "east", description: "d" });
    const [v] = policy(mesh).onlyFrom(db, ["api"]).violations();
    expect(v.edges).toEqual(["api@east → db", "web → db"]);
    expect(violationsOf(mesh, { kind: "onlyFrom", to: "db", sources: ["api", "web", "api@east"] })).toEqual(
      [],
    );
  });

  test("noWildcardSources names each wildcard allow; the default deny is no violation", () => {
    const { mesh } = shop();
    expect(policy(mesh).noWildcardSources().violations()).toEqual([]);
    mesh.intentions.allow("*", "api");
    expect(violationsOf(mesh, { kind: "noWildcardSources" })[0].edges).toEqual(["* → api"]);
  });

  test("requireL7 accepts permissions only, and names the plain allows", () => {
    const { mesh, web, db } = shop();
    const [v] = policy(mesh).requireL7(db).violations();
    expect(v.edges).toEqual(["api → db"]);
    const { mesh: other, web: w2, api: a2 } = shop();
    void web;
    void a2;
    w2.connectTo("db", { localBindPort: 9009, permissions: [{ pathPrefix: "/read/", methods: ["GET"] }] });
    expect(policy(other).requireL7("db").violations()[0].edges).toEqual(["api → db"]);
  });

  test("a broken rule fails synth with the rule, the path and the fix", () => {
    const { stack, mesh, ingress, db } = shop();
    policy(mesh).forbidPath({ from: ingress, to: db });
    expect(() => synth(stack)).toThrow(
      /AccessPolicy test\/Mesh\/Policy: rule forbidPath\(traefik → db\) is broken: traefik reaches db through traefik → web, web → api, api → db/,
    );
  });

  test("rules name external services and peer services too", () => {
    const { mesh, api } = shop();
    const card = new ExternalService(mesh, "Card", { mesh, name: "card", address: "10.0.0.9", port: 443 });
    api.connectTo(card, { localBindPort: 9010 });
    expect(policy(mesh).forbid({ from: api, to: card }).violations()[0].edges).toEqual(["api → card"]);
  });
});

/** A second policy on the same mesh (a construct id of its own). */
const policy2 = (mesh: ServiceMesh) => new AccessPolicy(mesh, "Policy2", { mesh });
/** One rule evaluated on the mesh's graph as it is now (the pure function every checker shares). */
const violationsOf = (mesh: ServiceMesh, rule: AccessRule) =>
  accessViolations([rule], mesh.intentions.edges, mesh.serviceNames);

describe("AccessPolicy bad input", () => {
  const { mesh } = shop();
  const p = policy(mesh);
  test.each([
    [() => p.forbid("web" as never), /forbid\("web"\): pass \{ from, to \}/],
    [() => p.forbid({ from: "web", to: "web" }), /forbid\(web → web\): a service always reaches itself/],
    [() => p.forbidPath({ from: 7 as never, to: "db" }), /forbidPath from 7 is not a service/],
    [() => p.onlyFrom("db", "api" as never), /onlyFrom\("db"\) sources "api" is not a list/],
    [() => p.requireL7("DB"), /requireL7 to "DB" is not a valid service name/],
    [() => p.onlyFrom("db", ["api@east@x"]), /has two "@"; write <service>@<peer>/],
  ])("%#: a clear error naming the construct, the field and the value", (make, message) => {
    expect(make).toThrow(message);
    expect(make).toThrow(/^AccessPolicy test\/Mesh\/Policy: /);
  });

  test("a rule declared twice, and a mesh that is not one", () => {
    const q = policy2(mesh).noWildcardSources();
    expect(() => q.noWildcardSources()).toThrow(/noWildcardSources\(\) is declared twice; keep one/);
    expect(() => new AccessPolicy(mesh, "Bad", { mesh: {} as never })).toThrow(
      /AccessPolicy test\/Mesh\/Bad: mesh \{\} is not a ServiceMesh/,
    );
  });
});

describe("AccessPolicy travels with the plan", () => {
  test("its rules are the stack output meshstack_access_policy, as JSON", () => {
    const { stack, mesh } = shop();
    policy(mesh).onlyFrom("db", ["api"]).noWildcardSources();
    const outputs = synth(stack).output ?? {};
    expect(JSON.parse(String(outputs.meshstack_access_policy.value))).toEqual([
      { kind: "onlyFrom", to: "db", sources: ["api"] },
      { kind: "noWildcardSources" },
    ]);
  });

  test("a stack without rules has no such output; two policies with rules in one stack are refused", () => {
    const { stack, mesh } = shop();
    policy(mesh);
    expect(synth(stack).output?.meshstack_access_policy).toBeUndefined();
    policy2(mesh).noWildcardSources();
    expect(() => new AccessPolicy(mesh, "Policy3", { mesh }).noWildcardSources()).toThrow(
      "AccessPolicy test/Mesh/Policy3: noWildcardSources(): the stack's access rules are test/Mesh/Policy2's " +
        "(one policy per stack travels with the plan); declare this rule there",
    );
  });
});

describe("AccessPolicy.addRule: rules as data (an environment's accessRules)", () => {
  test("each kind goes through its typed method, with the same checks", () => {
    const { mesh } = shop();
    const p = policy(mesh)
      .addRule({ kind: "forbid", from: "traefik", to: "db" })
      .addRule({ kind: "onlyFrom", to: "db", sources: ["api"] })
      .addRule({ kind: "requireL7", to: "payments" });
    expect(p.rules.map((r) => r.kind)).toEqual(["forbid", "onlyFrom", "requireL7"]);
    expect(() => p.addRule({ kind: "forbid", from: "web", to: "web" })).toThrow(
      /a service always reaches itself/,
    );
    expect(() => p.addRule({ kind: "allowAll" } as never)).toThrow(
      'AccessPolicy test/Mesh/Policy: addRule: kind "allowAll" is not a rule; use forbid, forbidPath, onlyFrom, noWildcardSources or requireL7',
    );
    expect(() => p.addRule(null as never)).toThrow(/addRule\(null\): pass a rule/);
  });
});
