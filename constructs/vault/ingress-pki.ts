import { Construct } from "constructs";
import { JwtAuthBackendRole } from "@cdktf/provider-vault/lib/jwt-auth-backend-role";
import { Mount } from "@cdktf/provider-vault/lib/mount";
import { PkiSecretBackendRole } from "@cdktf/provider-vault/lib/pki-secret-backend-role";
import { PkiSecretBackendRootCert } from "@cdktf/provider-vault/lib/pki-secret-backend-root-cert";
import { PkiSecretBackendConfigUrls } from "@cdktf/provider-vault/lib/pki-secret-backend-config-urls";
import { PkiSecretBackendIntermediateCertRequest } from "@cdktf/provider-vault/lib/pki-secret-backend-intermediate-cert-request";
import { PkiSecretBackendIntermediateSetSigned } from "@cdktf/provider-vault/lib/pki-secret-backend-intermediate-set-signed";
import { PkiSecretBackendRootSignIntermediate } from "@cdktf/provider-vault/lib/pki-secret-backend-root-sign-intermediate";
import { Policy } from "@cdktf/provider-vault/lib/policy";
import { check, checkPropsOf, checkReferenceOf, show, isReference } from "../core/errors";
import { checkDatacenter, checkHostName, checkServiceName, checkUrl, NOMAD_NAMESPACE } from "../core/names";
import { checkBoolean } from "../core/values";
import { NomadVaultIntegration } from "./nomad-vault";

/** Props for {@link IngressPki}. */
export interface IngressPkiProps {
  /** Datacenter; prefixes the mount path (`<datacenter>/ingress`). */
  readonly datacenter: string;
  /** DNS domain the ingress serves: certificates for it and its subdomains. */
  readonly domain: string;
  /**
   * Nomad's Vault access: with workload identity the ingress job logs in through its JWT auth method
   * (a role bound to the job); with the legacy token role it asks for the issuing policy by name.
   */
  readonly nomadVault: NomadVaultIntegration;
  /**
   * Nomad job ID of the ingress, the only workload that may issue its certificates.
   * @default "traefik"
   */
  readonly jobName?: string;
  /**
   * Nomad namespace of the ingress job.
   * @default "default"
   */
  readonly namespace?: string;
  /**
   * Vault's address as clients reach it: the certificates name its issuing-certificate and CRL URLs,
   * so a verifier can fetch the chain and check revocation.
   * @default - no URLs in the certificates
   */
  readonly vaultAddress?: string;
  /**
   * Protect the root mount, the root certificate and the issuing mount with `prevent_destroy`:
   * destroying them lets the ingress serve nothing its clients trust.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * A certificate authority for the ingress's TLS entry point, so it never serves a generated default:
 * a Vault `pki` mount with its own root, a role issuing certificates for the domain and its
 * subdomains (72 h, renewed by Nomad's template), and a policy that may issue from that role and
 * nothing else: with workload identity behind a JWT role only the ingress job can log in with, with
 * the legacy token role (Nomad < 1.7) named in the job's `vault { policies }`. Clients trust the
 * root (`<datacenter>/ingress/ca/pem`); `TraefikTls.fromIngressPki(pki)` is the ingress's `tls` prop.
 */
export class IngressPki extends Construct {
  /** The issuing `pki` mount (`<datacenter>/ingress`), holding the intermediate the root signed. */
  public readonly mount: Mount;
  /** The root `pki` mount (`<datacenter>/ingress_root`); it signs the intermediate, never a leaf. */
  public readonly rootMount: Mount;
  /** Issues certificates for the domain and its subdomains. */
  public readonly role: PkiSecretBackendRole;
  /** The Vault policy that may issue from {@link role}, and nothing else. */
  public readonly policy: Policy;
  /** Name of {@link policy} (`<datacenter>-ingress-issue`). */
  public readonly policyName: string;
  /** The Vault JWT role the ingress job logs in with (workload identity only). */
  public readonly loginRole?: JwtAuthBackendRole;
  /** The domain served. */
  public readonly domain: string;
  /** Path of the `pki` mount. */
  public readonly path: string;
  /** Name of the PKI role (the ingress job's ID). */
  public readonly roleName: string;
  /** Name of the Vault JWT role the ingress logs in with (workload identity only). */
  public readonly loginRoleName?: string;

  public constructor(scope: Construct, id: string, props: IngressPkiProps) {
    checkPropsOf("IngressPki", scope, id, props, '{ datacenter, domain: "example.com", nomadVault }');
    checkReferenceOf(
      "IngressPki",
      scope,
      id,
      "nomadVault",
      props.nomadVault,
      NomadVaultIntegration,
      "the platform's NomadVaultIntegration (workload identity)",
    );
    super(scope, id);
    checkDatacenter(this, "datacenter", props.datacenter);
    checkHostName(this, "domain", props.domain, "prod.example.com");
    const jobName = props.jobName ?? "traefik";
    const namespace = props.namespace ?? "default";
    checkServiceName(this, "jobName", jobName);
    check(
      this,
      isReference(namespace) || (typeof namespace === "string" && NOMAD_NAMESPACE.test(namespace)),
      `namespace ${show(namespace)} is not a Nomad namespace name; use 1-128 letters, digits and "-"`,
    );
    const { authBackend: backend, role: workloads } = props.nomadVault;
    this.domain = props.domain;
    // Literal paths and names: the ingress's template renders them, and the synthesized job stays
    // free of Terraform references.
    this.path = `${props.datacenter}/ingress`;
    this.roleName = jobName;
    const path = this.path;
    checkBoolean(this, "preventDestroy", props.preventDestroy);
    if (props.vaultAddress !== undefined) checkUrl(this, "vaultAddress", props.vaultAddress);
    const lifecycle = { preventDestroy: props.preventDestroy ?? true };
    const years = (n: number) => n * 365 * 24 * 3600;
    // Vault's PKI considerations: the root only signs the intermediate; leaves come from the
    // intermediate, so the root key can stay untouched (and be rotated apart) while leaves are issued.
    this.rootMount = new Mount(this, "RootMount", {
      path: `${path}_root`,
      type: "pki",
      description: `Ingress root CA for ${props.domain}`,
      maxLeaseTtlSeconds: years(10),
      lifecycle,
    });
    const root = new PkiSecretBackendRootCert(this, "RootCertificate", {
      backend: this.rootMount.path,
      type: "internal",
      commonName: `${props.datacenter} Ingress Root CA`,
      ttl: String(years(10)),
      keyType: "ec",
      keyBits: 256,
      lifecycle,
    });
    this.mount = new Mount(this, "Mount", {
      path,
      type: "pki",
      description: `Ingress certificates for ${props.domain}`,
      maxLeaseTtlSeconds: years(5),
      lifecycle,
    });
    const request = new PkiSecretBackendIntermediateCertRequest(this, "IntermediateRequest", {
      backend: this.mount.path,
      type: "internal",
      commonName: `${props.datacenter} Ingress Intermediate CA`,
      keyType: "ec",
      keyBits: 256,
    });
    const signed = new PkiSecretBackendRootSignIntermediate(this, "IntermediateSigned", {
      backend: this.rootMount.path,
      csr: request.csr,
      commonName: `${props.datacenter} Ingress Intermediate CA`,
      ttl: String(years(5)),
      // Only names of the domain, below the intermediate.
      permittedDnsDomains: [props.domain],
      dependsOn: [root],
    });
    const intermediate = new PkiSecretBackendIntermediateSetSigned(this, "Intermediate", {
      backend: this.mount.path,
      certificate: signed.certificate,
    });
    if (props.vaultAddress !== undefined) {
      const base = props.vaultAddress.replace(/\/+$/, "");
      for (const [id, mount, mountPath] of [
        ["RootUrls", this.rootMount, `${path}_root`],
        ["Urls", this.mount, path],
      ] as const) {
        new PkiSecretBackendConfigUrls(this, id, {
          backend: mount.path,
          issuingCertificates: [`${base}/v1/${mountPath}/ca`],
          crlDistributionPoints: [`${base}/v1/${mountPath}/crl`],
        });
      }
    }
    this.role = new PkiSecretBackendRole(this, "Role", {
      backend: this.mount.path,
      name: jobName,
      allowedDomains: [props.domain],
      allowBareDomains: true,
      allowSubdomains: true,
      allowWildcardCertificates: true,
      // Only server certificates for the domain's names: no localhost, no IP SANs, no client use.
      allowLocalhost: false,
      allowIpSans: false,
      serverFlag: true,
      clientFlag: false,
      enforceHostnames: true,
      // The ingress renews through its template; Vault keeps no copy of each leaf.
      noStore: true,
      keyType: "ec",
      keyBits: 256,
      ttl: String(72 * 3600),
      maxTtl: String(7 * 24 * 3600),
      dependsOn: [intermediate],
    });
    this.policyName = `${props.datacenter}-ingress-issue`;
    const policy = (this.policy = new Policy(this, "Policy", {
      name: this.policyName,
      policy: `path "${path}/issue/${jobName}" {\n  capabilities = ["update"]\n}\n`,
    }));
    // Legacy token role: the job names the policy in `vault { policies }`, and Nomad's servers mint
    // its token (any job its submitters may register can ask for it; workload identity binds the job).
    if (backend === undefined || workloads === undefined) return;
    this.loginRoleName = `${jobName}-ingress`;
    this.loginRole = new JwtAuthBackendRole(this, "LoginRole", {
      backend: backend.path,
      roleName: this.loginRoleName,
      roleType: "jwt",
      boundAudiences: workloads.boundAudiences,
      // Only the ingress job's tasks: the claims Nomad signs into its workload identities.
      boundClaims: { nomad_namespace: namespace, nomad_job_id: jobName },
      userClaim: "/nomad_job_id",
      userClaimJsonPointer: true,
      tokenType: "service",
      tokenPolicies: [policy.name],
      tokenPeriod: 30 * 60,
      tokenExplicitMaxTtl: 0,
    });
  }
}
