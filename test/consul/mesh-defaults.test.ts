import { MeshDefaults } from "../../constructs/consul/mesh-defaults";
import { resourcesOf, synth, testStack } from "../helpers";

describe("MeshDefaults", () => {
  test("sets the global proxy protocol and mesh-only transparent proxy egress", () => {
    const stack = testStack();
    new MeshDefaults(stack, "Defaults");
    const byKind = Object.fromEntries(
      Object.values(resourcesOf(synth(stack), "consul_config_entry")).map((e) => [e.kind, e]),
    );
    expect(byKind["proxy-defaults"]).toMatchObject({ name: "global" });
    // Every block Consul reads back as {} is declared, so the provider's typed comparison finds no
    // difference on the next plan (terraform-provider-consul#281).
    // Consul 1.14 (the default) has no AccessLogs and refuses the key.
    expect(JSON.parse(byKind["proxy-defaults"].config_json)).toEqual({
      Config: { protocol: "tcp" },
      Expose: {},
      MeshGateway: {},
      TransparentProxy: {},
    });
    expect(byKind.mesh).toMatchObject({
      name: "mesh",
      config_json: '{"TransparentProxy":{"MeshDestinationsOnly":true}}',
    });
  });

  test("declares AccessLogs too where the servers have it (Consul 1.15 on)", () => {
    const stack = testStack();
    new MeshDefaults(stack, "Defaults", { consulVersion: "1.22.7" });
    const proxy = Object.values(resourcesOf(synth(stack), "consul_config_entry")).find(
      (e) => e.kind === "proxy-defaults",
    )!;
    expect(JSON.parse(String(proxy.config_json))).toEqual({
      AccessLogs: {},
      Config: { protocol: "tcp" },
      Expose: {},
      MeshGateway: {},
      TransparentProxy: {},
    });
  });

  test("adds service-defaults only for services whose protocol differs", () => {
    const stack = testStack();
    const defaults = new MeshDefaults(stack, "Defaults", { protocol: "tcp" });
    defaults.setServiceProtocol("api", "http");
    defaults.setServiceProtocol("db", "tcp");
    defaults.setServiceProtocol("api", "http");
    const services = Object.values(resourcesOf(synth(stack), "consul_config_entry_service_defaults"));
    expect(services).toEqual([expect.objectContaining({ name: "api", protocol: "http" })]);
    expect(defaults.protocolOf("api")).toBe("http");
    expect(defaults.protocolOf("db")).toBe("tcp");
  });

  test("fails when the protocol is unknown", () => {
    expect(() => new MeshDefaults(testStack(), "Defaults", { protocol: "udp" as "tcp" })).toThrow(
      'MeshDefaults test/Defaults: protocol "udp" is not a Consul protocol; use one of tcp, http, http2, grpc',
    );
  });

  test("fails when a service gets two protocols", () => {
    const defaults = new MeshDefaults(testStack(), "Defaults");
    defaults.setServiceProtocol("api", "http");
    expect(() => defaults.setServiceProtocol("api", "grpc")).toThrow(
      'MeshDefaults test/Defaults: service "api" is set to protocol "http" and "grpc"; a service has one protocol, so declare it once',
    );
  });
});
