/**
 * `npm run bench -- --deploy`: real deploy, second plan and destroy of the `local` platform and of
 * the platform with 50 generated mesh services on the running local cluster (`npm run up` started,
 * nothing deployed), each with `cdktf deploy|diff|destroy` and with Terraform alone on the same
 * synthesized JSON, in turn (A B A B …); the ratio cdktf/Terraform is what cdktf adds.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { resetConsulCa } from "../local/cluster-env";

const ROUNDS = Number(process.env.MESHSTACK_BENCH_ROUNDS ?? 3);
const SERVICES = 50;
const out = join(".local", "bench", "cdktf.out");
const cdktfApp = "node -r ./scripts/register-ts.js examples/bench-app.ts";

function run(command: string, args: string[], cwd = "."): number {
  const start = performance.now();
  execFileSync(command, args, {
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, MESHSTACK_BENCH_SERVICES: String(SERVICES), CI: "true", TF_IN_AUTOMATION: "1" },
    maxBuffer: 256 * 1024 * 1024,
  });
  return performance.now() - start;
}

const cdktf = (verb: string, stack: string, ...extra: string[]) =>
  run("npx", ["cdktf", verb, stack, "--app", cdktfApp, "--output", out, "--skip-provider-lock", ...extra]);
const terraform = (stack: string, ...args: string[]) =>
  run("terraform", [...args, "-input=false", "-no-color"], join(out, "stacks", stack));

async function assertEmptyCluster(): Promise<void> {
  const jobs = (await (await fetch(`${process.env.NOMAD_ADDR}/v1/jobs`)).json()) as unknown[];
  if (jobs.length > 0)
    throw new Error(
      "the deploy benchmark needs an empty local cluster: run npm run down && bash scripts/cluster.sh up",
    );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** cdktf and Terraform-alone timings (ms) of deploy, second plan and destroy, in turn. */
export async function benchDeploy(): Promise<Record<string, Record<string, number>>> {
  await assertEmptyCluster();
  rmSync(join(".local", "bench"), { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  run("npx", ["cdktf", "synth", "--app", cdktfApp, "--output", out]);
  const results: Record<string, Record<string, number>> = {};
  for (const stack of ["bench-local", `bench-${SERVICES}`]) {
    if (!existsSync(join(out, "stacks", stack, ".terraform"))) terraform(stack, "init");
    const times: Record<string, number[]> = {};
    const add = (key: string, ms: number) => (times[key] ??= []).push(ms);
    for (let round = 0; round < ROUNDS; round++) {
      add("cdktf deploy", cdktf("deploy", stack, "--auto-approve"));
      add("cdktf diff", cdktf("diff", stack));
      add("cdktf destroy", cdktf("destroy", stack, "--auto-approve"));
      await resetConsulCa(process.env);
      add("terraform apply", terraform(stack, "apply", "-auto-approve"));
      add("terraform plan", terraform(stack, "plan"));
      add("terraform destroy", terraform(stack, "destroy", "-auto-approve"));
      await resetConsulCa(process.env);
    }
    results[stack] = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(median(v))]));
    for (const [a, b] of [
      ["deploy", "apply"],
      ["diff", "plan"],
      ["destroy", "destroy"],
    ]) {
      const ratios = times[`cdktf ${a}`].map((ms, i) => ms / times[`terraform ${b}`][i]);
      results[stack][`ratio ${a}/${b}`] = +median(ratios).toFixed(2);
    }
  }
  return results;
}
