import { Construct } from "constructs";
import { JwtAuthBackend } from "@cdktf/provider-vault/lib/jwt-auth-backend";
import { JwtAuthBackendRole } from "@cdktf/provider-vault/lib/jwt-auth-backend-role";
import { Policy } from "@cdktf/provider-vault/lib/policy";
import { TokenAuthBackendRole } from "@cdktf/provider-vault/lib/token-auth-backend-role";
import { check, checkPropsOf, show } from "../core/errors";
import { durationSeconds } from "../core/duration";
import { checkUrl, checkVaultPath, VAULT_NAME } from "../core/names";
import { checkBoolean, checkOneOf, checkPattern, checkText } from "../core/values";
import {
  checkNomadVersion,
  DEFAULT_NOMAD_VERSION,
  nomadHas,
  requireNomadFeature,
} from "../core/server-versions";
import { PolicyDocument, PolicyRule } from "./policy-document";
import { checkPolicyRule } from "./policy-rule";
import { lazyPolicy } from "./lazy-policy";

/** How Nomad obtains Vault tokens for workloads. */
export enum NomadVaultMode {
  /** Nomad 1.7+: tasks log in to a JWT auth method with their signed workload identity. */
  WORKLOAD_IDENTITY = "workload-identity",
  /** Before Nomad 1.10: Nomad servers mint tokens from the `nomad-cluster` token role. */
  LEGACY_TOKEN_ROLE = "legacy-token-role",
}

/** Props for {@link NomadVaultIntegration}. */
export interface NomadVaultIntegrationProps {
  /** Nomad's HTTP address as Vault reaches it; its JWKS is served at `/.well-known/jwks.json`. */
  readonly nomadAddress: string;
  /**
   * The integration to create; refused where `nomadVersion` lacks it (workload identity needs Nomad
   * 1.7, the token role went in Nomad 1.10).
   * @default - NomadVaultMode.WORKLOAD_IDENTITY from Nomad 1.7, else NomadVaultMode.LEGACY_TOKEN_ROLE
   */
  readonly mode?: NomadVaultMode;
  /**
   * The Nomad version of the cluster: picks the default mode and refuses one it does not have.
   * @default "1.11.3"
   */
  readonly nomadVersion?: string;
  /**
   * PEM of the CA that signed Nomad's HTTPS certificate, for Vault fetching the JWKS (`jwks_ca_pem`).
   * @default - Vault's system roots (plain HTTP needs none)
   */
  readonly jwksCaPem?: string;
  /**
   * Mount path of the JWT auth method (workload identity).
   * @default "jwt-nomad"
   */
  readonly authPath?: string;
  /**
   * Name of the default role, which Nomad's `vault.create_from_role`/`default_identity` uses.
   * @default "nomad-workloads"
   */
  readonly roleName?: string;
  /**
   * Audience Nomad puts in workload identities for Vault (`vault.default_identity.aud`).
   * @default "vault.io"
   */
  readonly audience?: string;
  /**
   * Token period of workload tokens; Nomad renews them while the task runs.
   * @default "30m"
   */
  readonly tokenPeriod?: string;
  /**
   * Protect the JWT auth backend with `prevent_destroy`: disabling the mount revokes the Vault token of
   * every workload that logged in through it.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * KV v2 mount whose `<namespace>/<job>` subtree each job may read.
   * @default "secret"
   */
  readonly kvMount?: string;
}

/**
 * Vault access for Nomad.
 *
 * Workload identity (default) reproduces what `nomad setup vault` creates: a JWT auth method trusting
 * Nomad's JWKS, a `nomad-workloads` role binding the `vault.io` audience with `nomad_job_id` as user
 * claim and namespace/job/task claim mappings, and a templated policy scoping KV reads to the job.
 * The legacy mode is the `nomad-cluster` token role and `nomad-server` policy from Nomad's Vault
 * integration guide for clusters before Nomad 1.10 (the paths listed in the meshstack seed write-up).
 */
export class NomadVaultIntegration extends Construct {
  /** The mode in use. */
  public readonly mode: NomadVaultMode;
  /** Workload identity: the JWT auth method. */
  public readonly authBackend?: JwtAuthBackend;
  /** Workload identity: the default role. */
  public readonly role?: JwtAuthBackendRole;
  /** Legacy: the `nomad-cluster` token role. */
  public readonly tokenRole?: TokenAuthBackendRole;
  /** The policy workloads (or, legacy, the Nomad servers) get. */
  public readonly policy: Policy;
  private readonly document: PolicyDocument;

  public constructor(scope: Construct, id: string, props: NomadVaultIntegrationProps) {
    checkPropsOf("NomadVaultIntegration", scope, id, props, "{ nomadAddress }");
    super(scope, id);
    const version = props.nomadVersion ?? DEFAULT_NOMAD_VERSION;
    checkNomadVersion(this, "nomadVersion", version);
    checkUrl(this, "nomadAddress", props.nomadAddress);
    checkOneOf(this, "mode", props.mode, Object.values(NomadVaultMode));
    this.mode =
      props.mode ??
      (nomadHas(version, "workload-identity")
        ? NomadVaultMode.WORKLOAD_IDENTITY
        : NomadVaultMode.LEGACY_TOKEN_ROLE);
    requireNomadFeature(
      this,
      "mode",
      this.mode,
      version,
      this.mode === NomadVaultMode.WORKLOAD_IDENTITY ? "workload-identity" : "token-flows",
      this.mode === NomadVaultMode.WORKLOAD_IDENTITY
        ? "use NomadVaultMode.LEGACY_TOKEN_ROLE (the default there) or upgrade Nomad"
        : "use NomadVaultMode.WORKLOAD_IDENTITY (the default there)",
    );
    if (this.mode === NomadVaultMode.LEGACY_TOKEN_ROLE) {
      this.document = new PolicyDocument(nomadServerRules);
      this.policy = lazyPolicy(this, "Policy", "nomad-server", this.document);
      this.tokenRole = new TokenAuthBackendRole(this, "TokenRole", {
        roleName: "nomad-cluster",
        disallowedPolicies: [this.policy.name],
        orphan: true,
        renewable: true,
        tokenPeriod: 259200,
        tokenExplicitMaxTtl: 0,
      });
      return;
    }

    const authPath = props.authPath ?? "jwt-nomad";
    const roleName = props.roleName ?? "nomad-workloads";
    const kv = props.kvMount ?? "secret";
    checkVaultPath(this, "authPath", authPath);
    checkVaultPath(this, "kvMount", kv);
    checkPattern(this, "roleName", roleName, VAULT_NAME, "a Vault role name", "nomad-workloads");
    checkText(this, "audience", props.audience, "vault.io");
    checkText(this, "jwksCaPem", props.jwksCaPem, "-----BEGIN CERTIFICATE-----…");
    checkBoolean(this, "preventDestroy", props.preventDestroy);
    this.authBackend = new JwtAuthBackend(this, "AuthBackend", {
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
      path: authPath,
      type: "jwt",
      description: "Nomad workload identities",
      jwksUrl: `${props.nomadAddress.replace(/\/+$/, "")}/.well-known/jwks.json`,
      jwksCaPem: props.jwksCaPem,
      jwtSupportedAlgs: ["RS256", "EdDSA"],
      defaultRole: roleName,
    });
    const meta = (claim: string) =>
      `{{identity.entity.aliases.${this.authBackend!.accessor}.metadata.${claim}}}`;
    const jobPath = `${meta("nomad_namespace")}/${meta("nomad_job_id")}`;
    this.document = new PolicyDocument([
      { path: `${kv}/data/${jobPath}/*`, capabilities: ["read"], comment: "each job reads its own secrets" },
      { path: `${kv}/data/${jobPath}`, capabilities: ["read"] },
      { path: `${kv}/metadata/${meta("nomad_namespace")}/*`, capabilities: ["list"] },
      { path: `${kv}/metadata/*`, capabilities: ["list"] },
    ]);
    this.policy = lazyPolicy(this, "Policy", roleName, this.document);
    const tokenPeriod = props.tokenPeriod ?? "30m";
    this.role = new JwtAuthBackendRole(this, "Role", {
      backend: this.authBackend.path,
      roleName,
      roleType: "jwt",
      boundAudiences: [props.audience ?? "vault.io"],
      userClaim: "/nomad_job_id",
      userClaimJsonPointer: true,
      claimMappings: {
        nomad_namespace: "nomad_namespace",
        nomad_job_id: "nomad_job_id",
        nomad_task: "nomad_task",
      },
      tokenType: "service",
      tokenPolicies: [this.policy.name],
      tokenPeriod: durationSeconds(this, "tokenPeriod", tokenPeriod),
      tokenExplicitMaxTtl: 0,
    });
  }

  /**
   * Grants every workload an extra rule (e.g. `pki_int/issue/traefik` for the ingress certificate).
   * Prefer a dedicated role for one job; this widens the shared workload policy.
   */
  public grantWorkloads(rule: PolicyRule): void {
    checkPolicyRule(this, "grantWorkloads rule", rule);
    check(
      this,
      this.mode === NomadVaultMode.WORKLOAD_IDENTITY,
      `grantWorkloads(${show(rule.path)}) needs mode "workload-identity"; legacy tokens carry the job's vault.policies`,
    );
    this.document.addRule(rule);
  }
}

/** The Nomad server policy for the legacy token role, exactly as in Nomad's guide and the seed. */
const nomadServerRules: PolicyRule[] = [
  {
    path: "auth/token/create/nomad-cluster",
    capabilities: ["update"],
    comment: "create tokens under the nomad-cluster role",
  },
  {
    path: "auth/token/roles/nomad-cluster",
    capabilities: ["read"],
    comment: "look up the nomad-cluster role",
  },
  { path: "auth/token/lookup-self", capabilities: ["read"], comment: "validate Nomad's own token" },
  {
    path: "auth/token/lookup",
    capabilities: ["update"],
    comment: "look up incoming tokens (allow_unauthenticated = false)",
  },
  { path: "auth/token/revoke-accessor", capabilities: ["update"], comment: "revoke tokens of dead tasks" },
  {
    path: "sys/capabilities-self",
    capabilities: ["update"],
    comment: "check the token's capabilities at start-up",
  },
  { path: "auth/token/renew-self", capabilities: ["update"], comment: "renew Nomad's own token" },
];
