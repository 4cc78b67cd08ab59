import { ConnectCaPki, PkiMountOwnership } from "../../constructs/vault/connect-ca-pki";
import { ConsulCaToken } from "../../constructs/vault/consul-ca-token";
import { addressOf, onlyResource, resourcesOf, synth, testStack } from "../helpers";

function build(props: Partial<ConstructorParameters<typeof ConnectCaPki>[2]> = {}) {
  const stack = testStack();
  const pki = new ConnectCaPki(stack, "Pki", { datacenter: "dc1", ...props });
  return { stack, pki, json: synth(stack) };
}

describe("ConnectCaPki with Terraform-owned mounts (default)", () => {
  test("creates root and intermediate pki mounts under the datacenter prefix", () => {
    // GIVEN / WHEN
    const { json, pki } = build();
    // THEN
    const mounts = Object.values(resourcesOf(json, "vault_mount"));
    expect(mounts.map((m) => `${m.path}:${m.type}`).sort()).toEqual([
      "dc1/connect_intermediate:pki",
      "dc1/connect_root:pki",
    ]);
    expect(pki.rootPath).toBe("dc1/connect_root");
    expect(pki.intermediatePath).toBe("dc1/connect_intermediate");
  });

  test("sets mount max lease TTLs from the certificate TTLs", () => {
    const { json } = build({ rootCertTtl: "43800h", intermediateCertTtl: "2160h" });
    const byPath = Object.fromEntries(
      Object.values(resourcesOf(json, "vault_mount")).map((m) => [m.path, m]),
    );
    expect(byPath["dc1/connect_root"].max_lease_ttl_seconds).toBe(43800 * 3600);
    expect(byPath["dc1/connect_intermediate"].max_lease_ttl_seconds).toBe(2160 * 3600);
  });

  test("protects mounts and root certificate with prevent_destroy", () => {
    const { json } = build();
    for (const m of Object.values(resourcesOf(json, "vault_mount"))) {
      expect(m.lifecycle).toMatchObject({ prevent_destroy: true });
    }
    expect(onlyResource(json, "vault_pki_secret_backend_root_cert").lifecycle).toEqual({
      prevent_destroy: true,
    });
  });

  test("lets Consul own the intermediate mount's tuned TTLs (consul#14516)", () => {
    const { json } = build();
    const inter = Object.values(resourcesOf(json, "vault_mount")).find(
      (m) => m.path === "dc1/connect_intermediate",
    );
    expect(inter?.lifecycle).toEqual({
      prevent_destroy: true,
      ignore_changes: ["default_lease_ttl_seconds", "max_lease_ttl_seconds"],
    });
  });

  test("generates an internal root certificate on the root mount by reference", () => {
    const { json } = build();
    const root = onlyResource(json, "vault_pki_secret_backend_root_cert");
    const rootMount = addressOf(json, "vault_mount", (m) => m.path === "dc1/connect_root");
    expect(root).toMatchObject({
      backend: `\${${rootMount}.path}`,
      type: "internal",
      common_name: "dc1 Connect Root CA",
      ttl: String(87600 * 3600),
    });
  });

  test("grants the root cross-sign only for a rotation, in a policy of its own the CA token carries then", () => {
    const stack = testStack();
    const pki = new ConnectCaPki(stack, "Pki", { datacenter: "dc1", rootRotation: true });
    new ConsulCaToken(stack, "Token", { pki });
    const json = synth(stack);
    const policies = Object.values(resourcesOf(json, "vault_policy"));
    const rotation = policies.find((p) => p.name === "dc1-consul-connect-ca-root-rotation")!;
    expect(rotation.policy).toContain(
      'path "dc1/connect_root/root/sign-self-issued" {\n  capabilities = ["sudo", "update"]',
    );
    expect(onlyResource(json, "vault_token").policies).toEqual([
      expect.stringMatching(/^\$\{vault_policy\.Pki_Policy_\w+\.name\}$/),
      expect.stringMatching(/^\$\{vault_policy\.Pki_RotationPolicy_\w+\.name\}$/),
    ]);
    // Without rotation the token holds the CA policy alone.
    const plainStack = testStack();
    new ConsulCaToken(plainStack, "Token", {
      pki: new ConnectCaPki(plainStack, "Pki", { datacenter: "dc1" }),
    });
    expect(onlyResource(synth(plainStack), "vault_token").policies).toHaveLength(1);
  });

  describe("root rotation to a new mount", () => {
    const rotating = (extra: object = {}) => {
      const stack = testStack();
      const pki = new ConnectCaPki(stack, "Pki", {
        datacenter: "dc1",
        rootPath: "dc1/connect_root_2",
        rootGeneration: 2,
        rootRotation: true,
        retiringRoot: { path: "dc1/connect_root", generation: 1 },
        ...extra,
      });
      new ConsulCaToken(stack, "Token", { pki });
      return { pki, json: synth(stack) };
    };

    test("keeps the retiring root at its original addresses and adds the new one beside it", () => {
      const { json } = rotating();
      const mounts = resourcesOf(json, "vault_mount");
      expect(Object.keys(mounts).filter((k) => k.startsWith("Pki_RootMount"))).toEqual([
        expect.stringMatching(/^Pki_RootMount2_/),
        expect.stringMatching(/^Pki_RootMount_/),
      ]);
      const byId = (prefix: string) => Object.entries(mounts).find(([k]) => k.startsWith(prefix))![1];
      expect(byId("Pki_RootMount_").path).toBe("dc1/connect_root");
      expect(byId("Pki_RootMount2_").path).toBe("dc1/connect_root_2");
      const certs = Object.values(resourcesOf(json, "vault_pki_secret_backend_root_cert")).map(
        (c) => c.common_name,
      );
      expect(certs.sort()).toEqual(["dc1 Connect Root CA", "dc1 Connect Root CA (generation 2)"]);
    });

    test("moves the intermediate to a mount of the new generation, keeping the retiring one beside it", () => {
      // GIVEN a rotation to root generation 2 (Consul 1.14 would keep signing with the old intermediate
      // if only the root path changed)
      const { pki, json } = rotating();
      // THEN the new generation's intermediate is a new mount, and the CA policy manages it, not the old
      const mounts = Object.entries(resourcesOf(json, "vault_mount")).filter(([k]) =>
        k.startsWith("Pki_IntermediateMount"),
      );
      expect(Object.fromEntries(mounts.map(([k, m]) => [k.replace(/_[0-9A-F]{8}$/, ""), m.path]))).toEqual({
        Pki_IntermediateMount: "dc1/connect_intermediate",
        Pki_IntermediateMount2: "dc1/connect_intermediate_2",
      });
      expect(pki.intermediatePath).toBe("dc1/connect_intermediate_2");
      expect(pki.policyDocument.paths).toContain("dc1/connect_intermediate_2/*");
      expect(pki.policyDocument.paths.some((p) => p.startsWith("dc1/connect_intermediate/"))).toBe(false);
    });

    test("refuses a rotation that keeps the retiring root's intermediate", () => {
      expect(() => rotating({ intermediatePath: "dc1/connect_intermediate" })).toThrow(
        'ConnectCaPki test/Pki: intermediatePath "dc1/connect_intermediate" is the retiring root\'s intermediate; a rotation moves the intermediate too',
      );
    });

    test("the cross-sign right is on the retiring root; the CA policy moves to the new one", () => {
      const { pki, json } = rotating();
      const rotation = Object.values(resourcesOf(json, "vault_policy")).find((p) =>
        String(p.name).endsWith("-root-rotation"),
      )!;
      expect(rotation.policy).toContain('path "dc1/connect_root/root/sign-self-issued"');
      expect(rotation.policy).not.toContain("connect_root_2");
      expect(pki.policyDocument.paths).toContain("dc1/connect_root_2/root/sign-intermediate");
      expect(pki.policyDocument.paths.some((p) => p.startsWith("dc1/connect_root/"))).toBe(false);
    });

    test("finishing drops the retiring root and the cross-sign policy, keeping the new root's addresses", () => {
      const stack = testStack();
      const pki = new ConnectCaPki(stack, "Pki", {
        datacenter: "dc1",
        rootPath: "dc1/connect_root_2",
        rootGeneration: 2,
      });
      new ConsulCaToken(stack, "Token", { pki });
      const json = synth(stack);
      expect(
        Object.keys(resourcesOf(json, "vault_mount")).filter((k) => k.startsWith("Pki_RootMount")),
      ).toEqual([expect.stringMatching(/^Pki_RootMount2_/)]);
      expect(
        Object.keys(resourcesOf(json, "vault_mount")).filter((k) => k.startsWith("Pki_IntermediateMount")),
      ).toEqual([expect.stringMatching(/^Pki_IntermediateMount2_/)]);
      expect(pki.rotationPolicy).toBeUndefined();
      expect(onlyResource(json, "vault_token").policies).toHaveLength(1);
    });

    test("refuses a rotation without the cross-sign right, onto the same root, or backwards", () => {
      expect(() => rotating({ rootRotation: false })).toThrow(
        /retiringRoot "dc1\/connect_root" needs rootRotation: true/,
      );
      expect(() => rotating({ rootPath: "dc1/connect_root" })).toThrow(/is the current root/);
      expect(() =>
        rotating({ rootGeneration: 1, retiringRoot: { path: "dc1/connect_root", generation: 2 } }),
      ).toThrow(/retiringRoot.generation 2 is not below rootGeneration 1/);
      expect(() => rotating({ ownership: PkiMountOwnership.CONSUL })).toThrow(/needs Terraform-owned mounts/);
    });
  });

  test("grants Consul only read on the root, sign-intermediate and the intermediate subtree", () => {
    const { pki } = build();
    const doc = pki.policyDocument;
    expect(doc.paths).toEqual([
      "sys/mounts/dc1/connect_root",
      "sys/mounts/dc1/connect_intermediate",
      "sys/mounts/dc1/connect_intermediate/tune",
      "dc1/connect_root/",
      "dc1/connect_root/root/sign-intermediate",
      "dc1/connect_intermediate/*",
      "auth/token/renew-self",
      "auth/token/lookup-self",
    ]);
    expect(doc.capabilitiesOf("dc1/connect_root/")).toEqual(["read"]);
    expect(doc.capabilitiesOf("dc1/connect_root/root/sign-intermediate")).toEqual(["update"]);
    expect(doc.capabilitiesOf("sys/mounts/dc1/connect_intermediate/tune")).toEqual(["update"]);
    // No root cross-sign by default (Consul's Vault CA guide: only for a rotation, see below).
    expect(doc.capabilitiesOf("dc1/connect_root/root/sign-self-issued")).toEqual([]);
    expect(doc.capabilitiesOf("dc1/connect_intermediate/*")).toEqual([
      "create",
      "read",
      "update",
      "delete",
      "list",
    ]);
    // Never root/generate or mount management: Terraform owns those.
    expect(doc.paths.some((p) => p.startsWith("dc1/connect_root/*"))).toBe(false);
  });

  test("renders the policy text into vault_policy", () => {
    const { json } = build({ policyName: "consul-ca" });
    const policy = onlyResource(json, "vault_policy");
    expect(policy.name).toBe("consul-ca");
    expect(policy.policy).toContain(
      'path "dc1/connect_root/root/sign-intermediate" {\n  capabilities = ["update"]\n}',
    );
  });

  test("honours custom paths and can drop prevent_destroy", () => {
    const { json } = build({
      rootPath: "consul1/connect_root",
      intermediatePath: "consul1/connect_intermediate",
      preventDestroy: false,
    });
    const mounts = Object.values(resourcesOf(json, "vault_mount"));
    expect(mounts.map((m) => m.path).sort()).toEqual([
      "consul1/connect_intermediate",
      "consul1/connect_root",
    ]);
    expect(mounts.every((m) => (m.lifecycle as { prevent_destroy: boolean }).prevent_destroy === false)).toBe(
      true,
    );
  });
});

describe("ConnectCaPki with Consul-owned mounts", () => {
  test("creates no mounts and lets Consul manage both paths", () => {
    const { json, pki } = build({ ownership: PkiMountOwnership.CONSUL });
    expect(resourcesOf(json, "vault_mount")).toEqual({});
    expect(resourcesOf(json, "vault_pki_secret_backend_root_cert")).toEqual({});
    expect(pki.rootMount).toBeUndefined();
    expect(pki.policyDocument.capabilitiesOf("sys/mounts")).toEqual(["read"]);
    expect(pki.policyDocument.capabilitiesOf("sys/mounts/dc1/connect_root")).toEqual([
      "create",
      "read",
      "update",
      "delete",
      "list",
    ]);
    expect(pki.policyDocument.capabilitiesOf("dc1/connect_root/*")).toEqual([
      "create",
      "read",
      "update",
      "delete",
      "list",
    ]);
  });
});

describe("ConnectCaPki bad input", () => {
  test("fails when the root path has slashes at the ends", () => {
    expect(() => build({ rootPath: "/connect_root" })).toThrow(
      'ConnectCaPki test/Pki: rootPath "/connect_root" is not a valid Vault path; use segments of letters, digits, "_", "-" or "." joined by "/" without leading or trailing "/" such as "connect_root"',
    );
  });
  test("fails when the intermediate path is empty", () => {
    expect(() => build({ intermediatePath: "" })).toThrow(
      /ConnectCaPki test\/Pki: intermediatePath "" is not a valid Vault path/,
    );
  });
  test("fails when the mount paths are the same", () => {
    expect(() => build({ rootPath: "pki", intermediatePath: "pki" })).toThrow(
      'ConnectCaPki test/Pki: rootPath "pki" and intermediatePath "pki" overlap; Vault mounts cannot share or nest paths',
    );
  });
  test("fails when one mount path nests inside the other", () => {
    expect(() => build({ rootPath: "connect", intermediatePath: "connect/inter" })).toThrow(
      /rootPath "connect" and intermediatePath "connect\/inter" overlap/,
    );
  });
  test("fails when the intermediate TTL exceeds the root TTL", () => {
    expect(() => build({ rootCertTtl: "8760h", intermediateCertTtl: "17520h" })).toThrow(
      'ConnectCaPki test/Pki: intermediateCertTtl "17520h" is longer than rootCertTtl "8760h"; a certificate cannot outlive its issuer, so shorten intermediateCertTtl or lengthen rootCertTtl',
    );
  });
  test("fails when the leaf TTL exceeds the intermediate TTL", () => {
    expect(() => build({ leafCertTtl: "9000h" })).toThrow(
      /leafCertTtl "9000h" is longer than intermediateCertTtl "8760h"/,
    );
  });
  test("fails when a TTL is not a duration", () => {
    expect(() => build({ leafCertTtl: "3 days" })).toThrow(
      /ConnectCaPki test\/Pki: leafCertTtl "3 days" is not a duration/,
    );
  });
  test("fails when the datacenter is not a DNS label", () => {
    expect(() => build({ datacenter: "DC_1" })).toThrow(
      /ConnectCaPki test\/Pki: datacenter "DC_1" is not a valid service name/,
    );
  });
});
