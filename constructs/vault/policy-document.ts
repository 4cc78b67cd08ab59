import { checkPolicyRule } from "./policy-rule";

/** A Vault ACL capability. */
export type VaultCapability = "create" | "read" | "update" | "patch" | "delete" | "list" | "sudo" | "deny";

/** One `path` block of a Vault policy. */
export interface PolicyRule {
  /** The path, with `*` or `+` globs; may contain Terraform references (e.g. an auth accessor). */
  readonly path: string;
  /** The capabilities granted on the path. */
  readonly capabilities: readonly VaultCapability[];
  /**
   * Why the rule exists, rendered as a comment above it.
   * @default - no comment
   */
  readonly comment?: string;
}

/**
 * A Vault policy built from rules, rendered to HCL in insertion order.
 *
 * Rules for the same path are merged (capabilities unioned) so `grant*` methods can be called more than
 * once without producing duplicate blocks, which Vault would reject.
 */
export class PolicyDocument {
  private readonly rules = new Map<string, { capabilities: Set<VaultCapability>; comments: string[] }>();

  public constructor(rules: readonly PolicyRule[] = []) {
    rules.forEach((rule) => this.addRule(rule));
  }

  /** Adds a rule, merging it into an existing rule for the same path. */
  public addRule(rule: PolicyRule): this {
    checkPolicyRule("PolicyDocument.addRule", "rule", rule);
    const entry = this.rules.get(rule.path) ?? { capabilities: new Set<VaultCapability>(), comments: [] };
    rule.capabilities.forEach((c) => entry.capabilities.add(c));
    if (rule.comment && !entry.comments.includes(rule.comment)) entry.comments.push(rule.comment);
    this.rules.set(rule.path, entry);
    return this;
  }

  /** The paths this policy grants, in insertion order. */
  public get paths(): string[] {
    return [...this.rules.keys()];
  }

  /** The capabilities granted on `path`, or an empty list. */
  public capabilitiesOf(path: string): VaultCapability[] {
    return [...(this.rules.get(path)?.capabilities ?? [])];
  }

  /** Renders the policy as HCL, the format `vault_policy` stores and Vault returns unchanged. */
  public render(): string {
    return [...this.rules.entries()]
      .map(([path, { capabilities, comments }]) => {
        const caps = [...capabilities].map((c) => `"${c}"`).join(", ");
        const comment = comments.map((c) => `# ${c}\n`).join("");
        return `${comment}path "${path}" {\n  capabilities = [${caps}]\n}\n`;
      })
      .join("\n");
  }
}
