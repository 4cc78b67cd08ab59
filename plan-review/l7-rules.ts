/**
 * The L7 permissions of an intention source, read the same way from a plan
 * (`consul_config_entry_service_intentions`: `permissions[].http[]`, snake case) and from Consul's
 * own JSON (`Permissions[].HTTP`, camel case), so the review and the running mesh's picture agree.
 */
import type { JsonValue } from "./plan-json";
import { asList, fieldNamed, filledText } from "./values";

/** One L7 permission, reduced to what decides who may send which request. */
export interface L7Rule {
  /** Allow or deny. */
  readonly action: "allow" | "deny";
  /** Methods matched; empty means any. */
  readonly methods: readonly string[];
  /** Path matched: `/x` exact, `/x*` prefix, `~re` regular expression; absent means any. */
  readonly path?: string;
  /** Header rules, each `name` plus how it matches; empty means any headers. */
  readonly headers: readonly string[];
}

function headerText(header: JsonValue): string {
  const name = filledText(header, "name") ?? "?";
  const invert = fieldNamed(header, "invert") === true ? "not " : "";
  for (const [key, op] of [
    ["exact", "="],
    ["prefix", "^="],
    ["suffix", "$="],
    ["contains", "*="],
    ["regex", "~"],
  ] as const) {
    const value = filledText(header, key);
    if (value !== undefined) return `${invert}${name}${op}${value}`;
  }
  return `${invert}${name} present`;
}

/** The L7 rules of an intention source entry; empty for a plain (L4) source. */
export function l7Rules(source: JsonValue | undefined): L7Rule[] {
  return asList(fieldNamed(source, "permissions")).map((permission) => {
    // The provider's block list holds one `http` object; Consul's JSON holds it directly.
    const http = asList(fieldNamed(permission, "http"))[0];
    const exact = filledText(http, "path_exact");
    const prefix = filledText(http, "path_prefix");
    const regex = filledText(http, "path_regex");
    return {
      action: filledText(permission, "action")?.toLowerCase() === "deny" ? "deny" : "allow",
      methods: asList(fieldNamed(http, "methods")).filter((m): m is string => typeof m === "string"),
      path: exact ?? (prefix !== undefined ? `${prefix}*` : regex !== undefined ? `~${regex}` : undefined),
      headers: asList(fieldNamed(http, "header")).map(headerText),
    };
  });
}

/** One rule as a reviewer reads it: `allow GET,HEAD /v1/*`, `deny /admin`, `allow any`. */
export function ruleText(rule: L7Rule): string {
  const parts = [rule.methods.join(","), rule.path ?? "", rule.headers.join(" & ")].filter((p) => p !== "");
  return `${rule.action} ${parts.length ? parts.join(" ") : "any"}`;
}

/** The rules of a source as one line, in Consul's order (the first match wins). */
export function rulesText(rules: readonly L7Rule[]): string {
  return rules.map(ruleText).join("; ");
}

/**
 * How the rules of one allowed edge let more through after the change than before, or nothing when
 * they do not: rules removed altogether (every request allowed), new allow rules, removed deny
 * rules, or the same rules in another order (the first match wins, so order is access).
 */
export function l7Widening(before: readonly L7Rule[], after: readonly L7Rule[]): string | undefined {
  if (before.length === 0) return undefined; // it was L4 already: nothing to widen
  if (after.length === 0) return `L7 rules removed (${rulesText(before)}): every request is allowed`;
  const was = before.map(ruleText);
  const now = after.map(ruleText);
  const added = now.filter((r) => r.startsWith("allow") && !was.includes(r));
  const removed = was.filter((r) => r.startsWith("deny") && !now.includes(r));
  const changes = [...added.map((r) => `+ ${r}`), ...removed.map((r) => `- ${r}`)];
  if (changes.length > 0) return changes.join("; ");
  const sameSet = was.length === now.length && was.every((r) => now.includes(r));
  if (sameSet && was.join() !== now.join())
    return `rules reordered (${rulesText(after)}); the first match wins`;
  return undefined;
}
