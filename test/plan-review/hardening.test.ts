/**
 * The review flags changes that undo the platform's hardening: losing the auth method or the JWT
 * backend (what `prevent_destroy` guards), widening a PKI role, moving a platform job to another
 * namespace.
 */
import { summarizePlan } from "../../plan-review/summarize";
import { change, plan } from "./helpers";

const kinds = (p: ReturnType<typeof plan>) =>
  summarizePlan(p).critical.map((c) => [c.kind, c.address] as const);

describe("critical changes to the platform's hardening", () => {
  test("destroying the Consul auth method or Vault's JWT backend is critical", () => {
    const reviewed = summarizePlan(
      plan([
        change("consul_acl_auth_method.AuthMethod", ["delete"], {
          before: { name: "nomad-workloads", type: "jwt" },
        }),
        change("vault_jwt_auth_backend.AuthBackend", ["delete", "create"], {
          before: { path: "jwt-nomad", type: "jwt" },
          after: { path: "jwt-nomad2", type: "jwt" },
        }),
      ]),
    );
    expect(reviewed.critical.map((c) => [c.kind, c.address])).toEqual([
      ["destroy", "consul_acl_auth_method.AuthMethod"],
      ["replace", "vault_jwt_auth_backend.AuthBackend"],
    ]);
    expect(reviewed.markdown).toContain("every token it issued is deleted");
    expect(reviewed.markdown).toContain("every Vault token workloads got through it is revoked");
  });

  test("disabling the Connect CA's cert login is critical: it revokes Consul's CA token", () => {
    const reviewed = summarizePlan(
      plan([
        change("vault_auth_backend.Login", ["delete"], {
          before: { path: "prod1/consul-ca-cert", type: "cert" },
        }),
        // Its role changing in place is not.
        change("vault_cert_auth_backend_role.Role", ["update"], {
          before: { name: "consul-connect-ca", token_period: 259200 },
          after: { name: "consul-connect-ca", token_period: 86400 },
        }),
      ]),
    );
    expect(reviewed.critical.map((c) => [c.kind, c.address])).toEqual([
      ["destroy", "vault_auth_backend.Login"],
    ]);
    expect(reviewed.markdown).toContain("Vault cert auth backend `prod1/consul-ca-cert`");
    expect(reviewed.markdown).toContain("Consul's CA token");
  });

  test("a PKI role that starts allowing localhost or IP SANs, stops enforcing host names or gains a domain is critical", () => {
    const role = (over: Record<string, unknown>) => ({
      name: "ingress",
      allow_localhost: false,
      allow_ip_sans: false,
      client_flag: false,
      no_store: true,
      enforce_hostnames: true,
      allowed_domains: ["example.com"],
      ...over,
    });
    const widened = summarizePlan(
      plan([
        change("vault_pki_secret_backend_role.Role", ["update"], {
          before: role({}),
          after: role({
            allow_localhost: true,
            no_store: false,
            allowed_domains: ["example.com", "evil.test"],
          }),
        }),
      ]),
    );
    expect(widened.critical.map((c) => c.kind)).toEqual(["pki-role-widened"]);
    expect(widened.critical[0]!.message).toContain(
      "`allow_localhost`, `no_store`, `allowed_domains + evil.test`",
    );
    // Tightening is not flagged.
    const tightened = plan([
      change("vault_pki_secret_backend_role.Role", ["update"], {
        before: role({ allow_ip_sans: true }),
        after: role({}),
      }),
    ]);
    expect(kinds(tightened)).toEqual([]);
  });

  test("moving the Consul agent or ingress job to another namespace is critical; an ordinary job is not", () => {
    const spec = (namespace: string | undefined, role?: string) =>
      JSON.stringify({
        Job: {
          ID: "j",
          ...(namespace ? { Namespace: namespace } : {}),
          ...(role ? { Meta: { meshstack_role: role } } : {}),
        },
      });
    const moved = (role?: string) =>
      plan([
        change("nomad_job.J", ["update"], {
          before: { name: "j", jobspec: spec(undefined, role) },
          after: { name: "j", jobspec: spec("apps", role) },
        }),
      ]);
    expect(kinds(moved("ingress"))).toEqual([["platform-job-moved", "nomad_job.J"]]);
    expect(kinds(moved("consul-agent"))).toEqual([["platform-job-moved", "nomad_job.J"]]);
    expect(kinds(moved(undefined))).toEqual([]);
  });
});
