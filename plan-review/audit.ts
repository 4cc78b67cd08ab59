/**
 * The audit: the stack's access rules checked on the running mesh's intentions (Consul's own entries,
 * whoever wrote them), so a scheduled job catches a violation made by hand. Same wording as plan review.
 */
import type { IntentionEdge } from "../constructs/consul/intentions";
import { AccessRule, accessViolations, AccessViolation } from "../constructs/policy/rules";
import type { ConsulIntentionsView } from "./grants";

/** The rules the live intentions break. */
export function auditAccess(rules: readonly AccessRule[], view: ConsulIntentionsView): AccessViolation[] {
  return accessViolations(rules, liveEdges(view), view.services);
}

/** The edges of Consul's `service-intentions` entries, as the API returns them (denies included). */
export function liveEdges(view: ConsulIntentionsView): IntentionEdge[] {
  return view.entries.flatMap((entry) => {
    const { Name: destination, Sources: sources } = (entry ?? {}) as { Name?: unknown; Sources?: unknown };
    if (typeof destination !== "string" || !Array.isArray(sources)) return [];
    return sources.flatMap(
      (s: { Name?: unknown; Peer?: unknown; Action?: unknown; Permissions?: unknown }) => {
        if (typeof s?.Name !== "string") return [];
        const l7 = Array.isArray(s.Permissions) && s.Permissions.length > 0;
        return [
          {
            source: s.Name,
            peer: typeof s.Peer === "string" && s.Peer !== "" ? s.Peer : undefined,
            destination,
            action: (l7 || s.Action !== "deny" ? "allow" : "deny") as IntentionEdge["action"],
            permissions: l7 ? [{}] : undefined,
            description: "",
          },
        ];
      },
    );
  });
}

/** The audit's report: one line per broken rule, or that every rule holds. */
export function auditMarkdown(
  environment: string,
  rules: readonly AccessRule[],
  found: AccessViolation[],
): string {
  const head = `### Access audit: ${environment} (${rules.length} rule${rules.length === 1 ? "" : "s"}, the running mesh)\n\n`;
  if (found.length === 0) return `${head}Every rule holds.\n`;
  return (
    head +
    found
      .map(
        (v) => `- **Access rule broken**: ${v.rule}: ${v.message.slice(`rule ${v.rule} is broken: `.length)}`,
      )
      .join("\n") +
    "\n"
  );
}
