import { check, isObject, isReference, show, Where } from "./errors";

/*
 * Type checks of optional props, for callers from plain JavaScript: `undefined` means "not given" and
 * passes; a Terraform reference passes too (the server checks it at apply); anything else, `null`
 * included, must have the declared type. Each throws the usual error (where, field, value, fix).
 */

/** Checks an optional boolean. */
export function checkBoolean(where: Where, field: string, value: unknown): void {
  check(
    where,
    value === undefined || typeof value === "boolean",
    `${field} ${show(value)} is not a boolean; use true or false`,
  );
}

/** Checks an optional non-blank string; `example` shows a valid value. */
export function checkText(where: Where, field: string, value: unknown, example: string): void {
  if (value !== undefined) requireText(where, field, value, example);
}

/** Checks a required non-blank string; `example` shows a valid value. */
export function requireText(where: Where, field: string, value: unknown, example: string): void {
  check(
    where,
    (typeof value === "string" && value.trim() !== "") || isReference(value),
    `${field} ${show(value)} is not a non-empty string; use e.g. ${show(example)}`,
  );
}

/** Checks an optional list of non-blank strings; `example` shows a valid entry. */
export function checkTexts(where: Where, field: string, value: unknown, example: string): void {
  check(
    where,
    value === undefined ||
      isReference(value) ||
      (Array.isArray(value) && value.every((v) => typeof v === "string" && v.trim() !== "")),
    `${field} ${show(value)} is not a list of non-empty strings; use e.g. [${show(example)}]`,
  );
}

/** Checks an optional list (its entries are checked where they are used); `example` names an entry. */
export function checkList(where: Where, field: string, value: unknown, example: string): void {
  check(
    where,
    value === undefined || Array.isArray(value),
    `${field} ${show(value)} is not a list; pass an array of ${example}, or leave it out`,
  );
}

/**
 * Checks an optional `dependsOn`: a list of Terraform resources or constructs (what cdktf's
 * `dependsOn` takes), never a `null` or a plain value inside it.
 */
export function checkDependsOn(where: Where, value: unknown): void {
  checkList(where, "dependsOn", value, "resources or constructs");
  const bad = ((value as unknown[] | undefined) ?? []).findIndex(
    (item) =>
      item === null || typeof item !== "object" || typeof (item as { fqn?: unknown }).fqn !== "string",
  );
  check(
    where,
    bad < 0,
    `dependsOn[${bad}] ${show((value as unknown[] | undefined)?.[bad])} is not a Terraform resource or ` +
      `construct; pass the resources (or constructs) that must exist first`,
  );
}

/** Checks an optional plain object; `example` shows one. */
export function checkObject(where: Where, field: string, value: unknown, example: string): void {
  check(
    where,
    value === undefined || isObject(value),
    `${field} ${show(value)} is not an object; pass e.g. ${example}`,
  );
}

/** Checks an optional map of strings (metadata, environment variables). */
export function checkStringMap(where: Where, field: string, value: unknown): void {
  check(
    where,
    value === undefined || (isObject(value) && Object.values(value).every((v) => typeof v === "string")),
    `${field} ${show(value)} is not a map of strings; use e.g. { key: "value" }`,
  );
}

/** Checks an optional value against its allowed values (a string union or enum). */
export function checkOneOf(where: Where, field: string, value: unknown, allowed: readonly unknown[]): void {
  check(
    where,
    value === undefined || allowed.includes(value),
    `${field} ${show(value)} is not supported; use one of ${allowed.map(show).join(", ")}`,
  );
}

/** Checks an optional instance of a class; `example` says how to make one. */
export function checkInstance(
  where: Where,
  field: string,
  value: unknown,
  expected: { readonly name: string; readonly prototype: object },
  example: string,
): void {
  check(
    where,
    value === undefined || value instanceof (expected as unknown as abstract new () => unknown),
    `${field} ${show(value)} is not a ${expected.name}; pass ${example}`,
  );
}

/** Checks an optional whole number within `[min, max]`. */
export function checkInteger(
  where: Where,
  field: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): void {
  const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min}-${max}`;
  check(
    where,
    value === undefined ||
      isReference(value) ||
      (Number.isInteger(value) && (value as number) >= min && (value as number) <= max),
    `${field} ${show(value)} is not a whole number in range; use ${range}`,
  );
}

/** Checks an optional string against a pattern; `rule` describes it and `example` matches it. */
export function checkPattern(
  where: Where,
  field: string,
  value: unknown,
  pattern: RegExp,
  rule: string,
  example: string,
): void {
  check(
    where,
    value === undefined || isReference(value) || (typeof value === "string" && pattern.test(value)),
    `${field} ${show(value)} is not ${rule}; use e.g. ${show(example)}`,
  );
}
