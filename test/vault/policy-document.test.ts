import { PolicyDocument } from "../../constructs/vault/policy-document";

describe("PolicyDocument", () => {
  test("renders rules in insertion order with comments", () => {
    const doc = new PolicyDocument([
      { path: "a/*", capabilities: ["read"], comment: "why a" },
      { path: "b", capabilities: ["update"] },
    ]);
    expect(doc.render()).toBe(
      '# why a\npath "a/*" {\n  capabilities = ["read"]\n}\n\npath "b" {\n  capabilities = ["update"]\n}\n',
    );
  });

  test("merges rules for the same path instead of duplicating blocks", () => {
    const doc = new PolicyDocument([{ path: "a", capabilities: ["read"] }]);
    doc.addRule({ path: "a", capabilities: ["read", "list"] });
    expect(doc.paths).toEqual(["a"]);
    expect(doc.capabilitiesOf("a")).toEqual(["read", "list"]);
    expect(doc.render().match(/path "a"/g)).toHaveLength(1);
  });

  test("reports no capabilities for an unknown path", () => {
    expect(new PolicyDocument().capabilitiesOf("x")).toEqual([]);
  });
});
