/**
 * The stack's access rules (`AccessPolicy`, carried by the output `meshstack_access_policy`) checked
 * on the intention graph after the plan: a change that breaks one is critical, named with the rule and
 * the offending edge or path.
 */
import type { IntentionEdge } from "../constructs/consul/intentions";
import { ACCESS_POLICY_OUTPUT, accessViolations, parseAccessRules } from "../constructs/policy/rules";
import { EdgeSet, ReadEdge, collectEdges, readChangeEdges } from "./intentions";
import { code } from "./markdown";
import { isIntentionType, type CriticalChange, type ReviewedResource } from "./model";
import type { TerraformPlanJson } from "./plan-json";

/** The rules the plan's intention graph breaks, as critical changes; none when the stack has no policy. */
export function brokenAccessRules(
  plan: TerraformPlanJson,
  resources: readonly ReviewedResource[],
): CriticalChange[] {
  const change = plan.output_changes?.[ACCESS_POLICY_OUTPUT];
  if (change === undefined || change.actions.includes("delete")) return [];
  const rules = parseAccessRules(change.after);
  const address = `output.${ACCESS_POLICY_OUTPUT}`;
  if ("unreadable" in rules) {
    return [critical(address, `**Access rules not verifiable**: ${code(address)}: ${rules.unreadable}`)];
  }
  return accessViolations(rules, edgesAfter(resources)).map((v) =>
    critical(
      address,
      `**Access rule broken**: ${v.rule}: ${v.message.slice(`rule ${v.rule} is broken: `.length)}`,
    ),
  );
}

function critical(address: string, message: string): CriticalChange {
  return { address, type: "output", concern: "intentions", kind: "access-rule-broken", message };
}

/** The intention edges after the plan, denies included (Consul's precedence needs them). */
export function edgesAfter(resources: readonly ReviewedResource[]): IntentionEdge[] {
  const before = new EdgeSet();
  const after = new EdgeSet();
  for (const r of resources) {
    if (r.kind === "read" || !isIntentionType(r.type, [r.before, r.after])) continue;
    const readings = readChangeEdges(r);
    if (readings.some((x) => "unreadable" in x)) continue; // reported by the intention rules
    collectEdges(r, readings, before, after);
  }
  return after.all().map(({ edge }) => asIntentionEdge(edge));
}

/** A read edge in the shape the rule evaluation takes: L7 permissions only as "some". */
export function asIntentionEdge(edge: ReadEdge): IntentionEdge {
  const permissions = hasPermissions(edge.entry) ? [{}] : undefined;
  return {
    source: edge.source,
    destination: edge.destination,
    action: edge.action as IntentionEdge["action"],
    permissions,
    description: "",
  };
}

function hasPermissions(entry: unknown): boolean {
  if (typeof entry !== "object" || entry === null) return false;
  const found = Object.entries(entry).find(([k]) => k.toLowerCase() === "permissions")?.[1];
  return Array.isArray(found) && found.length > 0;
}
