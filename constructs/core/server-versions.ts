import { check, checkLiteral, show, Where } from "./errors";

/**
 * The Nomad version constructs assume when none is given: a current release, whose clusters reach
 * Consul and Vault through workload identity.
 */
export const DEFAULT_NOMAD_VERSION = "1.11.3";

/** Features whose presence depends on the Nomad version of the cluster. */
export type NomadFeature = "workload-identity" | "transparent-proxy" | "token-flows" | "raw-exec-work-dir";

/** When each feature came (`since`) or went (`until`, the first version without it). */
const FEATURES: Record<
  NomadFeature,
  { readonly what: string; readonly since?: string; readonly until?: string }
> = {
  // Nomad 1.7 added the JWKS endpoint and `identity` audiences for Consul and Vault.
  "workload-identity": { what: "workload identity for Consul and Vault", since: "1.7.0" },
  "transparent-proxy": { what: "transparent proxy", since: "1.8.0" },
  // raw_exec's `work_dir` (proven on 1.11; Nomad 1.6's task config refuses the key).
  "raw-exec-work-dir": { what: "raw_exec's work_dir", since: "1.11.0" },
  // Nomad 1.10 removed the servers' Vault token (`vault.token`, `create_from_role`) and Consul
  // service-identity tokens derived with the agents' own token.
  "token-flows": { what: "the token-based Consul and Vault workflows", until: "1.10.0" },
};

const VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+]\S*)?$/;

/** Whether `version` is a server version string such as `"1.6.1"` or `"v1.11.3-ent"`. */
export function isVersion(version: unknown): version is string {
  return typeof version === "string" && VERSION.test(version);
}

/** Orders two version strings by major, minor and patch (pre-release suffixes ignored). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => (VERSION.exec(v) ?? []).slice(1, 4).map((p) => Number(p ?? 0));
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** Whether a cluster on Nomad `version` has `feature`. */
export function nomadHas(version: string, feature: NomadFeature): boolean {
  const { since, until } = FEATURES[feature];
  return (
    (since === undefined || compareVersions(version, since) >= 0) &&
    (until === undefined || compareVersions(version, until) < 0)
  );
}

/** The versions that have `feature`, for messages: `"Nomad >= 1.8.0"` or `"Nomad < 1.10.0"`. */
export function nomadVersionsWith(feature: NomadFeature): string {
  const { since, until } = FEATURES[feature];
  return since !== undefined ? `Nomad >= ${since}` : `Nomad < ${until}`;
}

/** Checks that `version` is a version string; `hint` says where to find the right one. */
function checkVersion(
  scope: Where,
  field: string,
  version: unknown,
  hint: string,
): asserts version is string {
  checkLiteral(scope, field, version, "the server version picks what meshstack renders");
  check(scope, isVersion(version), `${field} ${show(version)} is not a version; use ${hint}`);
}

/** Checks that `version` is a Nomad version string. */
export function checkNomadVersion(scope: Where, field: string, version: unknown): asserts version is string {
  checkVersion(scope, field, version, 'the cluster\'s `nomad version`, e.g. "1.6.1" or "1.11.3"');
}

/**
 * Refuses `field` (set to `value`) on a cluster whose Nomad `version` lacks `feature`; `fix` says what
 * to do instead on that version.
 */
export function requireNomadFeature(
  scope: Where,
  field: string,
  value: unknown,
  version: string,
  feature: NomadFeature,
  fix: string,
): void {
  check(
    scope,
    nomadHas(version, feature),
    `${field} ${show(value)} needs ${FEATURES[feature].what} (${nomadVersionsWith(feature)}), ` +
      `but nomadVersion is ${show(version)}; ${fix}`,
  );
}

/** Consul features whose presence depends on the Consul version of the cluster. */
export type ConsulFeature = "access-logs" | "dns-token";

const CONSUL_FEATURES: Record<ConsulFeature, { readonly what: string; readonly since: string }> = {
  // proxy-defaults `AccessLogs` (Consul 1.15): older servers refuse the key ("invalid config key").
  "access-logs": { what: "proxy-defaults AccessLogs", since: "1.15.0" },
  // `acl.tokens.dns`: Consul 1.14 refuses the key; its DNS answers with the default token's rights.
  "dns-token": { what: "a DNS token (acl.tokens.dns)", since: "1.17.0" },
};

/** Whether a cluster on Consul `version` has `feature`. */
export function consulHas(version: string, feature: ConsulFeature): boolean {
  return compareVersions(version, CONSUL_FEATURES[feature].since) >= 0;
}

/** Checks that `version` is a Consul version string. */
export function checkConsulVersion(scope: Where, field: string, version: unknown): asserts version is string {
  checkVersion(scope, field, version, 'the servers\' `consul version`, e.g. "1.14.11" or "1.22.7"');
}
