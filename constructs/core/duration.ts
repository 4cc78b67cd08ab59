import { check, checkLiteral, show, Where } from "./errors";

const NANOS_PER_SECOND = 1e9;

/** The one duration grammar: optional `h`, `m`, `s` and `ms` parts, in that order. */
const GO_DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;
/** Nanoseconds per unit of each of {@link GO_DURATION}'s capture groups, in order. */
const GROUP_NANOS = [3_600e9, 60e9, NANOS_PER_SECOND, 1e6];

/**
 * Parses a Go-style duration (`"87600h"`, `"1h30m"`, `"45s"`), the format Vault and Consul accept,
 * into seconds. Throws a construct error naming `field` when the value is not a positive duration
 * or is not whole seconds (`"1500ms"`).
 */
export function durationSeconds(scope: Where, field: string, value: string): number {
  checkLiteral(scope, field, value, "meshstack compares and converts durations at synth");
  const nanos = parseNanoseconds(value);
  check(
    scope,
    nanos !== undefined,
    `${field} ${show(value)} is not a duration; use hours, minutes and seconds such as "8760h" or "72h"`,
  );
  check(scope, nanos > 0, `${field} ${show(value)} must be longer than zero; use a value such as "72h"`);
  check(
    scope,
    nanos % NANOS_PER_SECOND === 0,
    `${field} ${show(value)} is not whole seconds; Vault and Consul count it in seconds, so use e.g. "2s"`,
  );
  return nanos / NANOS_PER_SECOND;
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

/** Nanoseconds of a Go-style duration with `h`, `m`, `s` and `ms` parts, or undefined when it is not one. */
export function parseNanoseconds(value: string): number | undefined {
  const parts = value === "" ? null : GO_DURATION.exec(value);
  if (parts === null) return undefined;
  return GROUP_NANOS.reduce((total, unit, i) => total + Number(parts[i + 1] ?? 0) * unit, 0);
}

/**
 * Parses a duration field into the nanoseconds Nomad's API uses (`"10s"`, `"250ms"`), throwing a
 * construct error naming `field` otherwise.
 */
export function durationNanoseconds(scope: Where, field: string, value: string): number {
  checkLiteral(scope, field, value, "Nomad's API takes nanoseconds, which meshstack computes at synth");
  const nanos = parseNanoseconds(value);
  check(
    scope,
    nanos !== undefined && nanos > 0,
    `${field} ${show(value)} is not a positive duration; use a form such as "10s", "5m" or "250ms"`,
  );
  return nanos;
}
