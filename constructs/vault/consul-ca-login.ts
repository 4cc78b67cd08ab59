import { Construct } from "constructs";
import { AuthBackend } from "@cdktf/provider-vault/lib/auth-backend";
import { CertAuthBackendRole } from "@cdktf/provider-vault/lib/cert-auth-backend-role";
import { checkPropsOf, checkReferenceOf } from "../core/errors";
import { durationSeconds } from "../core/duration";
import { checkDatacenter } from "../core/names";
import { checkBoolean, checkText, checkTexts, requireText } from "../core/values";
import { ConnectCaPki } from "./connect-ca-pki";

/** Props for {@link ConsulCaLogin}. */
export interface ConsulCaLoginProps {
  /** The PKI whose policy the login's tokens carry. */
  readonly pki: ConnectCaPki;
  /** Consul datacenter: its servers' certificates name `server.<datacenter>.consul`. */
  readonly datacenter: string;
  /**
   * PEM of the CA that signed the Consul servers' TLS certificates (a Terraform reference, such as
   * `Fn.file(...)`, is fine: it is no secret). Vault trusts only certificates it signed.
   */
  readonly serverCaPem: string;
  /** The Consul server's TLS certificate, as the servers see it (the CA configuration's `CertFile`). */
  readonly certFile: string;
  /** Its private key, as the servers see it (`KeyFile`); it never leaves the servers. */
  readonly keyFile: string;
  /**
   * DNS names a certificate must carry to log in: Consul's server certificates carry
   * `server.<datacenter>.consul`, which `consul tls cert create -server` and `verify_server_hostname`
   * require, so client agents' and other services' certificates from the same CA cannot log in.
   * @default ["server.<datacenter>.consul"]
   */
  readonly allowedDnsNames?: string[];
  /**
   * Path of the `cert` auth mount.
   * @default "<datacenter>/consul-ca-cert"
   */
  readonly mountPath?: string;
  /**
   * Renewal period of the tokens the login issues. Consul renews its token and logs in again when
   * renewal fails, so an outage longer than this no longer stops the CA (unlike a token given once).
   * @default "72h"
   */
  readonly period?: string;
  /**
   * Protect the auth mount with `prevent_destroy`: disabling it revokes the token Consul signs with,
   * and the mesh's certificates stop renewing.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/** Consul's login through Vault's `cert` auth method, as the CA configuration names it. */
export interface ConsulCaLoginConfig {
  /** `AuthMethod` of the Vault CA provider's configuration. */
  readonly AuthMethod: { Type: "cert"; MountPath: string; Params: { name: string } };
  /** The client certificate Consul presents to Vault. */
  readonly CertFile: string;
  /** Its private key. */
  readonly KeyFile: string;
}

/**
 * Consul's Connect CA logs in to Vault with the Consul servers' own TLS certificates (Vault's `cert`
 * auth method, which the Vault CA provider supports from Consul 1.12), so no long-lived CA token
 * exists, in Terraform state or anywhere else: Consul gets a periodic token carrying only the CA
 * policy at each login, and logs in again when it cannot renew it.
 *
 * Vault must see the certificate on the TLS connection: its listener asks for client certificates
 * unless `tls_disable_client_certs` is set.
 */
export class ConsulCaLogin extends Construct {
  /** The `cert` auth mount. */
  public readonly backend: AuthBackend;
  /** The role Consul logs in with. */
  public readonly role: CertAuthBackendRole;
  /**
   * The role Consul logs in with while a root rotation is under way: the CA policy and the
   * cross-sign, in tokens of a 1 h period that lapse within the hour once Consul stops renewing them.
   */
  public readonly rotationRole?: CertAuthBackendRole;
  /** What the CA configuration carries instead of a token. */
  public readonly caConfig: ConsulCaLoginConfig;

  public constructor(scope: Construct, id: string, props: ConsulCaLoginProps) {
    checkPropsOf(
      "ConsulCaLogin",
      scope,
      id,
      props,
      '{ pki, datacenter, serverCaPem, certFile: "/etc/consul.d/tls/server.pem", keyFile }',
    );
    checkReferenceOf(
      "ConsulCaLogin",
      scope,
      id,
      "pki",
      props.pki,
      ConnectCaPki,
      "the ConnectCaPki whose policy the login's tokens carry",
    );
    super(scope, id);
    checkDatacenter(this, "datacenter", props.datacenter);
    requireText(this, "serverCaPem", props.serverCaPem, "-----BEGIN CERTIFICATE-----…");
    requireText(this, "certFile", props.certFile, "/etc/consul.d/tls/server.pem");
    requireText(this, "keyFile", props.keyFile, "/etc/consul.d/tls/server-key.pem");
    checkTexts(this, "allowedDnsNames", props.allowedDnsNames, `server.${props.datacenter}.consul`);
    checkText(this, "mountPath", props.mountPath, `${props.datacenter}/consul-ca-cert`);
    checkBoolean(this, "preventDestroy", props.preventDestroy);
    const period = durationSeconds(this, "period", props.period ?? "72h");

    this.backend = new AuthBackend(this, "Backend", {
      type: "cert",
      path: props.mountPath ?? `${props.datacenter}/consul-ca-cert`,
      description: "Consul servers' login for the Connect CA (their TLS certificates)",
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    const { pki } = props;
    const role = (id: string, name: string, policies: string[], tokenPeriod: number) =>
      new CertAuthBackendRole(this, id, {
        backend: this.backend.path,
        name,
        certificate: props.serverCaPem,
        allowedDnsSans: props.allowedDnsNames ?? [`server.${props.datacenter}.consul`],
        tokenPolicies: policies,
        tokenNoDefaultPolicy: true,
        tokenPeriod,
      });
    this.role = role("Role", "consul-connect-ca", [pki.policy.name], period);
    // A root rotation's cross-sign runs with the token Consul already holds: a role of its own, named
    // in the CA configuration, makes Consul log in again when the rotation is prepared (and again,
    // without the cross-sign, when it is finished).
    if (pki.rotationPolicy) {
      this.rotationRole = role(
        "RotationRole",
        "consul-connect-ca-rotation",
        [pki.policy.name, pki.rotationPolicy.name],
        60 * 60,
      );
    }
    const loginRole = this.rotationRole ?? this.role;
    this.caConfig = {
      AuthMethod: { Type: "cert", MountPath: this.backend.path, Params: { name: loginRole.name } },
      CertFile: props.certFile,
      KeyFile: props.keyFile,
    };
  }
}
