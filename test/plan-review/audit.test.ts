/**
 * `meshstack-plan-review <env> --audit`: the stack's access rules (its synthesized output) checked on
 * the running mesh's intentions, as Consul returns them; exit 2 on a broken rule.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../plan-review/cli";
import { auditAccess, liveEdges } from "../../plan-review/audit";
import type { ConsulIntentionsView } from "../../plan-review/grants";

const entry = (name: string, sources: object[]) => ({
  Kind: "service-intentions",
  Name: name,
  Sources: sources,
});
const view = (...entries: object[]): ConsulIntentionsView => ({ entries: entries as never, services: [] });
const RULES = [
  { kind: "onlyFrom", to: "count-api", sources: ["count-dashboard"] },
  { kind: "noWildcardSources" },
];

function project(rules: unknown = RULES): string {
  const dir = mkdtempSync(join(tmpdir(), "meshstack-audit-"));
  mkdirSync(join(dir, "cdktf.out", "stacks", "local"), { recursive: true });
  const output = rules === null ? {} : { meshstack_access_policy: { value: JSON.stringify(rules) } };
  writeFileSync(join(dir, "cdktf.out", "stacks", "local", "cdk.tf.json"), JSON.stringify({ output }));
  return dir;
}

async function audit(consul: ConsulIntentionsView, dir = project()) {
  let stdout = "";
  let stderr = "";
  const code = await main(["local", "--audit", "--no-synth"], {
    cwd: dir,
    env: { CONSUL_HTTP_ADDR: "127.0.0.1:8500" },
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    exec: () => "",
    readConsul: async () => consul,
  });
  return { code, stdout, stderr };
}

const healthy = view(
  entry("*", [{ Name: "*", Action: "deny" }]),
  entry("count-api", [{ Name: "count-dashboard", Action: "allow" }]),
);

describe("the access audit", () => {
  test("every rule holding: exit 0 and says so", async () => {
    const { code, stdout } = await audit(healthy);
    expect(code).toBe(0);
    expect(stdout).toBe("### Access audit: local (2 rules, the running mesh)\n\nEvery rule holds.\n");
  });

  test("an intention made by hand that breaks a rule: exit 2, the rule and the edge named", async () => {
    const tampered = view(
      entry("*", [{ Name: "*", Action: "deny" }]),
      entry("count-api", [
        { Name: "count-dashboard", Action: "allow" },
        { Name: "traefik", Action: "allow" },
      ]),
    );
    const { code, stdout, stderr } = await audit(tampered);
    expect(code).toBe(2);
    expect(stdout).toContain(
      "- **Access rule broken**: onlyFrom(count-api, [count-dashboard]): traefik → count-api is allowed, beside [count-dashboard]",
    );
    expect(stderr).toBe("plan-review: 1 access rule(s) broken in the running local mesh\n");
  });

  test("reads Consul's entries as Consul holds them: denies, L7 permissions and peers", () => {
    expect(
      liveEdges(
        view(
          entry("db", [
            { Name: "web", Action: "deny" },
            { Name: "api", Permissions: [{ Action: "allow", HTTP: { PathPrefix: "/" } }] },
            { Name: "api", Peer: "east", Action: "allow" },
          ]),
        ),
      ).map((e) => [e.source, e.peer, e.destination, e.action, e.permissions !== undefined]),
    ).toEqual([
      ["web", undefined, "db", "deny", false],
      ["api", undefined, "db", "allow", true],
      ["api", "east", "db", "allow", false],
    ]);
    expect(
      auditAccess([{ kind: "requireL7", to: "db" }], view(entry("db", [{ Name: "api", Action: "allow" }]))),
    ).toHaveLength(1);
  });

  test("a stack without rules audits nothing; rules that cannot be read fail with 1", async () => {
    expect((await audit(healthy, project(null))).stdout).toContain("(0 rules, the running mesh)");
    const bad = await audit(healthy, project([{ kind: "mystery" }]));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("the stack's access rules cannot be read");
  });
});
