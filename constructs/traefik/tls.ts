import { check, checkOptions, show, isReference } from "../core/errors";
import { checkTexts, requireText } from "../core/values";
import { isDuration } from "../nomad/jobspec";
import type { Template, Vault } from "../nomad/jobspec";
import { IngressPki } from "../vault/ingress-pki";
import { joinText } from "../core/json-text";

/** Options of {@link TraefikTls.fromVault}. */
export interface VaultTlsOptions {
  /** Vault PKI issue path, e.g. `"pki_int/issue/ingress"`. */
  readonly issuePath: string;
  /** Common name of the certificate, e.g. `"*.example.com"`. */
  readonly commonName: string;
  /**
   * Subject alternative names.
   * @default - none
   */
  readonly altNames?: string[];
  /**
   * Certificate lifetime.
   * @default "72h"
   */
  readonly ttl?: string;
  /**
   * Vault JWT role the task logs in with through its workload identity (Nomad >= 1.7); give this or
   * `policies`.
   * @default - none: `policies` instead
   */
  readonly role?: string;
  /**
   * Vault policies the task's token carries, minted by Nomad's servers from their token role (Nomad
   * < 1.10, the only way before 1.7); give this or `role`.
   * @default - none: `role` instead
   */
  readonly policies?: string[];
}

/** Options of {@link TraefikTls.fromFiles}. */
export interface FileTlsOptions {
  /** Certificate (PEM) path as the Traefik task sees it. */
  readonly certFile: string;
  /** Private key (PEM) path as the Traefik task sees it. */
  readonly keyFile: string;
}

/** What a TLS source adds to the Traefik task. */
export interface TlsMaterial {
  /** Templates writing the certificate, if any. */
  readonly templates: Template[];
  /** Vault access, if any. */
  readonly vault?: Vault;
  /** The certificate and key paths for Traefik's `tls.certificates`, relative to the secrets directory when `inSecrets`. */
  readonly certFile: string;
  /** The key path. */
  readonly keyFile: string;
  /** Whether the paths are relative to the task's secrets directory. */
  readonly inSecrets: boolean;
}

/** Where Traefik's certificate for the TLS entry point comes from. */
export class TraefikTls {
  /**
   * Issues the certificate from a Vault PKI role with consul-template's `pkiCert`, logging in through
   * the task's workload identity (`vault { role = … }`) or, on older clusters, with a token Nomad mints
   * for the named policies (`vault { policies = … }`); the task restarts when it is renewed.
   */
  public static fromVault(options: VaultTlsOptions): TraefikTls {
    const where = "TraefikTls.fromVault";
    checkOptions(where, options, "{ issuePath, commonName, role }");
    check(
      where,
      (options.role === undefined) !== (options.policies === undefined),
      `role ${show(options.role)} and policies ${show(options.policies)}: give exactly one, ` +
        'role: "traefik-ingress" (workload identity) or policies: ["dc1-ingress-issue"] (legacy token role)',
    );
    check(
      where,
      isReference(options.issuePath) ||
        (typeof options.issuePath === "string" &&
          /^[^/\s]+(\/[^/\s]+)*\/issue\/[^/\s]+$/.test(options.issuePath)),
      `issuePath ${show(options.issuePath)} is not a PKI issue path; use "<mount>/issue/<role>" such as "pki_int/issue/ingress"`,
    );
    requireText(where, "commonName", options.commonName, "*.example.com");
    checkTexts(where, "altNames", options.altNames, "www.example.com");
    if (options.role !== undefined) requireText(where, "role", options.role, "traefik");
    checkTexts(where, "policies", options.policies, "dc1-ingress-issue");
    check(
      where,
      options.policies === undefined || options.policies.length > 0,
      "policies [] is empty; name the Vault policies the task needs, or log in with role instead",
    );
    const ttl = options.ttl ?? "72h";
    check(
      where,
      isReference(ttl) || (typeof ttl === "string" && isDuration(ttl)),
      `ttl ${show(ttl)} is not a duration; use e.g. "72h"`,
    );
    const args = [
      `common_name=${options.commonName}`,
      ...(options.altNames?.length ? [`alt_names=${joinText(options.altNames, ",")}`] : []),
      `ttl=${ttl}`,
    ];
    const template: Template = {
      EmbeddedTmpl:
        `{{ with pkiCert ${[options.issuePath, ...args].map((a) => JSON.stringify(a)).join(" ")} }}\n` +
        // The issuing CA after the leaf: clients that trust only the root can build the chain.
        "{{ .Cert }}\n{{ .CA }}\n{{ .Key }}\n{{ end }}\n",
      DestPath: "secrets/tls/ingress.pem",
      ChangeMode: "restart",
      Perms: "0600",
    };
    return new TraefikTls({
      templates: [template],
      vault: options.role !== undefined ? { Role: options.role } : { Policies: options.policies },
      certFile: "tls/ingress.pem",
      keyFile: "tls/ingress.pem",
      inSecrets: true,
    });
  }

  /**
   * The certificate of an {@link IngressPki}: `ingress.<domain>`, valid for every host of the domain,
   * issued through its login role (workload identity) or its issuing policy (the legacy token role).
   */
  public static fromIngressPki(pki: IngressPki): TraefikTls {
    check(
      "TraefikTls.fromIngressPki",
      pki instanceof IngressPki,
      `pki ${show(pki)} is not an IngressPki; pass the platform's ingressPki`,
    );
    return TraefikTls.fromVault({
      issuePath: `${pki.path}/issue/${pki.roleName}`,
      commonName: `ingress.${pki.domain}`,
      altNames: [`*.${pki.domain}`],
      ...(pki.loginRoleName ? { role: pki.loginRoleName } : { policies: [pki.policyName] }),
    });
  }

  /** Reads the certificate and key from files already present in the task (e.g. a host volume). */
  public static fromFiles(options: FileTlsOptions): TraefikTls {
    const where = "TraefikTls.fromFiles";
    checkOptions(where, options, "{ certFile, keyFile }");
    requireText(where, "certFile", options.certFile, "/etc/ssl/ingress.crt");
    requireText(where, "keyFile", options.keyFile, "/etc/ssl/ingress.key");
    return new TraefikTls({
      templates: [],
      certFile: options.certFile,
      keyFile: options.keyFile,
      inSecrets: false,
    });
  }

  private constructor(
    /** What this source adds to the task. */
    public readonly material: TlsMaterial,
  ) {}
}
