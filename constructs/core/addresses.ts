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
