/**
 * Splits a synthesized stack by provider availability. Resources whose provider the machine lacks are
 * removed from the Terraform configuration and re-emitted as sensitive outputs holding their bodies,
 * so Terraform itself evaluates every reference (e.g. the CA token) and the rest can be applied
 * through the servers' own APIs. Used only where a provider cannot be installed (docs/toolchain.md).
 */

/** A synthesized Terraform JSON document (the parts this module touches). */
export interface TerraformJson {
  terraform?: { required_providers?: Record<string, unknown>; [key: string]: unknown };
  provider?: Record<string, unknown>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A resource taken out of Terraform's hands, to be applied directly. */
export interface DirectResource {
  /** Resource type, e.g. `nomad_job`. */
  readonly type: string;
  /** Logical id in the configuration. */
  readonly name: string;
  /** Name of the output carrying the evaluated body. */
  readonly output: string;
  /** Addresses (type.name) of other direct resources this one depends on. */
  readonly dependsOn: string[];
}

const META = new Set([
  "//",
  "depends_on",
  "lifecycle",
  "provider",
  "count",
  "for_each",
  "provisioner",
  "connection",
]);

/** The provider (local name) a resource type belongs to: the prefix before the first "_". */
export function providerOf(type: string): string {
  return type.split("_")[0];
}

/** Removes the resources of `missing` providers from `json`; returns the reduced configuration and what was removed. */
export function splitByProvider(
  json: TerraformJson,
  missing: readonly string[],
): { config: TerraformJson; direct: DirectResource[] } {
  const config: TerraformJson = JSON.parse(JSON.stringify(json));
  const direct: DirectResource[] = [];
  const removed = new Set<string>();
  for (const [type, byName] of Object.entries(config.resource ?? {})) {
    if (!missing.includes(providerOf(type))) continue;
    for (const [name, body] of Object.entries(byName)) {
      const output = `direct__${type}__${name}`;
      const dependsOn = ((body.depends_on as string[] | undefined) ?? []).filter((d) =>
        missing.includes(providerOf(d)),
      );
      direct.push({ type, name, output, dependsOn });
      removed.add(`${type}.${name}`);
      config.output = {
        ...config.output,
        [output]: {
          value: Object.fromEntries(Object.entries(body).filter(([k]) => !META.has(k))),
          sensitive: true,
        },
      };
    }
    delete config.resource![type];
  }
  for (const name of missing) {
    delete config.provider?.[name];
    delete config.terraform?.required_providers?.[name];
  }
  for (const byName of Object.values(config.resource ?? {})) {
    for (const body of Object.values(byName)) {
      if (Array.isArray(body.depends_on))
        body.depends_on = body.depends_on.filter((d: string) => !removed.has(d));
    }
  }
  return { config, direct: inDependencyOrder(direct) };
}

/** Orders resources so each comes after what it depends on. */
function inDependencyOrder(resources: DirectResource[]): DirectResource[] {
  const byAddress = new Map(resources.map((r) => [`${r.type}.${r.name}`, r]));
  const ordered: DirectResource[] = [];
  const visit = (r: DirectResource, path: Set<string>) => {
    const address = `${r.type}.${r.name}`;
    if (ordered.includes(r)) return;
    if (path.has(address)) throw new Error(`dependency cycle through ${address}`);
    path.add(address);
    r.dependsOn.forEach((d) => byAddress.get(d) && visit(byAddress.get(d)!, path));
    ordered.push(r);
  };
  resources.forEach((r) => visit(r, new Set()));
  return ordered;
}
