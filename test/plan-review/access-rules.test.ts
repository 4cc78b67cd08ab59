/**
 * The stack's access rules (AccessPolicy's output) are checked on the intention graph after the plan:
 * a change that breaks one is critical, named with the rule and the offending edge or path.
 */
import { exitCodeFor, summarizePlan } from "../../plan-review/summarize";
import type { PlanChange } from "../../plan-review/plan-json";
import { change, intentions, plan } from "./helpers";

const rules = (value: unknown, actions: PlanChange["actions"] = ["no-op"]): Record<string, PlanChange> => ({
  meshstack_access_policy: {
    actions,
    before: JSON.stringify(value),
    after: JSON.stringify(value),
    after_unknown: false,
    before_sensitive: false,
    after_sensitive: false,
  },
});
const keptEntry = (name: string, sources: [string, "allow" | "deny"][]) =>
  change(`consul_config_entry_service_intentions.${name}`, ["no-op"], {
    before: intentions(name, sources),
    after: intentions(name, sources),
  });
const broken = (p: ReturnType<typeof plan>) =>
  summarizePlan(p)
    .critical.filter((c) => c.kind === "access-rule-broken")
    .map((c) => c.message);

describe("access rules in plan review", () => {
  const forbidIngressToDb = rules([{ kind: "forbidPath", from: "traefik", to: "db" }]);

  test("a new allow that opens a path the rules forbid is critical, with each hop named", () => {
    const p = plan(
      [
        keptEntry("web", [["traefik", "allow"]]),
        keptEntry("db", [["api", "allow"]]),
        change("consul_config_entry_service_intentions.api", ["create"], {
          after: intentions("api", [["web", "allow"]]),
        }),
      ],
      forbidIngressToDb,
    );
    expect(broken(p)).toEqual([
      "**Access rule broken**: forbidPath(traefik → db): traefik reaches db through traefik → web, " +
        "web → api, api → db; remove one of these relations (or the route that made one), or the rule",
    ]);
    expect(exitCodeFor(summarizePlan(p))).toBe(2);
  });

  test("the same graph without the new edge keeps the rule: nothing flagged", () => {
    const p = plan(
      [keptEntry("web", [["traefik", "allow"]]), keptEntry("db", [["api", "allow"]])],
      forbidIngressToDb,
    );
    expect(broken(p)).toEqual([]);
  });

  test("an exact deny after the plan keeps a wildcard allow from breaking forbid", () => {
    const p = plan(
      [
        keptEntry("db", [
          ["web", "deny"],
          ["*", "allow"],
        ]),
      ],
      rules([{ kind: "forbid", from: "web", to: "db" }, { kind: "noWildcardSources" }]),
    );
    expect(broken(p)).toEqual([
      "**Access rule broken**: noWildcardSources(): * → db allows every service; name the callers instead",
    ]);
  });

  test("a stack without rules, or removing its rules, flags nothing; unreadable rules are critical", () => {
    const entries = [keptEntry("db", [["*", "allow"]])];
    expect(broken(plan(entries))).toEqual([]);
    expect(broken(plan(entries, rules([{ kind: "noWildcardSources" }], ["delete"])))).toEqual([]);
    const garbled = rules([{ kind: "mystery" }]);
    expect(summarizePlan(plan(entries, garbled)).critical.map((c) => c.message)).toContain(
      "**Access rules not verifiable**: `output.meshstack_access_policy`: the output holds something other than access rules",
    );
  });
});
