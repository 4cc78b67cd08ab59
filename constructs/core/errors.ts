import { Token } from "cdktf";
import { Construct, IConstruct } from "constructs";

/**
 * Error thrown for invalid construct input, at synth time.
 *
 * The message names the construct type and path, the field, the value received and the fix, e.g.
 * `ConnectCaPki platform/pki: rootPath "/connect_root" must not start or end with "/"; use "connect_root"`.
 */
export class MeshstackError extends Error {
  public override readonly name = "MeshstackError";
}

/**
 * Renders a value for an error message: strings quoted (and escaped), constructs by type and path, everything
 * else as JSON (or its type, when it cannot be serialized).
 */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value); // quoted, control characters escaped
  if (Construct.isConstruct(value)) return `${value.constructor.name} ${value.node.path}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Where a check applies: a construct, or the prefix of a message about something that is not one yet
 * (a construct checked before `super`, as {@link checkPropsOf} returns it) or never is (a factory such
 * as `"TaskDriver.docker"`).
 */
export type Where = IConstruct | string;

/** Builds a {@link MeshstackError} whose message starts with the construct's type and path. */
export function constructError(scope: Where, detail: string): MeshstackError {
  const prefix = typeof scope === "string" ? scope : `${scope.constructor.name} ${scope.node.path}`;
  return new MeshstackError(`${prefix}: ${detail}`);
}

/** Throws a {@link constructError} unless `condition` holds. */
export function check(scope: Where, condition: boolean, detail: string): asserts condition {
  if (!condition) throw constructError(scope, detail);
}

/**
 * Refuses a Terraform reference where meshstack needs the value at synth; `why` says what the value
 * decides there (e.g. "the Nomad version picks what the job renders").
 */
export function checkLiteral(scope: Where, field: string, value: unknown, why: string): void {
  check(scope, !isReference(value), `${field} is a Terraform reference; ${why}, so give it as a literal`);
}

/** Checks that a construct's props are an object (callers from plain JavaScript may pass anything). */
export function checkProps(scope: Where, props: unknown, example: string): void {
  check(scope, isObject(props), `props ${show(props)} are not an object; pass ${example}`);
}

/** Checks that a factory's options are an object; `example` shows one. */
export function checkOptions(where: string, options: unknown, example: string): void {
  check(where, isObject(options), `options ${show(options)} are not an object; pass ${example}`);
}

/**
 * {@link checkProps} before the construct exists (called ahead of `super`, whose arguments read the
 * props): the message names the construct type and the path it would have had. Returns that
 * {@link Where}, for further checks ahead of `super`.
 */
export function checkPropsOf(
  type: string,
  scope: IConstruct,
  id: string,
  props: unknown,
  example: string,
): string {
  const where = `${type} ${pathOf(scope, id)}`;
  check(where, isObject(props), `props ${show(props)} are not an object; pass ${example}`);
  return where;
}

/** Whether a value is a plain object (not null, not an array). */
export function isObject(value: unknown): value is object {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Checks a required reference to another construct, before the construct exists (like
 * {@link checkPropsOf}): plain JavaScript may pass nothing, or the wrong object.
 */
export function checkReferenceOf(
  type: string,
  scope: IConstruct,
  id: string,
  field: string,
  value: unknown,
  expected: abstract new (...args: never[]) => unknown,
  example: string,
): void {
  if (value instanceof expected) return;
  throw new MeshstackError(
    `${type} ${pathOf(scope, id)}: ${field} ${show(value)} is not a ${expected.name}; pass ${example}`,
  );
}

/** The path a construct `id` under `scope` will have. */
function pathOf(scope: IConstruct, id: string): string {
  return scope.node.path ? `${scope.node.path}/${id}` : id;
}

/**
 * Whether `value` is a Terraform reference (a variable, an output, remote state, `Fn.*`) not known until
 * apply: format checks let it through and leave it to the server, as aws-cdk's checks do.
 */
export function isReference(value: unknown): boolean {
  return (
    (typeof value === "string" || typeof value === "number" || Array.isArray(value)) &&
    Token.isUnresolved(value)
  );
}

/**
 * Checks that a secret is a Terraform reference (a sensitive variable, a token's secret data source):
 * a literal would land in the synthesized JSON, which is committed and shown in reviews.
 */
export function checkSecretReference(scope: IConstruct, field: string, value: unknown): void {
  check(
    scope,
    typeof value === "string" && Token.isUnresolved(value),
    `${field} is ${typeof value === "string" ? "a literal" : show(value)}; pass a Terraform reference ` +
      "(a sensitive variable, a consul_acl_token_secret_id), so no secret lands in the synthesized JSON",
  );
}
