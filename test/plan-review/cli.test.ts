import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliContext, main } from "../../scripts/plan-review/cli";
import { Command, Exec } from "../../scripts/plan-review/run";
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

function run(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; showOutput?: string; failOn?: string } = {},
): Run {
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
  return { code: main(argv, context), stdout, stderr, commands };
}

describe("with --plan-json", () => {
  test("prints the review, writes --out and exits 2 on critical changes", () => {
    // GIVEN a plan that destroys the CA
    // WHEN
    const result = run([
      "prod",
      "--plan-json",
      join(FIXTURES, "mesh-critical-destroy.plan.json"),
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

  test("exits 0 when nothing is critical", () => {
    const result = run(["staging", "--plan-json", join(FIXTURES, "terraform-data-no-changes.plan.json")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("**No changes.**");
  });

  test("fails with 1 when the file is not plan JSON", () => {
    writeFileSync(join(project, "state.json"), '{"format_version":"1.0","values":{}}');
    const result = run(["staging", "--plan-json", "state.json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("this is state JSON");
    expect(result.stdout).toBe("");
  });
});

describe("arguments", () => {
  test.each([[[]], [["staging", "prod"]], [["../etc"]], [["staging", "--bogus"]]])(
    "fails with 1 on %j",
    (argv) => {
      const result = run(argv);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^plan-review: /);
    },
  );

  test("prints usage on --help", () => {
    const result = run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("usage: plan-review <env>");
  });
});

describe("planning", () => {
  test("synthesizes, then inits, plans and shows in the stack directory", () => {
    const dir = addStack("staging");
    const result = run(["staging"]);
    expect(result.code).toBe(0);
    expect(result.commands.map((c) => [c.command, c.args.join(" "), c.cwd, c.capture])).toEqual([
      ["npx", "cdktf synth", project, false],
      ["terraform", "init -input=false", dir, false],
      ["terraform", "plan -input=false -out=plan.tfplan", dir, false],
      ["terraform", "show -json plan.tfplan", dir, true],
    ]);
    expect(result.stdout).toContain("## Plan review: `staging`");
  });

  test("honours TERRAFORM_BINARY_NAME and --no-synth", () => {
    addStack("prod");
    const result = run(["prod", "--no-synth"], { env: { TERRAFORM_BINARY_NAME: "tofu" } });
    expect(result.commands.map((c) => `${c.command} ${c.args[0]}`)).toEqual([
      "tofu init",
      "tofu plan",
      "tofu show",
    ]);
  });

  test("--no-plan shows the existing plan file without synth or plan", () => {
    addStack("prod", { "plan.tfplan": "binary" });
    mkdirSync(join(project, "cdktf.out", "stacks", "prod", ".terraform"));
    const result = run(["prod", "--no-plan"]);
    expect(result.code).toBe(0);
    expect(result.commands.map((c) => c.args.join(" "))).toEqual(["show -json plan.tfplan"]);
  });

  test("fails with 1 when --no-plan finds no plan file", () => {
    addStack("prod");
    const result = run(["prod", "--no-plan"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("plan.tfplan does not exist");
  });

  test("fails with 1 naming the known stacks when the environment was not synthesized", () => {
    addStack("staging");
    addStack("prod");
    const result = run(["qa", "--no-synth"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no synthesized stack "qa"');
    expect(result.stderr).toContain("(known: prod, staging)");
  });

  test("fails with 1 when terraform fails", () => {
    addStack("staging");
    const result = run(["staging"], { failOn: "plan" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("terraform failed");
    expect(result.stdout).toBe("");
  });
});

describe("defaultExec", () => {
  test("captures stdout and throws with the exit code on failure", () => {
    const { defaultExec } = jest.requireActual<typeof import("../../scripts/plan-review/run")>(
      "../../scripts/plan-review/run",
    );
    const node = process.execPath;
    expect(
      defaultExec({ command: node, args: ["-e", "process.stdout.write('ok')"], cwd: project, capture: true }),
    ).toBe("ok");
    expect(() =>
      defaultExec({ command: node, args: ["-e", "process.exit(3)"], cwd: project, capture: true }),
    ).toThrow(/failed in .* \(exit code 3\)/);
  });
});
