import { Testing } from "cdktf";
import { Construct } from "constructs";
import { checkNotLonger, durationSeconds } from "../../constructs/core/duration";
import { MeshstackError } from "../../constructs/core/errors";
import { checkServiceName, checkUrl, checkVaultPath } from "../../constructs/core/names";

class Probe extends Construct {}
const probe = () => new Probe(Testing.app(), "probe");

describe("durationSeconds", () => {
  test.each([
    ["72h", 259200],
    ["1h30m", 5400],
    ["45s", 45],
    ["8760h", 31536000],
  ])("parses %s", (value, seconds) => {
    expect(durationSeconds(probe(), "ttl", value)).toBe(seconds);
  });

  test.each(["", "72", "3d", "-1h", "1.5h", "h"])("fails when the duration is %p", (value) => {
    expect(() => durationSeconds(probe(), "ttl", value)).toThrow(
      new MeshstackError(
        `Probe probe: ttl "${value}" is not a duration; use hours, minutes and seconds such as "8760h" or "72h"`,
      ),
    );
  });

  test("fails when the duration is zero", () => {
    expect(() => durationSeconds(probe(), "ttl", "0h")).toThrow(/ttl "0h" must be longer than zero/);
  });

  test("accepts milliseconds that add up to whole seconds", () => {
    expect(durationSeconds(probe(), "ttl", "1s1000ms")).toBe(2);
  });

  test.each(["1500ms", "1s500ms", "1ms"])("fails when %p is not whole seconds", (value) => {
    expect(() => durationSeconds(probe(), "ttl", value)).toThrow(
      new MeshstackError(
        `Probe probe: ttl "${value}" is not whole seconds; Vault and Consul count it in seconds, so use e.g. "2s"`,
      ),
    );
  });

  test("checkNotLonger names both fields and the fix", () => {
    expect(() =>
      checkNotLonger(
        probe(),
        { field: "leafCertTtl", value: "9000h" },
        { field: "intermediateCertTtl", value: "8760h" },
      ),
    ).toThrow(
      'Probe probe: leafCertTtl "9000h" is longer than intermediateCertTtl "8760h"; a certificate cannot outlive its issuer',
    );
  });
});

describe("names", () => {
  test.each(["count-api", "a", "web1"])("accepts service name %s", (name) => {
    expect(() => checkServiceName(probe(), "name", name)).not.toThrow();
  });
  test.each(["Count", "-api", "api-", "a_b", "", "x".repeat(64)])(
    "fails when the service name is %p",
    (name) => {
      expect(() => checkServiceName(probe(), "name", name)).toThrow(
        /^Probe probe: name ".*" is not a valid service name; use 1-63/,
      );
    },
  );
  test("suggests the trimmed Vault path", () => {
    expect(() => checkVaultPath(probe(), "rootPath", "/connect_root/")).toThrow(/such as "connect_root"$/);
  });
  test.each(["a//b", "", "a b"])("fails when the Vault path is %p", (path) => {
    expect(() => checkVaultPath(probe(), "rootPath", path)).toThrow(
      /rootPath ".*" is not a valid Vault path/,
    );
  });
  test.each(["127.0.0.1:8200", "ftp://x", ""])("fails when the address %p is not an http(s) URL", (url) => {
    expect(() => checkUrl(probe(), "address", url)).toThrow(/address ".*" is not an http\(s\) URL/);
  });
});
