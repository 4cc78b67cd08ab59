/**
 * Faults under load on the prod-shaped cluster (scripts/prodlike.sh): two bounded request loops run
 * through Traefik into the mesh (dashboard on one client, count-api on another, both sidecars) while
 * (a) the Consul agent job rolls to a new configuration one client after another, (b) one Nomad
 * client is lost with every task it ran and its allocations move, (c) OpenBao restarts and is
 * unsealed again, and (d) the agents roll again with two instances of each service. Each case prints failed requests out of the total, the longest gap between
 * successful responses and what the mesh did (docs/clusters.md, "Faults under load").
 */
import { spawn } from "node:child_process";
import { resetConsulCa, viaIngress } from "../../../local/cluster-env";
import {
  clusterEnv,
  eventually,
  LoadFigures,
  prodlikeScript,
  RequestLoops,
  serverApis,
  throwawayProdlike,
  namespaceOf,
} from "../harness";
import { Workspace } from "../terraform";
import type { EnvironmentConfig } from "../../../environments";

jest.setTimeout(10 * 60 * 1000);

const env = clusterEnv();
const { vault, consul, nomad } = serverApis(env);
const HOST = "count.prodlike.meshstack.internal";
const workspace = new Workspace("prodlike", env);

/** Seconds Nomad waits between two agents of the roll (the system job's `update.stagger`). */
const STAGGER_SECONDS = 20;
/** Every request loop stops by itself at these bounds, whatever the test does. */
const LIMITS = { maxSeconds: 240, maxRequests: 12_000, pauseMs: 20 };
/** How long every request must have succeeded before a fault counts as over. */
const SETTLED_MS = 5000;

type Alloc = {
  ID: string;
  NodeID: string;
  NodeName: string;
  TaskGroup: string;
  JobVersion: number;
  ClientStatus: string;
  DesiredStatus: string;
  CreateTime: number;
};

let ingress = "";
let deployed = false;
/** The client (b) stopped and has not started again yet. */
let stoppedClient: string | undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const running = async (job: string) =>
  (await nomad<Alloc[]>(`job/${job}/allocations?namespace=${namespaceOf(job)}`)).filter(
    (a) => a.DesiredStatus === "run" && a.ClientStatus === "running",
  );
/** Instances of `service` whose checks all pass. */
const passing = async (service: string) =>
  (await consul<unknown[]>(`health/service/${service}?passing=true`)).length;

/** The first failed requests of the current loops: when, which path, status and body. */
let failedRequests: string[] = [];

/** Two loops through Traefik: the dashboard's JSON and its page, each a call across nodes to count-api. */
function startLoops(): RequestLoops {
  failedRequests = [];
  return new RequestLoops(
    ["/count", "/"].map((path) => async () => {
      const answer = await viaIngress(ingress, path, HOST, { timeoutMs: 3000 });
      if (answer.status !== 200 && failedRequests.length < 20) {
        failedRequests.push(
          `${new Date().toISOString()} ${path} ${answer.status} ${answer.body.slice(0, 160)}`,
        );
      }
      return answer.status;
    }),
    LIMITS,
  );
}

/** What Nomad did to the mesh's tasks since `since` (ms since the epoch): one line per task event. */
async function taskEvents(since: number): Promise<string[]> {
  type Detail = { TaskStates?: Record<string, { Events: { Time: number; DisplayMessage: string }[] }> };
  const lines: string[] = [];
  for (const job of ["traefik", "countdash", "consul"]) {
    for (const alloc of await nomad<Alloc[]>(`job/${job}/allocations?namespace=${namespaceOf(job)}`)) {
      const detail = await nomad<Detail>(`allocation/${alloc.ID}`);
      for (const [task, state] of Object.entries(detail.TaskStates ?? {})) {
        for (const event of state.Events.filter((e) => e.Time / 1e6 >= since)) {
          lines.push(
            `${new Date(event.Time / 1e6).toISOString()} ${alloc.NodeName} ${task}: ${event.DisplayMessage}`,
          );
        }
      }
    }
  }
  return lines.sort();
}

/** Keeps the loops running until `done` holds and every request of the last few seconds succeeded. */
async function settle(loops: RequestLoops, done: () => Promise<boolean>, timeoutMs: number, what: string) {
  await eventually(async () => (await done()) && loops.succeedingFor(SETTLED_MS), timeoutMs, what);
}

/** The Consul client agents, the mesh's services and a request through all of it, healthy. */
/**
 * Nothing left to stop: every allocation Nomad wants gone has ended. A client that rejoins stops the
 * allocations moved away while it was lost, and deregisters their services as it does.
 */
async function nothingToStop(): Promise<boolean> {
  for (const job of ["countdash", "traefik", "consul"]) {
    const allocs = await nomad<Alloc[]>(`job/${job}/allocations?namespace=${namespaceOf(job)}`);
    if (allocs.some((a) => a.DesiredStatus !== "run" && ["running", "pending"].includes(a.ClientStatus)))
      return false;
  }
  return true;
}

async function meshHealthy(): Promise<boolean> {
  const members = await consul<{ Status: number; Tags: { role: string } }[]>("agent/members");
  const agents = members.filter((m) => m.Tags.role === "node" && m.Status === 1).length;
  const services = await Promise.all(["count-api", "count-dashboard", "traefik"].map(passing));
  return agents === 3 && services.every((n) => n > 0);
}

/**
 * Rolls the Consul agent job to a new configuration (another log level, nothing else) under load, with
 * `environment` deployed, through the job's own update block (MaxParallel 1, Stagger 20 s); checks
 * every agent was replaced one client after another, reports and returns the loops' figures.
 */
async function rollAgents(fault: string, environment: EnvironmentConfig): Promise<LoadFigures> {
  // Start from agents that all run the job's current version: no roll still under way.
  const { version } = await eventually(
    async () => {
      const { Version } = await nomad<{ Version: number }>(`job/consul?namespace=${namespaceOf("consul")}`);
      const agents = await running("consul");
      return agents.length === 3 && agents.every((a) => a.JobVersion === Version) && { version: Version };
    },
    4 * STAGGER_SECONDS * 1000 + 60_000,
    "every agent on the job's current version",
  );
  const loops = startLoops();
  await sleep(3000);
  const faultAt = Date.now();
  workspace.synth(environment, (stack) => {
    const agent = stack.platform.consulAgent!;
    const config = agent.toJob().TaskGroups[0].Tasks[0].Templates![0].EmbeddedTmpl;
    expect(config).toContain('log_level = "INFO"');
    agent.addJobspecOverride(
      "Job.TaskGroups.0.Tasks.0.Templates.0.EmbeddedTmpl",
      config.replace('log_level = "INFO"', 'log_level = "WARN"'),
    );
    expect(agent.toJob().Update).toEqual({ MaxParallel: 1, Stagger: STAGGER_SECONDS * 1e9 });
  });
  const rolled = async () => {
    const now = await running("consul");
    return now.length === 3 && now.every((a) => a.JobVersion > version) && (await meshHealthy());
  };
  const outcome = await applyInBackground()
    .then(() =>
      settle(loops, rolled, 4 * STAGGER_SECONDS * 1000 + 120_000, "every agent replaced, the mesh healthy"),
    )
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  workspace.synth(environment);
  const figures = await loops.stop();
  if (outcome) {
    report(fault, figures, "did not settle");
    throw outcome;
  }
  const after = (await running("consul")).sort((x, y) => x.CreateTime - y.CreateTime);
  const starts = after.map((a) => a.CreateTime / 1e6 - faultAt);
  expect(new Set(after.map((a) => a.NodeID)).size).toBe(3);
  for (let i = 1; i < starts.length; i++) {
    expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual((STAGGER_SECONDS - 5) * 1000);
  }
  const order = after.map((a, i) => `${a.NodeName} +${seconds(starts[i])}`).join(", ");
  report(
    fault,
    figures,
    `agents replaced one client at a time (${order}); recovered ` +
      `${figures.recoveredAt ? `${seconds(figures.recoveredAt - faultAt)} after the apply began` : "throughout"}`,
  );
  return figures;
}

function report(fault: string, figures: LoadFigures, what: string): string {
  const failures = Object.entries(figures.failures)
    .map(([status, n]) => `${status === "0" ? "no answer" : status} x${n}`)
    .join(", ");
  const line =
    `fault ${fault}: ${figures.failed.toLocaleString("en")} of ${figures.total.toLocaleString("en")} requests ` +
    `failed${failures ? ` (${failures}; failing for ${seconds(figures.failingMs)} in all)` : ""}, ` +
    `longest gap ${seconds(figures.longestGapMs)}; ${what}`;
  console.log(line);
  return line;
}

/** `terraform apply` without blocking the event loop, so the request loops keep going. */
function applyInBackground(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], {
      cwd: workspace.dir,
      env: { ...env, TF_IN_AUTOMATION: "1" },
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`terraform apply: ${out}`))));
  });
}

beforeAll(async () => {
  workspace.synth(throwawayProdlike(env));
  workspace.init();
  deployed = true;
  workspace.apply();
  const [traefik] = await eventually(
    async () => (await running("traefik")).length === 1 && running("traefik"),
    180_000,
    "Traefik running",
  );
  const detail = await nomad<{
    AllocatedResources: { Shared: { Ports: { Label: string; Value: number; HostIP: string }[] } };
  }>(`allocation/${traefik.ID}`);
  const https = detail.AllocatedResources.Shared.Ports.find((p) => p.Label === "https")!;
  ingress = `${https.HostIP}:${https.Value}`;
  await eventually(
    async () => (await meshHealthy()) && (await viaIngress(ingress, "/count", HOST)).status === 200,
    240_000,
    "count-dashboard -> count-api through Traefik, every agent and service healthy",
  );
});

afterAll(async () => {
  // Leave the cluster as it was found, whatever failed half-way: every client up, OpenBao unsealed,
  // the stack destroyed and Consul back on its built-in CA.
  try {
    if (stoppedClient) await prodlikeScript(env, "start-client", stoppedClient);
    await eventually(async () => vault("sys/health").then(() => true), 60_000, "OpenBao unsealed").catch(
      async () => prodlikeScript(env, "restart-vault"),
    );
    if (deployed) workspace.destroy();
    await resetConsulCa(env);
  } catch (error) {
    console.error(String(error));
  } finally {
    workspace.remove();
  }
});

describe("prodlike: faults under load", () => {
  test("(a) the Consul agent job rolls to a new configuration, one client after another", async () => {
    // WHEN the agents' configuration changes under load, rolled one node at a time
    const figures = await rollAgents("(a) agent roll", throwawayProdlike(env));
    // THEN the mesh recovered within a bound. The goal is zero failed requests, and it is not reached
    // with one instance of each service (a finding, docs/clusters.md "Faults under load"): the agent
    // job no longer leaves the datacenter on Nomad's SIGINT (skip_leave_on_interrupt) and hands its
    // data directory to its replacement (a sticky ephemeral disk), and Traefik watches the catalog
    // instead of polling it every 15 s, which cut the longest gap from 30-37 s to 6-15 s; what remains
    // is the restarted agent's node and checks turning critical and back, during which Traefik drops
    // the dashboard's route (404) or the dashboard's Envoy has no count-api endpoint (502). (d) shows
    // the remedy.
    expect(figures.longestGapMs).toBeLessThan(30_000);
    expect(figures.total).toBeGreaterThan(1000);
  });

  test("(b) one Nomad client is lost with its tasks, and its allocations move", async () => {
    // GIVEN the client running count-api (or, when Traefik shares it, the dashboard's): the ingress
    // stays where the loops reach it
    const [traefik] = await running("traefik");
    const countdash = await running("countdash");
    const target =
      countdash.find((a) => a.TaskGroup === "count-api" && a.NodeID !== traefik.NodeID) ??
      countdash.find((a) => a.NodeID !== traefik.NodeID)!;
    const index = /^client-(\d+)$/.exec(target.NodeName)![1];
    const loops = startLoops();
    await sleep(3000);
    // WHEN it is lost
    const faultAt = Date.now();
    stoppedClient = index;
    await prodlikeScript(env, "stop-client", index);
    let nodeDownAt = 0;
    let movedAt = 0;
    const outcome = await settle(
      loops,
      async () => {
        if (!nodeDownAt) {
          const node = await nomad<{ Status: string }>(`node/${target.NodeID}`);
          if (node.Status === "down") nodeDownAt = Date.now();
        }
        const moved = (await running("countdash")).find(
          (a) => a.TaskGroup === target.TaskGroup && a.NodeID !== target.NodeID,
        );
        if (moved && !movedAt) movedAt = Date.now();
        return Boolean(moved) && (await passing(target.TaskGroup)) > 0;
      },
      180_000,
      `${target.TaskGroup} running on another client and every request succeeding`,
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    const figures = await loops.stop();
    const recovery = (figures.recoveredAt ?? faultAt) - faultAt;
    if (outcome) {
      report("(b) client lost", figures, `${target.NodeName} lost; did not recover`);
      throw outcome;
    }
    report(
      "(b) client lost",
      figures,
      `${target.NodeName} (${target.TaskGroup}) lost; Nomad saw the node down after ${seconds(nodeDownAt - faultAt)}, ` +
        `${target.TaskGroup} ran on another client after ${seconds(movedAt - faultAt)}, requests succeeded again ` +
        `after ${seconds(recovery)}`,
    );
    // THEN the mesh recovers within a bound (measured 20-32 s): the node's sidecar dies with it, so
    // requests fail at once; the servers mark the node down when its heartbeat lapses (12-17 s here),
    // Nomad places the lost allocation on another client at once, and requests succeed again when its
    // checks pass and the dashboard's Envoy (for count-api) or Traefik (for the dashboard) has it
    expect(recovery).toBeLessThan(90_000);

    // AND the client rejoins: ready, with its Consul agent a member again, the allocations moved away
    // while it was lost stopped, and the mesh still healthy a while later (so the next case starts on a
    // settled mesh: the first CI run of (c) counted two 502s from this rejoin, before OpenBao stopped)
    await prodlikeScript(env, "start-client", index);
    stoppedClient = undefined;
    const settled = async () =>
      (await running("consul")).length === 3 && (await nothingToStop()) && (await meshHealthy());
    await eventually(settled, 120_000, `client-${index} back with its Consul agent`);
    await sleep(10_000);
    await eventually(settled, 60_000, `the mesh settled after client-${index} rejoined`);
  });

  test("(c) OpenBao restarts and is unsealed again", async () => {
    const loops = startLoops();
    await sleep(3000);
    // WHEN OpenBao stops, starts again and is unsealed
    const faultAt = Date.now();
    await prodlikeScript(env, "restart-vault");
    const downFor = Date.now() - faultAt;
    await sleep(10_000);
    // THEN Consul signs a new leaf through Vault again (a service name no agent has asked for yet)
    const leaf = await eventually(
      async () => consul<{ CertPEM: string }>(`agent/connect/ca/leaf/faults-probe-${Date.now()}`),
      60_000,
      "a new leaf signed through Vault",
    );
    expect(leaf.CertPEM).toContain("BEGIN CERTIFICATE");
    await settle(loops, meshHealthy, 60_000, "the mesh healthy");
    const figures = await loops.stop();
    report(
      "(c) OpenBao restart",
      figures,
      `OpenBao stopped, restarted and unsealed in ${seconds(downFor)}; Envoy kept its leaves, and Consul ` +
        `signed a new leaf through Vault afterwards`,
    );
    if (figures.failed) {
      console.log(
        [
          `restart-vault from ${new Date(faultAt).toISOString()} for ${seconds(downFor)}`,
          ...failedRequests,
          ...(await taskEvents(faultAt - 60_000)),
        ].join("\n"),
      );
    }
    // AND not one request failed: sidecars keep their certificates while Vault is away
    expect(figures.failed).toBe(0);
    expect(figures.total).toBeGreaterThan(300);
  });

  test("(d) the agent roll again, with two instances of each service on distinct clients", async () => {
    // GIVEN count-api and count-dashboard twice each, each group's instances on distinct clients
    const base = throwawayProdlike(env);
    const spread: EnvironmentConfig = { ...base, workloads: { ...base.workloads, demoInstances: 2 } };
    workspace.synth(spread);
    workspace.apply();
    await eventually(
      async () =>
        (await running("countdash")).length === 4 &&
        (await passing("count-api")) === 2 &&
        (await passing("count-dashboard")) === 2 &&
        (await meshHealthy()),
      240_000,
      "two healthy instances of each countdash service",
    );
    // WHEN the agents roll as in (a)
    const figures = await rollAgents("(d) agent roll, two instances each", spread);
    // THEN one node's agent away leaves each service an instance elsewhere: the goal of zero failed
    // requests is met in most runs (0 of 3,140, 3,246 and 3,297); one CI run counted 158 of 3,453
    // (502s for 2.7 s as the first node's agent rolled), so the bound is a blip, never an outage
    // (docs/clusters.md "Faults under load")
    expect(figures.failingMs).toBeLessThan(5_000);
    expect(figures.longestGapMs).toBeLessThan(5_000);
    expect(figures.total).toBeGreaterThan(1000);
  });
});
