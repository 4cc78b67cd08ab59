import { compareVersions, nomadHas, nomadVersionsWith } from "../../constructs/core/server-versions";

describe("Nomad versions and what they have", () => {
  test("orders versions by major, minor and patch, ignoring pre-release suffixes", () => {
    expect(compareVersions("1.6.1", "1.7.0")).toBeLessThan(0);
    expect(compareVersions("1.10.0", "1.9.7")).toBeGreaterThan(0);
    expect(compareVersions("v1.11.3-ent", "1.11.3")).toBe(0);
    expect(compareVersions("1.8", "1.8.0")).toBe(0);
  });

  test.each([
    ["1.6.1", { "workload-identity": false, "transparent-proxy": false, "token-flows": true }],
    ["1.7.0", { "workload-identity": true, "transparent-proxy": false, "token-flows": true }],
    ["1.8.4", { "workload-identity": true, "transparent-proxy": true, "token-flows": true }],
    ["1.9.7", { "workload-identity": true, "transparent-proxy": true, "token-flows": true }],
    ["1.10.0", { "workload-identity": true, "transparent-proxy": true, "token-flows": false }],
    ["1.11.3", { "workload-identity": true, "transparent-proxy": true, "token-flows": false }],
  ] as const)("Nomad %s", (version, expected) => {
    const features = Object.keys(expected) as (keyof typeof expected)[];
    expect(Object.fromEntries(features.map((f) => [f, nomadHas(version, f)]))).toEqual(expected);
  });

  test("names the versions that have a feature", () => {
    expect(nomadVersionsWith("transparent-proxy")).toBe("Nomad >= 1.8.0");
    expect(nomadVersionsWith("token-flows")).toBe("Nomad < 1.10.0");
  });
});
