import { App, LocalBackend, TerraformStack, Testing } from "cdktf";
import { ConsulProvider } from "@cdktf/provider-consul/lib/provider";
import { NomadProvider } from "@cdktf/provider-nomad/lib/provider";
import { MeshDefaults } from "../../constructs/consul/mesh-defaults";
import { MeshService, ServiceMesh, SidecarTaskOverride } from "../../constructs/mesh";
import { TaskDriver } from "../../constructs/nomad";
import { resourcesOf, SynthJson } from "../helpers";

type Json = Record<string, unknown>;

/** One datacenter's stack: its own providers and local state, a mesh named after the datacenter. */
function datacenter(app: App, name: string, nomadVersion = "1.6.1") {
  const stack = new TerraformStack(app, name);
  new ConsulProvider(stack, "consul", {});
  new NomadProvider(stack, "nomad", { address: "http://127.0.0.1:4646" });
  new LocalBackend(stack, { path: `terraform.${name}.tfstate` });
  const mesh = new ServiceMesh(stack, "Mesh", {
    datacenters: [name],
    defaults: new MeshDefaults(stack, "Defaults", { protocol: "http", meshGatewayMode: "local" }),
    sidecarTask: SidecarTaskOverride.rawExecEnvoy({ envoyPath: "envoy", nomadVersion }),
    nomadVersion,
    peerName: name,
  });
  const service = (id: string, port: number) =>
    new MeshService(stack, id, {
      mesh,
      port,
      tasks: [{ name: id, driver: TaskDriver.rawExec({ command: id }) }],
    });
  return { stack, mesh, service };
}

function build() {
  const app = Testing.app();
  const west = datacenter(app, "west");
  const east = datacenter(app, "east");
  const peering = west.mesh.peerWith(east.mesh, { serverExternalAddresses: ["172.26.136.1:8503"] });
  return { app, west, east, peering };
}

function synthOf(stack: TerraformStack): SynthJson {
  return JSON.parse(Testing.synth(stack, true)) as SynthJson;
}

function entries(json: SynthJson, kind: string): Json[] {
  return Object.values(resourcesOf(json, "consul_config_entry"))
    .filter((e) => e.kind === kind)
    .map((e) => ({ name: e.name, ...(JSON.parse(e.config_json as string) as Json) }));
}

function sourcesOf(json: SynthJson, destination: string): Json[] {
  return Object.values(resourcesOf(json, "consul_config_entry_service_intentions"))
    .filter((e) => e.name === destination)
    .flatMap((e) => e.sources as Json[]);
}

describe("ServiceMesh.peerWith", () => {
  test("the acceptor's stack mints the token, the dialer's establishes the peering with it", () => {
    const { app, west, east } = build();
    app.synth();
    const eastJson = synthOf(east.stack);
    expect(Object.values(resourcesOf(eastJson, "consul_peering_token"))).toEqual([
      {
        peer_name: "west",
        server_external_addresses: ["172.26.136.1:8503"],
        lifecycle: { prevent_destroy: true },
      },
    ]);
    const westJson = synthOf(west.stack);
    const [peering] = Object.values(resourcesOf(westJson, "consul_peering"));
    expect(peering).toMatchObject({ peer_name: "east", lifecycle: { prevent_destroy: true } });
    // The token crosses stacks as a remote-state read of a sensitive output.
    expect(peering.peering_token).toMatch(/data\.terraform_remote_state\.cross-stack-reference-input-east/);
    const outputs = Object.values(eastJson.output ?? {}) as { sensitive?: boolean; value: unknown }[];
    expect(outputs).toContainEqual(
      expect.objectContaining({
        sensitive: true,
        value: expect.stringMatching(/consul_peering_token\.\S+\.peering_token/),
      }),
    );
  });

  test("opens nothing by itself: no export, no intention across", () => {
    const { app, west, east } = build();
    app.synth();
    for (const stack of [west.stack, east.stack]) {
      const json = synthOf(stack);
      expect(entries(json, "exported-services")).toEqual([]);
      expect(
        Object.values(resourcesOf(json, "consul_config_entry_service_intentions"))
          .flatMap((e) => e.sources as Json[])
          .filter((s) => s.peer !== undefined),
      ).toEqual([]);
    }
  });

  test("lists the peerings on both sides by the name each gives the other", () => {
    const { west, east, peering } = build();
    expect([...west.mesh.peerings]).toEqual([["east", peering]]);
    expect([...east.mesh.peerings]).toEqual([["west", peering]]);
    expect(peering.crossesStacks).toBe(true);
  });
});

describe("cross-peer relations", () => {
  test("connectTo a peer's service: a redirecting alias here, the export and the peer-sourced intention there", () => {
    const { app, west, east } = build();
    const web = west.service("web", 8080);
    const api = east.service("api", 9090);
    web.connectTo(api, { localBindPort: 9091 });
    app.synth();
    const westJson = synthOf(west.stack);
    expect(entries(westJson, "service-resolver")).toEqual([
      expect.objectContaining({ name: "east-api", Redirect: { Service: "api", Peer: "east" } }),
    ]);
    expect(web.upstreamNames).toEqual(["east-api"]);
    expect(web.upstreamAddress(api)).toBe("${NOMAD_UPSTREAM_ADDR_east_api}");
    const eastJson = synthOf(east.stack);
    expect(entries(eastJson, "exported-services")).toEqual([
      { name: "default", Services: [{ Name: "api", Consumers: [{ Peer: "west" }] }] },
    ]);
    expect(sourcesOf(eastJson, "api")).toEqual([
      expect.objectContaining({ name: "web", peer: "west", action: "allow" }),
    ]);
    // Nothing in west allows anything toward the alias, and east allows no local "web".
    expect(sourcesOf(westJson, "east-api")).toEqual([]);
    expect(east.mesh.intentions.decide("web", "api")).toBe("deny");
  });

  test("failoverTo a peer's copy: the resolver's failover target, the export, and every caller allowed there", () => {
    const { app, west, east } = build();
    const web = west.service("web", 8080);
    const admin = west.service("admin", 8081);
    const api = west.service("api", 9090);
    const apiEast = east.service("api", 9090);
    web.connectTo(api, { localBindPort: 9091 });
    api.failoverTo(apiEast);
    // A caller declared after the failover is allowed on the copy too, with its permissions.
    admin.connectTo(api, { localBindPort: 9091, permissions: [{ pathPrefix: "/admin/", methods: ["GET"] }] });
    app.synth();
    expect(entries(synthOf(west.stack), "service-resolver")).toEqual([
      expect.objectContaining({
        name: "api",
        Failover: { "*": { Targets: [{ Service: "api", Peer: "east" }] } },
      }),
    ]);
    const eastJson = synthOf(east.stack);
    expect(entries(eastJson, "exported-services")).toEqual([
      { name: "default", Services: [{ Name: "api", Consumers: [{ Peer: "west" }] }] },
    ]);
    // The admin edge's prefix permission makes the entry a raw one; both callers carry Peer west.
    const raw = entries(eastJson, "service-intentions").find((e) => e.name === "api");
    expect(raw?.Sources).toEqual([
      expect.objectContaining({
        Name: "admin",
        Peer: "west",
        Permissions: [expect.objectContaining({ HTTP: expect.objectContaining({ PathPrefix: "/admin/" }) })],
      }),
      expect.objectContaining({ Name: "web", Peer: "west", Action: "allow" }),
    ]);
  });

  test("exportTo shares a service with each peer once, sorted, in one entry", () => {
    const { app, west, east } = build();
    const api = east.service("api", 9090);
    const db = east.service("db", 5432);
    db.exportTo(west.mesh);
    api.exportTo(west.mesh).exportTo(west.mesh);
    app.synth();
    expect(entries(synthOf(east.stack), "exported-services")).toEqual([
      {
        name: "default",
        Services: [
          { Name: "api", Consumers: [{ Peer: "west" }] },
          { Name: "db", Consumers: [{ Peer: "west" }] },
        ],
      },
    ]);
  });

  test("the mesh gateway mode and peering through gateways land in the mesh-wide entries", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    new ConsulProvider(stack, "consul", {});
    new MeshDefaults(stack, "Defaults", { meshGatewayMode: "local", peerThroughMeshGateways: true });
    const json = synthOf(stack);
    expect(entries(json, "proxy-defaults")[0]).toMatchObject({ MeshGateway: { Mode: "local" } });
    expect(entries(json, "mesh")[0]).toMatchObject({ Peering: { PeerThroughMeshGateways: true } });
  });
});

describe("bad input", () => {
  const message = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error("no error");
  };

  test("a mesh without peerName cannot be peered", () => {
    const app = Testing.app();
    const west = datacenter(app, "west");
    const stack = new TerraformStack(app, "other");
    const unnamed = new ServiceMesh(stack, "Mesh", {});
    expect(message(() => west.mesh.peerWith(unnamed))).toMatch(
      /ServiceMesh west\/Mesh: peerWith\(other\/Mesh\): that mesh has no peerName.*set peerName/,
    );
  });

  test("peering twice, with itself, or two meshes of one name fails at synth", () => {
    const { west, east } = build();
    expect(message(() => east.mesh.peerWith(west.mesh))).toMatch(/peered already; peer them once/);
    expect(message(() => west.mesh.peerWith(west.mesh))).toMatch(/cannot peer with itself/);
    const app = Testing.app();
    const a = datacenter(app, "west");
    const b = new ServiceMesh(new TerraformStack(app, "b"), "Mesh", { peerName: "west" });
    expect(message(() => a.mesh.peerWith(b))).toMatch(
      /both meshes are named "west"; give each datacenter its own peerName/,
    );
    expect(message(() => a.mesh.peerWith("east" as never))).toMatch(/the peer must be a ServiceMesh/);
  });

  test("a server address that is not host:port names the field and the fix", () => {
    const app = Testing.app();
    const [a, b] = [datacenter(app, "west"), datacenter(app, "east")];
    expect(
      message(() => a.mesh.peerWith(b.mesh, { serverExternalAddresses: ["https://east:8503"] })),
    ).toMatch(
      /MeshPeering west\/Mesh\/Peer-east: serverExternalAddresses\[0\] "https:\/\/east:8503" is not host:port/,
    );
  });

  test("relations toward a mesh that is not a peer name the peers and the fix", () => {
    const app = Testing.app();
    const [a, b] = [datacenter(app, "west"), datacenter(app, "east")];
    const web = a.service("web", 8080);
    const api = b.service("api", 9090);
    expect(message(() => web.connectTo(api, { localBindPort: 9091 }))).toMatch(
      /MeshService west\/web: connectTo\(east\/api\): east\/Mesh is not a peer of this mesh \(peers: none\); peer the two first with west\/Mesh.peerWith\(other\)/,
    );
    expect(message(() => web.failoverTo(api))).toMatch(/is not a peer of this mesh/);
    expect(message(() => api.exportTo(a.mesh))).toMatch(/exportTo\(west\/Mesh\): west\/Mesh is not a peer/);
  });

  test("failover to a service of its own mesh, twice, or to a name fails", () => {
    const { west, east } = build();
    const api = west.service("api", 9090);
    const v2 = west.service("api-v2", 9091);
    expect(message(() => api.failoverTo(v2))).toMatch(/the target is in this service's own mesh/);
    expect(message(() => api.failoverTo("api" as never))).toMatch(/the target must be a MeshService/);
    api.failoverTo(east.service("api", 9090));
    expect(message(() => api.failoverTo(east.service("api2", 9092)))).toMatch(/fails over already/);
  });

  test("a peer's service needs an upstream listener, not transparent proxy", () => {
    const app = Testing.app();
    const [west, east] = [datacenter(app, "west", "1.8.0"), datacenter(app, "east", "1.8.0")];
    west.mesh.peerWith(east.mesh);
    const web = new MeshService(west.stack, "tp", {
      mesh: west.mesh,
      port: 8080,
      transparentProxy: true,
      tasks: [{ name: "tp", driver: TaskDriver.rawExec({ command: "tp" }) }],
    });
    expect(message(() => web.connectTo(east.service("api", 9090)))).toMatch(
      /a peer's service is reached through an upstream listener.*set transparentProxy: false/,
    );
  });

  test("a redirected alias with versions of its own fails at synth", () => {
    const { app, west, east } = build();
    west.service("web", 8080).connectTo(east.service("api", 9090), { localBindPort: 9091 });
    west.mesh._routingOf("east-api", west.mesh).addSubset("v1", 'Service.Meta.version == "v1"');
    expect(() => app.synth()).toThrow(/redirects to "api" of peer "east" and also has versions/);
  });

  test("an unknown gateway mode names the modes", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(() => new MeshDefaults(stack, "D", { meshGatewayMode: "both" as never })).toThrow(
      /MeshDefaults s\/D: meshGatewayMode "both" is not supported; use one of "local", "remote", "none"/,
    );
    expect(() => new MeshDefaults(stack, "E", { servicesOnly: true, peerThroughMeshGateways: true })).toThrow(
      /peerThroughMeshGateways is set with servicesOnly/,
    );
  });
});
