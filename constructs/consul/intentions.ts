import { IResolvable, ITerraformDependable, Lazy } from "cdktf";
import { Construct } from "constructs";
import {
  ConfigEntryServiceIntentions,
  ConfigEntryServiceIntentionsSources,
  configEntryServiceIntentionsSourcesToTerraform,
} from "@cdktf/provider-consul/lib/config-entry-service-intentions";
import { check, checkPropsOf, constructError, isObject, show, Where } from "../core/errors";
import { dependOnce, resourceAddress } from "../core/addresses";
import { isL7Protocol, MeshDefaults } from "./mesh-defaults";
import { checkServiceName } from "../core/names";
import { checkBoolean, checkDependsOn, checkList, checkOneOf, checkPattern } from "../core/values";
import { forgetWhenRemoved } from "../core/removed";
import { checkHeader, checkHttpMethods, checkPaths, HeaderMatch, headerJson } from "./http-match";
import { ConfigEntry } from "@cdktf/provider-consul/lib/config-entry";
import { guardComposition } from "../core/composition";
import { configEntryClaims } from "./entry-claims";
import { jsonText, upperCaseMethods } from "../core/json-text";

/** What an intention does with matching traffic. */
export enum IntentionAction {
  ALLOW = "allow",
  DENY = "deny",
}

/** One L7 permission of an intention to an `http` service. */
export interface HttpPermission {
  /**
   * Allow or deny requests that match.
   * @default IntentionAction.ALLOW
   */
  readonly action?: IntentionAction;
  /**
   * Request path prefix, starting with "/", e.g. "/v1/".
   * @default - any path
   */
  readonly pathPrefix?: string;
  /**
   * Exact request path to match, starting with "/", e.g. "/v1/counter".
   * @default - any path
   */
  readonly pathExact?: string;
  /**
   * Request path regular expression (Envoy's RE2 syntax).
   * @default - any path
   */
  readonly pathRegex?: string;
  /**
   * Header rules, all of which must match.
   * @default - any headers
   */
  readonly headers?: HeaderMatch[];
  /**
   * HTTP methods to match, each once (GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS, TRACE).
   * @default - any method
   */
  readonly methods?: string[];
}

/** Options for {@link Intentions.allow} and {@link Intentions.deny}. */
export interface IntentionOptions {
  /**
   * Free-text description stored with the intention, at most 512 characters.
   * @default - "meshstack: <source> -> <destination>"
   */
  readonly description?: string;
  /**
   * L7 permissions (destination must speak `http`, and must not be "*"); replaces the plain action.
   * @default - plain L4 allow or deny
   */
  readonly permissions?: HttpPermission[];
  /**
   * The cluster peer the source runs in (`Sources[].Peer`): the edge admits that peer's service of
   * this name, never this datacenter's. The peer must export nothing for this; the destination must be
   * exported to it ({@link MeshService.exportTo}) for the call to reach it.
   * @default - a service of this datacenter
   */
  readonly peer?: string;
}

/** Props for {@link Intentions}. */
export interface IntentionsProps {
  /**
   * Add the `*` → `*` deny entry, so only declared edges are allowed.
   * @default true
   */
  readonly defaultDeny?: boolean;
  /**
   * Protect the default-deny entry with `prevent_destroy`: removing it opens the whole mesh.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Resources that must exist first (e.g. the Consul agent job).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Where destination protocols are declared: an entry with L7 permissions then waits for its
   * destination's protocol entry (and is removed before it), and permissions toward a destination
   * that speaks `tcp` fail at synth. {@link Intentions.useDefaults} sets it later.
   * @default - protocols unknown: no such ordering or check
   */
  readonly defaults?: MeshDefaults;
  /**
   * The repository (or team) that owns these destinations' access rules, stored in each entry's
   * `Meta` as `meshstack-owner`: another repository's plan review then names who must allow its calls.
   * 1-512 characters.
   * @default - no owner recorded
   */
  readonly owner?: string;
}

/** Meta key under which an intentions entry records the repository that owns it. */
export const OWNER_META_KEY = "meshstack-owner";

/** Checks an owner name as Consul takes a `Meta` value: 1-512 characters, on one line here. */
export function checkOwner(where: Where, owner: unknown): void {
  checkPattern(where, "owner", owner, /^[^\n]{1,512}$/, "1-512 characters on one line", "team-billing");
}

/** One declared edge of the service access graph. */
export interface IntentionEdge {
  /** The calling service, or "*". */
  readonly source: string;
  /** The called service, or "*". */
  readonly destination: string;
  /**
   * The cluster peer the source runs in.
   * @default - this datacenter
   */
  readonly peer?: string;
  /** The action. */
  readonly action: IntentionAction;
  /** L7 permissions, when any. */
  readonly permissions?: readonly HttpPermission[];
  /** Description stored with the intention. */
  readonly description: string;
  /**
   * The service whose route made this edge necessary, when no relation declared it.
   * @default - declared directly
   */
  readonly routedBy?: string;
}

const WILDCARD = "*";
const DEFAULT_DENY_SOURCE = {
  name: WILDCARD,
  action: IntentionAction.DENY,
  description: "meshstack: default deny",
  precedence: 5,
};

/**
 * Consul service intentions as a graph: one `service-intentions` config entry per destination,
 * rendered from `allow`/`deny` edges, plus a default-deny `*` → `*` entry (zero trust: nothing talks
 * unless an edge says so).
 *
 * Uses the dedicated `consul_config_entry_service_intentions` resource, except for a destination
 * whose permissions match a path prefix, a path regular expression or headers: terraform-provider-
 * consul 2.22.1 overwrites `PathPrefix` with its (empty) `path_regex` and never sends header rules, so
 * such a destination's entry is a raw `consul_config_entry`, whose JSON goes through Consul's own API
 * types and is compared the same way (with every field Consul fills in declared, the plan stays empty).
 */
export class Intentions extends Construct {
  private readonly edgesByDestination = new Map<string, Map<string, IntentionEdge>>();
  private readonly entries = new Map<string, ConfigEntryServiceIntentions | ConfigEntry>();
  /** Destinations whose permissions the typed resource cannot carry. */
  private readonly rawDestinations = new Set<string>();
  private readonly dependsOn?: ITerraformDependable[];
  private readonly meta?: Record<string, string>;
  private defaults?: MeshDefaults;
  /** The default-deny entry, unless disabled. */
  public readonly defaultDeny?: ConfigEntryServiceIntentions;

  public constructor(scope: Construct, id: string, props: IntentionsProps = {}) {
    checkPropsOf("Intentions", scope, id, props, "{ defaultDeny } or nothing");
    super(scope, id);
    guardComposition(this, configEntryClaims);
    checkBoolean(this, "defaultDeny", props.defaultDeny);
    checkBoolean(this, "preventDestroy", props.preventDestroy);
    checkDependsOn(this, props.dependsOn);
    this.dependsOn = props.dependsOn?.length ? props.dependsOn : undefined;
    checkOwner(this, props.owner);
    this.meta = props.owner === undefined ? undefined : { [OWNER_META_KEY]: props.owner };
    if (props.defaults !== undefined) this.useDefaults(props.defaults);
    this.node.addValidation({ validate: () => this.checkL7Destinations() });
    // An entry that changes resource type (a permission the typed resource cannot carry came or went)
    // leaves its other type (same logical id) forgotten, never destroyed: destroying it would delete
    // the Consul entry the new resource wrote.
    forgetWhenRemoved(this, () =>
      [...this.entries.values()].map(
        (e) =>
          `${e instanceof ConfigEntry ? "consul_config_entry_service_intentions" : "consul_config_entry"}.${e.friendlyUniqueId}`,
      ),
    );
    if (props.defaultDeny ?? true) {
      this.defaultDeny = new ConfigEntryServiceIntentions(this, "DefaultDeny", {
        name: WILDCARD,
        sources: this.lazySources(WILDCARD),
        meta: this.meta,
        dependsOn: this.dependsOn,
        lifecycle: { preventDestroy: props.preventDestroy ?? true },
      });
    }
  }

  /** Takes the mesh's protocols into account (see {@link IntentionsProps.defaults}); set once. */
  public useDefaults(defaults: MeshDefaults): this {
    check(
      this,
      defaults instanceof MeshDefaults,
      `defaults ${show(defaults)} is not a MeshDefaults; pass the mesh's MeshDefaults`,
    );
    check(
      this,
      this.defaults === undefined || this.defaults === defaults,
      `defaults ${show(defaults)} replaces ${show(this.defaults)}; an intention graph follows one MeshDefaults`,
    );
    this.defaults = defaults;
    return this;
  }

  /**
   * Consul refuses permissions toward a destination that does not speak an HTTP-like protocol, and
   * the protocol must exist first and go last: each such entry waits for its protocol entry.
   */
  private checkL7Destinations(): string[] {
    const defaults = this.defaults;
    if (!defaults) return [];
    const errors: string[] = [];
    for (const [destination, bySource] of this.edgesByDestination) {
      const l7 = [...bySource.values()].filter((e) => e.permissions);
      if (l7.length === 0) continue;
      const protocol = defaults.protocolOf(destination);
      if (!isL7Protocol(protocol)) {
        errors.push(
          constructError(
            this,
            `allow(${show(l7[0].source)}, ${show(destination)}) has L7 permissions but ${show(destination)} ` +
              `speaks ${show(protocol)}; give it protocol "http", "http2" or "grpc" (MeshDefaults, or protocol ` +
              `on its MeshService) or drop the permissions`,
          ).message,
        );
        continue;
      }
      const entry = this.entries.get(destination);
      const protocolEntry = defaults.protocolEntryOf(destination);
      if (entry && protocolEntry) dependOnce(entry, [resourceAddress(protocolEntry)]);
    }
    return errors;
  }

  /** Allows `source` to call `destination` (optionally only for the given L7 permissions). */
  public allow(source: string, destination: string, options: IntentionOptions = {}): this {
    this.checkOptions("allow", options);
    return this.add({
      source,
      destination,
      action: IntentionAction.ALLOW,
      description: options.description,
      permissions: options.permissions,
      peer: options.peer,
    });
  }

  /**
   * Allows `source` to call `destination` because a route of `via` sends its requests there; a no-op
   * when the pair already has an edge. A later explicit allow replaces it.
   */
  public allowRouted(source: string, destination: string, via: string): this {
    if (this.edgesByDestination.get(destination)?.has(source)) return this;
    return this.add({
      source,
      destination,
      action: IntentionAction.ALLOW,
      description: `meshstack: ${source} -> ${destination} (routed by ${via})`,
      routedBy: via,
    });
  }

  /** Denies `source` calling `destination`, e.g. to carve an exception out of a wildcard allow. */
  public deny(
    source: string,
    destination: string,
    options: Pick<IntentionOptions, "description"> = {},
  ): this {
    this.checkOptions("deny", options);
    return this.add({ source, destination, action: IntentionAction.DENY, description: options.description });
  }

  /**
   * Takes back an edge (the caller's side of a relation to a destination another stack owns: that
   * stack grants it); a destination left without edges loses its entry.
   */
  public removeEdge(source: string, destination: string): this {
    const bySource = this.edgesByDestination.get(destination);
    if (!bySource?.delete(source) || bySource.size > 0) return this;
    this.edgesByDestination.delete(destination);
    this.rawDestinations.delete(destination);
    if (this.entries.delete(destination)) this.node.tryRemoveChild(destination);
    return this;
  }

  /** Every declared edge, sorted by destination then source. */
  public get edges(): IntentionEdge[] {
    return [...this.edgesByDestination.keys()].sort().flatMap((d) => this.sortedEdges(d));
  }

  /** The `service-intentions` entry of a destination, if any edge targets it. */
  public entryFor(destination: string): ConfigEntryServiceIntentions | ConfigEntry | undefined {
    return this.entries.get(destination);
  }

  /**
   * Decides an L4 connection the way Consul does: the most specific matching edge wins (exact
   * destination before `*`, then exact source before `*`); with no match, traffic is denied when the
   * default deny is present, else allowed.
   */
  public decide(source: string, destination: string): IntentionAction {
    for (const d of [destination, WILDCARD]) {
      for (const s of [source, WILDCARD]) {
        const edge = this.edgesByDestination.get(d)?.get(s);
        if (edge) return edge.permissions ? IntentionAction.ALLOW : edge.action;
      }
    }
    return this.defaultDeny ? IntentionAction.DENY : IntentionAction.ALLOW;
  }

  /** Checks options the way Consul's ServiceIntentionsConfigEntry.validate checks a source. */
  private checkOptions(method: string, options: IntentionOptions): void {
    check(
      this,
      isObject(options),
      `${method} options ${show(options)} are not an object; pass { description } or leave them out`,
    );
    const { description, permissions, peer } = options;
    if (peer !== undefined) checkServiceName(this, "peer", peer);
    check(
      this,
      description === undefined || (typeof description === "string" && description.length <= 512),
      `description ${show(description)} is not a string of at most 512 characters; shorten it`,
    );
    if (permissions === undefined) return;
    check(
      this,
      Array.isArray(permissions) && permissions.length > 0,
      `permissions ${show(permissions)} is not a non-empty list; pass [{ pathPrefix: "/api/" }] or leave it out`,
    );
    permissions.forEach((p, i) => checkPermission(this, `permissions[${i}]`, p));
  }

  private add(declared: Omit<IntentionEdge, "description"> & { description?: string }): this {
    const { source, destination, action, peer } = declared;
    const edge = {
      ...declared,
      description:
        declared.description ??
        `meshstack: ${source}${peer === undefined ? "" : ` (peer ${peer})`} -> ${destination}`,
    };
    for (const [field, name] of [
      ["source", source],
      ["destination", destination],
    ] as const) {
      if (name !== WILDCARD) checkServiceName(this, field, name);
    }
    check(
      this,
      source !== destination || source === WILDCARD,
      `${action}(${show(source)}, ${show(destination)}): a service always reaches itself; remove this edge`,
    );
    check(
      this,
      !declared.permissions || destination !== WILDCARD,
      `${action}(${show(source)}, "*") has permissions; Consul allows L7 permissions only on a named ` +
        `destination, so name the destination or drop permissions`,
    );
    check(
      this,
      !(source === WILDCARD && destination === WILDCARD),
      `${action}("*", "*"): the wildcard pair is the default-deny entry; use defaultDeny instead`,
    );
    const bySource = this.edgesByDestination.get(destination) ?? new Map<string, IntentionEdge>();
    // A peer's service is another source than this datacenter's of the same name.
    const key = peer === undefined ? source : `${source} (peer ${peer})`;
    // An edge a route implied gives way to one declared for the pair.
    const existing = bySource.get(key)?.routedBy === undefined ? bySource.get(key) : undefined;
    check(
      this,
      !existing,
      existing?.action === action && !existing.permissions !== !declared.permissions
        ? `${action}(${show(source)}, ${show(destination)}) mixes an L4 ${action} and L7 permissions for one pair; ` +
            `Consul keeps one per source, so keep the permissions (they allow only what they match) or drop them`
        : existing?.action === action
          ? `${action}(${show(source)}, ${show(destination)}) is declared twice; remove the duplicate`
          : `${action}(${show(source)}, ${show(destination)}) conflicts with the ${existing?.action} already ` +
            `declared for this pair; keep one of them`,
    );
    bySource.set(key, edge);
    this.edgesByDestination.set(destination, bySource);
    // Once raw, always raw: edges are never taken away (a routed edge gives way only to a declared one).
    if (needsRawEntry(edge)) this.rawDestinations.add(destination);
    this.entry(destination);
    return this;
  }

  /**
   * A destination's sources, rendered once at synth (adding an edge re-renders nothing, so a service
   * with thousands of callers stays linear).
   */
  private lazySources(destination: string): IResolvable {
    return Lazy.anyValue({
      produce: () => {
        // Consul has one config entry per name: edges to "*" share the default-deny entry.
        const shared = destination === WILDCARD && this.defaultDeny ? [DEFAULT_DENY_SOURCE] : [];
        return [...this.sortedEdges(destination).map(toSource), ...shared]
          .sort(consulOrder)
          .map(configEntryServiceIntentionsSourcesToTerraform);
      },
    });
  }

  private sortedEdges(destination: string): IntentionEdge[] {
    const bySource = this.edgesByDestination.get(destination) ?? new Map();
    return [...bySource.keys()].sort().map((s) => bySource.get(s)!);
  }

  private entry(destination: string): ConfigEntryServiceIntentions | ConfigEntry {
    const existing =
      this.entries.get(destination) ?? (destination === WILDCARD ? this.defaultDeny : undefined);
    const raw = this.rawDestinations.has(destination);
    if (existing && existing instanceof ConfigEntry === raw) return existing;
    // The destination name is the construct id: renaming a service replaces only its own entry.
    const id = destination === WILDCARD ? "AnyDestination" : destination;
    // A permission the provider cannot carry arrived: the same entry, as a raw one.
    if (existing) this.node.tryRemoveChild(id);
    const entry = raw
      ? new ConfigEntry(this, id, {
          kind: "service-intentions",
          name: destination,
          configJson: Lazy.stringValue({
            produce: () =>
              jsonText({
                Sources: this.consulSources(destination).map(toConsulSource),
                ...(this.meta && { Meta: this.meta }),
              }),
          }),
          dependsOn: this.dependsOn,
        })
      : new ConfigEntryServiceIntentions(this, id, {
          name: destination,
          sources: this.lazySources(destination),
          meta: this.meta,
          dependsOn: this.dependsOn,
        });
    this.entries.set(destination, entry);
    return entry;
  }

  /** A destination's sources in the order Consul stores them. */
  private consulSources(destination: string): IntentionEdge[] {
    return this.sortedEdges(destination).sort(
      (a, b) => intentionPrecedence(b.source, b.destination) - intentionPrecedence(a.source, a.destination),
    );
  }
}

/** Whether an edge has a permission the typed resource would send wrongly (prefix, regex, headers). */
function needsRawEntry(edge: IntentionEdge): boolean {
  return (edge.permissions ?? []).some(
    (p) => p.pathPrefix !== undefined || p.pathRegex !== undefined || (p.headers ?? []).length > 0,
  );
}

/**
 * A source in Consul's JSON, with the fields Consul fills in (`Precedence`, `Type`) declared, so what
 * the provider reads back equals what it sent.
 */
function toConsulSource(edge: IntentionEdge): Record<string, unknown> {
  const common = {
    Name: edge.source,
    Peer: edge.peer,
    Precedence: intentionPrecedence(edge.source, edge.destination),
    Type: "consul",
    Description: edge.description,
  };
  if (!edge.permissions) return { ...common, Action: edge.action };
  return {
    ...common,
    Permissions: edge.permissions.map((p) => ({
      Action: p.action ?? IntentionAction.ALLOW,
      HTTP: {
        PathExact: p.pathExact,
        PathPrefix: p.pathPrefix,
        PathRegex: p.pathRegex,
        Header: p.headers?.map(headerJson),
        Methods: upperCaseMethods(p.methods),
      },
    })),
  };
}

/**
 * The precedence Consul computes for an intention (agent/structs `computeIntentionPrecedence`): exact
 * beats wildcard, destination first. The provider stores Consul's value on read but does not compute
 * it, so leaving it out would show `precedence = 9 -> null` on every plan.
 */
function intentionPrecedence(source: string, destination: string): number {
  if (destination === WILDCARD) return source === WILDCARD ? 5 : 6;
  return source === WILDCARD ? 8 : 9;
}

/**
 * Consul stores an entry's sources by precedence, highest first, keeping the given order among equals
 * (ServiceIntentionsConfigEntry.Normalize); rendering them the same way keeps the plan empty.
 */
function consulOrder(a: { precedence?: number }, b: { precedence?: number }): number {
  return (b.precedence ?? 0) - (a.precedence ?? 0);
}

function toSource(edge: IntentionEdge): ConfigEntryServiceIntentionsSources {
  const { description, peer } = edge;
  const precedence = intentionPrecedence(edge.source, edge.destination);
  if (!edge.permissions) return { name: edge.source, peer, action: edge.action, description, precedence };
  return {
    name: edge.source,
    peer,
    description,
    precedence,
    permissions: edge.permissions.map((p) => ({
      action: p.action ?? IntentionAction.ALLOW,
      http: [
        {
          pathExact: p.pathExact,
          methods: upperCaseMethods(p.methods),
        },
      ],
    })),
  };
}

/** Checks one L7 permission (agent/structs/config_entry_intentions.go, validate). */
function checkPermission(scope: Intentions, field: string, permission: HttpPermission): void {
  check(
    scope,
    isObject(permission),
    `${field} ${show(permission)} is not an object; pass e.g. { pathPrefix: "/api/", methods: ["GET"] }`,
  );
  const { action, headers, methods } = permission;
  checkOneOf(scope, `${field}.action`, action, Object.values(IntentionAction));
  const paths = checkPaths(scope, field, permission);
  checkList(scope, `${field}.headers`, headers, "{ name, exact }");
  (headers ?? []).forEach((h, i) => checkHeader(scope, `${field}.headers[${i}]`, h, true));
  checkHttpMethods(scope, `${field}.methods`, methods);
  check(
    scope,
    paths > 0 || (methods ?? []).length > 0 || (headers ?? []).length > 0,
    `${field} ${show(permission)} matches nothing, which Consul rejects; give a path, methods or headers`,
  );
}
