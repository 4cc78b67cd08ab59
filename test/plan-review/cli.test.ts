import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliContext, main } from "../../plan-review/cli";
import { describePlanDiff } from "../../plan-review/job-drift";
import { Command, Exec } from "../../plan-review/run";
import { FIXTURES, fixtureText } from "./helpers";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly commands: Command[];
}

let project: string;

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), "plan-review-"));
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

function addStack(env: string, files: Record<string, string> = {}): string {
  const dir = join(project, "cdktf.out", "stacks", env);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "cdk.tf.json"), "{}");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function run(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; showOutput?: string; failOn?: string } = {},
): Promise<Run> {
  const commands: Command[] = [];
  let stdout = "";
  let stderr = "";
  const exec: Exec = (command) => {
    commands.push(command);
    if (options.failOn && command.args.includes(options.failOn)) throw new Error(`${command.command} failed`);
    return command.capture ? (options.showOutput ?? fixtureText("terraform-data")) : "";
  };
  const context: CliContext = {
    cwd: project,
    env: options.env ?? {},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    exec,
  };
  return { code: await main(argv, context), stdout, stderr, commands };
}

describe("with --plan-json", () => {
  test("prints the review, writes --out and exits 2 on critical changes", async () => {
    // GIVEN a plan that destroys the CA
    // WHEN
    const result = await run([
      "prod",
      "--plan-json",
      join(FIXTURES, "local-destroy.plan.json"),
      "--out",
      "review.md",
    ]);
    // THEN
    expect(result.code).toBe(2);
    expect(result.stdout.startsWith("<!-- meshstack-plan-review:prod -->")).toBe(true);
    expect(readFileSync(join(project, "review.md"), "utf8")).toBe(result.stdout);
    expect(result.stderr).toContain("9 critical change(s) in prod");
    expect(result.commands).toEqual([]);
  });

  test("exits 0 when nothing is critical", async () => {
    const result = await run([
      "staging",
      "--plan-json",
      join(FIXTURES, "terraform-data-no-changes.plan.json"),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("**No changes.**");
  });

  test("fails with 1 when the file is not plan JSON", async () => {
    writeFileSync(join(project, "state.json"), '{"format_version":"1.0","values":{}}');
    const result = await run(["staging", "--plan-json", "state.json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("this is state JSON");
    expect(result.stdout).toBe("");
  });
});

describe("arguments", () => {
  test.each([[[]], [["staging", "prod"]], [["../etc"]], [["staging", "--bogus"]]])(
    "fails with 1 on %j",
    async (argv) => {
      const result = await run(argv);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^plan-review: /);
    },
  );

  test("prints usage on --help", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("usage: meshstack-plan-review <env>");
  });
});

describe("planning", () => {
  test("synthesizes, then inits, plans and shows in the stack directory", async () => {
    const dir = addStack("staging");
    const result = await run(["staging"]);
    expect(result.code).toBe(0);
    expect(result.commands.map((c) => [c.command, c.args.join(" "), c.cwd, c.capture])).toEqual([
      ["npx", "cdktf synth", project, false],
      ["terraform", "init -input=false", dir, false],
      ["terraform", "plan -input=false -out=plan.tfplan", dir, false],
      ["terraform", "show -json plan.tfplan", dir, true],
    ]);
    expect(result.stdout).toContain("## Plan review: `staging`");
  });

  test("honours TERRAFORM_BINARY_NAME and --no-synth", async () => {
    addStack("prod");
    const result = await run(["prod", "--no-synth"], { env: { TERRAFORM_BINARY_NAME: "tofu" } });
    expect(result.commands.map((c) => `${c.command} ${c.args[0]}`)).toEqual([
      "tofu init",
      "tofu plan",
      "tofu show",
    ]);
  });

  test("--no-refresh plans the code against the state only", async () => {
    addStack("prod");
    const result = await run(["prod", "--no-synth", "--no-refresh"]);
    expect(result.commands.map((c) => c.args.join(" "))).toEqual([
      "init -input=false",
      "plan -input=false -refresh=false -out=plan.tfplan",
      "show -json plan.tfplan",
    ]);
  });

  test("--no-plan shows the existing plan file without synth or plan", async () => {
    addStack("prod", { "plan.tfplan": "binary" });
    mkdirSync(join(project, "cdktf.out", "stacks", "prod", ".terraform"));
    const result = await run(["prod", "--no-plan"]);
    expect(result.code).toBe(0);
    expect(result.commands.map((c) => c.args.join(" "))).toEqual(["show -json plan.tfplan"]);
  });

  test("fails with 1 when --no-plan finds no plan file", async () => {
    addStack("prod");
    const result = await run(["prod", "--no-plan"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("plan.tfplan does not exist");
  });

  test("fails with 1 naming the known stacks when the environment was not synthesized", async () => {
    addStack("staging");
    addStack("prod");
    const result = await run(["qa", "--no-synth"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no synthesized stack "qa"');
    expect(result.stderr).toContain("(known: prod, staging)");
  });

  test("fails with 1 when terraform fails", async () => {
    addStack("staging");
    const result = await run(["staging"], { failOn: "plan" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("terraform failed");
    expect(result.stdout).toBe("");
  });
});

describe("--nomad-drift", () => {
  const job = (id: string, count: number) =>
    JSON.stringify({ Job: { ID: id, TaskGroups: [{ Name: id, Count: count }] } });
  /** A plan keeping one job, updating one and creating one. */
  const plan = JSON.stringify({
    format_version: "1.2",
    resource_changes: [
      {
        address: "nomad_job.Kept",
        type: "nomad_job",
        change: { actions: ["no-op"], after: { jobspec: job("kept", 1) } },
      },
      {
        address: "nomad_job.Edited",
        type: "nomad_job",
        change: { actions: ["update"], after: { jobspec: job("edited", 1) } },
      },
      {
        address: "nomad_job.New",
        type: "nomad_job",
        change: { actions: ["create"], after: { jobspec: job("new", 1) } },
      },
    ],
  });

  async function review(drifted: string[]) {
    const file = join(project, "plan.json");
    writeFileSync(file, plan);
    const asked: string[] = [];
    let stdout = "";
    const code = await main(["local", "--plan-json", file, "--nomad-drift"], {
      cwd: project,
      env: { NOMAD_ADDR: "http://127.0.0.1:4646" },
      stdout: (text) => (stdout += text),
      stderr: () => {},
      exec: () => "",
      jobDrift: async (_access, spec) => {
        const id = String(spec.ID);
        asked.push(id);
        return drifted.includes(id)
          ? { job: id, type: "Edited", changes: [`group "${id}" Count: 2 → 1`], source: "plan" }
          : { job: id, type: "None", changes: [], source: "plan" };
      },
    });
    return { code, stdout, asked };
  }

  test("asks Nomad about the jobs the plan keeps or updates, not the new ones", async () => {
    const { asked, stdout } = await review([]);
    expect(asked).toEqual(["kept", "edited"]);
    expect(stdout).toContain("✅ Nomad runs the 2 unchanged job(s) as declared.");
  });

  test("reports a job Nomad runs differently, with the way back", async () => {
    const { stdout, code } = await review(["kept"]);
    expect(code).toBe(0);
    expect(stdout).toContain("### Nomad's view of the jobs");
    expect(stdout).toContain(
      '- `kept` (`nomad_job.Kept`, from Nomad\'s job plan):\n  - group "kept" Count: 2 → 1',
    );
    expect(stdout).toContain("nomad job scale");
  });

  test("fails with 1 without NOMAD_ADDR", async () => {
    const file = join(project, "plan.json");
    writeFileSync(file, plan);
    let stderr = "";
    const code = await main(["local", "--plan-json", file, "--nomad-drift"], {
      cwd: project,
      env: {},
      stdout: () => {},
      stderr: (text) => (stderr += text),
      exec: () => "",
    });
    expect(code).toBe(1);
    expect(stderr).toContain("--nomad-drift needs NOMAD_ADDR");
  });
});

describe("describePlanDiff", () => {
  test("lists changed fields of the job, its groups and tasks, skipping unchanged ones", () => {
    // GIVEN the shape of Nomad's job plan diff for a scaled group and an edited task env
    const diff = {
      Type: "Edited",
      Name: "",
      Fields: [{ Type: "None", Name: "Priority", Old: "50", New: "50" }],
      Objects: null,
      TaskGroups: [
        {
          Type: "Edited",
          Name: "api",
          Fields: [{ Type: "Edited", Name: "Count", Old: "2", New: "1" }],
          Objects: null,
          Tasks: [
            {
              Type: "Edited",
              Name: "api",
              Fields: null,
              Objects: [
                {
                  Type: "Edited",
                  Name: "Env",
                  Fields: [{ Type: "Added", Name: "MODE", Old: "", New: "fast" }],
                },
              ],
            },
          ],
        },
        { Type: "None", Name: "web", Fields: null, Objects: null },
      ],
    };
    // THEN
    expect(describePlanDiff(diff)).toEqual(['group "api" Count: 2 → 1', 'task "api" Env MODE: ∅ → fast']);
  });
});

describe("defaultExec", () => {
  test("captures stdout and throws with the exit code on failure", async () => {
    const { defaultExec } =
      jest.requireActual<typeof import("../../plan-review/run")>("../../plan-review/run");
    const node = process.execPath;
    expect(
      defaultExec({ command: node, args: ["-e", "process.stdout.write('ok')"], cwd: project, capture: true }),
    ).toBe("ok");
    expect(() =>
      defaultExec({ command: node, args: ["-e", "process.exit(3)"], cwd: project, capture: true }),
    ).toThrow(/failed in .* \(exit code 3\)/);
  });
});
