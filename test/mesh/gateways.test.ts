import {
  ExternalService,
  MeshGateway,
  MeshService,
  ServiceMesh,
  SidecarTaskOverride,
  TerminatingGateway,
} from "../../constructs/mesh";
import { TaskDriver } from "../../constructs/nomad";
import { resourcesOf, synth, testStack } from "../helpers";
import { allowedSources, group, jobs } from "../nomad/support";

function build() {
  const stack = testStack();
  const mesh = new ServiceMesh(stack, "Mesh", {
    datacenters: ["dc1"],
    sidecarTask: SidecarTaskOverride.rawExecEnvoy({ envoyPath: "envoy", nomadVersion: "1.6.1" }),
    nomadVersion: "1.6.1",
  });
  const db = new ExternalService(stack, "Db", {
    mesh,
    name: "db",
    address: "10.0.0.5",
    port: 5432,
    tls: { caFile: "/local/db-ca.pem", sni: "db.example.com" },
  });
  const billing = new ExternalService(stack, "Billing", {
    mesh,
    name: "billing",
    address: "billing.example.com",
    port: 443,
  });
  new TerminatingGateway(stack, "Gateway", { mesh, services: [db, billing], name: "external-gw" });
  const web = new MeshService(stack, "web", {
    mesh,
    port: 8080,
    tasks: [{ name: "web", driver: TaskDriver.rawExec({ command: "web" }) }],
  });
  web.connectTo(db, { localBindPort: 15432 });
  return { stack, mesh, db, web };
}

describe("ExternalService", () => {
  test("registers the service on an agentless catalog node of its own, with its address and port", () => {
    const json = synth(build().stack);
    const nodes = Object.values(resourcesOf(json, "consul_node"));
    expect(nodes).toContainEqual({
      name: "external-db",
      address: "10.0.0.5",
      meta: { "external-node": "true", "external-probe": "false" },
    });
    const services = Object.values(resourcesOf(json, "consul_service"));
    expect(services).toContainEqual(
      expect.objectContaining({
        name: "db",
        address: "10.0.0.5",
        port: 5432,
        node: expect.stringMatching(/consul_node\.Db_Node_\w+\.name/),
      }),
    );
  });

  test("connectTo(external) adds the caller's upstream and exactly its intention", () => {
    const { stack, web } = build();
    expect(web.upstreamNames).toEqual(["db"]);
    expect(web.upstreamAddress(stack.node.findChild("Db") as ExternalService)).toBe(
      "${NOMAD_UPSTREAM_ADDR_db}",
    );
    expect(allowedSources(stack, "db")).toEqual(["web"]);
    // No one calls billing: it has no allow, the default deny keeps it closed.
    expect(allowedSources(stack, "billing")).toEqual([]);
  });

  test("a second service of the same name is refused", () => {
    const { stack, mesh } = build();
    expect(
      () => new ExternalService(stack, "Db2", { mesh, name: "db", address: "10.0.0.6", port: 5432 }),
    ).toThrow('service "db" is declared twice');
  });
});

describe("MeshGateway", () => {
  test("a Nomad gateway group with the mesh kind, its WAN port on the given host network, and the mesh's Envoy override", () => {
    const { stack, mesh } = build();
    new MeshGateway(stack, "Wan", { mesh, hostNetwork: "public", wanPort: 8443, count: 2 });
    const gateway = group(jobs(stack)["mesh-gateway"], "gateway");
    expect(gateway.Count).toBe(2);
    expect(gateway.Tasks).toEqual([]);
    expect(gateway.Networks).toEqual([
      { Mode: "bridge", ReservedPorts: [{ Label: "mesh_wan", Value: 8443, HostNetwork: "public" }] },
    ]);
    expect(gateway.Services[0]).toMatchObject({
      Name: "mesh-gateway",
      PortLabel: "mesh_wan",
      Connect: { Gateway: { Proxy: {}, Mesh: {} }, SidecarTask: { Driver: "raw_exec" } },
    });
  });

  test("a dynamic WAN port by default", () => {
    const { stack, mesh } = build();
    new MeshGateway(stack, "Wan", { mesh });
    expect(group(jobs(stack)["mesh-gateway"], "gateway").Networks).toEqual([
      { Mode: "bridge", DynamicPorts: [{ Label: "mesh_wan" }] },
    ]);
  });
});

describe("TerminatingGateway", () => {
  test("a Nomad gateway group linking the external services, with the mesh's Envoy override and no task of its own", () => {
    const { stack } = build();
    const job = jobs(stack)["external-gw"];
    expect(job.Datacenters).toEqual(["dc1"]);
    const gateway = group(job, "gateway");
    expect(gateway.Tasks).toEqual([]);
    expect(gateway.Networks).toEqual([{ Mode: "bridge" }]);
    const service = gateway.Services[0];
    expect(service.Name).toBe("external-gw");
    expect(service.Connect.Gateway).toEqual({
      Proxy: {},
      Terminating: {
        Services: [{ Name: "db", CAFile: "/local/db-ca.pem", SNI: "db.example.com" }, { Name: "billing" }],
      },
    });
    expect(service.Connect.SidecarTask.Driver).toBe("raw_exec");
  });

  test("is refused at synth on a mesh that cannot run one, with the reason", () => {
    const stack = testStack();
    const mesh = new ServiceMesh(stack, "Mesh", { terminatingGatewayUnavailable: "the cluster says no" });
    const db = new ExternalService(stack, "Db", { mesh, name: "db", address: "10.0.0.5", port: 5432 });
    expect(() => new TerminatingGateway(stack, "Gateway", { mesh, services: [db] })).toThrow(
      "TerminatingGateway test/Gateway: the mesh cannot run a terminating gateway: the cluster says no; reach the " +
        "service another way",
    );
  });

  test("registers after the services it links", () => {
    const json = synth(build().stack);
    const job = Object.values(resourcesOf(json, "nomad_job")).find((j) =>
      String(j.jobspec).includes('"external-gw"'),
    )!;
    expect(job.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^consul_service\.Db_Service_/),
        expect.stringMatching(/^consul_service\.Billing_Service_/),
      ]),
    );
  });
});
