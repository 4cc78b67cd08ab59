import { check, show, Where } from "../core/errors";
import { checkTexts } from "../core/values";

/** The methods Consul's isValidHTTPMethod accepts (agent/structs/config_entry_discoverychain.go). */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE"];

/**
 * Checks an optional list of HTTP methods as Consul does for intention permissions and routes: it
 * upper-cases them first, then refuses unknown and repeated ones.
 */
export function checkHttpMethods(where: Where, field: string, methods: unknown): void {
  checkTexts(where, field, methods, "GET");
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
