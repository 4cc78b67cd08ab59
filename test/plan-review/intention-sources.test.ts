import { diffSources } from "../../plan-review/intention-sources";
import { readEdges } from "../../plan-review/intentions";
import { JsonValue, ValueMask } from "../../plan-review/plan-json";
import { summarizePlan } from "../../plan-review/summarize";
import { ValueRenderer } from "../../plan-review/values";
import { ChangeSpec, change, detailBlock, intentionSource, intentionsWith, plan } from "./helpers";

const ADDRESS = "consul_config_entry_service_intentions.count_api";

/** An update of the `count-api` intention from one list of sources entries to another. */
function update(before: JsonValue[], after: JsonValue[], spec: ChangeSpec = {}) {
  return plan([
    change(ADDRESS, ["update"], {
      before: intentionsWith("count-api", before),
      after: intentionsWith("count-api", after),
      ...spec,
    }),
  ]);
}

const source = (name: string, action: "allow" | "deny", overrides: Record<string, JsonValue> = {}) =>
  intentionSource("count-api", name, action, overrides);

describe("intention sources by name", () => {
  test("lists added and changed sources by name when the provider reorders them", () => {
    // GIVEN `*` added and count-dashboard turned to deny; Consul sorts the list, so every source moves
    const before = [source("count-dashboard", "allow"), source("web", "allow"), source("batch", "deny")];
    const after = [
      source("*", "allow", { precedence: null }),
      source("batch", "deny", { precedence: null }),
      source("count-dashboard", "deny", { precedence: null }),
      source("web", "allow", { precedence: null }),
    ];
    const precedenceUnknown = { sources: after.map(() => ({ precedence: true })) };
    // WHEN
    const summary = summarizePlan(update(before, after, { afterUnknown: precedenceUnknown }));
    // THEN the sources read by name, with no positional rows
    expect(detailBlock(summary.markdown, ADDRESS)).toEqual([
      `**\`${ADDRESS}\`**`,
      "",
      "Sources by name:",
      "",
      "- added: `*` → `count-api` (allow)",
      "- changed: `count-dashboard` → `count-api`: allow → deny",
      "",
    ]);
    expect(summary.markdown).toContain(`| ✏️ update | \`${ADDRESS}\` | ⚠️ **critical** · 2 source changes |`);
    expect(summary.markdown).not.toContain("sources[");
    expect(summary.resources[0]?.attributes).toEqual([]);
    // AND only the widening is critical
    expect(summary.critical.map((c) => c.message)).toEqual([
      `**New allow**: any service (\`*\`) → \`count-api\` (\`${ADDRESS}\`)`,
    ]);
  });

  test("lists a removed source with what it granted", () => {
    // GIVEN x removed: web shifts from index 1 to 0
    const summary = summarizePlan(
      update([source("x", "allow"), source("web", "deny")], [source("web", "deny")]),
    );
    // THEN
    expect(detailBlock(summary.markdown, ADDRESS).slice(2)).toEqual([
      "Sources by name:",
      "",
      "- removed: `x` → `count-api` (allow)",
      "",
    ]);
    expect(summary.critical).toEqual([]);
  });

  test("shows a change of precedence alone as no access change, without a warning", () => {
    // GIVEN Consul recomputes web's precedence
    const summary = summarizePlan(
      update([source("web", "allow")], [source("web", "allow", { precedence: 8 })]),
    );
    // THEN
    expect(detailBlock(summary.markdown, ADDRESS)).toContain(
      "- changed: `web` → `count-api`: no access change; precedence `9` → `8`",
    );
    expect(summary.resources[0]?.sourceChanges?.[0]?.accessChanged).toBe(false);
    expect(summary.critical).toEqual([]);
  });

  test("ignores a precedence known only after apply", () => {
    // GIVEN the same source, its precedence recomputed at apply
    const summary = summarizePlan(
      update([source("web", "allow")], [source("web", "allow", { precedence: null })], {
        afterUnknown: { sources: [{ precedence: true }] },
      }),
    );
    // THEN nothing is listed for it
    expect(summary.resources[0]?.sourceChanges).toEqual([]);
    expect(summary.markdown).not.toContain("source change");
    expect(detailBlock(summary.markdown, ADDRESS)).toEqual([]);
  });

  test("lists other changed fields after the access change", () => {
    const summary = summarizePlan(
      update([source("web", "allow")], [source("web", "deny", { description: "blocked" })]),
    );
    expect(detailBlock(summary.markdown, ADDRESS)).toContain(
      '- changed: `web` → `count-api`: allow → deny; description `"meshstack: web -> count-api"` → `"blocked"`',
    );
  });

  test("says when L7 permissions change but keep their count", () => {
    // GIVEN one HTTP rule whose path changes
    const rule = (path: string) => [{ action: "allow", http: [{ path_prefix: path }] }];
    const summary = summarizePlan(
      update(
        [source("web", "allow", { action: null, permissions: rule("/a") })],
        [source("web", "allow", { action: null, permissions: rule("/b") })],
      ),
    );
    expect(detailBlock(summary.markdown, ADDRESS)).toContain(
      "- changed: `web` → `count-api`: L7 permissions changed",
    );
  });

  test("shows a deny replaced by L7 permissions, and warns that it widens", () => {
    const permissions = [{ action: "allow", http: [{ path_prefix: "/" }] }];
    const summary = summarizePlan(
      update([source("web", "deny")], [source("web", "allow", { action: null, permissions })]),
    );
    expect(detailBlock(summary.markdown, ADDRESS)).toContain(
      "- changed: `web` → `count-api`: deny → 1 L7 permission",
    );
    expect(summary.critical.map((c) => c.kind)).toEqual(["deny-to-allow"]);
  });

  test("keeps the other attributes of the resource as rows", () => {
    // GIVEN meta changes along with the sources
    const before = intentionsWith("count-api", [source("web", "allow")]);
    const after = intentionsWith("count-api", [source("*", "allow"), source("web", "allow")]);
    const doc = plan([
      change(ADDRESS, ["update"], { before, after: { ...(after as object), meta: { owner: "team-a" } } }),
    ]);
    // WHEN
    const { markdown } = summarizePlan(doc);
    // THEN
    expect(detailBlock(markdown, ADDRESS)).toEqual([
      `**\`${ADDRESS}\`**`,
      "",
      "| Attribute | Before | After |",
      "| --- | --- | --- |",
      '| `meta` | `null` | `{"owner":"team-a"}` |',
      "",
      "Sources by name:",
      "",
      "- added: `*` → `count-api` (allow)",
      "",
    ]);
    expect(markdown).toContain(
      `| ✏️ update | \`${ADDRESS}\` | ⚠️ **critical** · 1 attribute · 1 source change |`,
    );
  });

  test("keys a source by namespace, partition and peer as well as name", () => {
    const summary = summarizePlan(
      update(
        [source("web", "allow")],
        [source("web", "allow"), source("web", "deny", { namespace: "team-a", peer: "dc2" })],
      ),
    );
    expect(detailBlock(summary.markdown, ADDRESS)).toContain(
      "- added: `web (team-a/dc2)` → `count-api` (deny)",
    );
  });

  test("shows a renamed destination as its sources removed and added", () => {
    // GIVEN the intention replaced because its name changes
    const doc = plan([
      change(ADDRESS, ["delete", "create"], {
        before: intentionsWith("api", [intentionSource("api", "web", "allow")]),
        after: intentionsWith("api-v2", [intentionSource("api-v2", "web", "allow")]),
        replacePaths: [["name"]],
      }),
    ]);
    // WHEN
    const { markdown } = summarizePlan(doc);
    // THEN
    expect(detailBlock(markdown, ADDRESS)).toEqual([
      `**\`${ADDRESS}\`**`,
      "",
      "| Attribute | Before | After |",
      "| --- | --- | --- |",
      '| `id` | `"api"` | `"api-v2"` |',
      '| `name` 🔁 | `"api"` | `"api-v2"` |',
      "",
      "Sources by name:",
      "",
      "- added: `web` → `api-v2` (allow)",
      "- removed: `web` → `api` (allow)",
      "",
    ]);
  });

  test("reads the Sources of a raw service-intentions config entry by name", () => {
    // GIVEN a config_json whose Sources are reordered, one added and one turned to allow
    const config = (sources: object[], extra: object = {}) =>
      JSON.stringify({ Kind: "service-intentions", Name: "web", Sources: sources, ...extra });
    const doc = plan([
      change("consul_config_entry.web", ["update"], {
        before: {
          kind: "service-intentions",
          name: "web",
          config_json: config([
            { Name: "api", Action: "allow" },
            { Name: "lb", Action: "deny" },
          ]),
        },
        after: {
          kind: "service-intentions",
          name: "web",
          config_json: config(
            [
              { Name: "cron", Action: "deny" },
              { Name: "lb", Action: "allow" },
              { Name: "api", Action: "allow" },
            ],
            { Meta: { owner: "x" } },
          ),
        },
      }),
    ]);
    // WHEN
    const summary = summarizePlan(doc);
    // THEN the Meta row stays, the Sources rows give way to names
    expect(detailBlock(summary.markdown, "consul_config_entry.web").slice(2)).toEqual([
      "| Attribute | Before | After |",
      "| --- | --- | --- |",
      '| `config_json › Meta` | _(absent)_ | `{"owner":"x"}` |',
      "",
      "Sources by name:",
      "",
      "- added: `cron` → `web` (deny)",
      "- changed: `lb` → `web`: deny → allow",
      "",
    ]);
    expect(summary.critical.map((c) => c.kind)).toEqual(["deny-to-allow"]);
  });

  test("cuts long source lists at maxAttributeChanges", () => {
    const summary = summarizePlan(
      update([], [source("a", "deny"), source("b", "deny"), source("c", "deny")]),
      { maxAttributeChanges: 2 },
    );
    expect(detailBlock(summary.markdown, ADDRESS).slice(4)).toEqual([
      "- added: `a` → `count-api` (deny)",
      "- added: `b` → `count-api` (deny)",
      "- _… 1 more source change_",
      "",
    ]);
  });

  test("never prints a secret that a source name repeats", () => {
    // GIVEN a source named like a sensitive value elsewhere in the plan
    const doc = update([], [source("svc-top-secret", "deny")]);
    const secret = change("vault_generic_secret.s", ["create"], {
      after: { data_json: "svc-top-secret" },
      afterSensitive: { data_json: true },
    });
    // WHEN
    const { markdown } = summarizePlan({
      ...doc,
      resource_changes: [...(doc.resource_changes ?? []), secret],
    });
    // THEN
    expect(markdown).toContain("- added: `(sensitive)` → `count-api` (deny)");
    expect(markdown).not.toContain("svc-top-secret");
  });

  test("falls back to list positions when part of the sources is sensitive", () => {
    const sensitive: ValueMask = { sources: [{}, { description: true }] };
    const summary = summarizePlan(
      update([source("a", "allow"), source("web", "allow")], [source("a", "allow"), source("web", "deny")], {
        beforeSensitive: sensitive,
        afterSensitive: sensitive,
      }),
    );
    expect(summary.resources[0]?.sourceChanges).toBeUndefined();
    expect(summary.markdown).toContain('| `sources[1].action` | `"allow"` | `"deny"` |');
    expect(summary.markdown).not.toContain("Sources by name:");
  });

  test("falls back to list positions when a source is named twice", () => {
    const summary = summarizePlan(
      update([source("web", "allow")], [source("web", "allow"), source("web", "deny")]),
    );
    expect(summary.resources[0]?.sourceChanges).toBeUndefined();
    expect(summary.markdown).toContain("| `sources[1]` | _(absent)_ |");
  });

  test("falls back to list positions when the sources force the replacement", () => {
    const doc = plan([
      change(ADDRESS, ["delete", "create"], {
        before: intentionsWith("count-api", [source("web", "allow")]),
        after: intentionsWith("count-api", [source("web", "deny")]),
        replacePaths: [["sources"]],
      }),
    ]);
    const { markdown } = summarizePlan(doc);
    expect(markdown).toContain('| `sources[0].action` 🔁 | `"allow"` | `"deny"` |');
    expect(markdown).toContain("forced by `sources[0].action`");
  });

  test("falls back to list positions, and flags the intention, when a source is known only after apply", () => {
    const summary = summarizePlan(
      update([source("web", "allow")], [source("web", "allow", { action: null })], {
        afterUnknown: { sources: [{ action: true }] },
      }),
    );
    expect(summary.markdown).toContain('| `sources[0].action` | `"allow"` | _(known after apply)_ |');
    expect(summary.critical.map((c) => c.kind)).toEqual(["intention-unverifiable"]);
  });
});

describe("diffSources", () => {
  const renderer = new ValueRenderer([], 80);
  const read = (sources: JsonValue[]) =>
    readEdges("consul_config_entry_service_intentions", intentionsWith("api", sources));
  const src = (name: string, action: "allow" | "deny", overrides: Record<string, JsonValue> = {}) =>
    intentionSource("api", name, action, overrides);

  test("compares by name and sorts added, removed, changed, then by source", () => {
    // GIVEN
    const before = read([src("web", "allow"), src("old", "deny"), src("batch", "allow")]);
    const after = read([src("batch", "deny", { precedence: 8 }), src("*", "allow"), src("web", "allow")]);
    // WHEN
    const found = diffSources(before, after, renderer);
    // THEN
    expect(found).toEqual([
      { kind: "added", source: "*", destination: "api", after: "allow", accessChanged: true, fields: [] },
      { kind: "removed", source: "old", destination: "api", before: "deny", accessChanged: true, fields: [] },
      {
        kind: "changed",
        source: "batch",
        destination: "api",
        before: "allow",
        after: "deny",
        accessChanged: true,
        fields: [{ field: "precedence", before: "9", after: "8" }],
      },
    ]);
  });

  test("finds nothing when only the order changes", () => {
    const before = read([src("a", "allow"), src("b", "deny")]);
    const after = read([src("b", "deny"), src("a", "allow")]);
    expect(diffSources(before, after, renderer)).toEqual([]);
  });

  test("fails when a side cannot be read", () => {
    const unreadable = { unreadable: "its sources are sensitive or malformed" };
    expect(diffSources(unreadable, read([]), renderer)).toBeUndefined();
    expect(diffSources(read([]), unreadable, renderer)).toBeUndefined();
  });

  test("fails when a side names a source twice", () => {
    const twice = read([src("web", "allow"), src("web", "deny")]);
    expect(diffSources(read([src("web", "allow")]), twice, renderer)).toBeUndefined();
  });
});
