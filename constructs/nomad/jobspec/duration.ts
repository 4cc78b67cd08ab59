import type { Nanoseconds } from "./types";

const UNIT_NANOS: Record<string, number> = { h: 3_600e9, m: 60e9, s: 1e9, ms: 1e6 };
const DURATION = /^(?:\d+h)?(?:\d+m(?!s))?(?:\d+s)?(?:\d+ms)?$/;

/**
 * Converts a Go-style duration (`"10s"`, `"1h30m"`, `"250ms"`) into the nanoseconds Nomad's JSON API
 * uses for every duration. Throws on anything else, including the empty string.
 */
export function nanoseconds(value: string): Nanoseconds {
  if (value === "" || !DURATION.test(value)) {
    throw new Error(`duration "${value}" is not a Go duration; use a form such as "10s", "5m" or "250ms"`);
  }
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+)(ms|h|m|s)/g))
    total += Number(amount) * UNIT_NANOS[unit];
  return total;
}

/** Whether a string is a duration {@link nanoseconds} accepts. */
export function isDuration(value: string): boolean {
  return value !== "" && DURATION.test(value);
}
