import { IConstruct } from "constructs";

/**
 * Error thrown for invalid construct input, at synth time.
 *
 * The message names the construct type and path, the field, the value received and the fix, e.g.
 * `ConnectCaPki platform/pki: rootPath "/connect_root" must not start or end with "/"; use "connect_root"`.
 */
export class MeshstackError extends Error {
  public override readonly name = "MeshstackError";
}

/** Renders a value for an error message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

/** Builds a {@link MeshstackError} whose message starts with the construct's type and path. */
export function constructError(scope: IConstruct, detail: string): MeshstackError {
  return new MeshstackError(`${scope.constructor.name} ${scope.node.path}: ${detail}`);
}

/** Throws a {@link constructError} unless `condition` holds. */
export function check(scope: IConstruct, condition: boolean, detail: string): asserts condition {
  if (!condition) throw constructError(scope, detail);
}
