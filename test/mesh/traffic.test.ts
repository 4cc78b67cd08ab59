import { MeshDefaults } from "../../constructs/consul/mesh-defaults";
import { ServiceRouting } from "../../constructs/consul/service-routing";
import { MeshService, MeshServiceProps, ServiceMesh } from "../../constructs/mesh";
import { TaskDriver } from "../../constructs/nomad";
import { TraefikIngress } from "../../constructs/traefik";
import { MeshstackError } from "../../constructs";
import {
  allowedSources,
  group,
  jobs,
  platformStack,
  synthJson,
  validationError,
  type Json,
} from "../nomad/support";

const app = (image = "greeter:1") => [{ name: "app", driver: TaskDriver.docker({ image }) }];

function meshStack(withDefaults = true) {
  const { stack } = platformStack();
  const traefik = new TraefikIngress(stack, "traefik", { httpPort: 8080 });
  const defaults = withDefaults ? new MeshDefaults(stack, "defaults") : undefined;
  const mesh = new ServiceMesh(stack, "mesh", { ingress: traefik, defaults });
  const service = (id: string, extra: Partial<MeshServiceProps> = {}) =>
    new MeshService(stack, id, { mesh, port: 9001, tasks: app(), ...extra });
  return { stack, mesh, service };
}

/** The raw config entries of one kind, by name, with their decoded JSON. */
function entries(stack: Parameters<typeof synthJson>[0], kind: string): Record<string, Json> {
  const all: Record<string, Json> = synthJson(stack).resource?.consul_config_entry ?? {};
  return Object.fromEntries(
    Object.values(all)
      .filter((e) => e.kind === kind)
      .map((e) => [e.name, { ...JSON.parse(e.config_json), depends_on: e.depends_on }]),
  );
}

function canary() {
  const m = meshStack();
  const greeter = m.service("greeter", {
    version: "v1",
    protocol: "http",
    expose: { http: { host: "greeter.example.com" } },
  });
  greeter.addVersion("v2", { tasks: app("greeter:2"), count: 2 });
  return { ...m, greeter };
}

describe("MeshService versions", () => {
  test("a version is a group of its own under the same service name, with its version as meta", () => {
    const { stack } = canary();
    const job = jobs(stack).greeter;
    const v1 = group(job, "greeter");
    const v2 = group(job, "greeter-v2");
    expect(v1.Services[0]).toMatchObject({ Name: "greeter", Meta: { version: "v1" } });
    expect(v2.Services[0]).toMatchObject({ Name: "greeter", Meta: { version: "v2" } });
    expect(v2.Count).toBe(2);
    expect(v2.Tasks.map((t: Json) => t.Config.image)).toEqual(["greeter:2"]);
    // Same port, sidecar and network as the service's own group.
    expect(v2.Networks).toEqual(v1.Networks);
    expect(v2.Services[0].PortLabel).toBe(v1.Services[0].PortLabel);
  });

  test("only the service's own version carries the ingress route, so the ingress never sees the canary", () => {
    const { stack } = canary();
    const job = jobs(stack).greeter;
    expect(group(job, "greeter").Services[0].Tags).toEqual(
      expect.arrayContaining([expect.stringMatching(/^traefik\.enable=true$/)]),
    );
    expect(group(job, "greeter-v2").Services[0].Tags).toBeUndefined();
  });

  test("versions become resolver subsets filtered on the version meta, the service's own the default", () => {
    const { stack } = canary();
    const resolver = entries(stack, "service-resolver").greeter;
    expect(resolver.DefaultSubset).toBe("v1");
    expect(resolver.Subsets).toEqual({
      v1: { Filter: 'Service.Meta.version == "v1"' },
      v2: { Filter: 'Service.Meta.version == "v2"' },
    });
  });

  test("an unversioned service renders no meta and no resolver", () => {
    const { stack, service } = meshStack();
    service("api");
    expect(group(jobs(stack).api, "api").Services[0].Meta).toBeUndefined();
    expect(entries(stack, "service-resolver")).toEqual({});
  });
});

describe("MeshService.splitTraffic", () => {
  test("renders the shares as a splitter that waits for the resolver", () => {
    const { stack, greeter } = canary();
    greeter.splitTraffic({ v1: 90, v2: 10 });
    const splitter = entries(stack, "service-splitter").greeter;
    expect(splitter.Splits).toEqual([
      { Weight: 90, ServiceSubset: "v1" },
      { Weight: 10, ServiceSubset: "v2" },
    ]);
    expect(splitter.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^consul_config_entry\.mesh_Routing-greeter_Resolver/),
        expect.stringMatching(/^consul_config_entry_service_defaults\./),
      ]),
    );
    expect(entries(stack, "service-resolver").greeter.depends_on).toEqual([
      expect.stringMatching(/^consul_config_entry_service_defaults\./),
    ]);
  });

  test("weights with two decimals that sum to 100 are accepted", () => {
    const { stack, greeter } = canary();
    greeter.addVersion("v3", { tasks: app("greeter:3") });
    greeter.splitTraffic({ v1: 33.33, v2: 33.33, v3: 33.34 });
    expect(entries(stack, "service-splitter").greeter.Splits.map((s: Json) => s.Weight)).toEqual([
      33.33, 33.33, 33.34,
    ]);
  });

  test("a share for a version that does not exist fails at synth, naming it and the versions", () => {
    const { stack, greeter } = canary();
    greeter.splitTraffic({ v1: 50, v3: 50 });
    expect(validationError(stack)).toContain(
      'ServiceRouting platform/mesh/Routing-greeter: splits[1].subset "v3" is not a subset of "greeter" (subsets: v1, v2)',
    );
  });

  test("a split of a tcp service fails at synth (Consul compiles splits for HTTP-like protocols only)", () => {
    const { stack, service } = meshStack();
    service("db", { version: "v1" }).addVersion("v2", { tasks: app() }).splitTraffic({ v1: 50, v2: 50 });
    expect(validationError(stack)).toContain(
      'splits need an HTTP-like protocol but "db" speaks "tcp"; give it protocol "http"',
    );
  });

  test("weights that do not sum to 100 or repeat a version are refused at once", () => {
    const { greeter } = canary();
    expect(() => greeter.splitTraffic({ v1: 90, v2: 9.99 })).toThrow(/sum to 99.99, not 100/);
    expect(() => greeter.splitTraffic({})).toThrow(/splits \[\] is not a non-empty list/);
  });

  test("a mesh without MeshDefaults cannot route (protocols live there)", () => {
    const { service } = meshStack(false);
    const api = service("api", { version: "v1" });
    expect(() => api.addVersion("v2", { tasks: app() })).toThrow(MeshstackError);
    expect(() => api.addVersion("v2", { tasks: app() })).toThrow(/need MeshDefaults/);
  });
});

describe("MeshService.routeTraffic", () => {
  test("renders routes in order, methods upper-cased, after the splitter", () => {
    const { stack, greeter } = canary();
    greeter.splitTraffic({ v1: 90, v2: 10 });
    greeter.routeTraffic({ pathPrefix: "/v2/" }, { version: "v2", prefixRewrite: "/" });
    greeter.routeTraffic(
      { headers: [{ name: "x-canary", exact: "always" }], methods: ["get"] },
      { version: "v2" },
    );
    const router = entries(stack, "service-router").greeter;
    expect(router.Routes).toEqual([
      { Match: { HTTP: { PathPrefix: "/v2/" } }, Destination: { ServiceSubset: "v2", PrefixRewrite: "/" } },
      {
        Match: { HTTP: { Header: [{ Name: "x-canary", Exact: "always" }], Methods: ["GET"] } },
        Destination: { ServiceSubset: "v2" },
      },
    ]);
    expect(router.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^consul_config_entry\.mesh_Routing-greeter_Splitter/)]),
    );
  });

  test("a route to another service allows each caller to reach it, whatever the declaration order", () => {
    const { stack, service, greeter } = canary();
    const early = service("early", { port: 9100 });
    early.connectTo(greeter, { localBindPort: 8080 });
    const legacy = service("legacy", { protocol: "http", port: 9200 });
    greeter.routeTraffic({ pathPrefix: "/old/" }, { service: legacy });
    const late = service("late", { port: 9300 });
    late.connectTo(greeter, { localBindPort: 8080 });
    expect(allowedSources(stack, "legacy")).toEqual(["early", "late"]);
    // The ingress dials instances directly, so it gets no edge to the routed service.
    expect(allowedSources(stack, "greeter")).toEqual(["early", "late", "traefik"]);
  });

  test("an explicit relation to a routed service replaces the implied edge instead of clashing", () => {
    const { stack, service, greeter } = canary();
    const legacy = service("legacy", { protocol: "http", port: 9200 });
    const web = service("web", { port: 9100 });
    web.connectTo(greeter, { localBindPort: 8080 });
    greeter.routeTraffic({ pathPrefix: "/old/" }, { service: legacy });
    web.connectTo(legacy, { localBindPort: 8081, permissions: [{ methods: ["GET"] }] });
    const sources: Json[] = Object.values(
      synthJson(stack).resource.consul_config_entry_service_intentions as Record<string, Json>,
    ).find((e) => e.name === "legacy").sources;
    expect(sources).toHaveLength(1);
    expect(sources[0].permissions[0].http[0].methods).toEqual(["GET"]);
  });

  test("a route to a tcp service, or to a version it lacks, fails at synth", () => {
    const tcp = canary();
    tcp.greeter.routeTraffic({ pathPrefix: "/db/" }, { service: tcp.service("db", { port: 5432 }) });
    expect(validationError(tcp.stack)).toContain(
      `a route's destination needs an HTTP-like protocol but "db" speaks "tcp"`,
    );
    const missing = canary();
    missing.service("legacy", { protocol: "http", port: 9200 });
    missing.greeter.routeTraffic({ pathPrefix: "/old/" }, { service: "legacy", version: "v9" });
    expect(validationError(missing.stack)).toContain(
      `routeTraffic #1 sends requests to version "v9" of "legacy", which has no such version (versions: none)`,
    );
  });

  test("a route to a version of the service itself that does not exist fails at synth", () => {
    const { stack, greeter } = canary();
    greeter.routeTraffic({ pathExact: "/beta" }, { version: "beta" });
    expect(validationError(stack)).toContain(
      `routes[0].destination.subset "beta" is not a subset of "greeter"`,
    );
  });
});

describe("ServiceRouting", () => {
  test("the first subset is the default unless another is named; a missing default fails at synth", () => {
    const { stack } = platformStack();
    const defaults = new MeshDefaults(stack, "defaults", { protocol: "http" });
    const routing = new ServiceRouting(stack, "routing", { service: "api", defaults });
    routing
      .addSubset("blue", 'Service.Tags contains "blue"')
      .addSubset("green", 'Service.Tags contains "green"');
    routing.setDefaultSubset("green");
    expect(entries(stack, "service-resolver").api.DefaultSubset).toBe("green");
    routing.setDefaultSubset("red");
    expect(validationError(stack)).toContain('default subset "red" is not a subset (subsets: blue, green)');
  });

  test("with http as the mesh-wide protocol, entries wait for proxy-defaults", () => {
    const { stack } = platformStack();
    const defaults = new MeshDefaults(stack, "defaults", { protocol: "http" });
    new ServiceRouting(stack, "routing", { service: "api", defaults })
      .addSubset("v1", "x")
      .split([{ subset: "v1", weight: 100 }]);
    expect(entries(stack, "service-splitter").api.depends_on).toEqual([
      expect.stringMatching(/^consul_config_entry\.routing_Resolver/),
      expect.stringMatching(/^consul_config_entry\.defaults_ProxyDefaults/),
    ]);
  });

  test("split() is set once", () => {
    const { stack } = platformStack();
    const routing = new ServiceRouting(stack, "routing", {
      service: "api",
      defaults: new MeshDefaults(stack, "d"),
    });
    routing.split([{ subset: "v1", weight: 100 }]);
    expect(() => routing.split([{ subset: "v1", weight: 100 }])).toThrow(/split\(\) is called twice/);
  });
});
