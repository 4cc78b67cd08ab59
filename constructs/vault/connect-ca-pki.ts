import { Construct } from "constructs";
import { Mount } from "@cdktf/provider-vault/lib/mount";
import { Policy } from "@cdktf/provider-vault/lib/policy";
import { PkiSecretBackendRootCert } from "@cdktf/provider-vault/lib/pki-secret-backend-root-cert";
import { check, checkLiteral, checkPropsOf, isObject, show } from "../core/errors";
import { checkNotLonger, durationSeconds } from "../core/duration";
import { checkDatacenter, checkVaultPath, VAULT_NAME } from "../core/names";
import { checkBoolean, checkInteger, checkOneOf, checkPattern, checkText } from "../core/values";
import { PolicyDocument } from "./policy-document";
import { lazyPolicy } from "./lazy-policy";

/** Who creates and owns the Connect CA's `pki` mounts. */
export enum PkiMountOwnership {
  /**
   * Terraform creates both mounts and the root certificate (key kept inside Vault); Consul may only
   * read the root, sign its intermediate and tune the intermediate mount ("Vault-managed PKI paths").
   */
  TERRAFORM = "terraform",
  /** Consul mounts, generates and tunes both paths itself ("Consul-managed PKI paths"). */
  CONSUL = "consul",
}

/** Props for {@link ConnectCaPki}. */
export interface ConnectCaPkiProps {
  /** The Consul datacenter the CA serves; prefixes the default mount paths and policy name. */
  readonly datacenter: string;
  /**
   * Vault path of the root CA mount.
   * @default "<datacenter>/connect_root"
   */
  readonly rootPath?: string;
  /**
   * Vault path of the intermediate CA mount. Each root generation has its own: Consul before 1.15
   * keeps signing with the intermediate it has when only the root path changes (the new root would
   * list the old root's intermediate), so a rotation moves both.
   * @default "<datacenter>/connect_intermediate", "<datacenter>/connect_intermediate_<rootGeneration>" from generation 2
   */
  readonly intermediatePath?: string;
  /**
   * Who owns the mounts.
   * @default PkiMountOwnership.TERRAFORM
   */
  readonly ownership?: PkiMountOwnership;
  /**
   * Lifetime of the root certificate; also the root mount's max lease TTL.
   * @default "87600h"
   */
  readonly rootCertTtl?: string;
  /**
   * Lifetime of the intermediate certificate Consul signs; also the intermediate mount's max lease TTL.
   * @default "8760h"
   */
  readonly intermediateCertTtl?: string;
  /**
   * Lifetime of the leaf certificates Consul issues to services: 1h-8760h, and at most a third of
   * `intermediateCertTtl` (Consul's CA configuration rules).
   * @default "72h"
   */
  readonly leafCertTtl?: string;
  /**
   * Common name of the root certificate (Terraform ownership only).
   * @default "<datacenter> Connect Root CA"
   */
  readonly rootCommonName?: string;
  /**
   * Name of the Vault policy Consul's CA provider uses: lowercase letters, digits, "_", "-" and ".".
   * @default "<datacenter>-consul-connect-ca"
   */
  readonly policyName?: string;
  /**
   * Protect the mounts and root certificate with `prevent_destroy`: destroying them revokes every
   * certificate in the mesh.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Grant the root cross-sign (`<root>/root/sign-self-issued`, with `sudo`) for a root rotation:
   * Consul asks the old root to cross-sign the new one so existing leaves stay valid. Consul's Vault
   * CA guide lists it only for changing the provider or `RootPKIPath` ("an extremely privileged root
   * cross-sign operation"), so it lives in a separate policy (`rotationPolicy`) that exists only while
   * this is set: set it for the deploy that rotates the root, unset it after (each flip replaces the
   * CA token, so the right goes with the token that held it).
   * @default false
   */
  readonly rootRotation?: boolean;
  /**
   * Generation of the root (Terraform ownership): generation 1 keeps the original resource addresses,
   * each later one gets its own (`RootMount2`, `RootCertificate2`, `IntermediateMount2`, …), so a new
   * root and its intermediate are new mounts beside the old ones, never remounts of them. Raise it,
   * with a new `rootPath`, to rotate the root.
   * @default 1
   */
  readonly rootGeneration?: number;
  /**
   * The root being rotated out, kept (mount, certificate and intermediate mount, at the addresses of
   * its generation) while Consul cross-signs the new root with it. Needs `rootRotation` (the cross-sign right, on
   * this root's path). Drop it, and `rootRotation`, in the deploy that finishes the rotation.
   * @default - no rotation under way
   */
  readonly retiringRoot?: RetiringRoot;
}

/** The root a rotation replaces (see {@link ConnectCaPkiProps.retiringRoot}). */
export interface RetiringRoot {
  /** Its mount path, as it was deployed. */
  readonly path: string;
  /** Its generation, as it was deployed. */
  readonly generation: number;
  /**
   * Its certificate's common name, as it was deployed (a change would replace it).
   * @default - the default common name of its generation
   */
  readonly commonName?: string;
  /**
   * Its certificate's lifetime, as it was deployed (a change would replace it).
   * @default - rootCertTtl
   */
  readonly certTtl?: string;
  /**
   * Its intermediate mount's path, as it was deployed.
   * @default - the default intermediate path of its generation
   */
  readonly intermediatePath?: string;
}

const HOUR = 3600;
const DEFAULT_TTLS = { root: "87600h", intermediate: "8760h", leaf: "72h" };

/**
 * Vault PKI for the Consul Connect CA: the root and intermediate `pki` mounts and the least-privilege
 * policy Consul's Vault CA provider needs.
 *
 * The policy follows Consul's Vault CA provider documentation ("Vault ACL policies", Vault-managed and
 * Consul-managed PKI paths, https://developer.hashicorp.com/consul/docs/connect/ca/vault) and the
 * policy in the meshstack seed write-up (`consul1/connect_root`, `consul1/connect_intermediate`).
 * With Terraform ownership, Consul still tunes the intermediate mount (consul#14516), so the mount
 * ignores changes to its lease TTLs and sets them to what Consul writes.
 */
export class ConnectCaPki extends Construct {
  /** Path of the root CA mount. */
  public readonly rootPath: string;
  /** Path of the intermediate CA mount. */
  public readonly intermediatePath: string;
  /** Who owns the mounts. */
  public readonly ownership: PkiMountOwnership;
  /** Root certificate lifetime. */
  public readonly rootCertTtl: string;
  /** Intermediate certificate lifetime. */
  public readonly intermediateCertTtl: string;
  /** Leaf certificate lifetime. */
  public readonly leafCertTtl: string;
  /** The policy Consul's CA provider uses; its `name` is a Terraform reference. */
  public readonly policy: Policy;
  /** The policy's rules; `addRule` widens it (rarely needed). */
  public readonly policyDocument: PolicyDocument;
  /** The root cross-sign policy, only while `rootRotation` is set. */
  public readonly rotationPolicy?: Policy;
  /** The root mount, when Terraform owns it. */
  public readonly rootMount?: Mount;
  /** The intermediate mount, when Terraform owns it. */
  public readonly intermediateMount?: Mount;
  /** The root certificate, when Terraform owns the mounts. */
  public readonly rootCertificate?: PkiSecretBackendRootCert;
  /** The root generation. */
  public readonly rootGeneration: number;
  /** The retiring root's mount, while a rotation is under way. */
  public readonly retiringRootMount?: Mount;
  /** The retiring root's certificate, while a rotation is under way. */
  public readonly retiringRootCertificate?: PkiSecretBackendRootCert;
  /** The retiring root's intermediate mount, while a rotation is under way. */
  public readonly retiringIntermediateMount?: Mount;

  public constructor(scope: Construct, id: string, props: ConnectCaPkiProps) {
    checkPropsOf("ConnectCaPki", scope, id, props, '{ datacenter: "dc1" }');
    super(scope, id);
    checkDatacenter(this, "datacenter", props.datacenter);
    checkLiteral(this, "rootGeneration", props.rootGeneration, "the generation names its mounts at synth");
    this.rootPath = props.rootPath ?? `${props.datacenter}/connect_root`;
    this.intermediatePath =
      props.intermediatePath ?? defaultIntermediatePath(props.datacenter, props.rootGeneration);
    this.ownership = props.ownership ?? PkiMountOwnership.TERRAFORM;
    this.rootCertTtl = props.rootCertTtl ?? DEFAULT_TTLS.root;
    this.intermediateCertTtl = props.intermediateCertTtl ?? DEFAULT_TTLS.intermediate;
    this.leafCertTtl = props.leafCertTtl ?? DEFAULT_TTLS.leaf;
    this.validate(props);

    this.policyDocument = new PolicyDocument(
      this.ownership === PkiMountOwnership.TERRAFORM ? this.vaultManagedRules() : this.consulManagedRules(),
    );
    this.policy = lazyPolicy(
      this,
      "Policy",
      props.policyName ?? `${props.datacenter}-consul-connect-ca`,
      this.policyDocument,
    );

    checkBoolean(this, "rootRotation", props.rootRotation);
    this.rootGeneration = props.rootGeneration ?? 1;
    checkInteger(this, "rootGeneration", props.rootGeneration, 1);
    const retiring = props.retiringRoot;
    if (retiring !== undefined) this.checkRetiringRoot(props, retiring);
    if (props.rootRotation && this.ownership === PkiMountOwnership.TERRAFORM) {
      // The old root cross-signs the new one: during a rotation, the right is on the retiring root.
      const crossSigner = retiring?.path ?? this.rootPath;
      this.rotationPolicy = lazyPolicy(
        this,
        "RotationPolicy",
        `${props.policyName ?? `${props.datacenter}-consul-connect-ca`}-root-rotation`,
        new PolicyDocument([
          {
            path: `${crossSigner}/root/sign-self-issued`,
            capabilities: ["sudo", "update"],
            comment: "root rotation only: the old root cross-signs the new one so existing leaves stay valid",
          },
        ]),
      );
    }
    if (this.ownership === PkiMountOwnership.TERRAFORM) {
      const root = this.rootResources(props, {
        path: this.rootPath,
        generation: this.rootGeneration,
        commonName: props.rootCommonName,
        certTtl: this.rootCertTtl,
      });
      this.rootMount = root.mount;
      this.rootCertificate = root.certificate;
      this.intermediateMount = this.intermediateMountOf(props, this.rootGeneration, this.intermediatePath);
      if (retiring) {
        const old = this.rootResources(props, retiring);
        this.retiringRootMount = old.mount;
        this.retiringRootCertificate = old.certificate;
        this.retiringIntermediateMount = this.intermediateMountOf(
          props,
          retiring.generation,
          retiringIntermediatePath(props.datacenter, retiring),
        );
      }
    }
  }

  /**
   * A generation's intermediate mount (generation 1 at the original address). Consul owns its
   * contents and tunes its lease TTLs (consul#14516), so those changes are ignored.
   */
  private intermediateMountOf(props: ConnectCaPkiProps, generation: number, path: string): Mount {
    const { suffix, label } = generationOf(generation);
    return new Mount(this, `IntermediateMount${suffix}`, {
      path,
      type: "pki",
      description: `Consul Connect intermediate CA for ${props.datacenter}${label}`,
      maxLeaseTtlSeconds: durationSeconds(this, "intermediateCertTtl", this.intermediateCertTtl),
      lifecycle: {
        preventDestroy: props.preventDestroy ?? true,
        ignoreChanges: ["default_lease_ttl_seconds", "max_lease_ttl_seconds"],
      },
    });
  }

  /**
   * A root's mount and certificate, at the addresses of its generation (generation 1 has the original
   * ones), so the retiring and the new root are two resources each, and neither moves.
   */
  private rootResources(
    props: ConnectCaPkiProps,
    root: RetiringRoot,
  ): { mount: Mount; certificate: PkiSecretBackendRootCert } {
    const { suffix, label } = generationOf(root.generation);
    const lifecycle = { preventDestroy: props.preventDestroy ?? true };
    const ttl = root.certTtl ?? this.rootCertTtl;
    const mount = new Mount(this, `RootMount${suffix}`, {
      path: root.path,
      type: "pki",
      description: `Consul Connect root CA for ${props.datacenter}${label}`,
      maxLeaseTtlSeconds: durationSeconds(this, "rootCertTtl", ttl),
      lifecycle,
    });
    const certificate = new PkiSecretBackendRootCert(this, `RootCertificate${suffix}`, {
      backend: mount.path,
      type: "internal",
      commonName: root.commonName ?? `${props.datacenter} Connect Root CA${label}`,
      ttl: String(durationSeconds(this, "rootCertTtl", ttl)),
      keyType: "ec",
      keyBits: 256,
      lifecycle,
    });
    return { mount, certificate };
  }

  /** A rotation keeps the old root beside the new one and needs the cross-sign right. */
  private checkRetiringRoot(props: ConnectCaPkiProps, retiring: RetiringRoot): void {
    check(
      this,
      isObject(retiring),
      `retiringRoot ${show(retiring)} is not an object; pass { path: "dc1/connect_root", generation: 1 }`,
    );
    check(
      this,
      this.ownership === PkiMountOwnership.TERRAFORM,
      `retiringRoot ${show(retiring)} needs Terraform-owned mounts; with ownership "consul", Consul ` +
        `creates the new root mount itself when rootPath changes, so drop retiringRoot`,
    );
    checkVaultPath(this, "retiringRoot.path", retiring.path);
    checkInteger(this, "retiringRoot.generation", retiring.generation, 1);
    checkText(this, "retiringRoot.commonName", retiring.commonName, "dc1 Connect Root CA");
    if (retiring.certTtl !== undefined) durationSeconds(this, "retiringRoot.certTtl", retiring.certTtl);
    check(
      this,
      retiring.path !== this.rootPath && retiring.generation !== this.rootGeneration,
      `retiringRoot ${show(retiring)} is the current root (rootPath ${show(this.rootPath)}, rootGeneration ` +
        `${this.rootGeneration}); a rotation needs a new rootPath and a higher rootGeneration`,
    );
    check(
      this,
      retiring.generation < this.rootGeneration,
      `retiringRoot.generation ${retiring.generation} is not below rootGeneration ${this.rootGeneration}; ` +
        `raise rootGeneration for the new root`,
    );
    check(
      this,
      props.rootRotation === true,
      `retiringRoot ${show(retiring.path)} needs rootRotation: true, so the retiring root may cross-sign ` +
        `the new one (Consul's supported rotation); set it for this deploy`,
    );
    check(
      this,
      !retiring.path.startsWith(`${this.intermediatePath}/`) && retiring.path !== this.intermediatePath,
      `retiringRoot.path ${show(retiring.path)} is the intermediate mount's path; give the old root's path`,
    );
    checkLiteral(
      this,
      "retiringRoot.generation",
      retiring.generation,
      "it names the retiring mounts at synth",
    );
    checkLiteral(
      this,
      "retiringRoot.intermediatePath",
      retiring.intermediatePath,
      "meshstack keeps that mount apart from the new one at synth",
    );
    if (retiring.intermediatePath !== undefined)
      checkVaultPath(this, "retiringRoot.intermediatePath", retiring.intermediatePath);
    const oldIntermediate = retiringIntermediatePath(props.datacenter, retiring);
    check(
      this,
      oldIntermediate !== this.intermediatePath,
      `intermediatePath ${show(this.intermediatePath)} is the retiring root's intermediate; a rotation moves ` +
        "the intermediate too (Consul before 1.15 keeps signing with the old one when only the root path " +
        `changes), so leave intermediatePath to its generation's default or give a new path`,
    );
  }

  /** Consul may read the root and sign with it, and manage the intermediate it owns. */
  private vaultManagedRules() {
    const { rootPath: root, intermediatePath: inter } = this;
    return [
      { path: `sys/mounts/${root}`, capabilities: ["read"], comment: "Consul checks the root mount exists" },
      { path: `sys/mounts/${inter}`, capabilities: ["read"] },
      {
        path: `sys/mounts/${inter}/tune`,
        capabilities: ["update"],
        comment: "Consul 1.11+ tunes the intermediate mount",
      },
      { path: `${root}/`, capabilities: ["read"] },
      { path: `${root}/root/sign-intermediate`, capabilities: ["update"] },
      { path: `${inter}/*`, capabilities: ["create", "read", "update", "delete", "list"] },
      ...tokenSelfRules,
    ] as const;
  }

  /** Consul creates, tunes and writes both mounts. */
  private consulManagedRules() {
    const { rootPath: root, intermediatePath: inter } = this;
    const manage = ["create", "read", "update", "delete", "list"] as const;
    return [
      { path: "sys/mounts", capabilities: ["read"], comment: "Consul lists mounts to find its paths" },
      { path: `sys/mounts/${root}`, capabilities: manage },
      { path: `sys/mounts/${inter}`, capabilities: manage },
      { path: `sys/mounts/${inter}/tune`, capabilities: ["update"] },
      { path: `${root}/*`, capabilities: manage },
      { path: `${inter}/*`, capabilities: manage },
      ...tokenSelfRules,
    ] as const;
  }

  private validate(props: ConnectCaPkiProps): void {
    checkOneOf(this, "ownership", props.ownership, Object.values(PkiMountOwnership));
    checkText(this, "rootCommonName", props.rootCommonName, "dc1 Connect Root CA");
    checkPattern(
      this,
      "policyName",
      props.policyName,
      VAULT_NAME,
      "a Vault policy name",
      "dc1-consul-connect-ca",
    );
    checkBoolean(this, "preventDestroy", props.preventDestroy);
    checkVaultPath(this, "rootPath", this.rootPath);
    checkVaultPath(this, "intermediatePath", this.intermediatePath);
    const nested = (a: string, b: string) => a === b || b.startsWith(`${a}/`);
    check(
      this,
      !nested(this.rootPath, this.intermediatePath) && !nested(this.intermediatePath, this.rootPath),
      `rootPath ${show(this.rootPath)} and intermediatePath ${show(this.intermediatePath)} overlap; ` +
        `Vault mounts cannot share or nest paths, so use siblings such as "${props.datacenter}/connect_root" ` +
        `and "${props.datacenter}/connect_intermediate"`,
    );
    const ttl = (field: string, value: string) => ({ field, value });
    checkNotLonger(
      this,
      ttl("leafCertTtl", this.leafCertTtl),
      ttl("intermediateCertTtl", this.intermediateCertTtl),
    );
    checkNotLonger(
      this,
      ttl("intermediateCertTtl", this.intermediateCertTtl),
      ttl("rootCertTtl", this.rootCertTtl),
    );
    // Consul's CommonCAProviderConfig.Validate (agent/structs/connect_ca.go).
    const leaf = durationSeconds(this, "leafCertTtl", this.leafCertTtl);
    check(
      this,
      leaf >= HOUR && leaf <= 8760 * HOUR,
      `leafCertTtl ${show(this.leafCertTtl)} is outside what Consul accepts; use 1h-8760h`,
    );
    check(
      this,
      durationSeconds(this, "intermediateCertTtl", this.intermediateCertTtl) >= 3 * leaf,
      `intermediateCertTtl ${show(this.intermediateCertTtl)} is shorter than 3 × leafCertTtl ` +
        `${show(this.leafCertTtl)}; Consul sends the intermediate with each leaf and requires it, so ` +
        `lengthen intermediateCertTtl to at least "${3 * leaf}s" or shorten leafCertTtl`,
    );
  }
}

/**
 * How a root generation is addressed: generation 1 keeps the original ids, names and paths; each later
 * one gets its number as a suffix (ids), a label (descriptions, common names) and a path suffix.
 */
function generationOf(generation: number | undefined): { suffix: string; label: string } {
  const suffix = generation === undefined || generation === 1 ? "" : String(generation);
  return { suffix, label: suffix ? ` (generation ${suffix})` : "" };
}

/** The default intermediate path of a root generation: its own mount from generation 2 on. */
function defaultIntermediatePath(datacenter: string, generation: number | undefined): string {
  const { suffix } = generationOf(generation);
  return `${datacenter}/connect_intermediate${suffix ? `_${suffix}` : ""}`;
}

/** Where a retiring root's intermediate lives: as declared, else its generation's default. */
function retiringIntermediatePath(datacenter: string, retiring: RetiringRoot): string {
  return retiring.intermediatePath ?? defaultIntermediatePath(datacenter, retiring.generation);
}

/** Every Consul CA token renews and looks itself up (consul#23726: an expired token stops rotation). */
const tokenSelfRules = [
  { path: "auth/token/renew-self", capabilities: ["update"], comment: "Consul renews its own token" },
  { path: "auth/token/lookup-self", capabilities: ["read"] },
] as const;
