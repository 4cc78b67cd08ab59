import { check, show, Where } from "./errors";

const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1 };
const DURATION = /^(?:\d+h)?(?:\d+m)?(?:\d+s)?$/;

/**
 * Parses a Go-style duration (`"87600h"`, `"1h30m"`, `"45s"`), the format Vault and Consul accept,
 * into seconds. Throws a construct error naming `field` when the value is not a positive duration.
 */
export function durationSeconds(scope: Where, field: string, value: string): number {
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
  scope: Where,
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

const UNIT_NANOS: Record<string, number> = { h: 3_600e9, m: 60e9, s: 1e9, ms: 1e6 };
const GO_DURATION = /^(?:\d+h)?(?:\d+m(?!s))?(?:\d+s)?(?:\d+ms)?$/;

/** Nanoseconds of a Go-style duration with `h`, `m`, `s` and `ms` parts, or undefined when it is not one. */
export function parseNanoseconds(value: string): number | undefined {
  if (value === "" || !GO_DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+)(ms|h|m|s)/g))
    total += Number(amount) * UNIT_NANOS[unit];
  return total;
}

/**
 * Parses a duration field into the nanoseconds Nomad's API uses (`"10s"`, `"250ms"`), throwing a
 * construct error naming `field` otherwise.
 */
export function durationNanoseconds(scope: Where, field: string, value: string): number {
  const nanos = parseNanoseconds(value);
  check(
    scope,
    nanos !== undefined && nanos > 0,
    `${field} ${show(value)} is not a positive duration; use a form such as "10s", "5m" or "250ms"`,
  );
  return nanos;
}
