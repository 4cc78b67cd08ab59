import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parsePlanJson } from "../../plan-review/plan-json";
import { exitCodeFor, summarizePlan } from "../../plan-review/summarize";
import {
  FIXTURES,
  FixtureExpectation,
  fixtureCases,
  fixtureText,
  sensitiveLeaves,
  tableRowsByGroup,
} from "./helpers";

// Every `<case>.plan.json` in fixtures/ is reviewed and checked against its `<case>.expect.json`. Drop
// new plans from a real cluster in the directory (with an expectations file) and they are covered.
const cases = fixtureCases();

test("the fixture directory holds real plans of the whole local stack", () => {
  expect(cases).toEqual(
    expect.arrayContaining([
      "terraform-data",
      "terraform-data-no-changes",
      "local-initial",
      "local-job-update",
      "local-intention-widening",
      "local-ca-change",
      "local-root-ttl-change",
      "local-datacenter-rename",
      "local-destroy",
    ]),
  );
});

describe.each(cases)("fixture %s", (name) => {
  const expectFile = join(FIXTURES, `${name}.expect.json`);

  test("has an expectations file", () => {
    expect(existsSync(expectFile)).toBe(true);
  });
  if (!existsSync(expectFile)) return;

  const expected = JSON.parse(readFileSync(expectFile, "utf8")) as FixtureExpectation;
  const doc = parsePlanJson(fixtureText(name));
  const summary = summarizePlan(doc, { environment: "staging" });

  test("is terraform show -json output of format 1.x", () => {
    expect(doc.format_version).toMatch(/^1\./);
    expect(Array.isArray(doc.resource_changes)).toBe(true);
  });

  test("counts every action", () => {
    expect(summary.counts).toEqual(expected.counts);
  });

  test("lists exactly the expected rows in each group", () => {
    const sorted = (groups: Record<string, string[]>) =>
      Object.fromEntries(Object.entries(groups).map(([group, rows]) => [group, [...rows].sort()]));
    expect(sorted(tableRowsByGroup(summary.markdown))).toEqual(sorted(expected.groups));
  });

  test("finds exactly the expected critical changes", () => {
    const found = summary.critical.map((c) => ({ kind: c.kind, address: c.address }));
    const key = (c: { kind: string; address: string }) => `${c.kind} ${c.address}`;
    expect(found.map(key).sort()).toEqual(expected.critical.map(key).sort());
    expect(summary.markdown.includes("> [!CAUTION]")).toBe(expected.critical.length > 0);
  });

  test("classifies the exit code", () => {
    expect(exitCodeFor(summary)).toBe(expected.exitCode);
  });

  test("shows the expected text and hides the rest", () => {
    for (const text of expected.markdownContains) expect(summary.markdown).toContain(text);
    for (const text of expected.markdownExcludes) expect(summary.markdown).not.toContain(text);
  });

  test("never prints a sensitive value", () => {
    const secrets = sensitiveLeaves(doc).filter((s) => s.length >= 4);
    for (const secret of secrets) expect(summary.markdown).not.toContain(secret);
  });

  test("starts with the hidden comment marker", () => {
    expect(summary.markdown.split("\n")[0]).toBe("<!-- meshstack-plan-review:staging -->");
  });
});
