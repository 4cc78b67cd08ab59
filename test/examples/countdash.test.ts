import { Testing } from "cdktf";
import { Countdash } from "../../examples";
import { COUNT_API_PY, COUNT_DASHBOARD_PY } from "../../stacks/demos/countdash-programs";
import { allowedSources, group, jobs, rawJobspecs, validationError, type Json } from "../nomad/support";
import { platform } from "./support";

describe("Countdash", () => {
  test("transparent proxy on docker: counter images, virtual address, one intention", () => {
    // GIVEN a docker cluster
    const { stack, mesh } = platform("docker");
    // WHEN
    new Countdash(stack, "countdash", { mesh });
    // THEN
    const job = jobs(stack).countdash;
    expect(job.TaskGroups.map((g: Json) => g.Name)).toEqual(["count-api", "count-dashboard"]);
    const api = group(job, "count-api");
    expect(api.Services[0]).toMatchObject({ Name: "count-api", PortLabel: "9001" });
    expect(api.Services[0].Connect.SidecarService.Proxy.TransparentProxy).toEqual({});
    expect(api.Tasks[0].Config).toEqual({ image: "hashicorpdev/counter-api:v3" });
    const dashboard = group(job, "count-dashboard");
    expect(dashboard.Networks[0].ReservedPorts).toEqual([{ Label: "public", Value: 9002, To: 9002 }]);
    expect(dashboard.Services[0].Connect.SidecarService.Proxy.Upstreams).toBeUndefined();
    expect(dashboard.Tasks[0].Env.COUNTING_SERVICE_URL).toBe("http://count-api.virtual.consul");
    expect(dashboard.Tasks[0].Config).toEqual({ image: "hashicorpdev/counter-dashboard:v3" });
    expect(allowedSources(stack, "count-api")).toEqual(["count-dashboard"]);
    expect(validationError(stack)).toBe("");
  });

  test("across nodes: one allocation per client, or with more instances each group's on distinct clients", () => {
    const distinct = { Operand: "distinct_hosts", RTarget: "true" };
    const one = platform("docker");
    new Countdash(one.stack, "countdash", { mesh: one.mesh, distinctHosts: true });
    const single = jobs(one.stack).countdash;
    expect(single.Constraints).toEqual([distinct]);
    expect(single.TaskGroups.map((g: Json) => [g.Count, g.Constraints])).toEqual([
      [1, undefined],
      [1, undefined],
    ]);
    const two = platform("docker");
    new Countdash(two.stack, "countdash", { mesh: two.mesh, distinctHosts: true, instances: 2 });
    const spread = jobs(two.stack).countdash;
    expect(spread.Constraints).toBeUndefined();
    expect(spread.TaskGroups.map((g: Json) => [g.Count, g.Constraints])).toEqual([
      [2, [distinct]],
      [2, [distinct]],
    ]);
  });

  test("manual upstreams: local bind port 8080 and the escaped upstream address", () => {
    const { stack, mesh } = platform("docker");
    new Countdash(stack, "countdash", { mesh, mode: "upstreams" });
    const dashboard = group(jobs(stack).countdash, "count-dashboard");
    expect(dashboard.Services[0].Connect.SidecarService.Proxy.Upstreams).toEqual([
      { DestinationName: "count-api", LocalBindPort: 8080 },
    ]);
    expect(dashboard.Services[0].Connect.SidecarService.Proxy.TransparentProxy).toBeUndefined();
    expect(dashboard.Tasks[0].Env.COUNTING_SERVICE_URL).toBe("http://${NOMAD_UPSTREAM_ADDR_count_api}");
    expect(rawJobspecs(stack).countdash).toContain("http://$${NOMAD_UPSTREAM_ADDR_count_api}");
  });

  test("raw_exec for the local cluster: Python programs from templates and a raw_exec Envoy", () => {
    const { stack, mesh } = platform("raw_exec");
    new Countdash(stack, "countdash", { mesh, mode: "upstreams", dashboardHost: "count.example.com" });
    const job = jobs(stack).countdash;
    const api = group(job, "count-api");
    expect(api.Tasks[0]).toMatchObject({
      Driver: "raw_exec",
      Config: { command: "python3", args: ["local/api.py"] },
      Templates: [{ DestPath: "local/api.py", EmbeddedTmpl: COUNT_API_PY, ChangeMode: "restart" }],
    });
    const dashboard = group(job, "count-dashboard");
    expect(dashboard.Tasks[0].Templates[0].EmbeddedTmpl).toBe(COUNT_DASHBOARD_PY);
    expect(dashboard.Services[0].Connect.SidecarTask).toMatchObject({
      Driver: "raw_exec",
      Config: { command: "/usr/local/bin/envoy" },
    });
    expect(dashboard.Services[0].Tags).toContain(
      "traefik.http.routers.count-dashboard.rule=Host(`count.example.com`)",
    );
    expect(allowedSources(stack, "count-dashboard")).toEqual(["traefik"]);
    expect(validationError(stack)).toBe("");
  });

  test("the Python programs avoid consul-template and Terraform delimiters", () => {
    for (const program of [COUNT_API_PY, COUNT_DASHBOARD_PY]) {
      expect(program).not.toContain("{{");
      expect(program).not.toMatch(/[$%]\{/);
    }
    expect(COUNT_API_PY).toContain('"/health"');
    expect(COUNT_DASHBOARD_PY).toContain('os.environ["COUNTING_SERVICE_URL"]');
  });

  test("snapshot (raw_exec, manual upstreams)", () => {
    const { stack, mesh } = platform("raw_exec");
    new Countdash(stack, "countdash", { mesh, mode: "upstreams" });
    expect(Testing.synth(stack)).toMatchSnapshot();
  });
});
