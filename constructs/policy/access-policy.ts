import { Lazy, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { check, checkPropsOf, checkReferenceOf, constructError, isObject, show } from "../core/errors";
import { checkServiceName } from "../core/names";
import {
  ACCESS_POLICY_OUTPUT,
  type AccessRule,
  type AccessViolation,
  accessViolations,
  ruleText,
} from "./rules";
import { ExternalService, MeshService, ServiceMesh } from "../mesh";
import type { IIngress } from "../traefik/ingress";

/**
 * What a rule names: a mesh service, an external service, the ingress, or a Consul service name. A
 * cluster peer's service is named `<service>@<peer>` (a source only: its intentions live here).
 */
export type PolicySubject = MeshService | ExternalService | IIngress | string;

/** A rule between two subjects. */
export type PathRule = {
  /** The caller. */
  readonly from: PolicySubject;
  /** The called service. */
  readonly to: PolicySubject;
};

/** The policy whose rules each stack's output carries. */
const policyOf = new WeakMap<TerraformStack, AccessPolicy>();

/** Props for {@link AccessPolicy}. */
export interface AccessPolicyProps {
  /** The mesh whose declared access graph (its intentions, routes included) the rules hold over. */
  readonly mesh: ServiceMesh;
}

/**
 * Rules on the mesh's whole access graph, checked at synth: a relation, route or intention that
 * breaks one fails synthesis naming the rule, the offending edge or path (each hop) and the fix.
 * Consul answers "may A call B?" one edge at a time on a live cluster; these rules hold over every
 * edge and every chain of calls the stack declares (routes count: a route's caller dials its target).
 *
 * ```ts
 * new AccessPolicy(stack, "Policy", { mesh })
 *   .forbidPath({ from: ingress, to: "payments" }) // not even through another service
 *   .onlyFrom("db", ["api"])
 *   .noWildcardSources()
 *   .requireL7("api");
 * ```
 */
export class AccessPolicy extends Construct {
  /** The mesh the rules hold over. */
  public readonly mesh: ServiceMesh;
  private readonly declared: AccessRule[] = [];
  private output?: TerraformOutput;

  public constructor(scope: Construct, id: string, props: AccessPolicyProps) {
    checkPropsOf("AccessPolicy", scope, id, props, "{ mesh }");
    checkReferenceOf(
      "AccessPolicy",
      scope,
      id,
      "mesh",
      props.mesh,
      ServiceMesh,
      "the mesh the rules hold over",
    );
    super(scope, id);
    this.mesh = props.mesh;
    this.node.addValidation({
      validate: () => this.violations().map((v) => constructError(this, v.message).message),
    });
  }

  /** No direct call from `from` to `to`: no intention (exact or wildcard) lets it through. */
  public forbid(rule: PathRule): this {
    const { from, to } = this.pathRule("forbid", rule);
    return this.add({ kind: "forbid", from, to });
  }

  /** No chain of allowed calls from `from` reaches `to`, through any number of services. */
  public forbidPath(rule: PathRule): this {
    const { from, to } = this.pathRule("forbidPath", rule);
    return this.add({ kind: "forbidPath", from, to });
  }

  /** Only these sources may call `to` (a wildcard source breaks it too). */
  public onlyFrom(to: PolicySubject, sources: PolicySubject[]): this {
    const name = this.nameOf("onlyFrom", "to", to);
    check(
      this,
      Array.isArray(sources),
      `onlyFrom(${show(name)}) sources ${show(sources)} is not a list; pass e.g. ["api"] (or [] for nobody)`,
    );
    return this.add({
      kind: "onlyFrom",
      to: name,
      sources: sources.map((s, i) => this.nameOf("onlyFrom", `sources[${i}]`, s)).sort(),
    });
  }

  /** No intention allows the wildcard source `*`: every caller is named. */
  public noWildcardSources(): this {
    return this.add({ kind: "noWildcardSources" });
  }

  /** Every call allowed into `to` is limited by L7 permissions (paths, methods, headers). */
  public requireL7(to: PolicySubject): this {
    return this.add({ kind: "requireL7", to: this.nameOf("requireL7", "to", to) });
  }

  /** Adds a rule given as data (an environment's settings, a file): the typed method of its kind. */
  public addRule(rule: AccessRule): this {
    check(this, isObject(rule), `addRule(${show(rule)}): pass a rule such as { kind: "noWildcardSources" }`);
    switch (rule.kind) {
      case "forbid":
        return this.forbid(rule);
      case "forbidPath":
        return this.forbidPath(rule);
      case "onlyFrom":
        return this.onlyFrom(rule.to, [...rule.sources]);
      case "noWildcardSources":
        return this.noWildcardSources();
      case "requireL7":
        return this.requireL7(rule.to);
      default:
        throw constructError(
          this,
          `addRule: kind ${show((rule as { kind?: unknown }).kind)} is not a rule; use forbid, forbidPath, ` +
            `onlyFrom, noWildcardSources or requireL7`,
        );
    }
  }

  /** The rules, in the order declared. */
  public get rules(): readonly AccessRule[] {
    return [...this.declared];
  }

  /** The rules the mesh's declared graph breaks now, in the order declared. */
  public violations(): AccessViolation[] {
    return accessViolations(this.declared, this.mesh.intentions.edges, this.mesh.serviceNames);
  }

  private add(rule: AccessRule): this {
    const text = ruleText(rule);
    check(this, !this.declared.some((r) => ruleText(r) === text), `${text} is declared twice; keep one`);
    this.declared.push(rule);
    // The rules travel with the plan (output `meshstack_access_policy`): plan review and the audit
    // check them on the graph after the change, other repositories' entries included.
    const stack = TerraformStack.of(this);
    const holder = policyOf.get(stack) ?? this;
    check(
      this,
      holder === this,
      `${text}: the stack's access rules are ${holder.node.path}'s (one policy per stack travels with the ` +
        `plan); declare this rule there`,
    );
    policyOf.set(stack, this);
    this.output ??= new TerraformOutput(this, "Rules", {
      value: Lazy.stringValue({ produce: () => JSON.stringify(this.declared) }),
      description: "meshstack access rules (AccessPolicy), read by plan review and the audit",
    });
    this.output.overrideLogicalId(ACCESS_POLICY_OUTPUT);
    return this;
  }

  private pathRule(method: string, rule: PathRule): { from: string; to: string } {
    check(
      this,
      isObject(rule),
      `${method}(${show(rule)}): pass { from, to }, e.g. ${method}({ from: "web", to: "db" })`,
    );
    const from = this.nameOf(method, "from", rule.from);
    const to = this.nameOf(method, "to", rule.to);
    check(
      this,
      from !== to,
      `${method}(${from} → ${to}): a service always reaches itself; name two services`,
    );
    return { from, to };
  }

  private nameOf(method: string, field: string, subject: PolicySubject): string {
    const name =
      typeof subject === "string"
        ? subject
        : isObject(subject) && typeof (subject as { serviceName?: unknown }).serviceName === "string"
          ? (subject as { serviceName: string }).serviceName
          : undefined;
    check(
      this,
      name !== undefined,
      `${method} ${field} ${show(subject)} is not a service; pass a MeshService, an ExternalService, the ` +
        `ingress or a service name`,
    );
    const [service, peer, extra] = name!.split("@");
    checkServiceName(this, `${method} ${field}`, service);
    if (peer !== undefined) checkServiceName(this, `${method} ${field} peer`, peer);
    check(this, extra === undefined, `${method} ${field} ${show(name)} has two "@"; write <service>@<peer>`);
    return name!;
  }
}
