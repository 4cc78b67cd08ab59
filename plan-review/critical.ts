import { JobRole, ROLE_META_KEY } from "../constructs/core/markers";
import { EdgeSet, ReadEdge, Widening, collectEdges, findWidenings, readChangeEdges } from "./intentions";
import type { JsonValue } from "./plan-json";
import { CriticalChange, ReviewedResource, isIntentionType } from "./model";
import { code } from "./markdown";
import { boundaryWidenings } from "./boundaries";
import { ValueRenderer, declaredJob, fieldNamed, stringAt } from "./values";

/** Options of the critical-change rules. */
export interface CriticalRuleOptions {
  /**
   * Extra names of Vault policies the Connect CA uses, beyond those recognised by name
   * (`*connect-ca*`, `*consul-ca*`) or by rules on a PKI mount of the plan.
   * @default - none
   */
  readonly caPolicyNames?: readonly string[];
}

/** A critical resource type, recognised from its values, with why losing it hurts. */
interface CriticalRole {
  readonly label: string;
  readonly impact: string;
}

const CA_POLICY_NAME = /connect[-_]?ca|consul[-_]?ca/i;

/** The role a meshstack construct stamped on a `nomad_job` value's job (`Job.Meta`), if any. */
function stampedRole(values: JsonValue | undefined): JobRole | undefined {
  const role = stringAt(fieldNamed(declaredJob(values), "Meta"), ROLE_META_KEY);
  return role === "consul-agent" || role === "ingress" ? role : undefined;
}

function nomadJobRole(values: JsonValue | undefined, renderer: ValueRenderer): CriticalRole | undefined {
  const name = renderer.label(stringAt(values, "name") ?? "");
  const type = stringAt(values, "type") ?? "";
  const role = stampedRole(values);
  // A system job runs on every node: losing one that meshstack did not write is serious too.
  if (role === "consul-agent" || (role === undefined && type === "system")) {
    return {
      label: `${role ? "Consul agent" : "system"} job${name ? ` ${code(name)}` : ""}`,
      impact:
        "it stops on every node it runs on: for the Consul agents, service discovery and the mesh go down there",
    };
  }
  if (role === "ingress") {
    return {
      label: `Traefik ingress job${name ? ` ${code(name)}` : ""}`,
      impact: "ingress to the mesh goes down",
    };
  }
  return undefined;
}

/**
 * The critical role of a resource (PKI mount, root certificate, CA config, default deny, Consul or
 * Traefik job, CA policy), or undefined for ordinary resources.
 */
function roleOf(
  resource: ReviewedResource,
  pkiPaths: readonly string[],
  options: CriticalRuleOptions,
  renderer: ValueRenderer,
): CriticalRole | undefined {
  const values = resource.before ?? resource.after;
  const name = stringAt(values, "name");
  switch (resource.type) {
    case "vault_mount": {
      if (stringAt(values, "type") !== "pki") return undefined;
      return {
        label: `PKI mount ${code(renderer.label(stringAt(values, "path")))}`,
        impact: "its CA keys are lost and every certificate it issued is revoked",
      };
    }
    case "vault_pki_secret_backend_root_cert":
      return {
        label: "Connect root certificate",
        impact: "a new root CA: every leaf and intermediate must be reissued",
      };
    case "consul_certificate_authority":
      return {
        label: "Consul Connect CA configuration",
        impact: "the mesh CA changes (or falls back to Consul's built-in CA) and all certificates rotate",
      };
    case "nomad_job":
      return nomadJobRole(values, renderer);
    case "consul_acl_auth_method":
      return {
        label: `Consul auth method${name ? ` ${code(renderer.label(name))}` : ""}`,
        impact: "every token it issued is deleted: sidecars and tasks lose their Consul tokens",
      };
    case "vault_jwt_auth_backend":
      return {
        label: `Vault JWT auth backend ${code(renderer.label(stringAt(values, "path") ?? ""))}`,
        impact: "every Vault token workloads got through it is revoked",
      };
    case "vault_auth_backend":
      return {
        label: `Vault ${stringAt(values, "type") ?? ""} auth backend ${code(renderer.label(stringAt(values, "path") ?? ""))}`,
        impact:
          "every Vault token issued through it is revoked (through the Connect CA's login: Consul's CA token)",
      };
    case "vault_policy": {
      const policy = stringAt(values, "policy") ?? "";
      const usesPki = pkiPaths.some((p) => policy.includes(`"${p}/`) || policy.includes(`"sys/mounts/${p}`));
      const named =
        name !== undefined && (CA_POLICY_NAME.test(name) || options.caPolicyNames?.includes(name));
      if (!named && !usesPki) return undefined;
      return {
        label: `Connect CA Vault policy${name ? ` ${code(renderer.label(name))}` : ""}`,
        impact: "Consul loses access to the PKI mounts: intermediate signing and CA rotation fail",
      };
    }
    default:
      break;
  }
  if (isIntentionType(resource.type, [values]) && isDefaultDeny(resource)) {
    return {
      label: "default-deny intention (`*` → `*`)",
      impact: "without it every service may call every other",
    };
  }
  return undefined;
}

function isDefaultDeny(resource: ReviewedResource): boolean {
  const values = resource.before ?? resource.after;
  if (resource.type !== "consul_intention") return stringAt(values, "name") === "*";
  const [source, destination, action] = ["source_name", "destination_name", "action"].map((k) =>
    stringAt(values, k),
  );
  return source === "*" && destination === "*" && action === "deny";
}

function pkiMountPaths(resources: readonly ReviewedResource[]): string[] {
  const paths = new Set<string>();
  for (const r of resources) {
    if (r.type !== "vault_mount") continue;
    for (const v of [r.before, r.after]) {
      const path = stringAt(v, "path");
      if (stringAt(v, "type") === "pki" && path) paths.add(path.replace(/^\/+|\/+$/g, ""));
    }
  }
  return [...paths];
}

function edgeText(edge: ReadEdge): string {
  const source = edge.source === "*" ? "any service (`*`)" : code(edge.source);
  const destination = edge.destination === "*" ? "any service (`*`)" : code(edge.destination);
  return `${source} → ${destination}`;
}

const WIDENING_TEXT: Readonly<Record<Widening["kind"], (edge: ReadEdge, detail?: string) => string>> = {
  "new-allow": (e) => `**New allow**: ${edgeText(e)}`,
  "deny-to-allow": (e) => `**Deny changed to allow**: ${edgeText(e)}`,
  "deny-removed": (e) => `**Deny removed**: ${edgeText(e)} falls back to broader intentions`,
  "default-deny-removed": () =>
    "**Default deny removed**: `*` → `*` deny is gone, so unlisted traffic is allowed",
  "l7-widened": (e, detail) => `**L7 rules widened**: ${edgeText(e)}: ${code(detail ?? "")}`,
};

function intentionChanges(resources: readonly ReviewedResource[], renderer: ValueRenderer): CriticalChange[] {
  const before = new EdgeSet();
  const after = new EdgeSet();
  const out: CriticalChange[] = [];
  for (const r of resources) {
    if (r.kind === "read" || !isIntentionType(r.type, [r.before, r.after])) continue;
    const readings = readChangeEdges(r);
    const unreadable = readings.find((x) => "unreadable" in x);
    if (unreadable && "unreadable" in unreadable) {
      if (r.kind !== "no-op") {
        const message = `**Intention not verifiable**: ${code(r.address)} cannot be checked because ${unreadable.unreadable}; review it by hand`;
        out.push({
          address: r.address,
          type: r.type,
          concern: "intentions",
          kind: "intention-unverifiable",
          message,
        });
      }
      continue;
    }
    collectEdges(r, readings, before, after);
  }
  for (const w of findWidenings(before, after)) {
    const type = resources.find((r) => r.address === w.address)?.type ?? "";
    const message = `${WIDENING_TEXT[w.kind](w.edge, w.detail)} (${code(w.address)})`;
    out.push({
      address: w.address,
      type,
      concern: "intentions",
      kind: w.kind,
      message: renderer.leaks(message) ? "(sensitive)" : message,
    });
  }
  return out;
}

/**
 * A PKI mount whose path changes is remounted in place (vault provider 5.x): no destroy in the plan,
 * but every issuer path the mesh knows (Consul's CA configuration, roles) moves with it.
 */
function pkiMountMove(r: ReviewedResource): CriticalChange | undefined {
  if (r.type !== "vault_mount" || r.kind !== "update" || stringAt(r.after, "type") !== "pki")
    return undefined;
  const before = stringAt(r.before, "path");
  const after = stringAt(r.after, "path");
  if (!before || !after || before === after) return undefined;
  return {
    address: r.address,
    type: r.type,
    concern: r.concern,
    kind: "pki-mount-moved",
    message: `**Move** PKI mount ${code(before)} to ${code(after)} (${code(r.address)}): Consul's CA configuration and every issuer path must follow in the same apply`,
  };
}

/** PKI role fields that let the role issue more when they turn true... */
const PKI_ROLE_LOOSER_WHEN_TRUE = [
  "allow_localhost",
  "allow_ip_sans",
  "client_flag",
  "allow_any_name",
  "allow_subdomains",
  "allow_glob_domains",
  "allow_bare_domains",
  "allow_wildcard_certificates",
];
/** ...and false for these. */
const PKI_ROLE_LOOSER_WHEN_FALSE = ["no_store", "enforce_hostnames"];

/** A PKI role update that lets it issue more: a restriction turned off, or more allowed domains. */
function pkiRoleWidening(r: ReviewedResource): CriticalChange | undefined {
  if (r.type !== "vault_pki_secret_backend_role" || r.kind !== "update") return undefined;
  const flag = (v: JsonValue | undefined, key: string) =>
    v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, JsonValue>)[key] : undefined;
  const loosened = [
    ...PKI_ROLE_LOOSER_WHEN_TRUE.filter((k) => flag(r.before, k) === false && flag(r.after, k) === true),
    ...PKI_ROLE_LOOSER_WHEN_FALSE.filter((k) => flag(r.before, k) === true && flag(r.after, k) === false),
  ];
  const domains = (v: JsonValue | undefined) => {
    const list = flag(v, "allowed_domains");
    return Array.isArray(list) ? list.filter((d): d is string => typeof d === "string") : [];
  };
  const added = domains(r.after).filter((d) => !domains(r.before).includes(d));
  if (added.length > 0) loosened.push(`allowed_domains + ${added.join(", ")}`);
  if (loosened.length === 0) return undefined;
  return {
    address: r.address,
    type: r.type,
    concern: r.concern,
    kind: "pki-role-widened",
    message: `**PKI role widened** (${code(r.address)}): ${loosened.map((l) => code(l)).join(", ")}: it can issue certificates it could not before`,
  };
}

/** A meshstack platform job (Consul agents, ingress) moving to another Nomad namespace. */
function platformJobMove(r: ReviewedResource): CriticalChange | undefined {
  if (r.type !== "nomad_job" || (r.kind !== "update" && r.kind !== "replace")) return undefined;
  const namespace = (v: JsonValue | undefined) => {
    const job = declaredJob(v);
    return job && (stringAt(job, "Namespace") ?? "default");
  };
  const role = stampedRole(r.before) ?? stampedRole(r.after);
  const [before, after] = [namespace(r.before), namespace(r.after)];
  if (!role || before === undefined || after === undefined || before === after) return undefined;
  return {
    address: r.address,
    type: r.type,
    concern: r.concern,
    kind: "platform-job-moved",
    message: `**Platform job moved** from namespace ${code(before)} to ${code(after)} (${code(r.address)}): whoever may submit jobs there reads its variables (gossip key, tokens) and uses its Vault role`,
  };
}

/**
 * Finds the changes a reviewer must not miss: destroy or replace of the mesh's critical resources,
 * and any intention change that widens access.
 */
export function findCriticalChanges(
  resources: readonly ReviewedResource[],
  renderer: ValueRenderer,
  options: CriticalRuleOptions = {},
): CriticalChange[] {
  const pkiPaths = pkiMountPaths(resources);
  const out: CriticalChange[] = [];
  for (const r of resources) {
    for (const found of [pkiMountMove(r), pkiRoleWidening(r), platformJobMove(r)]) if (found) out.push(found);
    if (r.kind !== "delete" && r.kind !== "replace") continue;
    const role = roleOf(r, pkiPaths, options, renderer);
    if (!role) continue;
    const verb = r.kind === "delete" ? "Destroy" : "Replace";
    const message = `**${verb}** ${role.label} (${code(r.address)}): ${role.impact}`;
    out.push({
      address: r.address,
      type: r.type,
      concern: r.concern,
      kind: r.kind === "delete" ? "destroy" : "replace",
      message,
    });
  }
  return [...out, ...intentionChanges(resources, renderer), ...boundaryWidenings(resources)];
}
