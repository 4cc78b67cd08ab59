import { TerraformProvider, TerraformStack } from "cdktf";

/**
 * Widens cdktf's exact provider pins (the version each `@cdktf/provider-*` binding was generated from,
 * e.g. vault `5.6.0`) to `~> <major>.<minor>` of that version: the binding's schema is a subset of every
 * later release in the same major, and `.terraform.lock.hcl` still records the exact build installed.
 * Mirrors that carry a newer patch or minor release then work without a binding upgrade.
 */
export function allowCompatibleProviderVersions(stack: TerraformStack, providers: TerraformProvider[]): void {
  for (const provider of providers) {
    const version = provider.terraformGeneratorMetadata?.providerVersion;
    if (!version) continue;
    const [major, minor] = version.split(".");
    stack.addOverride(
      `terraform.required_providers.${provider.terraformResourceType}.version`,
      `~> ${major}.${minor}`,
    );
  }
}
