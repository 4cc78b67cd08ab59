/**
 * `npm run bench [-- --quick] [--json FILE]`: synth time of the reference platform stack and of generated
 * stacks of 10…1000 mesh services (median of several runs, growth per 10×), the unit-suite time, and the
 * real plan/apply/destroy times the integration suite recorded, if any. Prints a table and writes JSON.
 */
import { App } from "cdktf";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { environments } from "../environments";
import { buildGeneratedStack } from "../examples/generated-stack";
import { MeshPlatformStack } from "../stacks/mesh-platform-stack";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const jsonFile = args.includes("--json") ? args[args.indexOf("--json") + 1] : undefined;
const runs = quick ? 3 : 7;
const sizes = quick ? [10, 100, 500] : [10, 100, 500, 1000];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall time (ms) of `build` + `app.synth()` into a scratch directory, after one warm-up run. */
function timeSynth(build: (app: App) => void): number {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const outdir = mkdtempSync(join(tmpdir(), "meshstack-bench-"));
    const start = performance.now();
    const app = new App({ outdir });
    build(app);
    app.synth();
    if (i > 0) times.push(performance.now() - start);
    rmSync(outdir, { recursive: true, force: true });
  }
  return median(times);
}

const results: Record<string, number | string | Record<string, number>> = {
  machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`,
  node: process.version,
  runs,
};

results.referenceStackSynthMs = timeSynth((app) => {
  new MeshPlatformStack(app, "local", { environment: environments.local });
});
// What `cdktf synth` costs a user: a fresh process importing cdktf and the three providers.
const processTimes: number[] = [];
for (let i = 0; i < (quick ? 1 : 3); i++) {
  const start = performance.now();
  execFileSync("node", ["-r", "./scripts/register-ts.js", "main.ts"], {
    stdio: "ignore",
    env: {
      ...process.env,
      MESHSTACK_ENVIRONMENTS: "local",
      CDKTF_OUTDIR: mkdtempSync(join(tmpdir(), "meshstack-bench-")),
    },
  });
  processTimes.push(performance.now() - start);
}
results.referenceStackProcessMs = Math.round(median(processTimes));
const generated: Record<string, number> = {};
for (const n of sizes) generated[n] = timeSynth((app) => buildGeneratedStack(app, `generated-${n}`, n));
results.generatedSynthMs = generated;
results.msPerService = Object.fromEntries(sizes.map((n) => [n, +(generated[n] / n).toFixed(2)]));
results.growthPer10x = Object.fromEntries(
  sizes
    .slice(1)
    .filter((n) => generated[n / 10] !== undefined)
    .map((n) => [`${n / 10}→${n}`, +(generated[n] / generated[n / 10]).toFixed(2)]),
);

if (!quick) {
  const start = performance.now();
  execFileSync("npx", ["jest", "--selectProjects", "unit", "--silent"], { stdio: "ignore" });
  results.unitSuiteMs = Math.round(performance.now() - start);
}
const integration = ".local/integration-timings.json";
if (existsSync(integration)) results.realTerraformMs = JSON.parse(readFileSync(integration, "utf8"));

const rows = [
  ["reference stack (local) synth", `${(results.referenceStackSynthMs as number).toFixed(0)} ms`],
  ["reference stack, fresh `cdktf synth` app process", `${results.referenceStackProcessMs} ms`],
  ...sizes.map((n) => [
    `${n} mesh services synth`,
    `${generated[n].toFixed(0)} ms (${(generated[n] / n).toFixed(2)} ms/service)`,
  ]),
  ...Object.entries(results.growthPer10x as Record<string, number>).map(([k, v]) => [`growth ${k}`, `×${v}`]),
  ...(results.unitSuiteMs ? [["unit suite", `${results.unitSuiteMs} ms`]] : []),
  // Timings of the integration suite's last run against the real cluster (not counts it also records).
  ...(["apply", "plan", "destroy"] as const)
    .filter((k) => typeof (results.realTerraformMs as Record<string, number> | undefined)?.[k] === "number")
    .map((k) => [`real ${k} (local stack)`, `${(results.realTerraformMs as Record<string, number>)[k]} ms`]),
];
console.log(`meshstack bench (${results.machine}, median of ${runs})`);
for (const [name, value] of rows) console.log(`  ${name.padEnd(50)} ${value}`);
if (jsonFile) {
  mkdirSync(dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
}
