#!/usr/bin/env node
/**
 * Starts a repository around meshstack: `meshstack init <dir> [--platform | --app] [--meshstack SPEC]`.
 *
 * Writes package.json (meshstack, its peers and cdktf-cli pinned to the versions meshstack is built
 * with), cdktf.json, tsconfig.json, main.ts and stack.ts, a test that synthesizes the stack and checks
 * its intentions, and the pull-request workflow with plan review. Refuses to write into a folder that
 * already holds any of those files. Exit codes: 0 written, 1 error.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { RepoShape, scaffold, ScaffoldVersions } from "./scaffold";

/** Usage text printed on `--help` and on bad arguments. */
export const USAGE = `usage: meshstack init <dir> [--platform | --app] [--meshstack SPEC]

  <dir>              the new repository's folder (created when missing)
  --platform         the mesh's control plane (MeshPlatform)
  --app              services joining a platform's mesh (ServiceMesh.fromPlatform); the default
  --meshstack SPEC   how to depend on meshstack (default: ^<this version>; a tarball path works)`;

/** meshstack's own package.json: next to lib/ when installed, next to init/ in its repository. */
function ownPackage(): {
  version: string;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
} {
  for (const candidate of [
    join(__dirname, "..", "..", "package.json"),
    join(__dirname, "..", "package.json"),
  ]) {
    if (!existsSync(candidate)) continue;
    const json = JSON.parse(readFileSync(candidate, "utf8"));
    if (json.name === "meshstack") return json;
  }
  throw new Error("meshstack's package.json not found next to the init command");
}

/** The versions meshstack is built and tested with, which the new repository pins. */
export function ownVersions(meshstack?: string): ScaffoldVersions {
  const own = ownPackage();
  const dev = own.devDependencies;
  const peers = Object.fromEntries(Object.keys(own.peerDependencies).map((name) => [name, dev[name]!]));
  return {
    meshstack: meshstack ?? `^${own.version}`,
    peers,
    tools: {
      "@types/node": dev["@types/node"]!,
      "cdktf-cli": dev["cdktf-cli"]!,
      tsx: dev.tsx!,
      typescript: dev.tsc7!, // TypeScript 7 (`npm:typescript@7…`)
    },
  };
}

/** Runs the command; returns the exit code. */
export function main(argv: string[], log: (line: string) => void = console.log): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        platform: { type: "boolean" },
        app: { type: "boolean" },
        meshstack: { type: "string" },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    log(`meshstack: ${(error as Error).message}\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    log(USAGE);
    return 0;
  }
  if (positionals[0] !== "init" || positionals.length !== 2 || (values.platform && values.app)) {
    log(`meshstack: give one command, init, one folder, and at most one of --platform and --app\n${USAGE}`);
    return 1;
  }
  const dir = resolve(positionals[1]!);
  const shape: RepoShape = values.platform ? "platform" : "app";
  const name =
    basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-") || "mesh";
  const meshstack =
    values.meshstack && existsSync(values.meshstack) ? `file:${resolve(values.meshstack)}` : values.meshstack;
  const files = scaffold(shape, name, ownVersions(meshstack));
  const taken = Object.keys(files).filter((path) => existsSync(join(dir, path)));
  if (taken.length > 0) {
    log(`meshstack: ${dir} already has ${taken.join(", ")}; choose an empty folder`);
    return 1;
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  log(
    `meshstack: ${shape === "app" ? "an app" : "a platform"} repository in ${dir}; next: cd ${positionals[1]} && npm install && npm test`,
  );
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
