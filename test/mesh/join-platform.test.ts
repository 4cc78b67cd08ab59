/**
 * App repositories join a mesh another repository's platform runs (`ServiceMesh.fromPlatform`), and
 * each stack writes only the intentions of the destinations it owns.
 */
import { DataTerraformRemoteStateLocal, Testing } from "cdktf";
import { MeshService, ServiceMesh, TaskDriver } from "../../constructs";
import { environments } from "../../environments";
import { MeshPlatformStack } from "../../stacks/mesh-platform-stack";
import { jobs, group } from "../nomad/support";
import { resourcesOf, synth, testStack } from "../helpers";

const tasks = [{ name: "app", driver: TaskDriver.docker({ image: "example/app:1" }) }];

/** Sources allowed to call each destination, from the synthesized intentions entries. */
function allowed(json: ReturnType<typeof synth>): Record<string, string[]> {
  return Object.fromEntries(
    Object.values(resourcesOf(json, "consul_config_entry_service_intentions")).map((e) => [
      e.name,
      (e.sources as { name: string }[]).map((s) => s.name).sort(),
    ]),
  );
}

describe("ServiceMesh.fromPlatform", () => {
  test("renders the member's job and its own entry, and nothing of the platform's", () => {
    // GIVEN an app stack joining the platform through its exported attributes
    const stack = testStack();
    const mesh = ServiceMesh.fromPlatform(stack, "Mesh", {
      datacenters: ["dc1"],
      driver: "raw_exec",
      envoyCommand: "envoy",
      nomadVersion: "1.6.1",
    });
    new MeshService(stack, "shop", {
      mesh,
      port: 8080,
      expose: { http: { host: "shop.example.com" } },
      tasks,
    });
    const json = synth(stack);
    // THEN no default deny, no ingress job, no mesh-wide entry: the platform owns those
    expect(Object.keys(jobs(stack))).toEqual(["shop"]);
    expect(allowed(json)).toEqual({ shop: ["traefik"] });
    expect(resourcesOf(json, "consul_config_entry")).toEqual({});
    expect(mesh.intentions.defaultDeny).toBeUndefined();
    // AND the job takes the platform's datacenters and raw_exec Envoy, as Nomad 1.6 runs it
    const shop = jobs(stack).shop;
    expect(shop.Datacenters).toEqual(["dc1"]);
    expect(group(shop, "shop").Services[0].Connect.SidecarTask.Config.command).toBe("/bin/sh");
  });

  test("a relation to another repo's service renders the upstream and asks for the grant, never its entry", () => {
    const stack = testStack();
    const mesh = ServiceMesh.fromPlatform(stack, "Mesh", { datacenters: ["dc1"] });
    const web = new MeshService(stack, "web", { mesh, port: 8080, tasks });
    // The relation comes first, the external declaration after: the order does not matter.
    web.connectTo("payments", { localBindPort: 9090 });
    mesh.addExternalService("payments");
    const json = synth(stack);
    expect(allowed(json)).toEqual({});
    expect(group(jobs(stack).web, "web").Services[0].Connect.SidecarService.Proxy.Upstreams).toEqual([
      { DestinationName: "payments", LocalBindPort: 9090 },
    ]);
    expect(mesh.grantRequests).toEqual([{ source: "web", destination: "payments" }]);
  });

  test("the callee's repo grants the caller with allowFrom, in its own entry", () => {
    const stack = testStack();
    const mesh = ServiceMesh.fromPlatform(stack, "Mesh", { datacenters: ["dc1"] });
    new MeshService(stack, "payments", { mesh, port: 9090, tasks }).allowFrom("web").allowFrom("shop");
    expect(allowed(synth(stack))).toEqual({ payments: ["shop", "web"] });
  });

  test("the owner is recorded on the entries this repo writes, for other repos' plan reviews", () => {
    const stack = testStack();
    const mesh = ServiceMesh.fromPlatform(stack, "Mesh", { datacenters: ["dc1"] }, { owner: "billing" });
    new MeshService(stack, "payments", { mesh, port: 9090, tasks }).allowFrom("web");
    const entries = Object.values(resourcesOf(synth(stack), "consul_config_entry_service_intentions"));
    expect(entries.map((e) => [e.name, e.meta])).toEqual([["payments", { "meshstack-owner": "billing" }]]);
  });

  test("a member's own protocol is its own service-defaults entry; the mesh-wide entries stay the platform's", () => {
    // GIVEN an app stack whose api speaks http, with an L7 permission for web
    const stack = testStack();
    const mesh = ServiceMesh.fromPlatform(stack, "Mesh", { datacenters: ["dc1"] });
    const api = new MeshService(stack, "api", { mesh, port: 9090, tasks, protocol: "http" });
    new MeshService(stack, "web", { mesh, port: 8080, tasks }).connectTo(api, {
      localBindPort: 9090,
      permissions: [{ pathPrefix: "/v1/", methods: ["GET"] }],
    });
    const json = synth(stack);
    // THEN only api's service-defaults is written: no proxy-defaults, no mesh entry
    expect(Object.values(resourcesOf(json, "consul_config_entry_service_defaults"))).toEqual([
      expect.objectContaining({ name: "api", protocol: "http" }),
    ]);
    const kinds = Object.values(resourcesOf(json, "consul_config_entry")).map((e) => e.kind);
    expect(kinds).toEqual(["service-intentions"]);
    // and api's intentions entry waits for its protocol
    const entry = Object.entries(resourcesOf(json, "consul_config_entry")).find(([, e]) => e.name === "api")!;
    expect(entry[1].depends_on).toEqual([
      expect.stringMatching(/^consul_config_entry_service_defaults\.MeshDefaults_api_/),
    ]);
  });

  test("a service at the platform's default protocol writes no service-defaults", () => {
    const stack = testStack();
    const mesh = ServiceMesh.fromPlatform(stack, "Mesh", { datacenters: ["dc1"], defaultProtocol: "http" });
    new MeshService(stack, "api", { mesh, port: 9090, tasks, protocol: "http" });
    expect(resourcesOf(synth(stack), "consul_config_entry_service_defaults")).toEqual({});
  });

  test("inside one stack a relation still writes both sides", () => {
    const stack = testStack();
    const mesh = new ServiceMesh(stack, "Mesh");
    const api = new MeshService(stack, "api", { mesh, port: 9090, tasks });
    new MeshService(stack, "web", { mesh, port: 8080, tasks }).connectTo(api, { localBindPort: 9090 });
    expect(allowed(synth(stack))).toEqual({ "*": ["*"], api: ["web"] });
    expect(mesh.grantRequests).toEqual([]);
  });
});

describe("an app stack reading the platform's state", () => {
  test("takes the datacenters from the platform's outputs, written into its jobs by Terraform", () => {
    // GIVEN the platform stack's outputs, read from its state
    const stack = testStack();
    const platform = new DataTerraformRemoteStateLocal(stack, "Platform", {
      path: "../platform/terraform.tfstate",
    });
    const mesh = ServiceMesh.fromPlatform(stack, "Mesh", {
      datacenters: platform.getList("mesh_datacenters"),
    });
    new MeshService(stack, "web", { mesh, port: 8080, tasks });
    // THEN the job's datacenters are the output, as JSON in the jobspec (not a quoted string)
    const spec = String(Object.values(resourcesOf(synth(stack), "nomad_job"))[0]!.jobspec);
    expect(spec).toContain(
      '"Datacenters":${jsonencode(data.terraform_remote_state.Platform.outputs.mesh_datacenters)}',
    );
  });

  test("the platform stack exports what a member needs", () => {
    const stack = new MeshPlatformStack(Testing.app(), "local", { environment: environments.local });
    const outputs = JSON.parse(Testing.synth(stack)).output as Record<string, { value: unknown }>;
    expect({
      datacenters: outputs.mesh_datacenters!.value,
      ingress: outputs.mesh_ingress_service!.value,
      driver: outputs.mesh_driver!.value,
      nomadVersion: outputs.mesh_nomad_version!.value,
      defaultProtocol: outputs.mesh_default_protocol!.value,
    }).toEqual({
      datacenters: ["dc1"],
      ingress: "traefik",
      driver: "raw_exec",
      nomadVersion: "1.6.1",
      defaultProtocol: "tcp",
    });
  });
});
