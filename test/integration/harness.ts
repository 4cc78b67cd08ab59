import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { EnvironmentConfig, environments } from "../../environments";
import { readClusterEnv, requestJson } from "../../local/cluster-env";

const root = join(__dirname, "..", "..");

/**
 * The cluster the suite runs on: its own instances (`MESHSTACK_CLUSTER=test` for `local`,
 * `prodlike-test` for `prodlike`, started by scripts/test.sh beside the user's clusters), or the
 * user's local one when unset.
 */
const envFile =
  {
    test: "test-cluster.env",
    prodlike: "prodlike/cluster.env",
    "prodlike-test": "prodlike-test/cluster.env",
  }[process.env.MESHSTACK_CLUSTER ?? ""] ?? "cluster.env";

/** Environment for Terraform and the servers' CLIs: the toolchain's PATH and CLI config plus the cluster's tokens. */
export function clusterEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const exports = execFileSync("bash", [join(root, "scripts/toolchain.sh"), "--env"], { encoding: "utf8" });
  for (const [, key, value] of exports.matchAll(/^export (\w+)="(.*)"$/gm)) {
    env[key] = value.replace("$PATH", process.env.PATH ?? "");
  }
  return { ...env, ...readClusterEnv(join(root, ".local", envFile)) };
}

/**
 * The `local` environment pointed at the cluster in `env`, as a throwaway: local state in the
 * scratch directory, no `prevent_destroy`.
 */
export function throwawayLocal(env: NodeJS.ProcessEnv): EnvironmentConfig {
  const local = environments.local;
  return {
    ...local,
    vault: { ...local.vault, address: env.VAULT_ADDR! },
    consul: { ...local.consul, address: env.CONSUL_HTTP_ADDR! },
    nomad: { ...local.nomad, address: env.NOMAD_ADDR! },
    preventDestroy: false,
    backend: { type: "local", path: "terraform.tfstate" },
  };
}

/**
 * The `prodlike` environment pointed at the prod-shaped cluster in `env` (scripts/prodlike.sh), as a
 * throwaway: no `prevent_destroy`; its state stays in that cluster's Consul KV.
 */
export function throwawayProdlike(env: NodeJS.ProcessEnv): EnvironmentConfig {
  const prodlike = environments.prodlike;
  const servers = new URL(env.CONSUL_HTTP_ADDR!).hostname;
  return {
    ...prodlike,
    vault: { address: env.VAULT_ADDR! },
    consul: { ...prodlike.consul, address: env.CONSUL_HTTP_ADDR!, retryJoin: [servers] },
    nomad: { address: env.NOMAD_ADDR! },
    preventDestroy: false,
    backend: { type: "consul", address: `${servers}:8501`, path: "meshstack/prodlike" },
  };
}

/** A JSON GET (or other method) against one of the servers, with its token (Vault's header by default). */
export function api<T = unknown>(
  base: string,
  path: string,
  token: string | undefined,
  init: RequestInit & { tokenHeader?: string } = {},
): Promise<T> {
  const { tokenHeader = "X-Vault-Token", ...request } = init;
  return requestJson<T>(base, path, tokenHeader, token, request);
}

/** JSON requests to the cluster's Vault, Consul and Nomad (`/v1/<path>`), each with its token from `env`. */
export function serverApis(env: NodeJS.ProcessEnv) {
  return {
    vault: <T>(path: string, init?: RequestInit) =>
      api<T>(env.VAULT_ADDR!, `/v1/${path}`, env.VAULT_TOKEN, init),
    consul: <T>(path: string, init?: RequestInit) =>
      api<T>(env.CONSUL_HTTP_ADDR!, `/v1/${path}`, env.CONSUL_HTTP_TOKEN, {
        ...init,
        tokenHeader: "X-Consul-Token",
      }),
    nomad: <T>(path: string, init?: RequestInit) =>
      api<T>(env.NOMAD_ADDR!, `/v1/${path}`, env.NOMAD_TOKEN, { ...init, tokenHeader: "X-Nomad-Token" }),
  };
}

/** What a Vault token may do on `path` (`sys/capabilities-self`), e.g. `["update"]` or `["deny"]`. */
export async function vaultCapabilities(
  env: NodeJS.ProcessEnv,
  token: string,
  path: string,
): Promise<string[]> {
  const answer = await api<{ capabilities: string[] }>(env.VAULT_ADDR!, "/v1/sys/capabilities-self", token, {
    method: "POST",
    body: JSON.stringify({ path }),
  });
  return answer.capabilities;
}

/** Polls `probe` until it returns a truthy value or the timeout passes. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}
