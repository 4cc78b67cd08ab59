import { IConstruct } from "constructs";
import { check, checkLiteral, show, isReference } from "../core/errors";
import { checkHostName } from "../core/names";
import { checkObject } from "../core/values";
import type { IIngress } from "../traefik/ingress";

/** An HTTP route through the ingress. */
export interface HttpRoute {
  /** Host matched with `Host()`. */
  readonly host: string;
  /**
   * Path prefix matched with `PathPrefix()`.
   * @default - every path
   */
  readonly pathPrefix?: string;
  /**
   * Entry point; a TLS entry point adds `tls=true`.
   * @default - the ingress' TLS entry point
   */
  readonly entryPoint?: string;
}

/** A TCP route through the ingress, matched on the TLS server name. */
export interface TcpRoute {
  /** Server name matched with `HostSNI()`. */
  readonly sni: string;
  /**
   * Entry point; must terminate TLS, since SNI only exists in a TLS handshake.
   * @default - the ingress' TLS entry point
   */
  readonly entryPoint?: string;
}

/** How a service is exposed through the ingress: one HTTP or one TCP route. */
export interface IngressRoute {
  /**
   * An HTTP router (`Host()`).
   * @default - none
   */
  readonly http?: HttpRoute;
  /**
   * A TCP router (`HostSNI()`).
   * @default - none
   */
  readonly tcp?: TcpRoute;
}

/**
 * Checks a route against the ingress and renders its Traefik router tags (catalog provider labels),
 * one router named after the service.
 */
export function routeTags(
  scope: IConstruct,
  service: string,
  route: IngressRoute,
  ingress: IIngress,
): string[] {
  check(
    scope,
    Boolean(route.http) !== Boolean(route.tcp),
    `expose ${show(route)} must set exactly one of http or tcp; use { http: { host } } or { tcp: { sni } }`,
  );
  checkObject(scope, "expose.http", route.http, '{ host: "app.example.com" }');
  checkObject(scope, "expose.tcp", route.tcp, '{ sni: "db.example.com" }');
  const entryPoints = [ingress.tlsEntryPoint, ...(ingress.httpEntryPoint ? [ingress.httpEntryPoint] : [])];
  const p = ingress.tagPrefix;
  const common = [`${p}.enable=true`, `${p}.consulcatalog.connect=true`];
  if (route.http) {
    const { host, pathPrefix } = route.http;
    checkHostName(scope, "expose.http.host", host, "app.example.com");
    check(
      scope,
      pathPrefix === undefined || isReference(pathPrefix) || /^\/\S*$/.test(pathPrefix),
      `expose.http.pathPrefix ${show(pathPrefix)} must start with "/"; use e.g. "/api"`,
    );
    const entryPoint = route.http.entryPoint ?? ingress.tlsEntryPoint;
    checkEntryPoint(scope, "expose.http.entryPoint", entryPoint, entryPoints);
    const router = `${p}.http.routers.${service}`;
    const rule = `Host(\`${host}\`)` + (pathPrefix ? ` && PathPrefix(\`${pathPrefix}\`)` : "");
    return [
      ...common,
      `${router}.rule=${rule}`,
      `${router}.entrypoints=${entryPoint}`,
      ...(entryPoint === ingress.tlsEntryPoint ? [`${router}.tls=true`] : []),
    ];
  }
  const { sni } = route.tcp!;
  checkHostName(scope, "expose.tcp.sni", sni, "ssh.example.com");
  const entryPoint = route.tcp!.entryPoint ?? ingress.tlsEntryPoint;
  checkLiteral(
    scope,
    "expose.tcp.entryPoint",
    route.tcp!.entryPoint,
    "it must be the TLS entry point, checked at synth",
  );
  checkEntryPoint(scope, "expose.tcp.entryPoint", entryPoint, entryPoints);
  check(
    scope,
    entryPoint === ingress.tlsEntryPoint,
    `expose.tcp.entryPoint ${show(entryPoint)} does not terminate TLS, so HostSNI() never matches; ` +
      `use the TLS entry point ${show(ingress.tlsEntryPoint)}`,
  );
  const router = `${p}.tcp.routers.${service}`;
  return [
    ...common,
    `${router}.rule=HostSNI(\`${sni}\`)`,
    `${router}.entrypoints=${entryPoint}`,
    `${router}.tls=true`,
    `${router}.service=${service}`,
  ];
}

function checkEntryPoint(scope: IConstruct, field: string, value: string, known: string[]): void {
  check(
    scope,
    isReference(value) || known.includes(value),
    `${field} ${show(value)} is not an entry point of the ingress; use one of ${known.join(", ")}`,
  );
}
