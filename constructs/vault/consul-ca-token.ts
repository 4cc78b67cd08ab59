import { checkPropsOf, checkReferenceOf } from "../core/errors";
import { Construct } from "constructs";
import { Token } from "@cdktf/provider-vault/lib/token";
import { durationSeconds } from "../core/duration";
import { checkText } from "../core/values";
import { ConnectCaPki } from "./connect-ca-pki";

/** Props for {@link ConsulCaToken}. */
export interface ConsulCaTokenProps {
  /** The PKI whose policy the token carries. */
  readonly pki: ConnectCaPki;
  /**
   * Renewal period. Consul renews the token itself; if Consul is down for longer than this the token
   * expires and CA rotation stops (consul#23726), so keep it well above your longest outage.
   * @default "72h"
   */
  readonly period?: string;
  /**
   * Display name shown in Vault's audit log.
   * @default "consul-connect-ca"
   */
  readonly displayName?: string;
}

/**
 * The Vault token Consul's Connect CA provider authenticates with: periodic, renewable and orphan (so
 * it survives the Terraform token that created it), carrying only the CA policy.
 *
 * The secret is exposed as {@link ConsulCaToken.secret}, a Terraform reference that stays sensitive
 * wherever it flows (plan output shows `(sensitive value)`); it never appears in synthesized JSON.
 */
export class ConsulCaToken extends Construct {
  /** The underlying `vault_token`. */
  public readonly resource: Token;

  public constructor(scope: Construct, id: string, props: ConsulCaTokenProps) {
    checkPropsOf("ConsulCaToken", scope, id, props, "{ pki }");
    checkReferenceOf(
      "ConsulCaToken",
      scope,
      id,
      "pki",
      props.pki,
      ConnectCaPki,
      "the ConnectCaPki whose policy the token carries",
    );
    super(scope, id);
    const period = props.period ?? "72h";
    durationSeconds(this, "period", period);
    checkText(this, "displayName", props.displayName, "consul-connect-ca");
    this.resource = new Token(this, "Resource", {
      // The cross-sign policy only while a root rotation is under way (ConnectCaPki.rootRotation).
      policies: [props.pki.policy.name, ...(props.pki.rotationPolicy ? [props.pki.rotationPolicy.name] : [])],
      noParent: true,
      renewable: true,
      period,
      displayName: props.displayName ?? "consul-connect-ca",
    });
  }

  /** The token secret (sensitive reference). */
  public get secret(): string {
    return this.resource.clientToken;
  }
}
