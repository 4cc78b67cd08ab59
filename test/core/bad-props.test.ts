/**
 * Plain JavaScript can hand a construct anything: every public construct and factory answers wrong
 * props with the usual error (construct path, field, value, fix), never a TypeError.
 */
import { Construct } from "constructs";
import * as meshstack from "../../constructs";
import { testStack } from "../helpers";

type AnyConstruct = new (scope: Construct, id: string, props?: unknown) => unknown;

/** Every public construct, with an example of its props as its error suggests them. */
const constructs: [string, AnyConstruct, boolean][] = [
  ["ConnectCaPki", meshstack.ConnectCaPki, true],
  ["ConsulCaToken", meshstack.ConsulCaToken, true],
  ["NomadVaultIntegration", meshstack.NomadVaultIntegration, true],
  ["ConnectCa", meshstack.ConnectCa, true],
  ["NomadConsulIntegration", meshstack.NomadConsulIntegration, true],
  ["MeshService", meshstack.MeshService, true],
  ["MeshJob", meshstack.MeshJob, true],
  ["MeshPlatform", meshstack.MeshPlatform, true],
  ["MeshDefaults", meshstack.MeshDefaults, false],
  ["Intentions", meshstack.Intentions, false],
  ["NomadJob", meshstack.NomadJob, false],
  ["ConsulAgentJob", meshstack.ConsulAgentJob, false],
  ["TraefikIngress", meshstack.TraefikIngress, false],
  ["ServiceMesh", meshstack.ServiceMesh, false],
].map(([name, type, required]) => [name as string, type as unknown as AnyConstruct, required as boolean]);

describe.each(constructs)("%s", (name, type, required) => {
  const values: unknown[] = required ? [undefined, null, 42, "props", []] : [null, 42, "props", []];
  test.each(values.map((v) => [v]))("fails when its props are %p", (props) => {
    const shown = props === undefined ? "undefined" : JSON.stringify(props);
    expect(() => new type(testStack(), "x", props)).toThrow(
      new RegExp(`^${name} test/x: props ${shown.replace(/[[\]]/g, "\\$&")} are not an object; pass `),
    );
  });
});

describe("required references", () => {
  test.each([
    [
      "ConsulCaToken",
      () => new meshstack.ConsulCaToken(testStack(), "x", {} as never),
      "pki undefined is not a ConnectCaPki",
    ],
    [
      "ConnectCa",
      () => new meshstack.ConnectCa(testStack(), "x", { vaultAddress: "https://v:8200" } as never),
      "pki undefined is not a ConnectCaPki",
    ],
    [
      "MeshJob",
      () => new meshstack.MeshJob(testStack(), "x", { name: "j" } as never),
      "mesh undefined is not a ServiceMesh",
    ],
  ])("fails when %s misses its reference", (name, make, message) => {
    expect(make).toThrow(`${name} test/x: ${message}; pass `);
  });

  test("fails when a datacenter or service name is not a string", () => {
    expect(() => new meshstack.ConnectCaPki(testStack(), "x", {} as never)).toThrow(
      'ConnectCaPki test/x: datacenter undefined is not a valid service name; use 1-63 lowercase letters, digits and "-"',
    );
    expect(() => new meshstack.Intentions(testStack(), "x").allow(null as never, "api")).toThrow(
      "Intentions test/x: source null is not a valid service name",
    );
  });
});

describe("TaskDriver factories", () => {
  test.each([
    [
      "docker",
      () => meshstack.TaskDriver.docker(undefined as never),
      'options undefined are not an object; pass { image: "redis:7.2" }',
    ],
    ["docker", () => meshstack.TaskDriver.docker({} as never), "image undefined needs a tag"],
    [
      "raw_exec",
      () => meshstack.TaskDriver.rawExec(null as never),
      'options null are not an object; pass { command: "python3" }',
    ],
    ["exec", () => meshstack.TaskDriver.exec({} as never), "command undefined is empty"],
  ])("TaskDriver.%s fails clearly on bad options", (factory, make, message) => {
    expect(make).toThrow(`TaskDriver.${factory}: ${message}`);
  });
});
