import { check, isObject, show, Where, isReference } from "../core/errors";
import { checkBoolean, checkText, checkTexts } from "../core/values";

/** The methods Consul's isValidHTTPMethod accepts (agent/structs/config_entry_discoverychain.go). */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE"];

/**
 * Checks an optional list of HTTP methods as Consul does for intention permissions and routes: it
 * upper-cases them first, then refuses unknown and repeated ones.
 */
export function checkHttpMethods(where: Where, field: string, methods: unknown): void {
  checkTexts(where, field, methods, "GET");
  if (isReference(methods)) return;
  const upper = ((methods as string[] | undefined) ?? []).map((m) => m.toUpperCase());
  const unknown = upper.filter((m) => !HTTP_METHODS.includes(m));
  check(
    where,
    unknown.length === 0,
    `${field} ${show(methods)} has unknown methods ${show(unknown)}; use ${HTTP_METHODS.join(", ")}`,
  );
  check(
    where,
    new Set(upper).size === upper.length,
    `${field} ${show(methods)} lists a method twice; list each once`,
  );
}

/**
 * A match on one request header (Consul `ServiceRouteHTTPMatchHeader`, and an intention permission's
 * `IntentionHTTPHeaderPermission`): its name and exactly one of `present`, `exact`, `prefix`,
 * `suffix`, `regex` or (permissions only) `contains`.
 */
export interface HeaderMatch {
  /** Header name, e.g. "x-canary". */
  readonly name: string;
  /**
   * Match when the header is present, whatever its value.
   * @default false
   */
  readonly present?: boolean;
  /**
   * Match this exact value.
   * @default - not matched on the exact value
   */
  readonly exact?: string;
  /**
   * Match values starting with this.
   * @default - not matched on a prefix
   */
  readonly prefix?: string;
  /**
   * Match values ending with this.
   * @default - not matched on a suffix
   */
  readonly suffix?: string;
  /**
   * Match values against this regular expression (Envoy's RE2 syntax).
   * @default - not matched on a regular expression
   */
  readonly regex?: string;
  /**
   * Match values containing this (intention permissions only; routes refuse it).
   * @default - not matched on a substring
   */
  readonly contains?: string;
  /**
   * Compare `exact`, `prefix`, `suffix` or `contains` without case (intention permissions only).
   * @default false
   */
  readonly ignoreCase?: boolean;
  /**
   * Match requests the rule does not match.
   * @default false
   */
  readonly invert?: boolean;
}

/**
 * Checks one header rule as Consul does (ServiceRouterConfigEntry.Validate and, with `permission`,
 * ServiceIntentionsConfigEntry.validate): a name and exactly one way to match it; `contains` and
 * `ignoreCase` only in permissions, `ignoreCase` only with a value to compare.
 */
export function checkHeader(where: Where, field: string, header: HeaderMatch, permission: boolean): void {
  check(
    where,
    isObject(header),
    `${field} ${show(header)} is not an object; pass e.g. { name: "x-canary", exact: "1" }`,
  );
  check(
    where,
    typeof header.name === "string" && header.name.trim() !== "",
    `${field}.name ${show(header.name)} is empty; name the header, e.g. "x-canary"`,
  );
  checkBoolean(where, `${field}.present`, header.present);
  checkBoolean(where, `${field}.invert`, header.invert);
  checkBoolean(where, `${field}.ignoreCase`, header.ignoreCase);
  check(
    where,
    permission || (header.contains === undefined && header.ignoreCase === undefined),
    `${field} ${show(header)} uses contains or ignoreCase, which Consul allows in intention permissions only; ` +
      `use exact, prefix, suffix or regex in a route`,
  );
  const ways = (["exact", "prefix", "suffix", "regex", "contains"] as const).filter(
    (k) => header[k] !== undefined,
  );
  for (const way of ways) checkText(where, `${field}.${way}`, header[way], "1");
  const count = ways.length + (header.present ? 1 : 0);
  check(
    where,
    count === 1,
    `${field} ${show(header)} sets ${count} of present, exact, prefix, suffix, regex${permission ? " and contains" : ""}; ` +
      `Consul takes exactly one`,
  );
  check(
    where,
    !header.ignoreCase || (header.regex === undefined && !header.present),
    `${field}.ignoreCase applies to exact, prefix, suffix or contains only; drop it`,
  );
}

/** A header rule in Consul's JSON, fields left out when unset (as Consul reads them back). */
export function headerJson(h: HeaderMatch): Record<string, unknown> {
  return {
    Name: h.name,
    Present: h.present || undefined,
    Exact: h.exact,
    Prefix: h.prefix,
    Suffix: h.suffix,
    Contains: h.contains,
    Regex: h.regex,
    IgnoreCase: h.ignoreCase || undefined,
    Invert: h.invert || undefined,
  };
}

/** The path part of a request match: at most one of exact, prefix and regular expression. */
export interface PathMatch {
  readonly pathExact?: string;
  readonly pathPrefix?: string;
  readonly pathRegex?: string;
}

/**
 * Checks a match's paths as Consul does for routes and permissions: exact and prefix start with "/",
 * a regular expression is not empty, at most one of the three. Returns how many are set.
 */
export function checkPaths(where: Where, field: string, match: PathMatch): number {
  const { pathExact, pathPrefix, pathRegex } = match;
  for (const [name, value] of [
    ["pathExact", pathExact],
    ["pathPrefix", pathPrefix],
  ] as const) {
    check(
      where,
      value === undefined || isReference(value) || (typeof value === "string" && value.startsWith("/")),
      `${field}.${name} ${show(value)} does not start with "/"; use e.g. "/v2/"`,
    );
  }
  check(
    where,
    pathRegex === undefined || (typeof pathRegex === "string" && pathRegex !== ""),
    `${field}.pathRegex ${show(pathRegex)} is empty; give a regular expression or leave it out`,
  );
  const paths = [pathExact, pathPrefix, pathRegex].filter((p) => p !== undefined).length;
  check(
    where,
    paths <= 1,
    `${field} sets ${paths} of pathExact, pathPrefix and pathRegex; Consul takes at most one, so keep one`,
  );
  return paths;
}
