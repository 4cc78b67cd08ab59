import { App, Testing, TerraformStack } from "cdktf";
import { ConsulProvider } from "@cdktf/provider-consul/lib/provider";
import { NomadProvider } from "@cdktf/provider-nomad/lib/provider";

/** Synthesized JSON, indexed freely by tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized documents are untyped by nature
export type Json = any;

/** A fresh stack named "platform" with Nomad and Consul providers, so construct paths read `platform/<id>`. */
export function platformStack(): { app: App; stack: TerraformStack } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "platform");
  new NomadProvider(stack, "NomadProvider", { address: "http://127.0.0.1:4646" });
  new ConsulProvider(stack, "ConsulProvider", { address: "127.0.0.1:8500" });
  return { app, stack };
}

/** Synthesizes a stack (running validations) and returns the parsed Terraform JSON. */
export function synthJson(stack: TerraformStack): Record<string, Json> {
  return JSON.parse(Testing.synth(stack, true));
}

/** The raw `jobspec` string of every `nomad_job`, by Nomad job ID. */
export function rawJobspecs(stack: TerraformStack): Record<string, string> {
  const jobs: Record<string, { jobspec: string }> = synthJson(stack).resource?.nomad_job ?? {};
  const byId: Record<string, string> = {};
  for (const job of Object.values(jobs)) byId[JSON.parse(unescape(job.jobspec)).Job.ID] = job.jobspec;
  return byId;
}

/** The parsed jobs (Terraform escapes undone), by Nomad job ID. */
export function jobs(stack: TerraformStack): Record<string, Json> {
  const specs = rawJobspecs(stack);
  return Object.fromEntries(Object.entries(specs).map(([id, spec]) => [id, JSON.parse(unescape(spec)).Job]));
}

/** The first job's document. */
export function onlyJob(stack: TerraformStack): Json {
  return Object.values(jobs(stack))[0];
}

/** Undoes Terraform escaping: what Nomad receives. */
export function unescape(text: string): string {
  return text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

/** The group named `name` of a job document. */
export function group(job: Json, name: string): Json {
  const found = job.TaskGroups.find((g: Json) => g.Name === name);
  if (!found) throw new Error(`no group ${name} in ${job.TaskGroups.map((g: Json) => g.Name).join(", ")}`);
  return found;
}

/** Runs the stack's validations and returns the error message (or "" when valid). */
export function validationError(stack: TerraformStack): string {
  try {
    Testing.synth(stack, true);
    return "";
  } catch (error) {
    return (error as Error).message;
  }
}

/** The intention sources allowed to call `destination`, from the synthesized config entries. */
export function allowedSources(stack: TerraformStack, destination: string): string[] {
  const entries: Record<string, Json> =
    synthJson(stack).resource?.consul_config_entry_service_intentions ?? {};
  return Object.values(entries)
    .filter((e) => e.name === destination)
    .flatMap((e) => e.sources.filter((s: Json) => s.action === "allow").map((s: Json) => s.name))
    .sort();
}
