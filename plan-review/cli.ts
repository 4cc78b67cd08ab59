#!/usr/bin/env node
/**
 * Plan review CLI: turns an environment's Terraform plan into a Markdown summary for a pull request.
 *
 * Usage: meshstack-plan-review <env> [--plan-json FILE] [--out FILE] [--no-plan] [--no-synth] [--no-refresh] [--nomad-drift] [--consul-grants] [--audit]
 *
 * Exit codes: 0 no critical change, 2 critical changes present, 1 error.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConsulAccess, consulAccessFrom, readConsulIntentions } from "./consul-read";
import { ConsulIntentionsView, crossRepoAccess, crossRepoMarkdown } from "./grants";
import { driftMarkdown, jobDrift, JobDrift, NomadAccess, plannedJobs } from "./job-drift";
import { parsePlanJson } from "./plan-json";
import { Exec, defaultExec, producePlanJson, synthesizedStack } from "./run";
import { auditAccess, auditMarkdown } from "./audit";
import { ACCESS_POLICY_OUTPUT, parseAccessRules } from "../constructs/policy/rules";
import { EXIT_CODES, ExitCode, exitCodeFor, summarizePlan } from "./summarize";

/** Usage text printed on `--help` and on bad arguments. */
export const USAGE = `usage: meshstack-plan-review <env> [--plan-json FILE] [--out FILE] [--no-plan] [--no-synth] [--no-refresh] [--nomad-drift] [--consul-grants] [--audit]

  <env>              stack to review (cdktf.out/stacks/<env>), e.g. staging
  --plan-json FILE   summarise this "terraform show -json" output instead of planning
  --out FILE         also write the Markdown to FILE
  --no-synth         use the existing cdktf.out instead of running "npx cdktf synth"
  --no-plan          skip synth and plan; show the stack's existing ${"plan.tfplan"}
  --no-refresh       plan the code against the state without reading the servers (-refresh=false):
                     what read-only pull-request tokens can plan; drift is left to a privileged run
  --nomad-drift      also ask Nomad (NOMAD_ADDR, NOMAD_TOKEN) how the running jobs differ from
                     the declared ones, which the nomad provider's plan cannot see
  --consul-grants    also read Consul's intentions (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, CONSUL_CACERT)
                     and report the calls this plan declares that another repository's destination
                     does not allow yet, and this plan's allows whose caller no longer exists
  --audit            instead of a plan: check the stack's access rules (AccessPolicy) on the running
                     mesh's intentions (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, CONSUL_CACERT), whoever
                     wrote them; exit 2 when one is broken

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
  /** Asks Nomad how a running job differs from the declared one. */
  readonly jobDrift?: (access: NomadAccess, job: Record<string, unknown>) => Promise<JobDrift>;
  /** Reads Consul's intentions entries and catalog. */
  readonly readConsul?: (access: ConsulAccess) => Promise<ConsulIntentionsView>;
}

/** Runs the CLI with `argv` (without node and script) and returns its exit code. */
export async function main(argv: readonly string[], context: CliContext): Promise<ExitCode> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        "plan-json": { type: "string" },
        out: { type: "string" },
        "no-plan": { type: "boolean", default: false },
        "no-synth": { type: "boolean", default: false },
        "nomad-drift": { type: "boolean", default: false },
        "no-refresh": { type: "boolean", default: false },
        "consul-grants": { type: "boolean", default: false },
        audit: { type: "boolean", default: false },
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
    if (values.audit) return await audit(environment, !values["no-synth"], values.out, context);
    const text = values["plan-json"]
      ? readFileSync(resolve(context.cwd, values["plan-json"]), "utf8")
      : producePlanJson(
          {
            environment,
            projectDir: context.cwd,
            synth: !values["no-synth"] && !values["no-plan"],
            plan: !values["no-plan"],
            terraform: context.env.TERRAFORM_BINARY_NAME || "terraform",
            refresh: !values["no-refresh"],
          },
          context.exec,
        );
    const plan = parsePlanJson(text);
    const summary = summarizePlan(plan, { environment });
    let markdown = summary.markdown;
    if (values["nomad-drift"]) markdown += await nomadDrift(text, context);
    if (values["consul-grants"]) {
      const read = context.readConsul ?? readConsulIntentions;
      markdown += crossRepoMarkdown(crossRepoAccess(plan, await read(consulAccessFrom(context.env))));
    }
    context.stdout(markdown);
    if (values.out) writeFileSync(resolve(context.cwd, values.out), markdown);
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

/** The stack's access rules on the running mesh: Markdown, and exit 2 when one is broken. */
async function audit(
  environment: string,
  synth: boolean,
  out: string | undefined,
  context: CliContext,
): Promise<ExitCode> {
  const stack = JSON.parse(
    synthesizedStack({ environment, projectDir: context.cwd, synth }, context.exec),
  ) as {
    output?: Record<string, { value?: unknown }>;
  };
  const rules = parseAccessRules(stack.output?.[ACCESS_POLICY_OUTPUT]?.value ?? "[]");
  if ("unreadable" in rules) throw new Error(`the stack's access rules cannot be read: ${rules.unreadable}`);
  const read = context.readConsul ?? readConsulIntentions;
  const found = auditAccess(rules, await read(consulAccessFrom(context.env)));
  const markdown = auditMarkdown(environment, rules, found);
  context.stdout(markdown);
  if (out) writeFileSync(resolve(context.cwd, out), markdown);
  if (found.length === 0) return EXIT_CODES.ok;
  context.stderr(`plan-review: ${found.length} access rule(s) broken in the running ${environment} mesh\n`);
  return EXIT_CODES.critical;
}

/** Nomad's own view of every job the plan keeps or updates, as a Markdown section. */
async function nomadDrift(planText: string, context: CliContext): Promise<string> {
  const address = context.env.NOMAD_ADDR;
  if (!address) throw new Error("--nomad-drift needs NOMAD_ADDR (and NOMAD_TOKEN where ACLs are on)");
  const access = { address, token: context.env.NOMAD_TOKEN || undefined };
  const check = context.jobDrift ?? jobDrift;
  const drifts = [];
  for (const planned of plannedJobs(JSON.parse(planText))) {
    drifts.push({ ...(await check(access, planned.job)), address: planned.address });
  }
  return driftMarkdown(drifts);
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    exec: defaultExec,
  }).then((code) => (process.exitCode = code));
}
