import { check, checkPropsOf, checkReferenceOf, isReference, show } from "../core/errors";
import { Fn, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { CertificateAuthority } from "@cdktf/provider-consul/lib/certificate-authority";
import { checkUrl } from "../core/names";
import { checkBoolean, checkDependsOn, checkText } from "../core/values";
import { ConnectCaPki } from "../vault/connect-ca-pki";
import { ConsulCaLogin } from "../vault/consul-ca-login";
import { ConsulCaToken } from "../vault/consul-ca-token";

/** Props for {@link ConnectCa}. */
export interface ConnectCaProps {
  /** The Vault PKI the CA signs with; paths and TTLs are read from it, never repeated. */
  readonly pki: ConnectCaPki;
  /**
   * The Vault token Consul authenticates with: it lives in Terraform state (and in Consul's CA
   * configuration). Give exactly one of `token` and `login`.
   * @default - none: `login` is given
   */
  readonly token?: ConsulCaToken;
  /**
   * Consul's own login to Vault with its servers' TLS certificates: no CA token exists outside Vault
   * and Consul. Give exactly one of `token` and `login`.
   * @default - none: `token` is given
   */
  readonly login?: ConsulCaLogin;
  /** Vault's address as the Consul servers reach it. */
  readonly vaultAddress: string;
  /**
   * CA file, as the Consul servers see it, that signed Vault's HTTPS certificate (`CAFile`); relative
   * paths resolve from the servers' working directory. Required for an `https` Vault unless
   * `vaultSystemRoots` is set: the CA configuration then verifies Vault against the CA that signed it.
   * @default - none (an `http` Vault, or `vaultSystemRoots`)
   */
  readonly vaultCaFile?: string;
  /**
   * Verify an `https` Vault against the Consul servers' system roots (a publicly trusted certificate)
   * instead of `vaultCaFile`.
   * @default false
   */
  readonly vaultSystemRoots?: boolean;
  /**
   * Resources that must exist first, typically the Consul agent job (registered, not necessarily
   * healthy: on a brand-new cluster Consul's servers must already answer).
   * @default - none beyond the references to the PKI and token
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Consul's Connect CA configuration with the Vault provider (`consul_certificate_authority`),
 * equivalent to the seed's `connect { ca_provider = "vault" ca_config { ... } }` agent block but
 * applied through Consul's API, after Consul is up and the Vault PKI is ready.
 *
 * With `login`, Consul's servers log in to Vault themselves and no token is written anywhere; with
 * `token`, the token reaches `config_json` through `jsonencode()` of a sensitive reference, so
 * Terraform masks the whole value in plans (it stays in state: treat the state as a secret).
 */
export class ConnectCa extends Construct {
  /** The underlying `consul_certificate_authority`. */
  public readonly resource: CertificateAuthority;

  public constructor(scope: Construct, id: string, props: ConnectCaProps) {
    checkPropsOf("ConnectCa", scope, id, props, "{ pki, login, vaultAddress }");
    checkReferenceOf("ConnectCa", scope, id, "pki", props.pki, ConnectCaPki, "the Vault PKI of the CA");
    if (props.token !== undefined || props.login === undefined) {
      checkReferenceOf(
        "ConnectCa",
        scope,
        id,
        "token",
        props.token,
        ConsulCaToken,
        "the ConsulCaToken Consul signs with, or a ConsulCaLogin as login",
      );
    }
    if (props.login !== undefined) {
      checkReferenceOf(
        "ConnectCa",
        scope,
        id,
        "login",
        props.login,
        ConsulCaLogin,
        "the ConsulCaLogin Consul logs in to Vault with",
      );
    }
    super(scope, id);
    check(
      this,
      props.token === undefined || props.login === undefined,
      "token and login are both set; give only login (no CA token in Terraform state), or only token",
    );
    checkUrl(this, "vaultAddress", props.vaultAddress);
    checkDependsOn(this, props.dependsOn);
    checkText(this, "vaultCaFile", props.vaultCaFile, "/etc/consul.d/vault-ca.pem");
    checkBoolean(this, "vaultSystemRoots", props.vaultSystemRoots);
    check(
      this,
      isReference(props.vaultAddress) ||
        !props.vaultAddress.startsWith("https://") ||
        props.vaultCaFile !== undefined ||
        props.vaultSystemRoots === true,
      `vaultCaFile is unset for ${show(props.vaultAddress)}; give the CA file (on the Consul servers) that ` +
        `signed Vault's certificate, so the CA configuration verifies Vault, or set vaultSystemRoots for a ` +
        `publicly trusted certificate`,
    );
    const { pki } = props;
    this.resource = new CertificateAuthority(this, "Resource", {
      connectProvider: "vault",
      configJson: Fn.jsonencode({
        Address: props.vaultAddress,
        // Logged in, Consul holds no token from Terraform: the configuration (and the state) has none.
        ...(props.login ? props.login.caConfig : { Token: props.token!.secret }),
        // References (not strings) so the mounts exist before Consul looks for them.
        RootPKIPath: pki.rootMount?.path ?? pki.rootPath,
        IntermediatePKIPath: pki.intermediateMount?.path ?? pki.intermediatePath,
        LeafCertTTL: pki.leafCertTtl,
        IntermediateCertTTL: pki.intermediateCertTtl,
        RootCertTTL: pki.rootCertTtl,
        ...(props.vaultCaFile === undefined ? {} : { CAFile: props.vaultCaFile }),
      }),
      dependsOn: [
        ...(pki.rootCertificate ? [pki.rootCertificate] : []),
        pki.policy,
        ...(props.login ? [props.login.rotationRole ?? props.login.role] : []),
        ...(props.dependsOn ?? []),
      ],
    });
  }
}
