import { check, isReference, show, Where } from "./errors";

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
// No "*." wildcard: Traefik's Host() and HostSNI() match names literally (wildcards need *Regexp).
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const VAULT_PATH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/**
 * Checks a Consul service or Nomad job name: a lowercase DNS label (RFC 1123), since Consul serves it
 * as `<name>.service.consul` and `<name>.virtual.consul`.
 */
export function checkServiceName(scope: Where, field: string, value: string): void {
  check(
    scope,
    !isReference(value),
    `${field} is a Terraform reference; a service or job name keys the access graph and Consul's entries ` +
      "at synth, so give it as a literal",
  );
  check(
    scope,
    typeof value === "string" && DNS_LABEL.test(value),
    `${field} ${show(value)} is not a valid service name; use 1-63 lowercase letters, digits and "-", ` +
      `starting and ending with a letter or digit`,
  );
}

/**
 * Checks a datacenter name as a service name (it prefixes Vault paths and names Consul's and Nomad's
 * datacenter); a Terraform reference, e.g. a platform's output in an app repo, passes.
 */
export function checkDatacenter(scope: Where, field: string, value: string): void {
  if (!isReference(value)) checkServiceName(scope, field, value);
}

/** Checks a Vault path (mount or policy path segment): no leading or trailing "/", no empty segment. */
export function checkVaultPath(scope: Where, field: string, value: string): void {
  if (isReference(value)) return;
  const trimmed = typeof value === "string" ? value.replace(/^\/+|\/+$/g, "") : "";
  check(
    scope,
    typeof value === "string" && VAULT_PATH.test(value),
    `${field} ${show(value)} is not a valid Vault path; use segments of letters, digits, "_", "-" or "." ` +
      `joined by "/" without leading or trailing "/"` +
      (trimmed && VAULT_PATH.test(trimmed) ? ` such as ${show(trimmed)}` : ""),
  );
}

/** Checks a non-empty string field, such as an address. */
export function checkNonEmpty(scope: Where, field: string, value: string | undefined, fix: string): void {
  check(
    scope,
    typeof value === "string" && value.trim() !== "",
    `${field} ${show(value ?? "")} is empty; ${fix}`,
  );
}

/** Checks an http(s) URL field such as a Vault or Consul address. */
export function checkUrl(scope: Where, field: string, value: string): void {
  if (isReference(value)) return;
  let ok = false;
  try {
    ok = ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    ok = false;
  }
  check(
    scope,
    ok,
    `${field} ${show(value)} is not an http(s) URL; use a form such as "https://vault.example:8200"`,
  );
}

/** Checks a DNS host name used in a route (`Host()`, `HostSNI()`); `example` shows a valid one. */
export function checkHostName(scope: Where, field: string, value: string, example: string): void {
  if (isReference(value)) return;
  check(
    scope,
    typeof value === "string" && HOST_NAME.test(value),
    `${field} ${show(value)} is not a host name; use e.g. ${show(example)}`,
  );
}

/** Checks a TCP port number (1-65535). */
export function checkPort(scope: Where, field: string, value: number): void {
  if (isReference(value)) return;
  check(
    scope,
    Number.isInteger(value) && value >= 1 && value <= 65535,
    `${field} ${show(value)} is not a port number; use 1-65535`,
  );
}

/**
 * A Vault role or policy name: Vault's `framework.GenericNameRegex` (`\w(([\w-.]+)?\w)?`), in lower
 * case because Vault stores policy names lowercased (a mixed-case name would show a diff on every plan).
 */
export const VAULT_NAME = /^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$/;

/** A Nomad namespace name (nomad/structs `validNamespaceName`). */
export const NOMAD_NAMESPACE = /^[a-zA-Z0-9-]{1,128}$/;

/** A node name a Consul node identity takes (acl/validation.go validNodeIdentityName). */
export const CONSUL_NODE_IDENTITY = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/;

/**
 * Checks a Nomad task name the way Nomad's Task.Validate does: not empty, not `alloc` (the shared
 * allocation directory), no slashes, backslashes or NUL characters.
 */
export function checkTaskName(scope: Where, field: string, value: unknown): void {
  check(
    scope,
    typeof value === "string" && value !== "" && value !== "alloc" && !/[/\\\0]/.test(value),
    `${field} ${show(value)} is not a Nomad task name; use a non-empty name other than "alloc", ` +
      `without slashes, backslashes or NUL characters (e.g. "api")`,
  );
}

// Docker's reference grammar (distribution/reference): an optional registry host (with a dot, a port
// or `localhost`), lowercase path components, then a tag and/or a digest.
const IMAGE_HOST = String.raw`(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+|localhost)(?::[0-9]+)?|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?:[0-9]+)/`;
const IMAGE_PATH = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*`;
const IMAGE_TAG = String.raw`:[\w][\w.-]{0,127}`;
const IMAGE_DIGEST = String.raw`@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`;

/**
 * A container image reference Docker accepts, pinned by a tag or a digest (`redis:7.2`,
 * `hashicorp/consul:1.20`, `registry.example.com:5000/team/app:1.0`, `app@sha256:…`).
 */
export const IMAGE_WITH_TAG = new RegExp(
  `^(?:${IMAGE_HOST})?${IMAGE_PATH}(?:${IMAGE_TAG}(?:${IMAGE_DIGEST})?|${IMAGE_DIGEST})$`,
);

/** The task drivers meshstack builds jobs for (`TaskDriverKind`). */
export const TASK_DRIVER_KINDS = ["docker", "raw_exec", "exec"] as const;
