import * as meshstack from "../constructs";

describe("public API", () => {
  test("exports the constructs and their option classes, not the rendering and checking helpers", () => {
    const names = Object.keys(meshstack);
    // THEN the entry points a consumer builds with are there
    for (const name of [
      "MeshPlatform",
      "ConnectCaPki",
      "Intentions",
      "MeshService",
      "TraefikIngress",
      "TaskDriver",
    ]) {
      expect(names).toContain(name);
    }
    // AND the helpers behind them are not part of the contract
    for (const helper of [
      "renderHcl",
      "mergeHcl",
      "renderToml",
      "checkResources",
      "toResources",
      "show",
      "check",
      "constructError",
    ]) {
      expect(names).not.toContain(helper);
    }
  });
});
