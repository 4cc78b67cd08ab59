/**
 * Read-only requests to Consul for the review: the intentions entries and the catalog's service
 * names, with the token and CA the Consul CLI reads from the environment.
 */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { ConsulIntentionsView } from "./grants";
import type { JsonValue } from "./plan-json";

/** Where Consul is and how to reach it (`intentions:read` and `service:read` suffice). */
export interface ConsulAccess {
  /** Base URL, e.g. `https://consul.internal:8501`. */
  readonly address: string;
  /** ACL token, when ACLs are on. */
  readonly token?: string;
  /** PEM file of the CA that signed Consul's HTTPS certificate. */
  readonly caFile?: string;
}

/**
 * The access the Consul CLI would use: `CONSUL_HTTP_ADDR` (scheme optional; `CONSUL_HTTP_SSL=true`
 * picks https), `CONSUL_HTTP_TOKEN`, `CONSUL_CACERT`.
 */
export function consulAccessFrom(env: NodeJS.ProcessEnv): ConsulAccess {
  const address = env.CONSUL_HTTP_ADDR;
  if (!address)
    throw new Error(
      "--consul-grants and --audit need CONSUL_HTTP_ADDR (and CONSUL_HTTP_TOKEN where ACLs are on)",
    );
  const scheme = env.CONSUL_HTTP_SSL === "true" ? "https" : "http";
  return {
    address: /^https?:\/\//.test(address) ? address : `${scheme}://${address}`,
    token: env.CONSUL_HTTP_TOKEN || undefined,
    caFile: env.CONSUL_CACERT || undefined,
  };
}

function getJson(access: ConsulAccess, path: string, ca: Buffer | undefined): Promise<JsonValue> {
  const url = new URL(path, access.address);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const headers = access.token ? { "X-Consul-Token": access.token } : {};
  return new Promise((resolve, reject) => {
    const req = send(url, { headers, ca, timeout: 30_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        if (res.statusCode !== 200) {
          reject(new Error(`Consul answered ${res.statusCode} to GET ${url.pathname}: ${body.trim()}`));
          return;
        }
        try {
          resolve(JSON.parse(body) as JsonValue);
        } catch {
          reject(new Error(`Consul's answer to GET ${url.pathname} is not JSON`));
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from Consul to GET ${url.pathname} in 30 s`)));
    req.on("error", reject);
    req.end();
  });
}

/** Reads every `service-intentions` entry and the catalog's service names. */
export async function readConsulIntentions(access: ConsulAccess): Promise<ConsulIntentionsView> {
  const ca = access.caFile ? readFileSync(access.caFile) : undefined;
  const [entries, services] = await Promise.all([
    getJson(access, "/v1/config/service-intentions", ca),
    getJson(access, "/v1/catalog/services", ca),
  ]);
  return {
    entries: Array.isArray(entries) ? entries : [],
    services:
      services && typeof services === "object" && !Array.isArray(services) ? Object.keys(services) : [],
  };
}
