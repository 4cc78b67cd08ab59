/**
 * Deploys a synthesized stack with the providers this machine has: Terraform applies everything it
 * can, and — only for resources whose provider no reachable registry serves (consul and nomad here,
 * docs/toolchain.md) — Consul's and Nomad's APIs apply the bodies Terraform evaluated. With every
 * provider present this is plain `terraform init && terraform apply`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { applyDirect, ClusterAccess, destroyDirect, planJobs } from "./direct";
import { DirectResource, splitByProvider, TerraformJson } from "./split";

/** A stack prepared for deployment in `dir`. */
export interface Deployment {
  /** Directory holding the (possibly reduced) `cdk.tf.json`. */
  readonly dir: string;
  /** Providers the stack needs but the mirror lacks. */
  readonly missing: string[];
  /** Resources applied through the servers' APIs. */
  readonly direct: DirectResource[];
}

/** Providers a stack requires that the toolchain's filesystem mirror does not hold. */
export function missingProviders(json: TerraformJson, mirror = defaultMirror()): string[] {
  return Object.keys(json.terraform?.required_providers ?? {}).filter(
    (name) => !inMirror(join(mirror, "registry.terraform.io", "hashicorp", name)),
  );
}

/** A provider is mirrored packed (`*.zip`) or unpacked (`<version>/linux_amd64/<binary>`). */
function inMirror(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((entry) => {
    const platform = join(dir, entry, "linux_amd64");
    return entry.endsWith(".zip") || (existsSync(platform) && readdirSync(platform).length > 0);
  });
}

function defaultMirror(): string {
  return join(process.env.MESHSTACK_CACHE ?? join(homedir(), ".cache", "meshstack"), "providers");
}

/** Writes the deployable configuration for `stackDir`'s `cdk.tf.json` into `dir`. */
export function prepare(stackDir: string, dir: string, mirror?: string): Deployment {
  const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as TerraformJson;
  const missing = missingProviders(json, mirror);
  const { config, direct } = splitByProvider(json, missing);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "cdk.tf.json"), `${JSON.stringify(config, null, 2)}\n`);
  return { dir, missing, direct };
}

/** Runs terraform in the deployment directory; returns its exit code and output. */
export function terraform(
  deployment: Deployment,
  env: NodeJS.ProcessEnv,
  ...args: string[]
): { code: number; out: string } {
  try {
    const out = execFileSync(env.TERRAFORM_BINARY_NAME || "terraform", args, {
      cwd: deployment.dir,
      env: { ...env, TF_IN_AUTOMATION: "1" },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { code: 0, out };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

/** The evaluated bodies of the direct resources, from Terraform's outputs. */
export function directBodies(
  deployment: Deployment,
  env: NodeJS.ProcessEnv,
): Record<string, Record<string, unknown>> {
  if (deployment.direct.length === 0) return {};
  const { code, out } = terraform(deployment, env, "output", "-json");
  if (code !== 0) throw new Error(`terraform output failed: ${out}`);
  const outputs = JSON.parse(out) as Record<string, { value: Record<string, unknown> }>;
  return Object.fromEntries(deployment.direct.map((r) => [r.output, outputs[r.output]?.value]));
}

/** The KEY=VALUE lines `scripts/cluster.sh` writes to `.local/cluster.env` (addresses and tokens). */
export function readClusterEnv(file = join(".local", "cluster.env")): Record<string, string> {
  const entries = readFileSync(file, "utf8")
    .split("\n")
    .map((line) => /^(\w+)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2].replace(/^"|"$/g, "")]);
  return Object.fromEntries(entries);
}

/** Cluster access from the process environment (`.local/cluster.env`). */
export function accessFrom(env: NodeJS.ProcessEnv): ClusterAccess {
  return {
    consulAddr: env.CONSUL_HTTP_ADDR ?? "http://127.0.0.1:8500",
    consulToken: env.CONSUL_HTTP_TOKEN || undefined,
    nomadAddr: env.NOMAD_ADDR ?? "http://127.0.0.1:4646",
    nomadToken: env.NOMAD_TOKEN || undefined,
  };
}

/** `terraform init` + `apply`, then the direct resources. Throws with Terraform's output on failure. */
export async function apply(deployment: Deployment, env: NodeJS.ProcessEnv): Promise<void> {
  for (const args of [
    ["init", "-input=false", "-no-color"],
    ["apply", "-auto-approve", "-input=false", "-no-color"],
  ]) {
    const { code, out } = terraform(deployment, env, ...args);
    if (code !== 0) throw new Error(`terraform ${args[0]} failed:\n${out}`);
  }
  await applyDirect(accessFrom(env), deployment.direct, directBodies(deployment, env));
}

/**
 * A second plan: Terraform's exit code with `-detailed-exitcode` (0 = no changes) and, for direct
 * jobs, Nomad's own plan diff type per job ("None" = no changes).
 */
export async function plan(
  deployment: Deployment,
  env: NodeJS.ProcessEnv,
): Promise<{ terraform: number; output: string; jobs: Record<string, string> }> {
  const { code, out } = terraform(deployment, env, "plan", "-detailed-exitcode", "-input=false", "-no-color");
  const jobs = await planJobs(accessFrom(env), deployment.direct, directBodies(deployment, env));
  return { terraform: code, output: out, jobs };
}

/** Removes the direct resources, then `terraform destroy`. */
export async function destroy(deployment: Deployment, env: NodeJS.ProcessEnv): Promise<void> {
  await destroyDirect(accessFrom(env), deployment.direct, directBodies(deployment, env));
  const { code, out } = terraform(deployment, env, "destroy", "-auto-approve", "-input=false", "-no-color");
  if (code !== 0) throw new Error(`terraform destroy failed:\n${out}`);
}
