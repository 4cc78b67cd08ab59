/**
 * Prints what the `local` stack deployed, read back from the servers' own APIs: Connect CA mounts,
 * the CA provider, the intention graph and the Nomad jobs, then the next commands to try.
 */
import { publishedPort, readClusterEnv } from "./local-cluster";

const env = readClusterEnv();

async function get<T>(base: string, path: string, header: string, token?: string): Promise<T> {
  const response = await fetch(`${base}${path}`, { headers: token ? { [header]: token } : {} });
  if (!response.ok) throw new Error(`GET ${base}${path}: ${response.status}`);
  return (await response.json()) as T;
}

async function main(): Promise<void> {
  const vault = <T>(p: string) => get<T>(env.VAULT_ADDR, `/v1/${p}`, "X-Vault-Token", env.VAULT_TOKEN);
  const consul = <T>(p: string) =>
    get<T>(env.CONSUL_HTTP_ADDR, `/v1/${p}`, "X-Consul-Token", env.CONSUL_HTTP_TOKEN);
  const nomad = <T>(p: string) => get<T>(env.NOMAD_ADDR, `/v1/${p}`, "X-Nomad-Token", env.NOMAD_TOKEN);

  const mounts = (await vault<{ data: Record<string, { type: string }> }>("sys/mounts")).data;
  const pki = Object.entries(mounts)
    .filter(([, m]) => m.type === "pki")
    .map(([path]) => path);
  const ca = await consul<{ Provider: string; Config: Record<string, string> }>("connect/ca/configuration");
  const entries =
    await consul<{ Name: string; Sources: { Name: string; Action?: string }[] }[]>(
      "config/service-intentions",
    );
  const jobs = await nomad<{ ID: string; Type: string; Status: string }[]>("jobs");

  console.log("\nmeshstack local cluster");
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
  console.log("  jobs:");
  for (const job of jobs) console.log(`    ${job.ID} (${job.Type}): ${job.Status}`);
  const address = async (job: string, label: string) => {
    const port = await publishedPort(env, job, label);
    return port ? `${port.HostIP}:${port.Value}` : "(not running yet)";
  };
  const dashboard = await address("countdash", "public");
  const ingress = await address("traefik", "https");
  const host = "count.local.meshstack.internal";
  console.log(`
try:
  curl -s http://${dashboard}/count                                   # dashboard -> count-api through the mesh
  curl -sk --resolve ${host}:${ingress.split(":")[1]}:${ingress.split(":")[0]} https://${host}:${ingress.split(":")[1]}/count   # through Traefik
  curl -s "${env.CONSUL_HTTP_ADDR}/v1/connect/intentions/check?source=count-api&destination=count-dashboard"   # denied
  npm run plan:local                                                     # a second plan shows no changes
  npm run down                                                           # stop the cluster`);
}

main().catch((error: unknown) => {
  console.error(String(error));
  process.exit(1);
});
