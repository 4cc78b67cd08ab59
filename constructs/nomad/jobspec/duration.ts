import { parseNanoseconds } from "../../core/duration";
import type { Nanoseconds } from "./types";

/**
 * Converts a Go-style duration (`"10s"`, `"1h30m"`, `"250ms"`) into the nanoseconds Nomad's JSON API
 * uses for every duration. Throws on anything else, including the empty string.
 */
export function nanoseconds(value: string): Nanoseconds {
  const nanos = parseNanoseconds(value);
  if (nanos === undefined) {
    throw new Error(`duration "${value}" is not a Go duration; use a form such as "10s", "5m" or "250ms"`);
  }
  return nanos;
}

/** Whether a string is a duration {@link nanoseconds} accepts. */
export function isDuration(value: string): boolean {
  return parseNanoseconds(value) !== undefined;
}
