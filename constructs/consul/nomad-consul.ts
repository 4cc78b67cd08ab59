import { check, checkLiteral, checkPropsOf, isReference, show } from "../core/errors";
import { Fn, ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { AclAuthMethod } from "@cdktf/provider-consul/lib/acl-auth-method";
import { AclBindingRule } from "@cdktf/provider-consul/lib/acl-binding-rule";
import { AclPolicy } from "@cdktf/provider-consul/lib/acl-policy";
import { AclRole } from "@cdktf/provider-consul/lib/acl-role";
import { checkUrl, NOMAD_NAMESPACE } from "../core/names";
import { checkBoolean, checkDependsOn, checkPattern, checkText, checkTexts } from "../core/values";

/** Props for {@link NomadConsulIntegration}. */
export interface NomadConsulIntegrationProps {
  /** Nomad's HTTP address as the Consul servers reach it; its JWKS is at `/.well-known/jwks.json`. */
  readonly nomadAddress: string;
  /**
   * Name of the Consul auth method (Nomad's `consul.service_auth_method`/`task_auth_method`): 1-128
   * letters, digits, "-" and "_".
   * @default "nomad-workloads"
   */
  readonly authMethodName?: string;
  /**
   * Audience Nomad puts in workload identities for Consul (`consul.service_identity.aud`).
   * @default "consul.io"
   */
  readonly audience?: string;
  /**
   * PEM of the CA that signed Nomad's HTTPS certificate, for the Consul servers fetching the JWKS
   * (`JWKSCACert`); a Terraform reference keeps a generated CA out of the synthesized JSON.
   * @default - the Consul servers' system roots (plain HTTP needs none)
   */
  readonly jwksCaPem?: string;
  /**
   * Nomad namespaces whose tasks get a role (`nomad-<namespace>-tasks`, as `nomad setup consul` names
   * them): a task of a namespace not listed logs in with no role, so Consul access can be scoped per
   * namespace and a new namespace inherits nothing.
   * @default ["default"]
   */
  readonly namespaces?: string[];
  /**
   * KV prefixes no task may read, whatever the task policy grants: above all the Terraform state's,
   * which holds the Connect CA's Vault token (an explicit deny wins as the longest prefix).
   * @default []
   */
  readonly deniedKeyPrefixes?: string[];
  /**
   * Resources that must exist first, typically the Consul agent job.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Protect the auth method with `prevent_destroy`: replacing it (its name and type force one) deletes
   * every token it issued, so every sidecar and task loses its Consul token and Nomad cannot make new
   * ones until workloads restart.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * Consul ACL access for Nomad workloads through workload identity, as `nomad setup consul` creates
 * it: a JWT auth method trusting Nomad's JWKS, a binding rule turning each Nomad service identity into
 * a Consul service identity (`nomad_service`), and one binding each task to the read-only role of its
 * namespace (`nomad-<namespace>-tasks`: the policy of Nomad 1.10+'s `nomad setup consul`, node, service
 * and KV read, minus the denied KV prefixes). This replaces Consul tokens in job files.
 *
 * Needs Consul ACLs enabled: the ACL endpoints reject every call otherwise.
 */
export class NomadConsulIntegration extends Construct {
  /** The JWT auth method. */
  public readonly authMethod: AclAuthMethod;
  /** The role tasks of the first namespace get (`nomad-default-tasks` by default). */
  public readonly taskRole: AclRole;
  /** The role of each namespace's tasks. */
  public readonly taskRoles: AclRole[];
  /** Binds Nomad service identities to Consul service identities. */
  public readonly serviceRule: AclBindingRule;
  /** Binds Nomad task identities to the task role. */
  public readonly taskRule: AclBindingRule;

  public constructor(scope: Construct, id: string, props: NomadConsulIntegrationProps) {
    checkPropsOf("NomadConsulIntegration", scope, id, props, "{ nomadAddress }");
    super(scope, id);
    checkUrl(this, "nomadAddress", props.nomadAddress);
    // Not a prop any more: plain JavaScript callers of older versions may still pass it.
    const maxTokenTtl = (props as { maxTokenTtl?: unknown }).maxTokenTtl;
    check(
      this,
      maxTokenTtl === undefined,
      `maxTokenTtl ${show(maxTokenTtl)} would expire every Connect sidecar's Consul token: Nomad cannot ` +
        `recreate Consul tokens and Envoy cannot take a new one without a restart (Nomad's Consul ACL docs, ` +
        `hashicorp/nomad#24354); remove it`,
    );
    const name = props.authMethodName ?? "nomad-workloads";
    // Consul's acl/validation.go IsValidAuthMethodName.
    checkPattern(
      this,
      "authMethodName",
      name,
      /^[A-Za-z0-9_-]{1,128}$/,
      "a Consul auth method name",
      "nomad-workloads",
    );
    checkText(this, "audience", props.audience, "consul.io");
    checkDependsOn(this, props.dependsOn);
    checkTexts(this, "deniedKeyPrefixes", props.deniedKeyPrefixes, "meshstack/prod");
    check(
      this,
      props.namespaces === undefined ||
        isReference(props.namespaces) ||
        (Array.isArray(props.namespaces) &&
          props.namespaces.length > 0 &&
          props.namespaces.every((n) => typeof n === "string" && NOMAD_NAMESPACE.test(n))),
      `namespaces ${show(props.namespaces)} is not a list of Nomad namespace names (1-128 letters, digits ` +
        `and "-"); use e.g. ["default", "payments"]`,
    );
    checkLiteral(
      this,
      "namespaces",
      props.namespaces,
      "meshstack writes one Consul role per namespace at synth",
    );
    checkLiteral(
      this,
      "deniedKeyPrefixes",
      props.deniedKeyPrefixes,
      "meshstack writes one deny rule per prefix at synth",
    );
    checkText(this, "jwksCaPem", props.jwksCaPem, "-----BEGIN CERTIFICATE-----…");
    const dependsOn = props.dependsOn?.length ? props.dependsOn : undefined;
    checkBoolean(this, "preventDestroy", props.preventDestroy);
    this.authMethod = new AclAuthMethod(this, "AuthMethod", {
      dependsOn,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
      name,
      type: "jwt",
      displayName: "Nomad workload identities",
      // No maxTokenTtl: Nomad's tokens live as long as their workloads (see the check above).
      tokenLocality: "local",
      configJson: encodeConfig({
        JWKSURL: `${props.nomadAddress.replace(/\/+$/, "")}/.well-known/jwks.json`,
        JWTSupportedAlgs: ["RS256"],
        BoundAudiences: [props.audience ?? "consul.io"],
        ClaimMappings: {
          nomad_namespace: "nomad_namespace",
          nomad_job_id: "nomad_job_id",
          nomad_task: "nomad_task",
          nomad_service: "nomad_service",
        },
        ...(props.jwksCaPem === undefined ? {} : { JWKSCACert: props.jwksCaPem }),
      }),
    });
    this.serviceRule = new AclBindingRule(this, "ServiceRule", {
      authMethod: this.authMethod.name,
      description: "Nomad services get the Consul service identity of their name",
      bindType: "service",
      // "$${" is Terraform's escape for a literal "${": Consul, not Terraform, fills the variable.
      bindName: "$${value.nomad_service}",
      selector: '"nomad_service" in value',
    });
    const namespaces = props.namespaces ?? ["default"];
    const denied = props.deniedKeyPrefixes ?? [];
    const taskPolicy = new AclPolicy(this, "TaskPolicy", {
      dependsOn,
      name: "nomad-tasks",
      description: "Nomad tasks: read the catalog and KV for templates (nomad setup consul, Nomad 1.10+)",
      rules: taskRules(denied),
    });
    this.taskRoles = namespaces.map(
      (namespace) =>
        new AclRole(this, namespace === "default" ? "TaskRole" : `TaskRole-${namespace}`, {
          name: `nomad-${namespace}-tasks`,
          description: `Role of Nomad tasks in namespace ${namespace}, logging in with workload identity`,
          policies: [taskPolicy.id],
        }),
    );
    this.taskRole = this.taskRoles[0];
    this.taskRule = new AclBindingRule(this, "TaskRule", {
      authMethod: this.authMethod.name,
      description: "Nomad tasks get the role of their namespace",
      bindType: "role",
      bindName: "nomad-$${value.nomad_namespace}-tasks",
      selector: '"nomad_service" not in value',
      dependsOn: this.taskRoles,
    });
  }
}

/**
 * The auth method's `config_json`: plain JSON for literal values, `jsonencode()` when a value is a
 * Terraform reference (a PEM read at plan time holds newlines that must be escaped by Terraform).
 */
function encodeConfig(config: Record<string, unknown>): string {
  return Token.isUnresolved(config.JWKSCACert) ? Fn.jsonencode(config) : JSON.stringify(config);
}

/** Nomad 1.10+'s task policy (command/asset/consul-wi-default-policy.hcl), with KV prefixes denied. */
function taskRules(denied: readonly string[]): string {
  const block = (kind: string, name: string, policy: string) =>
    `${kind} ${JSON.stringify(name)} {\n  policy = "${policy}"\n}\n`;
  return [
    block("node_prefix", "", "read"),
    block("service_prefix", "", "read"),
    block("key_prefix", "", "read"),
    ...denied.map((prefix) => block("key_prefix", prefix, "deny")),
  ].join("");
}
