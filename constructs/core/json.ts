/**
 * JSON as a type: what a Nomad jobspec's driver configs and raw fields hold, and what Terraform's
 * plan JSON and Consul's API return. Defined once here; `jobspec` and the plan review re-export it.
 */

/** Any JSON value: `null`, a boolean, a number, a string, an array or an object of JSON values. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object: string keys to JSON values. */
export type JsonObject = { [key: string]: JsonValue };
