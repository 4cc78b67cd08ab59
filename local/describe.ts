/**
 * Waits until an environment's mesh on its built-in cluster (`local`, or `prodlike`, `peered-west` or
 * `peered-east` given as the argument) answers (through the dashboard's upstream and through Traefik), then
 * prints what the stack deployed, read back from the servers' own APIs: Connect CA mounts, the CA
 * provider, the intention graph and the Nomad jobs, and the commands to try, which work as printed.
 */
import { writeFileSync } from "node:fs";
import { graphFromConsulEntries, graphSection } from "../plan-review/summarize";
import { consulGraphEntries, publishedPort, readClusterEnv, requestJson, viaIngress } from "./cluster-env";

/** How long `npm run up` waits for the mesh to answer after the deploy. */
const WAIT_SECONDS = 180;
/** The environment, and the env file its cluster script wrote (scripts/environment.sh). */
const ENVIRONMENT = process.argv[2] ?? "local";
const STATE_DIR =
  ENVIRONMENT === "local"
    ? ".local/cluster"
    : ENVIRONMENT.startsWith("peered-")
      ? `.local/peered/${ENVIRONMENT.slice("peered-".length)}`
      : `.local/${ENVIRONMENT}`;
const ENV_FILE = ENVIRONMENT === "local" ? ".local/cluster.env" : `${STATE_DIR}/cluster.env`;
/** Where the running mesh's access graph is written (Markdown with a Mermaid diagram). */
const GRAPH_FILE = `${STATE_DIR}/mesh-graph.md`;
const HOST = `count.${ENVIRONMENT}.meshstack.internal`;
const CANARY_HOST = `canary.${ENVIRONMENT}.meshstack.internal`;
/** How the try-it commands reach a server: with the CA and token of clusters that use them. */
const SECURED = ENVIRONMENT !== "local";

const env = readClusterEnv(ENV_FILE);

/** Whether the environment's stack deployed a job (the canary demo is optional). */
function hasJob(id: string): Promise<boolean> {
  return requestJson<{ ID: string }[]>(
    env.NOMAD_ADDR,
    "/v1/jobs?namespace=*",
    "X-Nomad-Token",
    env.NOMAD_TOKEN,
  ).then(
    (jobs) => jobs.some((job) => job.ID === id),
    () => false,
  );
}

/** What does not answer yet; empty when every try-it command below works. */
async function notReady(): Promise<{ waiting: string[]; dashboard?: string; ingress?: string }> {
  const waiting: string[] = [];
  const dashboardPort = await publishedPort(env, "countdash", "public").catch(() => undefined);
  const ingressPort = await publishedPort(env, "traefik", "https").catch(() => undefined);
  const dashboard = dashboardPort && `${dashboardPort.HostIP}:${dashboardPort.Value}`;
  const ingress = ingressPort && `${ingressPort.HostIP}:${ingressPort.Value}`;
  // Prod-shaped environments publish the dashboard through the ingress only.
  if (!dashboard && !(await dashboardBehindIngressOnly()))
    waiting.push("the countdash dashboard is not placed");
  else if (dashboard) {
    const ok = await fetch(`http://${dashboard}/count`, { signal: AbortSignal.timeout(3000) })
      .then(async (r) => r.ok && ((await r.json()) as { service?: string }).service === "count-api")
      .catch(() => false);
    if (!ok) waiting.push("the dashboard does not reach count-api through the mesh yet");
  }
  if (!ingress) waiting.push("Traefik is not placed");
  else if ((await viaIngress(ingress, "/count", HOST, { timeoutMs: 3000 })).status !== 200)
    waiting.push("Traefik does not route to the dashboard yet");
  else if (
    (await hasJob("canary")) &&
    (await viaIngress(ingress, "/", CANARY_HOST, { timeoutMs: 3000 })).status !== 200
  )
    waiting.push("the canary's web front does not reach the greeter yet");
  return { waiting, dashboard, ingress };
}

/** Whether the demo's dashboard is placed without a host port of its own (reached through Traefik). */
async function dashboardBehindIngressOnly(): Promise<boolean> {
  const allocations = await requestJson<{ TaskGroup: string; ClientStatus: string }[]>(
    env.NOMAD_ADDR,
    "/v1/job/countdash/allocations",
    "X-Nomad-Token",
    env.NOMAD_TOKEN,
  ).catch(() => []);
  return allocations.some((a) => a.TaskGroup === "count-dashboard" && a.ClientStatus === "running");
}

async function waitForMesh(): Promise<{ dashboard?: string; ingress: string }> {
  const start = Date.now();
  let last = "";
  for (;;) {
    const { waiting, dashboard, ingress } = await notReady();
    if (waiting.length === 0) return { dashboard, ingress: ingress! };
    const seconds = Math.round((Date.now() - start) / 1000);
    if (seconds >= WAIT_SECONDS) {
      throw new Error(
        `the mesh did not answer within ${WAIT_SECONDS}s: ${waiting.join("; ")}.\n` +
          `  logs: ${ENVIRONMENT === "local" ? ".local/cluster" : `.local/${ENVIRONMENT}`}/*.log; a job's: ` +
          `nomad alloc logs -job countdash (after: set -a; . ${ENV_FILE}; set +a)`,
      );
    }
    if (waiting.join() !== last || seconds % 10 === 0) {
      console.log(
        `[up] waiting for the mesh (${seconds}s of at most ${WAIT_SECONDS}s): ${waiting.join("; ")}`,
      );
      last = waiting.join();
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function main(): Promise<void> {
  const { dashboard, ingress } = await waitForMesh();
  const vault = <T>(p: string) =>
    requestJson<T>(env.VAULT_ADDR, `/v1/${p}`, "X-Vault-Token", env.VAULT_TOKEN);
  const consul = <T>(p: string) =>
    requestJson<T>(env.CONSUL_HTTP_ADDR, `/v1/${p}`, "X-Consul-Token", env.CONSUL_HTTP_TOKEN);
  const nomad = <T>(p: string) =>
    requestJson<T>(env.NOMAD_ADDR, `/v1/${p}`, "X-Nomad-Token", env.NOMAD_TOKEN);

  const mounts = (await vault<{ data: Record<string, { type: string }> }>("sys/mounts")).data;
  const pki = Object.entries(mounts)
    .filter(([, m]) => m.type === "pki")
    .map(([path]) => path);
  const ca = await consul<{ Provider: string; Config: Record<string, string> }>("connect/ca/configuration");
  const entries =
    await consul<{ Name: string; Sources: { Name: string; Action?: string }[] }[]>(
      "config/service-intentions",
    );
  const jobs = await nomad<{ ID: string; Type: string; Status: string }[]>("jobs?namespace=*");
  const graphEntries = await consulGraphEntries(env);
  writeFileSync(
    GRAPH_FILE,
    [
      `# meshstack ${ENVIRONMENT}: the running mesh's access graph`,
      "",
      ...graphSection(graphFromConsulEntries(graphEntries), "Who may call whom, as Consul holds it"),
    ].join("\n"),
  );

  console.log(`\nmeshstack ${ENVIRONMENT} cluster`);
  console.log(`  Vault   ${env.VAULT_ADDR}   PKI mounts: ${pki.join(", ") || "none"}`);
  console.log(
    `  Consul  ${env.CONSUL_HTTP_ADDR}   CA provider: ${ca.Provider} (root ${ca.Config.RootPKIPath ?? "-"})`,
  );
  console.log(`  Nomad   ${env.NOMAD_ADDR}`);
  console.log("  intentions:");
  for (const entry of entries) {
    for (const source of entry.Sources)
      console.log(`    ${source.Name} -> ${entry.Name}: ${source.Action ?? "L7 rules"}`);
  }
  console.log(`  access graph (Mermaid, as Consul holds it): ${GRAPH_FILE}`);
  console.log("  jobs:");
  for (const job of jobs) console.log(`    ${job.ID} (${job.Type}): ${job.Status}`);
  const [ingressHost, ingressPort] = ingress.split(":");
  const consulCurl = SECURED
    ? 'curl -s --cacert "$CONSUL_CACERT" -H "X-Consul-Token: $CONSUL_HTTP_TOKEN"'
    : "curl -s";
  const suffix =
    ENVIRONMENT === "local" ? "" : ` -- ${ENVIRONMENT.startsWith("peered-") ? "peered" : ENVIRONMENT}`;
  const ingressCurl = `curl -sk --resolve ${HOST}:${ingressPort}:${ingressHost} https://${HOST}:${ingressPort}`;
  const peerTry =
    (await viaIngress(ingress, "/peer-count", HOST, { timeoutMs: 3000 })).status === 200
      ? `\n  ${ingressCurl}/peer-count   # dashboard -> the peer's count-api, through both mesh gateways`
      : "";
  const canaryCurl = `curl -sk --resolve ${CANARY_HOST}:${ingressPort}:${ingressHost} https://${CANARY_HOST}:${ingressPort}`;
  const canaryTry = jobs.some((j) => j.ID === "canary")
    ? `
  for i in $(seq 1000); do ${canaryCurl}/; echo; done | grep -o '"version": "v[0-9]*"' | sort | uniq -c   # the 90/10 split of greeter v1/v2
  ${canaryCurl}/v2/hello      # the path route: always v2
  ${canaryCurl}/admin; echo   # the L7 permission: 403 from greeter's sidecar`
    : "";
  console.log(`
try:${SECURED ? `\n  set -a; . ${ENV_FILE}; set +a                     # addresses, CA files and tokens of the CLIs` : ""}
${dashboard ? `  curl -s http://${dashboard}/count                                   # dashboard -> count-api through the mesh\n` : ""}  ${ingressCurl}/count   # through Traefik${peerTry}
  ${consulCurl} "${env.CONSUL_HTTP_ADDR}/v1/connect/intentions/check?source=count-api&destination=count-dashboard"   # denied${canaryTry}
  npm run plan${suffix}                                                     # a second plan shows no changes
  npm run down${suffix}                                                     # stop the cluster`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
