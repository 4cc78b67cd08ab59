import { IConstruct } from "constructs";
import { check, show } from "./errors";

const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1 };
const DURATION = /^(?:\d+h)?(?:\d+m)?(?:\d+s)?$/;

/**
 * Parses a Go-style duration (`"87600h"`, `"1h30m"`, `"45s"`), the format Vault and Consul accept,
 * into seconds. Throws a construct error naming `field` when the value is not a positive duration.
 */
export function durationSeconds(scope: IConstruct, field: string, value: string): number {
  check(
    scope,
    value !== "" && DURATION.test(value),
    `${field} ${show(value)} is not a duration; use hours, minutes and seconds such as "8760h" or "72h"`,
  );
  let seconds = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+)([hms])/g))
    seconds += Number(amount) * UNIT_SECONDS[unit];
  check(scope, seconds > 0, `${field} ${show(value)} must be longer than zero; use a value such as "72h"`);
  return seconds;
}

/** Checks that the duration named `shorter` does not exceed the one named `longer`. */
export function checkNotLonger(
  scope: IConstruct,
  shorter: { field: string; value: string },
  longer: { field: string; value: string },
): void {
  check(
    scope,
    durationSeconds(scope, shorter.field, shorter.value) <=
      durationSeconds(scope, longer.field, longer.value),
    `${shorter.field} ${show(shorter.value)} is longer than ${longer.field} ${show(longer.value)}; ` +
      `a certificate cannot outlive its issuer, so shorten ${shorter.field} or lengthen ${longer.field}`,
  );
}
