import type { AttributeChange } from "./attributes";
import type { SourceChange } from "./intention-sources";
import type { JsonValue, PlanAction, PlanChange, ResourceChange } from "./plan-json";
import { stringAt } from "./values";

/** What happens to one resource, with replacements folded into one kind. */
export type ChangeKind = "create" | "update" | "delete" | "replace" | "read" | "no-op" | "forget";

/** The reviewer-facing groups of resources, in the order the review prints them. */
export type Concern = "vault" | "consul" | "intentions" | "nomad" | "other";

/** Display titles of the concerns, in print order. */
export const CONCERN_TITLES: Readonly<Record<Concern, string>> = {
  vault: "Vault",
  consul: "Consul",
  intentions: "Intentions",
  nomad: "Nomad jobs",
  other: "Other",
};

/** A resource change, classified and with its values already stripped of secrets. */
export interface ReviewedResource {
  /** Terraform address. */
  readonly address: string;
  /** Resource type. */
  readonly type: string;
  /** The group it is printed in. */
  readonly concern: Concern;
  /** The folded action. */
  readonly kind: ChangeKind;
  /** Value before, sensitive parts replaced by a marker. */
  readonly before: JsonValue | undefined;
  /** Value after (known parts), sensitive parts replaced by a marker. */
  readonly after: JsonValue | undefined;
  /** The raw change (holds secrets; never print from it). */
  readonly change: PlanChange;
  /** Terraform's reason for the action, if given. */
  readonly actionReason?: string;
  /** Address before a `moved` block. */
  readonly previousAddress?: string;
  /** Deposed object key, when the change is to a deposed object. */
  readonly deposed?: string;
  /**
   * Attribute-level changes (updates and replacements only). For an intention with `sourceChanges`,
   * the positional `sources[…]` rows are left out.
   */
  readonly attributes: readonly AttributeChange[];
  /** Intention sources compared by name (updates and replacements of readable intentions only). */
  readonly sourceChanges?: readonly SourceChange[];
}

/** Why a change is critical. */
export type CriticalKind =
  | "destroy"
  | "replace"
  | "pki-mount-moved"
  | "pki-role-widened"
  | "platform-job-moved"
  | "new-allow"
  | "deny-to-allow"
  | "deny-removed"
  | "default-deny-removed"
  | "l7-widened"
  | "intention-unverifiable"
  | "peering-added"
  | "service-exported"
  | "external-destination"
  | "access-rule-broken";

// Defined here rather than in critical.ts so the Markdown renderer reads it without importing the rules
// (critical.ts imports markdown.ts for `code`).
/** A change the review warns about loudly; its presence makes the CLI exit with 2. */
export interface CriticalChange {
  /** Address of the resource concerned. */
  readonly address: string;
  /** Its resource type. */
  readonly type: string;
  /** The group it belongs to. */
  readonly concern: Concern;
  /** Why it is critical. */
  readonly kind: CriticalKind;
  /** One Markdown line for the warning block; never contains a secret. */
  readonly message: string;
}

/** Folds Terraform's action list into one {@link ChangeKind}. */
export function kindOf(actions: readonly PlanAction[]): ChangeKind {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.length === 1 && actions[0] !== undefined) return actions[0];
  throw new Error(`unsupported action list ${JSON.stringify(actions)}`);
}

/** True for the resource types whose entries are Consul intentions. */
export function isIntentionType(type: string, values: readonly (JsonValue | undefined)[]): boolean {
  if (type === "consul_config_entry_service_intentions" || type === "consul_intention") return true;
  return (
    type === "consul_config_entry" &&
    values.some((v) => stringAt(v, "kind")?.toLowerCase() === "service-intentions")
  );
}

/** The group a resource is printed in, from its type (and `kind` for raw config entries). */
export function concernOf(
  rc: Pick<ResourceChange, "type">,
  values: readonly (JsonValue | undefined)[],
): Concern {
  if (isIntentionType(rc.type, values)) return "intentions";
  if (rc.type.startsWith("vault_")) return "vault";
  if (rc.type.startsWith("consul_")) return "consul";
  if (rc.type === "nomad_job") return "nomad";
  return "other";
}
