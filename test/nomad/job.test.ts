import { Testing } from "cdktf";
import { ConsulAgentJob, NomadJob, TaskDriver } from "../../constructs/nomad";
import type { TaskGroup } from "../../constructs/nomad/jobspec";
import {
  group,
  jobs,
  platformStack,
  rawJobspecs,
  synthJson,
  validationError,
  type Json,
} from "../nomad/support";

const web = TaskDriver.docker({ image: "nginx:1.27", ports: ["http"] });
const webGroup = (name: string, port?: number): TaskGroup => ({
  Name: name,
  Networks: [
    port
      ? { Mode: "bridge", ReservedPorts: [{ Label: "http", Value: port, To: 80 }] }
      : { Mode: "bridge", DynamicPorts: [{ Label: "http", To: 80 }] },
  ],
  Tasks: [{ Name: "web", Driver: web.name, Config: web.config }],
});

describe("NomadJob", () => {
  test("renders a nomad_job with json, purge on destroy and the Resource id", () => {
    // GIVEN
    const { stack } = platformStack();
    // WHEN
    new NomadJob(stack, "web", { groups: [webGroup("web")] });
    // THEN
    const resources = synthJson(stack).resource.nomad_job;
    const [key] = Object.keys(resources);
    expect(key).toMatch(/^web_[0-9A-F]+$/i); // "Resource" is the default child: its id drops out of the name
    expect(resources[key]).toMatchObject({ json: true, purge_on_destroy: true, deregister_on_destroy: true });
    expect(jobs(stack).web).toMatchObject({ ID: "web", Name: "web", Type: "service", Datacenters: ["*"] });
  });

  test("plans a service or system job stopped by hand as a change, but not a finished batch job", () => {
    // GIVEN one job of each kind, and one that opts out
    const { stack } = platformStack();
    new NomadJob(stack, "svc", { groups: [webGroup("svc")] });
    new NomadJob(stack, "sys", { type: "system", groups: [webGroup("sys")] });
    new NomadJob(stack, "once", { type: "batch", groups: [webGroup("once")] });
    new NomadJob(stack, "nightly", { type: "sysbatch", groups: [webGroup("nightly")] });
    new NomadJob(stack, "manual", { rerunIfDead: false, groups: [webGroup("manual")] });
    // THEN rerun_if_dead follows the job type (a batch job is "dead" once it has run)
    const byName = Object.fromEntries(
      Object.entries(synthJson(stack).resource.nomad_job).map(([key, r]) => [
        key.split("_")[0],
        (r as { rerun_if_dead: boolean }).rerun_if_dead,
      ]),
    );
    expect(byName).toEqual({ svc: true, sys: true, once: false, nightly: false, manual: false });
  });

  test("keeps Terraform references in the jobspec resolvable while escaping Nomad's own ${…}", () => {
    // GIVEN a task env that references another resource (a cdktf token) next to a Nomad variable
    const { stack } = platformStack();
    const other = new NomadJob(stack, "other", { groups: [webGroup("other")] });
    const g = webGroup("web");
    new NomadJob(stack, "web", {
      groups: [
        { ...g, Tasks: [{ ...g.Tasks![0], Env: { OTHER: other.resource.id, DIR: "${NOMAD_TASK_DIR}" } }] },
      ],
    });
    // THEN the reference is a Terraform interpolation and the Nomad variable is escaped
    const spec = rawJobspecs(stack).web;
    expect(spec).toMatch(/"OTHER":"\$\{nomad_job\.other_[0-9A-F]+\.id\}"/);
    expect(spec).toContain('"DIR":"$${NOMAD_TASK_DIR}"');
  });

  test("renders groups and tasks added after construction", () => {
    const { stack } = platformStack();
    const job = new NomadJob(stack, "web", { datacenters: ["dc1"] });
    job.addGroup(webGroup("web"));
    job.addTask("web", { Name: "log-shipper", Driver: "raw_exec", Config: { command: "vector" } });
    const rendered = group(jobs(stack).web, "web");
    expect(rendered.Tasks.map((t: Json) => t.Name)).toEqual(["web", "log-shipper"]);
  });

  test("escapes Nomad interpolation for Terraform in the synthesized jobspec", () => {
    const { stack } = platformStack();
    const job = new NomadJob(stack, "web", { groups: [webGroup("web")] });
    job.addJobspecOverride("Job.Constraints", [
      { LTarget: "${attr.unique.hostname}", Operand: "=", RTarget: "n1" },
    ]);
    expect(rawJobspecs(stack).web).toContain('"LTarget":"$${attr.unique.hostname}"');
    expect(jobs(stack).web.Constraints[0].LTarget).toBe("${attr.unique.hostname}");
  });

  test("passes dependsOn and detach through", () => {
    const { stack } = platformStack();
    const consul = new ConsulAgentJob(stack, "consul");
    new NomadJob(stack, "web", { groups: [webGroup("web")], dependsOn: [consul.resource], detach: false });
    const resource = Object.entries(synthJson(stack).resource.nomad_job).find(([k]) =>
      k.startsWith("web"),
    )![1] as Json;
    expect(resource.depends_on).toEqual([expect.stringMatching(/^nomad_job\.consul_/)]);
    expect(resource.detach).toBe(false);
  });

  test("is deterministic across synths", () => {
    const build = () => {
      const { stack } = platformStack();
      new NomadJob(stack, "web", { groups: [webGroup("web")] });
      return Testing.synth(stack);
    };
    expect(build()).toBe(build());
  });

  describe("bad input", () => {
    test("fails when the job name is not a service name", () => {
      const { stack } = platformStack();
      expect(() => new NomadJob(stack, "web", { name: "Web_App" })).toThrow(
        'NomadJob platform/web: name "Web_App" is not a valid service name; use 1-63 lowercase letters',
      );
    });

    test.each(["Meta.release", "Job", "Job..Meta", ""])(
      "fails when a jobspec override path %j lies outside the Job object",
      (path) => {
        const { stack } = platformStack();
        const job = new NomadJob(stack, "web", { groups: [webGroup("web")] });
        expect(() => job.addJobspecOverride(path, "2")).toThrow(
          `NomadJob platform/web: jobspec override path ${JSON.stringify(path)} does not start with "Job."; ` +
            `Nomad reads only the Job object, so write e.g. "Job.TaskGroups.0.Tasks.0.KillTimeout"`,
        );
      },
    );

    test("fails when a system job sets Count", () => {
      const { stack } = platformStack();
      expect(
        () => new NomadJob(stack, "agent", { type: "system", groups: [{ ...webGroup("agent"), Count: 3 }] }),
      ).toThrow(
        'NomadJob platform/agent: group "agent" sets Count 3 but a system job runs one allocation per eligible node; remove Count or use type "service"',
      );
    });

    test("fails when a group declares a port label twice", () => {
      const { stack } = platformStack();
      const clash: TaskGroup = {
        ...webGroup("web"),
        Networks: [
          {
            Mode: "bridge",
            ReservedPorts: [{ Label: "http", Value: 80 }],
            DynamicPorts: [{ Label: "http" }],
          },
        ],
      };
      expect(() => new NomadJob(stack, "web", { groups: [clash] })).toThrow(
        'NomadJob platform/web: group "web" declares port label "http" twice; give each port its own label',
      );
    });

    test("fails when two jobs of the stack reserve the same static port", () => {
      // GIVEN two jobs that could land on one node
      const { stack } = platformStack();
      new NomadJob(stack, "web", { groups: [webGroup("web", 8080)] });
      new NomadJob(stack, "admin", { groups: [webGroup("admin", 8080)] });
      // THEN synth validation names both
      expect(validationError(stack)).toContain(
        'NomadJob platform/admin: static port 8080 (group "admin", port "http") is already reserved by platform/web ' +
          '(group "web", port "http"); two allocations cannot bind one host port on a node, so use another static port or a dynamic one',
      );
    });

    test("fails when a task is added to a missing group", () => {
      const { stack } = platformStack();
      new NomadJob(stack, "web", { groups: [webGroup("web")] }).addTask("wbe", {
        Name: "x",
        Driver: "raw_exec",
      });
      expect(validationError(stack)).toContain(
        'NomadJob platform/web: addTask: group "wbe" does not exist (groups: web); add the group first',
      );
    });

    test("fails when the priority is out of range", () => {
      const { stack } = platformStack();
      expect(() => new NomadJob(stack, "web", { priority: 0 })).toThrow(
        "NomadJob platform/web: priority 0 is out of range; use 1-100",
      );
    });

    test("fails at validation when a group given as a function repeats a name", () => {
      const { stack } = platformStack();
      const job = new NomadJob(stack, "web", { groups: [webGroup("web")] });
      job.addGroup(() => webGroup("web"));
      expect(validationError(stack)).toContain(
        'NomadJob platform/web: group "web" is declared twice; rename one',
      );
    });

    test("fails when a group is declared twice", () => {
      const { stack } = platformStack();
      const job = new NomadJob(stack, "web", { groups: [webGroup("web")] });
      expect(() => job.addGroup(webGroup("web"))).toThrow(
        'NomadJob platform/web: group "web" is declared twice; rename one',
      );
    });
  });
});

describe("TaskDriver", () => {
  test("builds driver configs", () => {
    expect(TaskDriver.rawExec({ command: "python3", args: ["local/api.py"] })).toMatchObject({
      name: "raw_exec",
      config: { command: "python3", args: ["local/api.py"] },
      localDir: "local",
    });
    expect(TaskDriver.docker({ image: "redis:7.2" }).localDir).toBe("/local");
    expect(TaskDriver.exec({ command: "app" }).mountsVolumes).toBe(true);
  });

  test.each(["redis", "Redis:7.2", "redis: 7", "-redis:1", "registry/Team/app:1"])(
    "fails on a docker image Docker refuses or that has no tag: %s",
    (image) => {
      expect(() => TaskDriver.docker({ image })).toThrow(
        `TaskDriver.docker: image ${JSON.stringify(image)} needs a tag and Docker's reference form`,
      );
    },
  );

  test.each([
    "redis:7.2",
    "hashicorp/consul:1.20",
    "registry.example.com:5000/team/app:1.0",
    "localhost:5000/app:1",
    `ghcr.io/org/app:1.0@sha256:${"b".repeat(64)}`,
    `app@sha256:${"a".repeat(64)}`,
  ])("accepts a pinned Docker reference: %s", (image) => {
    expect(TaskDriver.docker({ image }).config.image).toBe(image);
  });

  test("a custom driver's configuration takes no nulls, however deep", () => {
    expect(() => TaskDriver.custom("podman", { image: "a", volumes: { data: null } } as never)).toThrow(
      "TaskDriver.custom: config.volumes.data is null; Nomad's driver configuration takes no nulls",
    );
  });

  test("a docker task maps only ports its group's network defines", () => {
    const stack = platformStack().stack;
    const job = new NomadJob(stack, "web", {});
    expect(() =>
      job.addGroup({
        Name: "web",
        Networks: [{ Mode: "bridge", DynamicPorts: [{ Label: "http", To: 80 }] }],
        Tasks: [
          { Name: "web", Driver: "docker", Config: { image: "nginx:1.27", ports: ["http", "metrics"] } },
        ],
      }),
    ).toThrow(
      'group "web" task "web" maps docker ports ["metrics"] its group\'s network does not define (["http"])',
    );
  });

  test("dependsOn takes resources and constructs, never a null inside", () => {
    const stack = platformStack().stack;
    expect(() => new NomadJob(stack, "web", { dependsOn: [null as never] })).toThrow(
      "NomadJob platform/web: dependsOn[0] null is not a Terraform resource or construct",
    );
  });

  test("fails when a program command is empty", () => {
    expect(() => TaskDriver.rawExec({ command: " " })).toThrow(
      'TaskDriver.raw_exec: command " " is empty; name the program to run, e.g. "python3"',
    );
  });
});
