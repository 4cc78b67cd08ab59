import { PlanJsonError, parsePlanJson } from "../../plan-review/plan-json";
import { EXIT_CODES, exitCodeFor, reviewMarker, summarizePlan } from "../../plan-review/summarize";
import { change, intentions, plan, tableRowsByGroup } from "./helpers";

const pkiMount = (path: string) => ({
  id: path,
  path,
  type: "pki",
  description: "CA",
  max_lease_ttl_seconds: 3600,
});

describe("counts and headline", () => {
  test("folds both replacement orders into replace and counts no-ops and reads apart", () => {
    // GIVEN every action kind
    const doc = plan([
      change("vault_mount.a", ["create"], { after: pkiMount("a") }),
      change("vault_mount.b", ["update"], {
        before: pkiMount("b"),
        after: { ...pkiMount("b"), description: "x" },
      }),
      change("vault_mount.c", ["delete"], { before: { ...pkiMount("c"), type: "kv" } }),
      change("nomad_job.d", ["delete", "create"], { before: { name: "d" }, after: { name: "d2" } }),
      change("nomad_job.e", ["create", "delete"], { before: { name: "e" }, after: { name: "e2" } }),
      change("consul_acl_policy.f", ["no-op"], { before: { name: "f" }, after: { name: "f" } }),
      change("data.vault_generic_secret.g", ["read"], { after: { path: "g" }, mode: "data" }),
    ]);
    // WHEN
    const { counts, markdown } = summarizePlan(doc);
    // THEN
    expect(counts).toEqual({ add: 1, change: 1, destroy: 1, replace: 2, noOp: 1, read: 1, forget: 0 });
    expect(markdown).toContain(
      "**Plan: 1 to add, 1 to change, 1 to destroy, 2 to replace** · 1 unchanged · 1 data source read at apply",
    );
    expect(markdown).not.toContain("consul_acl_policy.f");
    expect(markdown).not.toContain("data.vault_generic_secret.g");
  });

  test("says no changes for an empty plan and has no warning", () => {
    const summary = summarizePlan({ format_version: "1.2", terraform_version: "1.11.4" });
    expect(summary.counts.noOp).toBe(0);
    expect(summary.markdown).toContain("**No changes.**");
    expect(summary.markdown).not.toContain("[!CAUTION]");
    expect(exitCodeFor(summary)).toBe(EXIT_CODES.ok);
  });

  test("puts the environment in the title and the hidden marker first", () => {
    const { markdown } = summarizePlan(plan([]), { environment: "prod" });
    expect(markdown.startsWith(`${reviewMarker("prod")}\n## Plan review: \`prod\``)).toBe(true);
    expect(reviewMarker("prod")).toBe("<!-- meshstack-plan-review:prod -->");
  });

  test("groups resources by concern", () => {
    const doc = plan([
      change("vault_policy.p", ["create"], { after: { name: "p", policy: "" } }),
      change("consul_acl_role.r", ["create"], { after: { name: "r" } }),
      change("consul_config_entry.defaults", ["create"], {
        after: { kind: "service-defaults", name: "api" },
      }),
      change("consul_config_entry.api", ["create"], { after: { kind: "service-intentions", name: "api" } }),
      change("consul_intention.legacy", ["create"], {
        after: { source_name: "a", destination_name: "b", action: "deny" },
      }),
      change("nomad_job.api", ["create"], { after: { name: "api" } }),
      change("nomad_namespace.ns", ["create"], { after: { name: "ns" } }),
      change("terraform_data.x", ["create"], { after: { input: 1 } }),
    ]);
    expect(tableRowsByGroup(summarizePlan(doc).markdown)).toEqual({
      Vault: ["vault_policy.p"],
      Consul: ["consul_acl_role.r", "consul_config_entry.defaults"],
      Intentions: ["consul_config_entry.api", "consul_intention.legacy"],
      "Nomad jobs": ["nomad_job.api"],
      Other: ["nomad_namespace.ns", "terraform_data.x"],
    });
  });
});

describe("attribute changes", () => {
  test("shows nested paths, unknown values and truncates long values", () => {
    const before = { id: "x", config: { ttl: "72h", tags: ["a", "b"] }, long: "a".repeat(200) };
    const after = { id: "x", config: { ttl: "48h", tags: ["a", "c", "d"] }, long: "b".repeat(200) };
    const doc = plan([
      change("vault_mount.m", ["update"], { before, after, afterUnknown: { accessor: true } }),
    ]);
    const { markdown, resources } = summarizePlan(doc, { maxValueLength: 20 });
    expect(resources[0]?.attributes.map((a) => [a.path, a.before, a.after])).toEqual([
      ["accessor", "(absent)", "(known after apply)"],
      ["config.tags[1]", '"b"', '"c"'],
      ["config.tags[2]", "(absent)", '"d"'],
      ["config.ttl", '"72h"', '"48h"'],
      ["long", `"${"a".repeat(18)}…`, `"${"b".repeat(18)}…`],
    ]);
    expect(markdown).toContain("| `accessor` | _(absent)_ | _(known after apply)_ |");
    expect(markdown).not.toContain("a".repeat(30));
  });

  test("masks sensitive values, nested or whole, and never prints them", () => {
    // GIVEN a nested sensitive leaf, a whole sensitive attribute and a secret copied into an unmarked one
    const before = {
      auth: { token: "tok-before-1234", user: "u" },
      data_json: '{"p":"pw-before-999"}',
      echo: "",
    };
    const after = {
      auth: { token: "tok-after-5678", user: "v" },
      data_json: '{"p":"pw-after-000"}',
      echo: "tok-after-5678",
    };
    const sensitive = { auth: { token: true }, data_json: true };
    const doc = plan([
      change("vault_kv_secret_v2.s", ["update"], {
        before,
        after,
        beforeSensitive: sensitive,
        afterSensitive: sensitive,
      }),
    ]);
    // WHEN
    const { markdown, resources } = summarizePlan(doc);
    // THEN
    const rows = resources[0]?.attributes.map((a) => [a.path, a.before, a.after]);
    expect(rows).toEqual([
      ["auth.token", "(sensitive)", "(sensitive)"],
      ["auth.user", '"u"', '"v"'],
      ["data_json", "(sensitive)", "(sensitive)"],
      ["echo", '""', "(sensitive)"],
    ]);
    for (const secret of ["tok-before-1234", "tok-after-5678", "pw-before-999", "pw-after-000"]) {
      expect(markdown).not.toContain(secret);
    }
  });

  test("does not list a sensitive attribute whose value did not change", () => {
    const value = { token: "same-secret-value", ttl: 1 };
    const doc = plan([
      change("vault_token.t", ["update"], {
        before: value,
        after: { ...value, ttl: 2 },
        beforeSensitive: { token: true },
        afterSensitive: { token: true },
      }),
    ]);
    expect(summarizePlan(doc).resources[0]?.attributes.map((a) => a.path)).toEqual(["ttl"]);
  });

  test("masks sensitive outputs", () => {
    const doc = plan([], {
      token: {
        actions: ["update"],
        before: "old-output-secret",
        after: "new-output-secret",
        before_sensitive: true,
        after_sensitive: true,
      },
      addr: {
        actions: ["create"],
        before: null,
        after: "http://vault:8200",
        before_sensitive: false,
        after_sensitive: false,
      },
    });
    const { markdown } = summarizePlan(doc);
    expect(markdown).toContain("| ✏️ update | `token` | _(sensitive)_ | _(sensitive)_ |");
    expect(markdown).toContain('| ➕ create | `addr` | _(absent)_ | `"http://vault:8200"` |');
    expect(markdown).not.toMatch(/old-output-secret|new-output-secret/);
  });

  test("marks the attributes that force a replacement", () => {
    const doc = plan([
      change("vault_mount.kv", ["delete", "create"], {
        before: { path: "kv1", type: "kv" },
        after: { path: "kv2", type: "kv" },
        replacePaths: [["path"]],
        actionReason: "replace_because_cannot_update",
      }),
    ]);
    const { resources, markdown } = summarizePlan(doc);
    expect(resources[0]?.attributes).toEqual([
      { path: "path", before: '"kv1"', after: '"kv2"', forcesReplacement: true },
    ]);
    expect(markdown).toContain("| ♻️ replace | `vault_mount.kv` | forced by `path` · 1 attribute |");
  });

  test("drops attribute details when the comment would be too long", () => {
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, `value-${i}`]));
    const changed = Object.fromEntries(Object.keys(many).map((k) => [k, `${many[k]}-new`]));
    const doc = plan([change("consul_acl_policy.p", ["update"], { before: many, after: changed })]);
    const { markdown } = summarizePlan(doc, { maxLength: 3000, maxAttributeChanges: 500 });
    expect(markdown.length).toBeLessThanOrEqual(3000);
    expect(markdown).not.toContain("<details>");
    expect(markdown).toContain("Attribute changes omitted to fit a comment");
    expect(markdown).toContain("`consul_acl_policy.p`");
  });
});

describe("critical changes", () => {
  test("warns on destroy of a PKI mount but not of another mount", () => {
    const doc = plan([
      change("vault_mount.root", ["delete"], { before: pkiMount("dc1/connect_root") }),
      change("vault_mount.kv", ["delete"], { before: { path: "secret", type: "kv" } }),
    ]);
    const summary = summarizePlan(doc);
    expect(summary.critical.map((c) => [c.kind, c.address])).toEqual([["destroy", "vault_mount.root"]]);
    expect(summary.markdown).toContain("> [!CAUTION]");
    expect(summary.markdown).toContain("> - **Destroy** PKI mount `dc1/connect_root` (`vault_mount.root`)");
    expect(summary.markdown).toContain("| 🗑️ destroy | `vault_mount.root` | ⚠️ **critical** |");
    expect(exitCodeFor(summary)).toBe(EXIT_CODES.critical);
  });

  test("does not warn on in-place updates of critical resources", () => {
    const doc = plan([
      change("vault_mount.root", ["update"], {
        before: pkiMount("dc1/connect_root"),
        after: { ...pkiMount("dc1/connect_root"), description: "new" },
      }),
    ]);
    expect(summarizePlan(doc).critical).toEqual([]);
  });

  test("warns when a PKI mount moves in place, not when another mount moves", () => {
    // GIVEN a remount (vault provider 5.x updates `path` in place instead of replacing)
    const doc = plan([
      change("vault_mount.root", ["update"], {
        before: pkiMount("dc1/connect_root"),
        after: pkiMount("dc2/connect_root"),
      }),
      change("vault_mount.kv", ["update"], {
        before: { path: "a", type: "kv" },
        after: { path: "b", type: "kv" },
      }),
    ]);
    // WHEN / THEN
    const summary = summarizePlan(doc);
    expect(summary.critical.map((c) => [c.kind, c.address])).toEqual([
      ["pki-mount-moved", "vault_mount.root"],
    ]);
    expect(summary.markdown).toContain(
      "**Move** PKI mount `dc1/connect_root` to `dc2/connect_root` (`vault_mount.root`)",
    );
    expect(exitCodeFor(summary)).toBe(EXIT_CODES.critical);
  });

  test("recognises CA policies by name, by PKI path and by option", () => {
    const doc = plan([
      change("vault_mount.root", ["no-op"], { before: pkiMount("pki/root"), after: pkiMount("pki/root") }),
      change("vault_policy.by_name", ["delete"], { before: { name: "dc1-consul-connect-ca", policy: "" } }),
      change("vault_policy.by_path", ["delete"], {
        before: {
          name: "mesh",
          policy: 'path "pki/root/root/sign-intermediate" { capabilities = ["update"] }',
        },
      }),
      change("vault_policy.by_option", ["delete"], { before: { name: "custom", policy: "" } }),
      change("vault_policy.other", ["delete"], {
        before: { name: "nomad-server", policy: 'path "auth/token/*" {}' },
      }),
    ]);
    const found = summarizePlan(doc, { caPolicyNames: ["custom"] }).critical.map((c) => c.address);
    expect(found).toEqual(["vault_policy.by_name", "vault_policy.by_path", "vault_policy.by_option"]);
  });

  test("recognises the Consul agent and ingress jobs by the role meshstack stamps, whatever their name", () => {
    // GIVEN renamed meshstack jobs, a foreign system job, and jobs that merely mention consul or traefik
    const spec = (meta: Record<string, string>) => JSON.stringify({ Job: { Meta: meta } });
    const doc = plan([
      change("nomad_job.agents", ["delete"], {
        before: { name: "agents", type: "system", jobspec: spec({ meshstack_role: "consul-agent" }) },
      }),
      change("nomad_job.edge", ["delete"], {
        before: { name: "edge", type: "service", jobspec: spec({ meshstack_role: "ingress" }) },
      }),
      change("nomad_job.logs", ["delete"], { before: { name: "logs", type: "system", jobspec: "{}" } }),
      change("nomad_job.c", ["delete"], {
        before: { name: "consul-backup", type: "service", jobspec: "{}" },
      }),
      change("nomad_job.api", ["delete"], {
        before: { name: "api", type: "service", jobspec: spec({ tags: "traefik.enable=true" }) },
      }),
    ]);
    // WHEN
    const critical = summarizePlan(doc).critical;
    // THEN only the stamped jobs and the system job count
    expect(critical.map((c) => c.address)).toEqual(["nomad_job.agents", "nomad_job.edge", "nomad_job.logs"]);
    expect(critical[0]?.message).toContain("Consul agent job `agents`");
    expect(critical[1]?.message).toContain("Traefik ingress job `edge`");
    expect(critical[2]?.message).toContain("system job `logs`");
  });

  test("warns on replace of the CA config and the root certificate", () => {
    const doc = plan([
      change("consul_certificate_authority.ca", ["create", "delete"], {
        before: { connect_provider: "vault" },
        after: { connect_provider: "consul" },
      }),
      change("vault_pki_secret_backend_root_cert.root", ["delete", "create"], {
        before: { backend: "r", common_name: "a" },
        after: { backend: "r", common_name: "b" },
      }),
    ]);
    expect(summarizePlan(doc).critical.map((c) => [c.kind, c.address])).toEqual([
      ["replace", "consul_certificate_authority.ca"],
      ["replace", "vault_pki_secret_backend_root_cert.root"],
    ]);
  });
});

describe("intention widening", () => {
  const update = (
    address: string,
    name: string,
    before: [string, "allow" | "deny"][],
    after: typeof before,
  ) => change(address, ["update"], { before: intentions(name, before), after: intentions(name, after) });

  test("reports a new allow from any service", () => {
    const doc = plan([update("consul_config_entry_service_intentions.api", "api", [], [["*", "allow"]])]);
    const [found] = summarizePlan(doc).critical;
    expect(found?.kind).toBe("new-allow");
    expect(found?.message).toBe(
      "**New allow**: any service (`*`) → `api` (`consul_config_entry_service_intentions.api`)",
    );
  });

  test("reports the default deny removed by emptying its sources", () => {
    const doc = plan([update("consul_config_entry_service_intentions.dd", "*", [["*", "deny"]], [])]);
    expect(summarizePlan(doc).critical.map((c) => c.kind)).toEqual(["default-deny-removed"]);
  });

  test("does not report narrowing: a removed allow or allow changed to deny", () => {
    const doc = plan([
      update(
        "consul_config_entry_service_intentions.api",
        "api",
        [
          ["web", "allow"],
          ["batch", "allow"],
        ],
        [["batch", "deny"]],
      ),
    ]);
    const summary = summarizePlan(doc);
    expect(summary.critical).toEqual([]);
    expect(exitCodeFor(summary)).toBe(EXIT_CODES.ok);
  });

  test("does not report an edge moved to another resource", () => {
    const doc = plan([
      change("consul_config_entry_service_intentions.old", ["delete"], {
        before: intentions("api", [["web", "allow"]]),
      }),
      change("consul_config_entry_service_intentions.api", ["create"], {
        after: intentions("api", [["web", "allow"]]),
      }),
    ]);
    expect(summarizePlan(doc).critical).toEqual([]);
  });

  test("counts L7 permissions as allow", () => {
    const withPermissions = intentions("api", [["web", "deny"]]) as { sources: Record<string, unknown>[] };
    const after = {
      ...withPermissions,
      sources: [{ ...withPermissions.sources[0], action: null, permissions: [{ action: "allow" }] }],
    };
    const doc = plan([
      change("consul_config_entry_service_intentions.api", ["update"], {
        before: intentions("api", [["web", "deny"]]),
        after: after as never,
      }),
    ]);
    expect(summarizePlan(doc).critical.map((c) => c.kind)).toEqual(["deny-to-allow"]);
  });

  test("flags intentions it cannot read: sensitive or unknown sources", () => {
    const doc = plan([
      change("consul_config_entry_service_intentions.a", ["create"], {
        after: intentions("a", [["x", "allow"]]),
        afterSensitive: { sources: true },
      }),
      change("consul_config_entry_service_intentions.b", ["create"], {
        after: { name: "b" },
        afterUnknown: { sources: true },
      }),
    ]);
    const summary = summarizePlan(doc);
    expect(summary.critical.map((c) => [c.kind, c.address])).toEqual([
      ["intention-unverifiable", "consul_config_entry_service_intentions.a"],
      ["intention-unverifiable", "consul_config_entry_service_intentions.b"],
    ]);
    expect(summary.markdown).not.toContain('"x"');
  });

  test("reads raw service-intentions config entries and legacy intentions", () => {
    const doc = plan([
      change("consul_config_entry.web", ["create"], {
        after: {
          kind: "service-intentions",
          name: "web",
          config_json: '{"Sources":[{"Name":"lb","Action":"allow"}]}',
        },
      }),
      change("consul_config_entry.defaults", ["create"], {
        after: { kind: "service-defaults", name: "web", config_json: '{"Protocol":"http"}' },
      }),
      change("consul_intention.x", ["delete"], {
        before: { source_name: "a", destination_name: "b", action: "deny" },
      }),
    ]);
    expect(summarizePlan(doc).critical.map((c) => [c.kind, c.address])).toEqual([
      ["new-allow", "consul_config_entry.web"],
      ["deny-removed", "consul_intention.x"],
    ]);
  });
});

describe("parsePlanJson", () => {
  test.each([
    ["not JSON", "{", /does not parse/],
    ["no format version", "{}", /no "format_version"/],
    ["another major version", '{"format_version":"2.0"}', /not supported/],
    ["state JSON", '{"format_version":"1.0","values":{}}', /state JSON/],
    [
      "an unknown action",
      '{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["explode"]}}]}',
      /unknown action "explode"/,
    ],
  ])("fails when given %s", (_, text, message) => {
    expect(() => parsePlanJson(text)).toThrow(PlanJsonError);
    expect(() => parsePlanJson(text)).toThrow(message);
  });
});

describe("exitCodeFor", () => {
  test("is 0 without and 2 with critical changes", () => {
    expect(exitCodeFor({ critical: [] })).toBe(0);
    const critical = [
      { address: "a", type: "t", concern: "vault" as const, kind: "destroy" as const, message: "m" },
    ];
    expect(exitCodeFor({ critical })).toBe(2);
  });
});
