/**
 * Terraform on a stack synthesized in-process: what `cdktf deploy`/`diff`/`destroy` run, with the
 * exit codes (`plan -detailed-exitcode`) and JSON (`show -json`) the tests assert on.
 */
import { App } from "cdktf";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EnvironmentConfig } from "../../environments";
import { MeshPlatformStack } from "../../stacks/mesh-platform-stack";

/** Runs a command to its end; returns its exit code and combined output (never throws). */
export function runCaptured(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): { code: number; out: string } {
  try {
    const out = execFileSync(command, args, {
      ...options,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { code: 0, out };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

/** A synthesized stack in a scratch directory, deployed with real Terraform. */
export class Workspace {
  /** The directory holding `cdk.tf.json` (and, after init, `.terraform` and the local state). */
  public readonly dir: string;
  /** The scratch project root: `cdktf.out/` and the local state live here. */
  public readonly root: string;
  private readonly outdir: string;

  public constructor(
    public readonly stackName: string,
    private readonly env: NodeJS.ProcessEnv,
    root?: string,
  ) {
    // The stack's local backend path is relative to the project root, three levels above
    // `cdktf.out/stacks/<name>` (stacks/backend.ts): the scratch directory plays the project root,
    // which the stacks of one app (given `root`) share.
    this.root = root ?? mkdtempSync(join(tmpdir(), "meshstack-it-"));
    this.outdir = join(this.root, "cdktf.out");
    this.dir = join(this.outdir, "stacks", stackName);
  }

  /**
   * (Re)synthesizes the platform stack for `environment` into this workspace, after `customize`
   * had its say; returns the stack.
   */
  public synth(
    environment: EnvironmentConfig,
    customize: (stack: MeshPlatformStack) => void = () => {},
  ): MeshPlatformStack {
    const app = new App({ outdir: this.outdir });
    const stack = new MeshPlatformStack(app, this.stackName, { environment });
    customize(stack);
    app.synth();
    return stack;
  }

  /** Runs terraform here; returns its exit code and combined output (never throws). */
  public run(...args: string[]): { code: number; out: string } {
    return runCaptured("terraform", args, { cwd: this.dir, env: { ...this.env, TF_IN_AUTOMATION: "1" } });
  }

  /** Runs terraform here and throws with its output unless it exits with one of `ok`. */
  public must(args: string[], ok: number[] = [0]): string {
    const input = ["init", "plan", "apply", "destroy"].includes(args[0]) ? ["-input=false"] : [];
    const { code, out } = this.run(...args, ...input, "-no-color");
    if (!ok.includes(code)) throw new Error(`terraform ${args.join(" ")} exited ${code}:\n${out}`);
    return out;
  }

  /**
   * Starts terraform in the background in its own process group (with its provider plugins), for
   * tests that interrupt it; kill the group with `process.kill(-child.pid, "SIGKILL")`.
   */
  public spawn(...args: string[]): ChildProcess {
    return spawn("terraform", [...args, "-input=false", "-no-color"], {
      cwd: this.dir,
      env: { ...this.env, TF_IN_AUTOMATION: "1" },
      stdio: "ignore",
      detached: true,
    });
  }

  /** Addresses of the resources in the local state file, as Terraform last wrote it. */
  public stateAddresses(): string[] {
    return this.stateSnapshot().addresses;
  }

  /** The local state file's text and resource addresses, as Terraform last wrote it. */
  public stateSnapshot(): { text: string; addresses: string[] } {
    const file = join(this.root, "terraform.tfstate");
    if (!existsSync(file)) return { text: "", addresses: [] };
    const text = readFileSync(file, "utf8");
    try {
      const state = JSON.parse(text) as { resources?: { type: string; name: string }[] };
      return { text, addresses: (state.resources ?? []).map((r) => `${r.type}.${r.name}`) };
    } catch {
      return { text, addresses: [] }; // caught mid-write
    }
  }

  /** Writes the local state file back (see the kill -9 test for why). */
  public restoreState(text: string): void {
    writeFileSync(join(this.root, "terraform.tfstate"), text);
  }

  public init(): void {
    this.must(["init"]);
  }

  public apply(): string {
    return this.must(["apply", "-auto-approve"]);
  }

  /** `plan -detailed-exitcode`: 0 no changes, 2 changes. */
  public plan(): { code: number; out: string } {
    const result = this.run("plan", "-detailed-exitcode", "-input=false", "-no-color");
    if (result.code === 1) throw new Error(`terraform plan failed:\n${result.out}`);
    return result;
  }

  /** The plan as `terraform show -json` prints it (what the plan review reads). */
  public planJson(): string {
    this.must(["plan", "-out=review.tfplan"]);
    return this.must(["show", "-json", "review.tfplan"]);
  }

  /** The resource changes a plan would make, as `address: actions` (no-ops left out). */
  public plannedChanges(): Record<string, string> {
    const plan = JSON.parse(this.planJson()) as {
      resource_changes?: { address: string; change: { actions: string[] } }[];
    };
    return Object.fromEntries(
      (plan.resource_changes ?? [])
        .filter((c) => c.change.actions.join() !== "no-op" && c.change.actions.join() !== "read")
        .map((c) => [c.address, c.change.actions.join(",")]),
    );
  }

  public destroy(): void {
    this.must(["destroy", "-auto-approve"]);
  }

  /** Removes the scratch directory. */
  public remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
