/**
 * Plan review CLI: turns an environment's Terraform plan into a Markdown summary for a pull request.
 *
 * Usage: tsx scripts/plan-review/cli.ts <env> [--plan-json FILE] [--out FILE] [--no-plan] [--no-synth]
 *
 * Exit codes: 0 no critical change, 2 critical changes present, 1 error.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parsePlanJson } from "./plan-json";
import { Exec, defaultExec, producePlanJson } from "./run";
import { EXIT_CODES, ExitCode, exitCodeFor, summarizePlan } from "./summarize";

/** Usage text printed on `--help` and on bad arguments. */
export const USAGE = `usage: plan-review <env> [--plan-json FILE] [--out FILE] [--no-plan] [--no-synth]

  <env>              stack to review (cdktf.out/stacks/<env>), e.g. staging
  --plan-json FILE   summarise this "terraform show -json" output instead of planning
  --out FILE         also write the Markdown to FILE
  --no-synth         use the existing cdktf.out instead of running "npx cdktf synth"
  --no-plan          skip synth and plan; show the stack's existing ${"plan.tfplan"}

environment: TERRAFORM_BINARY_NAME (default terraform; e.g. tofu)
exit codes: 0 no critical change, 2 critical changes, 1 error`;

/** What the CLI needs from its surroundings, replaceable in tests. */
export interface CliContext {
  /** Project root. */
  readonly cwd: string;
  /** Environment variables. */
  readonly env: NodeJS.ProcessEnv;
  /** Writes to stdout. */
  readonly stdout: (text: string) => void;
  /** Writes to stderr. */
  readonly stderr: (text: string) => void;
  /** Runs external commands. */
  readonly exec: Exec;
}

/** Runs the CLI with `argv` (without node and script) and returns its exit code. */
export function main(argv: readonly string[], context: CliContext): ExitCode {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        "plan-json": { type: "string" },
        out: { type: "string" },
        "no-plan": { type: "boolean", default: false },
        "no-synth": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      context.stdout(`${USAGE}\n`);
      return EXIT_CODES.ok;
    }
    const [environment, ...extra] = positionals;
    if (!environment || extra.length > 0 || !/^[A-Za-z0-9][\w-]*$/.test(environment)) {
      throw new Error(`expected one environment name, got ${JSON.stringify(positionals)}\n${USAGE}`);
    }
    const text = values["plan-json"]
      ? readFileSync(resolve(context.cwd, values["plan-json"]), "utf8")
      : producePlanJson(
          {
            environment,
            projectDir: context.cwd,
            synth: !values["no-synth"] && !values["no-plan"],
            plan: !values["no-plan"],
            terraform: context.env.TERRAFORM_BINARY_NAME || "terraform",
          },
          context.exec,
        );
    const summary = summarizePlan(parsePlanJson(text), { environment });
    context.stdout(summary.markdown);
    if (values.out) writeFileSync(resolve(context.cwd, values.out), summary.markdown);
    const code = exitCodeFor(summary);
    if (code === EXIT_CODES.critical) {
      context.stderr(`plan-review: ${summary.critical.length} critical change(s) in ${environment}\n`);
    }
    return code;
  } catch (error) {
    context.stderr(`plan-review: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_CODES.error;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    exec: defaultExec,
  });
}
