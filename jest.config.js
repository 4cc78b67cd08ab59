/** Unit and integration suites; TypeScript is compiled by SWC (TS 7 has no JS API for ts-jest). */
const transform = {
  "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" } }],
};
const common = { testEnvironment: "node", transform, setupFilesAfterEnv: ["<rootDir>/test/setup.ts"] };

module.exports = {
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: ["<rootDir>/test/**/*.test.ts", "<rootDir>/examples/**/*.test.ts"],
      testPathIgnorePatterns: ["/test/integration/", "/node_modules/"],
    },
    // On the local cluster's test instance (scripts/cluster.sh), and on the prod-shaped one (scripts/prodlike.sh).
    { ...common, displayName: "integration", testMatch: ["<rootDir>/test/integration/*.test.ts"] },
    { ...common, displayName: "prodlike", testMatch: ["<rootDir>/test/integration/prodlike/*.test.ts"] },
    // On two prod-shaped datacenters joined by cluster peering (scripts/prodlike.sh peered-test-*).
    { ...common, displayName: "peered", testMatch: ["<rootDir>/test/integration/peered/*.test.ts"] },
  ],
};
