import {
  applyOverride,
  escapeTerraform,
  isDuration,
  Job,
  nanoseconds,
  render,
  renderJobspec,
} from "../../constructs/nomad/jobspec";
import type { Json } from "../nomad/support";

const job: Job = {
  ID: "countdash",
  Type: "service",
  Datacenters: ["dc1"],
  Namespace: undefined,
  TaskGroups: [
    {
      Name: "dashboard",
      Count: 1,
      Networks: [{ Mode: "bridge", ReservedPorts: [{ Label: "http", Value: 9002, To: 9002 }] }],
      Services: [
        {
          Name: "count-dashboard",
          PortLabel: "http",
          Connect: {
            SidecarService: {
              Proxy: {
                Upstreams: [{ DestinationName: "count-api", LocalBindPort: 8080 }],
                TransparentProxy: {},
              },
            },
          },
        },
      ],
      Tasks: [
        {
          Name: "dashboard",
          Driver: "docker",
          Config: { image: "hashicorpdev/counter-dashboard:v3", raw: "a driver field called raw" },
          Env: { COUNTING_SERVICE_URL: "http://${NOMAD_UPSTREAM_ADDR_count_api}" },
          raw: { KillTimeout: 5e9, Resources: { MemoryMaxMB: 256 } },
          Resources: { CPU: 100, MemoryMB: 128 },
        },
      ],
    },
  ],
};

describe("render", () => {
  test("wraps the job under Job with Nomad's API field names", () => {
    // WHEN
    const doc = render(job);
    // THEN
    expect(doc.Job.ID).toBe("countdash");
    const group = (doc.Job.TaskGroups as Json[])[0];
    expect(group.Networks).toEqual([
      { Mode: "bridge", ReservedPorts: [{ Label: "http", To: 9002, Value: 9002 }] },
    ]);
    expect(group.Services[0].Connect.SidecarService.Proxy.Upstreams).toEqual([
      { DestinationName: "count-api", LocalBindPort: 8080 },
    ]);
  });

  test("drops undefined fields and keeps empty blocks such as TransparentProxy {}", () => {
    const doc = render(job);
    expect("Namespace" in doc.Job).toBe(false);
    expect(
      (doc.Job.TaskGroups as Json[])[0].Services[0].Connect.SidecarService.Proxy.TransparentProxy,
    ).toEqual({});
  });

  test("sorts keys so output does not depend on construction order", () => {
    const reordered: Job = {
      TaskGroups: job.TaskGroups,
      Datacenters: ["dc1"],
      Type: "service",
      ID: "countdash",
    };
    expect(JSON.stringify(render(reordered))).toBe(JSON.stringify(render(job)));
    expect(Object.keys(render(job).Job)).toEqual(["Datacenters", "ID", "TaskGroups", "Type"]);
  });

  test("deep-merges raw fields at their level and leaves opaque maps alone", () => {
    const task = (render(job).Job.TaskGroups as Json[])[0].Tasks[0];
    expect(task.KillTimeout).toBe(5e9);
    expect(task.Resources).toEqual({ CPU: 100, MemoryMB: 128, MemoryMaxMB: 256 });
    expect(task.raw).toBeUndefined();
    expect(task.Config.raw).toBe("a driver field called raw");
  });
});

describe("renderJobspec", () => {
  test("escapes Terraform template sequences exactly once, in the output", () => {
    // GIVEN a job with Nomad interpolation and a template directive
    const withTemplate: Job = {
      ...job,
      Meta: { note: "%{ if x }literal%{ endif }", already: "$${kept}" },
    };
    // WHEN
    const spec = renderJobspec(withTemplate);
    // THEN
    expect(spec).toContain("http://$${NOMAD_UPSTREAM_ADDR_count_api}");
    expect(spec).toContain("%%{ if x }literal%%{ endif }");
    expect(spec).toContain("$$${kept}");
    expect(spec).not.toMatch(/(^|[^$])\$\{/);
    expect(spec).not.toMatch(/(^|[^%])%\{/);
  });

  test("applies overrides to the rendered document", () => {
    const spec = renderJobspec(job, [
      ["Job.Priority", 70],
      ["Job.TaskGroups.0.Tasks.0.Env", undefined],
    ]);
    const doc = JSON.parse(spec);
    expect(doc.Job.Priority).toBe(70);
    expect(doc.Job.TaskGroups[0].Tasks[0].Env).toBeUndefined();
  });
});

describe("helpers", () => {
  test("escapeTerraform leaves cdktf tokens for cdktf to resolve", () => {
    expect(escapeTerraform('{"a":"${TfToken[TOKEN.12]}","b":"${NOMAD_TASK_DIR}"}')).toBe(
      '{"a":"${TfToken[TOKEN.12]}","b":"$${NOMAD_TASK_DIR}"}',
    );
  });

  test("escapeTerraform doubles both sigils", () => {
    expect(escapeTerraform("${a} %{b} $c {d}")).toBe("$${a} %%{b} $c {d}");
  });

  test("applyOverride creates missing objects", () => {
    const doc: Record<string, Json> = { Job: {} };
    applyOverride(doc, "Job.Update.MaxParallel", 2);
    expect(doc.Job.Update).toEqual({ MaxParallel: 2 });
  });

  test("nanoseconds converts Go durations", () => {
    expect(nanoseconds("10s")).toBe(10e9);
    expect(nanoseconds("1h30m")).toBe(5400e9);
    expect(nanoseconds("250ms")).toBe(250e6);
    expect(isDuration("5m")).toBe(true);
  });

  test("fails when a duration is not a Go duration", () => {
    expect(() => nanoseconds("10 seconds")).toThrow(
      'duration "10 seconds" is not a Go duration; use a form such as "10s"',
    );
    expect(() => nanoseconds("")).toThrow("is not a Go duration");
  });
});
