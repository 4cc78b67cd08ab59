import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { AclPolicy } from "@cdktf/provider-consul/lib/acl-policy";
import { AclToken } from "@cdktf/provider-consul/lib/acl-token";
import { DataConsulAclTokenSecretId } from "@cdktf/provider-consul/lib/data-consul-acl-token-secret-id";
import { checkPropsOf } from "../core/errors";
import { checkDependsOn, checkPattern, checkText } from "../core/values";
import { checkDatacenter, checkNonEmpty, CONSUL_NODE_IDENTITY } from "../core/names";

/** Props for {@link ConsulAclToken}. */
export interface ConsulAclTokenProps {
  /** Name of the policy (1-63 lowercase letters, digits and "-"). */
  readonly policyName: string;
  /** The policy's rules (Consul ACL HCL). */
  readonly rules: string;
  /** What holds the token, shown in Consul. */
  readonly description: string;
  /**
   * Resources that must exist first.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A Consul ACL policy and a token holding only it, for a component the stack deploys (a Consul agent,
 * the ingress): the token's secret stays a sensitive Terraform value, handed to the job that needs it
 * through its Nomad variable, never pasted into files.
 */
export class ConsulAclToken extends Construct {
  /** The policy. */
  public readonly policy: AclPolicy;
  /** The token (its `id` is the accessor). */
  public readonly token: AclToken;
  /** The token's secret, a sensitive reference. */
  public readonly secret: string;

  public constructor(scope: Construct, id: string, props: ConsulAclTokenProps) {
    checkPropsOf("ConsulAclToken", scope, id, props, '{ policyName, rules, description: "…" }');
    super(scope, id);
    checkPattern(
      this,
      "policyName",
      props.policyName,
      /^[A-Za-z0-9_-]{1,128}$/,
      'a Consul policy name (1-128 letters, digits, "_" and "-")',
      "dns",
    );
    checkNonEmpty(
      this,
      "rules",
      props.rules,
      'write Consul ACL rules such as node_prefix "" { policy = "read" }',
    );
    checkNonEmpty(this, "description", props.description, "say what holds the token");
    checkDependsOn(this, props.dependsOn);
    const dependsOn = props.dependsOn?.length ? props.dependsOn : undefined;
    this.policy = new AclPolicy(this, "Policy", { name: props.policyName, rules: props.rules, dependsOn });
    this.token = new AclToken(this, "Token", {
      description: props.description,
      policies: [this.policy.name],
    });
    this.secret = new DataConsulAclTokenSecretId(this, "Secret", { accessorId: this.token.id }).secretId;
  }
}

/** Props for {@link ConsulNodeToken}. */
export interface ConsulNodeTokenProps {
  /** The Consul node the token may register: the agent's `node_name` (the Nomad node's name). */
  readonly nodeName: string;
  /** The node's Consul datacenter. */
  readonly datacenter: string;
  /**
   * What holds the token, shown in Consul.
   * @default "Consul agent on <nodeName>"
   */
  readonly description?: string;
}

/**
 * A Consul client agent's own token: a node identity (`node "<name>"` write, every service and node
 * read), local to the datacenter, so a token taken from one node can neither register nor deregister
 * another (Consul's agent-token guidance), where one shared `node_prefix ""` write token could.
 */
export class ConsulNodeToken extends Construct {
  /** The token (its `id` is the accessor). */
  public readonly token: AclToken;
  /** The token's secret, a sensitive reference. */
  public readonly secret: string;

  public constructor(scope: Construct, id: string, props: ConsulNodeTokenProps) {
    checkPropsOf("ConsulNodeToken", scope, id, props, '{ nodeName: "client-1", datacenter: "dc1" }');
    super(scope, id);
    checkPattern(
      this,
      "nodeName",
      props.nodeName,
      CONSUL_NODE_IDENTITY,
      'a node name Consul takes in a node identity (lowercase letters, digits, "-" and "_")',
      "client-1",
    );
    checkDatacenter(this, "datacenter", props.datacenter);
    checkText(this, "description", props.description, "Consul agent on client-1");
    this.token = new AclToken(this, "Token", {
      description: props.description ?? `Consul agent on ${props.nodeName}`,
      local: true,
      nodeIdentities: [{ nodeName: props.nodeName, datacenter: props.datacenter }],
    });
    this.secret = new DataConsulAclTokenSecretId(this, "Secret", { accessorId: this.token.id }).secretId;
  }
}
