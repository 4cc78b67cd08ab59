/**
 * The toolchain's licence gate (scripts/licence.sh), offline: which module versions it refuses before
 * a download, and which source trees it refuses before a build.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const gate = join(__dirname, "../../scripts/licence.sh");
const run = (...args: string[]) => {
  const r = spawnSync("bash", [gate, ...args], { encoding: "utf8" });
  return { status: r.status, said: r.stderr.trim() };
};

const MPL = "Mozilla Public License, version 2.0\n\n1. Definitions\n";
const BUSL =
  "License text copyright (c) 2023 HashiCorp, Inc. All Rights Reserved.\nBusiness Source License 1.1\n";

/** A source tree with a LICENSE and files; removed after the test. */
function tree(licence: string | undefined, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "licence-"));
  if (licence !== undefined) writeFileSync(join(dir, "LICENSE"), licence);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  trees.push(dir);
  return dir;
}
const trees: string[] = [];
afterAll(() => trees.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the licence gate, before a download", () => {
  test.each([
    ["github.com/hashicorp/nomad@v1.6.1", 0],
    ["github.com/hashicorp/nomad@v1.6.2", 1],
    ["github.com/hashicorp/nomad@v1.11.3", 1],
    ["github.com/hashicorp/consul@v1.14.11", 0],
    ["github.com/hashicorp/consul@v1.15.0", 1],
    ["github.com/hashicorp/consul@v1.22.7", 1],
    ["github.com/hashicorp/consul/envoyextensions@v0.9.6", 1],
    ["github.com/hashicorp/consul/troubleshoot@v0.8.7", 1],
    ["github.com/hashicorp/consul/api@v1.18.1", 0],
    ["github.com/hashicorp/terraform@v1.5.7", 0],
    ["github.com/hashicorp/terraform@v1.8.5", 1],
    ["github.com/opentofu/opentofu@v1.10.10", 0],
  ])("%s → exit %i", (module, status) => {
    const { status: got, said } = run("allowed", module);
    expect(got).toBe(status);
    if (status !== 0) expect(said).toMatch(/refused/);
  });
});

describe("the licence gate, before a build", () => {
  test("passes an MPL-2.0 tree whose headers say MPL-2.0", () => {
    const dir = tree(MPL, { "main.go": "// SPDX-License-Identifier: MPL-2.0\npackage main\n" });
    expect(run("scan", dir, "ok")).toEqual({ status: 0, said: "" });
  });

  test("refuses a tree whose LICENSE is the Business Source License", () => {
    expect(run("scan", tree(BUSL), "busl")).toEqual({
      status: 1,
      said: "[licence] busl: LICENSE is the Business Source License: refused",
    });
  });

  test("refuses an MPL-2.0 tree with one BUSL-headed source file, naming it", () => {
    const dir = tree(MPL, { "helper/backoff.go": "// SPDX-License-Identifier: BUSL-1.1\npackage helper\n" });
    expect(run("scan", dir, "nomad")).toEqual({
      status: 1,
      said: "[licence] nomad: BUSL SPDX header in helper/backoff.go: refused",
    });
  });

  test("skips CI metadata under .github, which no build reads", () => {
    const dir = tree(MPL, { ".github/scripts/check.sh": "# SPDX-License-Identifier: BUSL-1.1\n" });
    expect(run("scan", dir, "ci")).toEqual({ status: 0, said: "" });
  });

  test("refuses a tree with no licence at all", () => {
    expect(run("scan", tree(undefined, { "main.go": "package main\n" }), "bare")).toMatchObject({
      status: 1,
    });
  });

  test("accepts a subtree without LICENSE when every SPDX header names an OSI licence", () => {
    const dir = tree(undefined, { "cni/main.go": "// SPDX-License-Identifier: MPL-2.0\npackage main\n" });
    expect(run("scan", dir, "cni")).toEqual({ status: 0, said: "" });
  });

  test("refuses an unknown licence text", () => {
    expect(run("scan", tree("All rights reserved. Source available for reading only.\n"), "x")).toMatchObject(
      {
        status: 1,
        said: expect.stringContaining("no OSI licence this gate knows"),
      },
    );
  });
});
