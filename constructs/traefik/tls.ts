import { check, checkOptions, show } from "../core/errors";
import { checkTexts, requireText } from "../core/values";
import { isDuration } from "../nomad/jobspec";
import type { Template, Vault } from "../nomad/jobspec";

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
  /** Vault JWT role the task logs in with through its workload identity. */
  readonly role: string;
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
   * the task's workload identity (`vault { role = … }`); the task restarts when it is renewed.
   */
  public static fromVault(options: VaultTlsOptions): TraefikTls {
    const where = "TraefikTls.fromVault";
    checkOptions(where, options, "{ issuePath, commonName, role }");
    check(
      where,
      typeof options.issuePath === "string" &&
        /^[^/\s]+(\/[^/\s]+)*\/issue\/[^/\s]+$/.test(options.issuePath),
      `issuePath ${show(options.issuePath)} is not a PKI issue path; use "<mount>/issue/<role>" such as "pki_int/issue/ingress"`,
    );
    requireText(where, "commonName", options.commonName, "*.example.com");
    checkTexts(where, "altNames", options.altNames, "www.example.com");
    requireText(where, "role", options.role, "traefik");
    const ttl = options.ttl ?? "72h";
    check(
      where,
      typeof ttl === "string" && isDuration(ttl),
      `ttl ${show(ttl)} is not a duration; use e.g. "72h"`,
    );
    const args = [
      `common_name=${options.commonName}`,
      ...(options.altNames?.length ? [`alt_names=${options.altNames.join(",")}`] : []),
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
      vault: { Role: options.role },
      certFile: "tls/ingress.pem",
      keyFile: "tls/ingress.pem",
      inSecrets: true,
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
