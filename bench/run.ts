/**
 * `npm run bench [-- --quick] [--json FILE]`, or `-- --deploy` for real deploys (bench/deploy.ts): synth time of the reference platform stack and of generated
 * stacks of 10…5,000 mesh services (median of several runs: ms, ms per service, heap, growth per 10×,
 * whether 5,000 services meet the 3 s target), the unit-suite time, and the real plan/apply/destroy
 * times the integration suite recorded, if any. Prints a table and writes JSON.
 *
 * Each generated-stack run is a fresh Node process (a warm-up synth, then the timed one): cdktf keeps
 * every token in a process-wide map, so an app synthesized earlier in the same process stays in memory
 * and would inflate the heap and garbage collection of every later size.
 */
import { App } from "cdktf";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { environments } from "../environments";
import { buildGeneratedStack } from "../examples/generated-stack";
import { MeshPlatformStack } from "../stacks/mesh-platform-stack";
import { benchDeploy } from "./deploy";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const jsonFile = args.includes("--json") ? args[args.indexOf("--json") + 1] : undefined;
const runs = quick ? 3 : 7;
const sizes = quick ? [10, 100, 500] : [10, 100, 500, 1000, 2000, 5000];
/** The synth-time target for 5,000 generated services. */
const TARGET_SERVICES = 5000;
const TARGET_MS = 3000;
/** `--quick` adds one 5,000-service run when the 500-service median projects it under this. */
const QUICK_TARGET_BUDGET_MS = 4000;
/** Services synthesized before the timed run of a child process, so the JIT is warm. */
const WARM_UP_SERVICES = 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Wall time (ms) of `build` + `app.synth()` into a scratch directory, and the heap used right after. */
function synthOnce(build: (app: App) => void): { ms: number; heapMb: number } {
  const outdir = mkdtempSync(join(tmpdir(), "meshstack-bench-"));
  try {
    const start = performance.now();
    const app = new App({ outdir });
    build(app);
    app.synth();
    const ms = performance.now() - start;
    return { ms, heapMb: process.memoryUsage().heapUsed / 2 ** 20 };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Median wall time (ms) of `build` + `app.synth()` in this process, after one warm-up run. */
function timeSynth(build: (app: App) => void): number {
  synthOnce(build);
  return median(Array.from({ length: runs }, () => synthOnce(build).ms));
}

/**
 * `--synth-child N [RULES]`: a warm-up synth, then one timed synth of N generated services (with an
 * access policy of RULES rules the tree keeps), printed as JSON.
 */
function synthChild(services: number, rules = 0): void {
  synthOnce((app) => buildGeneratedStack(app, "warm-up", WARM_UP_SERVICES, "tree", rules));
  const run = synthOnce((app) => buildGeneratedStack(app, `generated-${services}`, services, "tree", rules));
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

/** One run of `services` generated services in a fresh process. */
function generatedRun(services: number): { ms: number; heapMb: number } {
  const output = execFileSync(
    process.execPath,
    ["-r", join(__dirname, "..", "scripts", "register-ts.js"), __filename, "--synth-child", String(services)],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  return JSON.parse(output);
}

interface GeneratedResult {
  /** Median synth time. */
  readonly ms: number;
  /** Median heap used right after synth. */
  readonly heapMb: number;
  /** Runs measured. */
  readonly runs: number;
}

function measureGenerated(services: number, count: number): GeneratedResult {
  const measured = Array.from({ length: count }, () => generatedRun(services));
  return {
    ms: median(measured.map((r) => r.ms)),
    heapMb: median(measured.map((r) => r.heapMb)),
    runs: count,
  };
}

function main(): void {
  const results: Record<string, unknown> = {
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`,
    node: process.version,
    runs,
    loadAverage: +loadavg()[0].toFixed(2),
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

  const generated = new Map<number, GeneratedResult>();
  for (const n of sizes) generated.set(n, measureGenerated(n, runs));
  let quickTargetNote: string | undefined;
  if (quick) {
    // One run, and only when the 500-service median (growth is linear) projects it to stay quick.
    const projected = (generated.get(500)!.ms / 500) * TARGET_SERVICES;
    if (projected < QUICK_TARGET_BUDGET_MS)
      generated.set(TARGET_SERVICES, measureGenerated(TARGET_SERVICES, 1));
    else quickTargetNote = `skipped in --quick: projected ${projected.toFixed(0)} ms`;
  }
  const measuredSizes = [...generated.keys()];
  const round = (value: number, digits: number) => +value.toFixed(digits);
  results.generatedSynthMs = Object.fromEntries(
    measuredSizes.map((n) => [n, round(generated.get(n)!.ms, 0)]),
  );
  results.msPerService = Object.fromEntries(
    measuredSizes.map((n) => [n, round(generated.get(n)!.ms / n, 3)]),
  );
  results.generatedHeapMb = Object.fromEntries(
    measuredSizes.map((n) => [n, round(generated.get(n)!.heapMb, 1)]),
  );
  results.generatedRuns = Object.fromEntries(measuredSizes.map((n) => [n, generated.get(n)!.runs]));
  results.growthPer10x = Object.fromEntries(
    measuredSizes
      .filter((n) => generated.has(n / 10))
      .map((n) => [`${n / 10}→${n}`, round(generated.get(n)!.ms / generated.get(n / 10)!.ms, 2)]),
  );
  const target = generated.get(TARGET_SERVICES);
  results.target = {
    services: TARGET_SERVICES,
    limitMs: TARGET_MS,
    ms: target ? round(target.ms, 0) : null,
    met: target ? target.ms <= TARGET_MS : null,
    ...(quickTargetNote ? { note: quickTargetNote } : {}),
  };

  if (!quick) {
    const start = performance.now();
    execFileSync("npx", ["jest", "--selectProjects", "unit", "--silent"], { stdio: "ignore" });
    results.unitSuiteMs = Math.round(performance.now() - start);
  }
  const integration = ".local/integration-timings.json";
  if (existsSync(integration)) results.realTerraformMs = JSON.parse(readFileSync(integration, "utf8"));
  const realTerraformMs = results.realTerraformMs as Record<string, number> | undefined;

  const rows = [
    ["reference stack (local) synth", `${(results.referenceStackSynthMs as number).toFixed(0)} ms`],
    ["reference stack, fresh `cdktf synth` app process", `${results.referenceStackProcessMs} ms`],
    ...measuredSizes.map((n) => {
      const { ms, heapMb, runs: count } = generated.get(n)!;
      const single = count > 1 ? "" : "  (1 run)";
      return [
        `${n} mesh services synth`,
        `${ms.toFixed(0).padStart(5)} ms  ${(ms / n).toFixed(2)} ms/service  heap ${heapMb.toFixed(0)} MB${single}`,
      ];
    }),
    ...Object.entries(results.growthPer10x as Record<string, number>).map(([k, v]) => [
      `growth ${k}`,
      `×${v}`,
    ]),
    [
      `${TARGET_SERVICES} mesh services ≤ ${TARGET_MS / 1000} s`,
      target
        ? `${target.ms <= TARGET_MS ? "met" : "NOT met"} (${target.ms.toFixed(0)} ms)`
        : `not measured (${quickTargetNote})`,
    ],
    ...(results.unitSuiteMs ? [["unit suite", `${results.unitSuiteMs} ms`]] : []),
    // Timings of the integration suite's last run against the real cluster (not counts it also records).
    ...(["apply", "plan", "destroy"] as const)
      .filter((k) => typeof realTerraformMs?.[k] === "number")
      .map((k) => [`real ${k} (local stack)`, `${realTerraformMs![k]} ms`]),
  ];
  console.log(
    `meshstack bench (${results.machine}, load ${results.loadAverage}, median of ${runs}; ` +
      `generated stacks: one fresh process per run)`,
  );
  for (const [name, value] of rows) console.log(`  ${name.padEnd(50)} ${value}`);
  if (jsonFile) {
    mkdirSync(dirname(jsonFile), { recursive: true });
    writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  }
}

async function deploy(): Promise<void> {
  const results = await benchDeploy();
  console.log("meshstack deploy bench (median of rounds; ratio = cdktf / Terraform alone, pair by pair)");
  for (const [stack, figures] of Object.entries(results)) {
    console.log(`  ${stack}`);
    for (const [name, value] of Object.entries(figures))
      console.log(`    ${name.padEnd(26)} ${name.startsWith("ratio") ? `×${value}` : `${value} ms`}`);
  }
  if (jsonFile) {
    mkdirSync(dirname(jsonFile), { recursive: true });
    writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  }
}

if (args[0] === "--synth-child") synthChild(Number(args[1]), Number(args[2] ?? 0));
else if (args.includes("--deploy"))
  void deploy().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
else main();
