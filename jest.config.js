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
    { ...common, displayName: "integration", testMatch: ["<rootDir>/test/integration/**/*.test.ts"] },
  ],
};
