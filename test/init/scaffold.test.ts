import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, ownVersions } from "../../init/cli";
import { scaffold } from "../../init/scaffold";

const own = JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8"));

describe("meshstack init", () => {
  test("the README prints the app repository's stack.ts exactly as init writes it", () => {
    const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
    const stack = scaffold("app", "shop", ownVersions())["stack.ts"];
    expect(readme).toContain(`\`\`\`ts\n${stack}\`\`\``);
  });

  test("pins meshstack's peers and tools at the versions meshstack is built with", () => {
    const versions = ownVersions();
    expect(versions.meshstack).toBe(`^${own.version}`);
    expect(Object.keys(versions.peers).sort()).toEqual(Object.keys(own.peerDependencies).sort());
    for (const [name, version] of Object.entries(versions.peers))
      expect(version).toBe(own.devDependencies[name]);
    expect(versions.tools).toEqual({
      "@types/node": own.devDependencies["@types/node"],
      "cdktf-cli": own.devDependencies["cdktf-cli"],
      tsx: own.devDependencies.tsx,
      typescript: own.devDependencies.tsc7,
    });
  });

  test.each(["app", "platform"] as const)(
    "writes a complete %s repository whose test type-checks first",
    (shape) => {
      const files = scaffold(shape, "shop", ownVersions());
      expect(Object.keys(files).sort()).toEqual([
        ".github/workflows/pull-request.yml",
        ".gitignore",
        "README.md",
        "cdktf.json",
        "main.ts",
        "package.json",
        "stack.ts",
        "test/stack.test.ts",
        "tsconfig.json",
      ]);
      const pkg = JSON.parse(files["package.json"]!);
      expect(pkg.scripts.test).toMatch(/^tsc --noEmit -p tsconfig.json && /);
      expect(JSON.parse(files["cdktf.json"]!).app).toBe("npx tsx main.ts");
      expect(files["stack.ts"]).toContain(shape === "app" ? "ServiceMesh.fromPlatform" : "new MeshPlatform");
    },
  );

  test("writes into a new folder, refuses one that holds its files, and refuses bad arguments", () => {
    const dir = mkdtempSync(join(tmpdir(), "meshstack-init-"));
    const lines: string[] = [];
    try {
      expect(main(["init", join(dir, "shop"), "--platform"], (l) => lines.push(l))).toBe(0);
      expect(readFileSync(join(dir, "shop", "stack.ts"), "utf8")).toContain("MeshPlatform");
      writeFileSync(join(dir, "taken.json"), "{}");
      expect(main(["init", join(dir, "shop")], (l) => lines.push(l))).toBe(1);
      expect(lines.at(-1)).toMatch(/already has package\.json, cdktf\.json.*; choose an empty folder$/);
      expect(main(["init", "x", "--app", "--platform"], (l) => lines.push(l))).toBe(1);
      expect(lines.at(-1)).toContain("at most one of --platform and --app");
      expect(main(["create", "x"], (l) => lines.push(l))).toBe(1);
      expect(main(["init", "x", "--nope"], (l) => lines.push(l))).toBe(1);
      expect(lines.at(-1)).toContain("usage: meshstack init <dir>");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
