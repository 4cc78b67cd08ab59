import { IConstruct } from "constructs";
import { ConfigEntry } from "@cdktf/provider-consul/lib/config-entry";
import { ConfigEntryServiceDefaults } from "@cdktf/provider-consul/lib/config-entry-service-defaults";
import { ConfigEntryServiceIntentions } from "@cdktf/provider-consul/lib/config-entry-service-intentions";
import { Claim, literal } from "../core/composition";

/**
 * Consul config entries, by kind and name: Consul keeps one entry of each, so two resources writing it
 * undo each other on every apply (raw `consul_config_entry` and the typed resources alike).
 */
export function configEntryClaims(construct: IConstruct): Claim[] {
  const [kind, name] =
    construct instanceof ConfigEntry
      ? [literal(construct.kindInput), literal(construct.nameInput)]
      : construct instanceof ConfigEntryServiceIntentions
        ? ["service-intentions", literal(construct.nameInput)]
        : construct instanceof ConfigEntryServiceDefaults
          ? ["service-defaults", literal(construct.nameInput)]
          : [undefined, undefined];
  return kind && name ? [{ what: `Consul config entry ${kind} "${name}"`, owner: construct }] : [];
}
