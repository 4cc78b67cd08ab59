import { TerraformResource } from "cdktf";

/**
 * A resource's Terraform address (`<type>.<name>`), as `depends_on` and `replace_triggered_by` take
 * it in JSON syntax: a plain reference, never a `${…}` interpolation.
 */
export function resourceAddress(
  resource: Pick<TerraformResource, "terraformResourceType" | "friendlyUniqueId">,
): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}

/**
 * Adds `depends_on` entries to a resource, each once: validations, where dependencies that need the
 * whole construct tree are added, may run more than once.
 */
export function dependOnce(
  resource: Pick<TerraformResource, "dependsOn">,
  addresses: readonly string[],
): void {
  const current = resource.dependsOn ?? [];
  const added = addresses.filter((a, i) => !current.includes(a) && addresses.indexOf(a) === i);
  if (added.length) resource.dependsOn = [...current, ...added];
}
