/**
 * The mesh's public surface is what users call; its plumbing (`_register`, `_relate`, `_routingOf`,
 * `_toGroup`, …) is `@internal`, absent from the published declarations. A member made public by
 * accident, or plumbing left public, fails here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The public members a source file declares (none `_`-prefixed: those are internal). */
function publicMembers(file: string): string[] {
  const source = readFileSync(join(__dirname, "../../constructs/mesh", file), "utf8");
  return [...source.matchAll(/^ {2}public (?:static |readonly |get )*([A-Za-z_]\w*)/gm)]
    .map((m) => m[1])
    .filter((name) => name !== "constructor")
    .sort();
}

describe("the mesh's public surface", () => {
  test("ServiceMesh: the registry users build on", () => {
    expect(publicMembers("service-mesh.ts").filter((n) => !n.startsWith("_"))).toEqual([
      "addExternalService",
      "datacenters",
      "defaults",
      "dependsOn",
      "driver",
      "exportedServicesEntry",
      "fromPlatform",
      "grantRequests",
      "ingress",
      "intentions",
      "nomadVersion",
      "peerName",
      "peerWith",
      "peerings",
      "serviceNames",
      "sidecarTask",
      "terminatingGatewayUnavailable",
      "transparentProxyUnavailable",
      "useIngress",
    ]);
  });

  test("MeshService: a service and its relations", () => {
    expect(publicMembers("mesh-service.ts").filter((n) => !n.startsWith("_"))).toEqual([
      "addTask",
      "addVersion",
      "allowFrom",
      "connectTo",
      "exportTo",
      "failoverTo",
      "job",
      "mesh",
      "port",
      "routeTraffic",
      "serviceName",
      "splitTraffic",
      "transparentProxy",
      "upstreamAddress",
      "upstreamNames",
    ]);
  });

  test("every `_` member is marked @internal, so the published declarations leave it out", () => {
    for (const file of ["service-mesh.ts", "mesh-service.ts"]) {
      const source = readFileSync(join(__dirname, "../../constructs/mesh", file), "utf8");
      for (const m of source.matchAll(/((?:\/\*\*[\s\S]*?\*\/\n)?) {2}public (?:get )?(_\w+)/g)) {
        expect([file, m[2], m[1].includes("@internal")]).toEqual([file, m[2], true]);
      }
    }
  });
});
