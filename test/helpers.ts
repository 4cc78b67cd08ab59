import { TerraformStack, Testing } from "cdktf";
import { ConsulProvider } from "@cdktf/provider-consul/lib/provider";
import { NomadProvider } from "@cdktf/provider-nomad/lib/provider";
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";

/** A synthesized stack's JSON, loosely typed for assertions. */
export type SynthJson = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
  variable?: Record<string, Record<string, unknown>>;
  terraform?: Record<string, unknown>;
};

/** A stack with the three providers configured, as constructs expect in real use. */
export function testStack(id = "test"): TerraformStack {
  const stack = new TerraformStack(Testing.app(), id);
  new VaultProvider(stack, "vault", {});
  new ConsulProvider(stack, "consul", {});
  new NomadProvider(stack, "nomad", { address: "http://127.0.0.1:4646" });
  return stack;
}

/** Synthesizes a stack (running validations) and parses the result. */
export function synth(stack: TerraformStack): SynthJson {
  return JSON.parse(Testing.synth(stack, true)) as SynthJson;
}

/** The resources of one type, keyed by logical id, without cdktf metadata. */
export function resourcesOf(json: SynthJson, type: string): Record<string, Record<string, unknown>> {
  const found = json.resource?.[type] ?? {};
  return Object.fromEntries(
    Object.entries(found).map(([id, body]) => [
      id,
      Object.fromEntries(Object.entries(body).filter(([k]) => k !== "//")),
    ]),
  );
}

/** The single resource of a type; fails the test when there is not exactly one. */
export function onlyResource(json: SynthJson, type: string): Record<string, unknown> {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

/** The logical id of the single resource of a type, as Terraform references it. */
export function addressOf(
  json: SynthJson,
  type: string,
  match: (r: Record<string, unknown>) => boolean = () => true,
): string {
  const entry = Object.entries(resourcesOf(json, type)).find(([, r]) => match(r));
  if (!entry) throw new Error(`no ${type} matched`);
  return `${type}.${entry[0]}`;
}
