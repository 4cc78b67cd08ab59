import { check, isObject, show, Where } from "../core/errors";
import { checkText, requireText } from "../core/values";
import type { PolicyRule, VaultCapability } from "./policy-document";

const CAPABILITIES: readonly VaultCapability[] = [
  "create",
  "read",
  "update",
  "patch",
  "delete",
  "list",
  "sudo",
  "deny",
];

/**
 * Checks a rule from plain JavaScript: a path and a non-empty list of the capabilities Vault knows
 * (vault/policy.go `parsePaths` rejects unknown ones).
 */
export function checkPolicyRule(where: Where, field: string, rule: PolicyRule): void {
  check(
    where,
    isObject(rule),
    `${field} ${show(rule)} is not an object; pass { path: "secret/data/app/*", capabilities: ["read"] }`,
  );
  requireText(where, `${field}.path`, rule.path, "secret/data/app/*");
  check(
    where,
    Array.isArray(rule.capabilities) &&
      rule.capabilities.length > 0 &&
      rule.capabilities.every((c) => CAPABILITIES.includes(c)),
    `${field}.capabilities ${show(rule.capabilities)} are not Vault capabilities; use a non-empty list of ` +
      `${CAPABILITIES.join(", ")}`,
  );
  checkText(where, `${field}.comment`, rule.comment, "why the rule exists");
}
