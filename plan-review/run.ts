import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One external command the plan review runs. */
export interface Command {
  /** Program name, e.g. `terraform`. */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** Working directory. */
  readonly cwd: string;
  /** True when stdout is the result (captured); otherwise it is forwarded to stderr. */
  readonly capture: boolean;
}

/** Runs a command and returns its captured stdout; throws when it fails. */
export type Exec = (command: Command) => string;

/** Where and how to produce the plan JSON of one environment. */
export interface PlanRunOptions {
  /** Stack (environment) name: `cdktf.out/stacks/<environment>`. */
  readonly environment: string;
  /** Project root holding `cdktf.json`. */
  readonly projectDir: string;
  /** Run `npx cdktf synth` first. */
  readonly synth: boolean;
  /** Run `terraform init` and `terraform plan`; when false, show the existing `plan.tfplan`. */
  readonly plan: boolean;
  /** Terraform binary (`terraform` or `tofu`). */
  readonly terraform: string;
  /**
   * Refresh from the servers first (Terraform's default). Off, the plan compares the code with the
   * state only: what pull-request tokens that cannot read everything still plan (Consul serves its
   * CA configuration only to `operator:write`).
   * @default true
   */
  readonly refresh?: boolean;
}

/** Name of the plan file written in the stack directory. */
export const PLAN_FILE = "plan.tfplan";

/**
 * Runs a command with stdin closed, its stdout captured or forwarded to stderr (stdout is kept for the
 * Markdown) and its stderr forwarded; throws with the exit status when it fails.
 */
export const defaultExec: Exec = ({ command, args, cwd, capture }) => {
  const result = spawnSync(command, [...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
    stdio: ["ignore", capture ? "pipe" : process.stderr, process.stderr],
    env: { ...process.env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" },
  });
  if (result.error) throw new Error(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) {
    const how = result.status === null ? `signal ${result.signal}` : `exit code ${result.status}`;
    throw new Error(`"${[command, ...args].join(" ")}" failed in ${cwd} (${how})`);
  }
  return capture ? result.stdout : "";
};

function stackDir(options: Pick<PlanRunOptions, "environment" | "projectDir">): string {
  const stacks = join(options.projectDir, "cdktf.out", "stacks");
  const dir = join(stacks, options.environment);
  if (!existsSync(join(dir, "cdk.tf.json"))) {
    const known = existsSync(stacks) ? readdirSync(stacks).sort().join(", ") : "none; run cdktf synth";
    throw new Error(`no synthesized stack "${options.environment}" in ${stacks} (known: ${known || "none"})`);
  }
  return dir;
}

/** The synthesized stack's JSON (`cdktf.out/stacks/<env>/cdk.tf.json`), synthesizing first when asked. */
export function synthesizedStack(
  options: Pick<PlanRunOptions, "environment" | "projectDir" | "synth">,
  exec: Exec = defaultExec,
): string {
  if (options.synth)
    exec({ command: "npx", args: ["cdktf", "synth"], cwd: options.projectDir, capture: false });
  return readFileSync(join(stackDir(options), "cdk.tf.json"), "utf8");
}

/**
 * Produces `terraform show -json` output for one environment: synthesizes (optional), then in
 * `cdktf.out/stacks/<env>` runs `init`, `plan -out=plan.tfplan` and `show -json plan.tfplan`.
 */
export function producePlanJson(options: PlanRunOptions, exec: Exec = defaultExec): string {
  const { projectDir, terraform } = options;
  if (options.synth) exec({ command: "npx", args: ["cdktf", "synth"], cwd: projectDir, capture: false });
  const cwd = stackDir(options);
  const tf = (args: string[], capture = false) => exec({ command: terraform, args, cwd, capture });
  if (options.plan || !existsSync(join(cwd, ".terraform"))) tf(["init", "-input=false"]);
  const refresh = options.refresh === false ? ["-refresh=false"] : [];
  if (options.plan) tf(["plan", "-input=false", ...refresh, `-out=${PLAN_FILE}`]);
  else if (!existsSync(join(cwd, PLAN_FILE)))
    throw new Error(`--no-plan: ${join(cwd, PLAN_FILE)} does not exist`);
  return tf(["show", "-json", PLAN_FILE], true);
}
