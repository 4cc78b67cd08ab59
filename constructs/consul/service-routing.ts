import { ITerraformDependable, Lazy } from "cdktf";
import { Construct } from "constructs";
import { ConfigEntry } from "@cdktf/provider-consul/lib/config-entry";
import { check, checkLiteral, checkPropsOf, isObject, show } from "../core/errors";
import { dependOnce, resourceAddress } from "../core/addresses";
import { checkServiceName } from "../core/names";
import { checkDependsOn, checkInstance, checkList } from "../core/values";
import { checkHeader, checkHttpMethods, checkPaths, HeaderMatch, headerJson } from "./http-match";
import { isL7Protocol, MeshDefaults } from "./mesh-defaults";
import { guardComposition } from "../core/composition";
import { configEntryClaims } from "./entry-claims";
import { jsonText, upperCaseMethods } from "../core/json-text";

/** Which requests a route takes (Consul `ServiceRouteHTTPMatch`): at least one criterion, all must match. */
export interface RouteMatch {
  /**
   * Exact request path, starting with "/".
   * @default - any path
   */
  readonly pathExact?: string;
  /**
   * Request path prefix, starting with "/", e.g. "/v2/".
   * @default - any path
   */
  readonly pathPrefix?: string;
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
   * HTTP methods, each once (GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS, TRACE).
   * @default - any method
   */
  readonly methods?: string[];
}

/** Where a route sends the requests it matches. */
export interface RouteDestination {
  /**
   * The service to send them to.
   * @default - the routed service itself
   */
  readonly service?: string;
  /**
   * The subset of that service (a subset of its `service-resolver`).
   * @default - that service's default subset
   */
  readonly subset?: string;
  /**
   * Replace the matched path prefix with this before forwarding; needs `pathExact` or `pathPrefix`.
   * @default - the path is forwarded unchanged
   */
  readonly prefixRewrite?: string;
}

/** One route of a `service-router`: requests matching `match` go to `destination`. */
export interface ServiceRoute {
  /** Which requests the route takes. */
  readonly match: RouteMatch;
  /** Where they go. */
  readonly destination: RouteDestination;
}

/** One share of a `service-splitter`. */
export interface TrafficSplit {
  /** The subset receiving the share. */
  readonly subset: string;
  /** Share of requests, in percent (0-100, two decimals); the shares sum to 100. */
  readonly weight: number;
}

/** Props for {@link ServiceRouting}. */
export interface ServiceRoutingProps {
  /** The service whose discovery chain this configures. */
  readonly service: string;
  /**
   * Where protocols are declared: splits and routes need an HTTP-like protocol on the service and on
   * each route's destination, and wait for its `service-defaults` (or `proxy-defaults`) entry.
   */
  readonly defaults: MeshDefaults;
  /**
   * Resources that must exist first (e.g. the Consul agent job).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Consul's subset names (ServiceResolverConfigEntry.Validate): a DNS label of at most 63 characters. */
export const SUBSET_NAME = /^(?=.{1,63}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** A service of a cluster peer: a failover or redirect target of a discovery chain. */
export type PeerTarget = {
  /** The peer's name, as this datacenter's peering calls it. */
  readonly peer: string;
  /** The service's name in the peer. */
  readonly service: string;
};

/**
 * One service's discovery chain in Consul: a `service-resolver` (subsets and the default one), a
 * `service-splitter` (weighted shares between subsets) and a `service-router` (requests by path,
 * header or method to a subset or another service), each created when first used.
 *
 * The entries are raw `consul_config_entry` resources: the provider sends their JSON through Consul's
 * own API types and compares what it reads back the same way, where its dedicated resolver resource
 * fails on unset timeouts (terraform-provider-consul#382). Every value is checked at synth with the
 * rules Consul applies when it compiles the chain (agent/structs/config_entry_discoverychain.go), and
 * each entry waits for what it refers to: router → splitter → resolver → the protocol entries.
 */
export class ServiceRouting extends Construct {
  /** The routed service. */
  public readonly service: string;
  private readonly defaults: MeshDefaults;
  private readonly dependsOn?: ITerraformDependable[];
  private readonly subsets = new Map<string, string>();
  private defaultSubset?: string;
  private splits?: TrafficSplit[];
  private readonly routes: ServiceRoute[] = [];
  private resolverEntry?: ConfigEntry;
  private splitterEntry?: ConfigEntry;
  private routerEntry?: ConfigEntry;
  private failoverTargets?: PeerTarget[];
  private redirectTarget?: PeerTarget;

  public constructor(scope: Construct, id: string, props: ServiceRoutingProps) {
    const where = checkPropsOf("ServiceRouting", scope, id, props, "{ service, defaults }");
    check(
      where,
      props.defaults instanceof MeshDefaults,
      `defaults ${show(props.defaults)} is not a MeshDefaults; splits and routes need the service's ` +
        `protocol, so pass the mesh's MeshDefaults`,
    );
    super(scope, id);
    guardComposition(this, configEntryClaims);
    checkServiceName(this, "service", props.service);
    checkDependsOn(this, props.dependsOn);
    checkInstance(this, "defaults", props.defaults, MeshDefaults, "the mesh's MeshDefaults");
    this.service = props.service;
    this.defaults = props.defaults;
    this.dependsOn = props.dependsOn?.length ? props.dependsOn : undefined;
    this.node.addValidation({ validate: () => this.validateChain() });
  }

  /** The `service-resolver` entry, once a subset exists. */
  public get resolver(): ConfigEntry | undefined {
    return this.resolverEntry;
  }

  /** The `service-splitter` entry, once shares are set. */
  public get splitter(): ConfigEntry | undefined {
    return this.splitterEntry;
  }

  /** The `service-router` entry, once a route exists. */
  public get router(): ConfigEntry | undefined {
    return this.routerEntry;
  }

  /** The declared subset names, in declaration order. */
  public get subsetNames(): string[] {
    return [...this.subsets.keys()];
  }

  /**
   * Adds a subset: the instances `filter` selects (Consul's filter syntax over the health API, e.g.
   * `Service.Meta.version == "v2"`). The first subset is the default one unless {@link setDefaultSubset}
   * says otherwise.
   */
  public addSubset(name: string, filter: string): this {
    check(
      this,
      typeof name === "string" && SUBSET_NAME.test(name),
      `subset ${show(name)} is not a valid subset name (lower-case letters, digits and "-", at most 63 ` +
        `characters, starting and ending with a letter or digit); use e.g. "v2"`,
    );
    check(this, !this.subsets.has(name), `subset ${show(name)} is declared twice; declare it once`);
    check(
      this,
      typeof filter === "string" && filter.trim() !== "",
      `subset ${show(name)} filter ${show(filter)} is empty; give e.g. 'Service.Meta.version == "${name}"'`,
    );
    this.subsets.set(name, filter);
    this.defaultSubset ??= name;
    this.resolverEntry ??= this.entry("Resolver", "service-resolver", () => this.resolverBody());
    return this;
  }

  /**
   * Sends requests to the same service in cluster peers, in order, while no instance here is healthy
   * (the resolver's `Failover["*"].Targets`). Set once.
   */
  public failoverTo(targets: PeerTarget[]): this {
    check(
      this,
      this.failoverTargets === undefined,
      `failoverTo() is called twice; list every target in one call`,
    );
    check(
      this,
      Array.isArray(targets) && targets.length > 0,
      `failover targets ${show(targets)} is not a non-empty list; pass [{ peer: "east", service: "api" }]`,
    );
    targets.forEach((t, i) => this.checkPeerTarget(`failover targets[${i}]`, t));
    this.failoverTargets = [...targets];
    this.resolverEntry ??= this.entry("Resolver", "service-resolver", () => this.resolverBody());
    return this;
  }

  /**
   * Resolves this name to a service of a cluster peer (the resolver's `Redirect`): the name becomes an
   * alias with no instances here, which callers use as their upstream.
   */
  public redirectTo(target: PeerTarget): this {
    check(
      this,
      this.redirectTarget === undefined,
      `redirectTo() is called twice; a name redirects to one service`,
    );
    this.checkPeerTarget("redirect", target);
    this.redirectTarget = target;
    this.resolverEntry ??= this.entry("Resolver", "service-resolver", () => this.resolverBody());
    return this;
  }

  private checkPeerTarget(field: string, target: PeerTarget): void {
    check(
      this,
      isObject(target),
      `${field} ${show(target)} is not an object; pass { peer: "east", service: "api" }`,
    );
    checkServiceName(this, `${field}.peer`, target.peer);
    checkServiceName(this, `${field}.service`, target.service);
  }

  /** Sends requests that no split or route places to `subset` (the resolver's `DefaultSubset`). */
  public setDefaultSubset(subset: string): this {
    check(
      this,
      typeof subset === "string" && subset !== "",
      `default subset ${show(subset)} is empty; name a subset`,
    );
    this.defaultSubset = subset;
    return this;
  }

  /** Splits requests between subsets by weight; the weights sum to 100. Set once. */
  public split(splits: TrafficSplit[]): this {
    check(this, this.splits === undefined, `split() is called twice; declare every share in one call`);
    check(
      this,
      Array.isArray(splits) && splits.length > 0,
      `splits ${show(splits)} is not a non-empty list; pass e.g. [{ subset: "v1", weight: 90 }, { subset: "v2", weight: 10 }]`,
    );
    splits.forEach((s, i) => {
      check(this, isObject(s), `splits[${i}] ${show(s)} is not an object; pass { subset, weight }`);
      checkLiteral(this, `splits[${i}].weight`, s.weight, "the weights must sum to 100 at synth");
      check(
        this,
        typeof s.weight === "number" && Number.isFinite(s.weight) && s.weight >= 0 && s.weight <= 100,
        `splits[${i}].weight ${show(s.weight)} is not a percentage; use a number from 0 to 100`,
      );
      check(
        this,
        Math.abs(Math.round(s.weight * 100) - s.weight * 100) < 1e-6,
        `splits[${i}].weight ${show(s.weight)} has more than two decimals, which Consul rounds away; ` +
          `use e.g. ${Math.round(s.weight * 100) / 100}`,
      );
      check(
        this,
        typeof s.subset === "string" && s.subset !== "",
        `splits[${i}].subset ${show(s.subset)} is empty; name a subset`,
      );
    });
    const names = splits.map((s) => s.subset);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    check(this, twice === undefined, `splits name subset ${show(twice)} twice; give each subset one share`);
    // Consul sums the weights in hundredths (ServiceSplitterConfigEntry.Validate).
    const total = splits.reduce((sum, s) => sum + Math.round(s.weight * 100), 0);
    check(
      this,
      total === 10000,
      `splits weights ${show(splits.map((s) => s.weight))} sum to ${total / 100}, not 100; adjust them`,
    );
    this.splits = splits.map((s) => ({ subset: s.subset, weight: s.weight }));
    this.splitterEntry = this.entry("Splitter", "service-splitter", () => ({
      Splits: this.splits!.map((s) => ({ Weight: s.weight, ServiceSubset: s.subset })),
    }));
    return this;
  }

  /** Adds a route; routes are tried in the order they are added, first match wins. */
  public addRoute(route: ServiceRoute): this {
    const field = `routes[${this.routes.length}]`;
    check(this, isObject(route), `${field} ${show(route)} is not an object; pass { match, destination }`);
    checkMatch(this, `${field}.match`, route.match);
    const { destination } = route;
    check(
      this,
      isObject(destination),
      `${field}.destination ${show(destination)} is not an object; pass e.g. { subset: "v2" } or { service: "api" }`,
    );
    if (destination.service !== undefined)
      checkServiceName(this, `${field}.destination.service`, destination.service);
    check(
      this,
      destination.subset === undefined ||
        (typeof destination.subset === "string" && destination.subset !== ""),
      `${field}.destination.subset ${show(destination.subset)} is empty; name a subset or leave it out`,
    );
    check(
      this,
      destination.service !== undefined ||
        destination.subset !== undefined ||
        destination.prefixRewrite !== undefined,
      `${field}.destination is empty, which routes the request where it would go anyway; ` +
        `give a subset, a service or a prefixRewrite`,
    );
    const { prefixRewrite } = destination;
    check(
      this,
      prefixRewrite === undefined || typeof prefixRewrite === "string",
      `${field}.destination.prefixRewrite ${show(prefixRewrite)} is not a string; use e.g. "/"`,
    );
    check(
      this,
      prefixRewrite === undefined ||
        route.match.pathExact !== undefined ||
        route.match.pathPrefix !== undefined,
      `${field}.destination.prefixRewrite ${show(prefixRewrite)} needs match.pathExact or match.pathPrefix ` +
        `(Consul rewrites the matched path); add one or drop prefixRewrite`,
    );
    this.routes.push({ match: { ...route.match }, destination: { ...destination } });
    this.routerEntry ??= this.entry("Router", "service-router", () => ({
      Routes: this.routes.map(toConsulRoute),
    }));
    return this;
  }

  /** The services this chain's routes send requests to, other than its own. */
  public get routedServices(): string[] {
    return [
      ...new Set(
        this.routes.map((r) => r.destination.service ?? this.service).filter((s) => s !== this.service),
      ),
    ];
  }

  /** The declared routes, in order. */
  public get declaredRoutes(): readonly ServiceRoute[] {
    return this.routes;
  }

  private resolverBody(): Record<string, unknown> {
    const target = (t: PeerTarget) => ({ Service: t.service, Peer: t.peer });
    return {
      DefaultSubset: this.defaultSubset,
      // Consul reads an empty map back as none: declaring {} would show a change in every plan.
      Subsets: this.subsets.size
        ? Object.fromEntries([...this.subsets].map(([name, filter]) => [name, { Filter: filter }]))
        : undefined,
      Redirect: this.redirectTarget && target(this.redirectTarget),
      Failover: this.failoverTargets && { "*": { Targets: this.failoverTargets.map(target) } },
    };
  }

  /** A `consul_config_entry` whose JSON is rendered at synth, once every subset, share and route is in. */
  private entry(id: string, kind: string, body: () => Record<string, unknown>): ConfigEntry {
    return new ConfigEntry(this, id, {
      kind,
      name: this.service,
      configJson: Lazy.stringValue({ produce: () => jsonText(body()) }),
      dependsOn: this.dependsOn,
    });
  }

  /**
   * The checks that need the whole chain (subsets and protocols may be declared after the shares and
   * routes), and the dependencies that order the entries.
   */
  private validateChain(): string[] {
    const errors: string[] = [];
    const fail = (detail: string): void => {
      errors.push(`ServiceRouting ${this.node.path}: ${detail}`);
    };
    if (this.redirectTarget) {
      const { peer, service } = this.redirectTarget;
      const also = [
        ...(this.subsets.size ? ["versions"] : []),
        ...(this.splits ? ["splits"] : []),
        ...(this.routes.length ? ["routes"] : []),
        ...(this.failoverTargets ? ["a failover"] : []),
      ];
      if (also.length) {
        fail(
          `${show(this.service)} redirects to ${show(service)} of peer ${show(peer)} and also has ${also.join(", ")}; ` +
            `a redirected name has no instances of its own, so drop the ${also.join(", ")} or the redirect`,
        );
      }
    }
    if (this.defaultSubset !== undefined && !this.subsets.has(this.defaultSubset)) {
      fail(
        `default subset ${show(this.defaultSubset)} is not a subset (subsets: ${this.subsetNames.join(", ")}); add it`,
      );
    }
    for (const [i, s] of (this.splits ?? []).entries()) {
      if (!this.subsets.has(s.subset)) {
        fail(
          `splits[${i}].subset ${show(s.subset)} is not a subset of ${show(this.service)} ` +
            `(subsets: ${this.subsetNames.join(", ") || "none"}); add the subset or fix the name`,
        );
      }
    }
    this.routes.forEach((r, i) => {
      const target = r.destination.service ?? this.service;
      if (
        target === this.service &&
        r.destination.subset !== undefined &&
        !this.subsets.has(r.destination.subset)
      ) {
        fail(
          `routes[${i}].destination.subset ${show(r.destination.subset)} is not a subset of ${show(this.service)} ` +
            `(subsets: ${this.subsetNames.join(", ") || "none"}); add the subset or fix the name`,
        );
      }
    });
    const l7Users = [
      ...(this.splits ? [[this.service, "splits"] as const] : []),
      ...(this.routes.length ? [[this.service, "routes"] as const] : []),
      ...this.routedServices.map((s) => [s, "a route's destination"] as const),
    ];
    for (const [service, use] of l7Users) {
      const protocol = this.defaults.protocolOf(service);
      if (!isL7Protocol(protocol)) {
        fail(
          `${use} need${use === "splits" || use === "routes" ? "" : "s"} an HTTP-like protocol but ${show(service)} ` +
            `speaks ${show(protocol)}; give it protocol "http", "http2" or "grpc" (MeshDefaults) or drop the ${use}`,
        );
      }
    }
    if (errors.length === 0) this.orderEntries();
    return errors;
  }

  /** Router → splitter → resolver → the protocol entries of every service the chain names. */
  private orderEntries(): void {
    const protocolEntries = [this.service, ...this.routedServices]
      .map((s) => this.defaults.protocolEntryOf(s))
      .filter((e) => e !== undefined);
    const chain = [this.routerEntry, this.splitterEntry, this.resolverEntry].filter(
      (e): e is ConfigEntry => e !== undefined,
    );
    chain.forEach((entry, i) =>
      dependOnce(entry, [...chain.slice(i + 1, i + 2), ...protocolEntries].map(resourceAddress)),
    );
  }
}

/** Checks a route's match with the rules of ServiceRouterConfigEntry.Validate. */
function checkMatch(scope: ServiceRouting, field: string, match: RouteMatch): void {
  check(
    scope,
    isObject(match),
    `${field} ${show(match)} is not an object; pass e.g. { pathPrefix: "/v2/" } or { headers: [{ name: "x-canary", exact: "1" }] }`,
  );
  const { headers, methods } = match;
  const paths = checkPaths(scope, field, match);
  checkList(scope, `${field}.headers`, headers, "{ name, exact }");
  (headers ?? []).forEach((h, i) => checkHeader(scope, `${field}.headers[${i}]`, h, false));
  checkHttpMethods(scope, `${field}.methods`, methods);
  check(
    scope,
    paths > 0 || (headers ?? []).length > 0 || (methods ?? []).length > 0,
    `${field} ${show(match)} matches every request, so every later route and the split would be unused; ` +
      `give a path, a header or methods (use a split or the default subset for all requests)`,
  );
}

/** A route in Consul's JSON, fields left out when unset (as Consul reads them back). */
function toConsulRoute(route: ServiceRoute): Record<string, unknown> {
  const { match, destination } = route;
  const http: Record<string, unknown> = {
    PathExact: match.pathExact,
    PathPrefix: match.pathPrefix,
    PathRegex: match.pathRegex,
    Header: match.headers?.map(headerJson),
    Methods: upperCaseMethods(match.methods),
  };
  return {
    Match: { HTTP: http },
    Destination: {
      Service: destination.service,
      ServiceSubset: destination.subset,
      PrefixRewrite: destination.prefixRewrite,
    },
  };
}
