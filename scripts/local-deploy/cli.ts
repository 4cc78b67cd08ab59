/**
 * `tsx scripts/local-deploy/cli.ts <up|plan|down> [env]`: deploys a synthesized stack
 * (`cdktf.out/stacks/<env>`) with the providers this machine has; see deploy.ts. The quick start uses
 * it when `cdktf deploy` cannot run because a provider is missing from the mirror.
 */
import { join } from "node:path";
import { apply, destroy, plan, prepare } from "./deploy";

async function main(): Promise<void> {
  const [command = "up", env = "local"] = process.argv.slice(2);
  // Same depth as cdktf.out/stacks/<env>, so the stack's relative local-state path is unchanged.
  const deployment = prepare(join("cdktf.out", "stacks", env), join(".local", "deploy", env));
  if (deployment.missing.length > 0) {
    console.log(
      `providers not in the mirror: ${deployment.missing.join(", ")} — Terraform applies the rest; ` +
        `${deployment.direct.length} resources go through the servers' APIs (docs/toolchain.md)`,
    );
  }
  if (command === "up") await apply(deployment, process.env);
  else if (command === "down") await destroy(deployment, process.env);
  else if (command === "plan") {
    const result = await plan(deployment, process.env);
    console.log(result.output);
    console.log(`nomad job plans: ${JSON.stringify(result.jobs)}`);
    // Like `terraform plan -detailed-exitcode`: 1 error, 2 changes, 0 none.
    if (result.terraform === 1) process.exitCode = 1;
    else
      process.exitCode =
        result.terraform === 2 || Object.values(result.jobs).some((t) => t !== "None") ? 2 : 0;
  } else throw new Error(`unknown command "${command}"; use up, plan or down`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
