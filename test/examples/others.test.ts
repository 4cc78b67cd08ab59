import { Testing } from "cdktf";
import { Intentions } from "../../constructs/consul/intentions";
import {
  buildGeneratedStack,
  generateMesh,
  LegacyManualProxy,
  RedisPubSub,
  SshOverSni,
} from "../../examples";
import {
  allowedSources,
  group,
  jobs,
  platformStack,
  rawJobspecs,
  validationError,
  type Json,
} from "../nomad/support";
import { platform } from "./support";

describe("RedisPubSub", () => {
  test("runs redis, producer and consumer in one bridge group over loopback", () => {
    const { stack, mesh } = platform("docker");
    new RedisPubSub(stack, "redis", { mesh });
    const g = group(jobs(stack).redis, "redis");
    expect(g.Networks).toEqual([{ Mode: "bridge" }]);
    expect(g.Tasks.map((t: Json) => t.Name)).toEqual(["redis", "producer", "consumer"]);
    expect(g.Tasks[0].Config).toEqual({
      image: "redis:7.2",
      command: "redis-server",
      args: ["--bind", "127.0.0.1", "--port", "6379"],
    });
    expect(g.Tasks[1].Config.args[1]).toContain('PUBLISH messages "hello from producer"');
    expect(g.Tasks[2].Config.args[1]).toBe("redis-cli -h 127.0.0.1 -p 6379 SUBSCRIBE messages");
    expect(g.Services[0]).toMatchObject({ Name: "redis", PortLabel: "6379" });
  });

  test("uses host binaries on raw_exec", () => {
    const { stack, mesh } = platform("raw_exec");
    new RedisPubSub(stack, "redis", { mesh, binDir: "/opt/redis/bin" });
    const g = group(jobs(stack).redis, "redis");
    expect(g.Tasks[0]).toMatchObject({
      Driver: "raw_exec",
      Config: { command: "/opt/redis/bin/redis-server" },
    });
    expect(g.Tasks[1].Config.command).toBe("/bin/sh");
  });

  test("snapshot", () => {
    const { stack, mesh } = platform("docker");
    new RedisPubSub(stack, "redis", { mesh });
    expect(Testing.synth(stack)).toMatchSnapshot();
  });
});

describe("SshOverSni", () => {
  test("routes a QEMU VM's SSH through Traefik HostSNI with the ingress intention", () => {
    const { stack, mesh } = platform("docker");
    new SshOverSni(stack, "vm", {
      mesh,
      domain: "domain.com",
      imageUrl: "https://images.example.com/simple01.qcow2",
    });
    const job = jobs(stack).simple01;
    expect(job.Meta).toEqual({ qcow_name: "simple01.qcow2", srv_ssh_port: "25001" });
    const g = group(job, "simple01");
    expect(g.Services[0].PortLabel).toBe("25001");
    expect(g.Services[0].Tags).toContain("traefik.tcp.routers.simple01.rule=HostSNI(`simple01.domain.com`)");
    expect(g.Services[0].Tags).toContain("traefik.tcp.routers.simple01.entrypoints=https");
    expect(g.Tasks[0]).toMatchObject({
      Driver: "qemu",
      Artifacts: [{ GetterSource: "https://images.example.com/simple01.qcow2", RelativeDest: "image" }],
    });
    expect(rawJobspecs(stack).simple01).toContain("hostfwd=tcp::$${NOMAD_META_srv_ssh_port}-:22");
    expect(allowedSources(stack, "simple01")).toEqual(["traefik"]);
  });

  test("snapshot", () => {
    const { stack, mesh } = platform("docker");
    new SshOverSni(stack, "vm", {
      mesh,
      domain: "domain.com",
      imageUrl: "https://images.example.com/simple01.qcow2",
    });
    expect(Testing.synth(stack)).toMatchSnapshot();
  });
});

describe("LegacyManualProxy", () => {
  test("runs the proxy as an explicit consul connect proxy task (the pre-0.10 row)", () => {
    const { stack } = platformStack();
    const intentions = new Intentions(stack, "intentions");
    new LegacyManualProxy(stack, "legacy", { intentions, consulBinary: "/usr/local/bin/consul" });
    const db = group(jobs(stack).db, "db");
    expect(db.Networks).toEqual([{ Mode: "host", DynamicPorts: [{ Label: "db" }, { Label: "proxy" }] }]);
    expect(db.Tasks[1].Config).toEqual({
      command: "/usr/local/bin/consul",
      args: [
        "connect",
        "proxy",
        "-service",
        "db",
        "-service-addr",
        "127.0.0.1:${NOMAD_PORT_db}",
        "-listen",
        ":${NOMAD_PORT_proxy}",
        "-register",
      ],
    });
    const web = group(jobs(stack).web, "web");
    expect(web.Tasks[0].Env).toEqual({ DATABASE_URL: "postgresql://${NOMAD_ADDR_proxy}/db" });
    expect(web.Tasks[1].Config.args).toEqual([
      "connect",
      "proxy",
      "-service",
      "web",
      "-upstream",
      "db:${NOMAD_PORT_proxy}",
    ]);
    expect(allowedSources(stack, "db")).toEqual(["web"]);
  });

  test("snapshot", () => {
    const { stack } = platformStack();
    new LegacyManualProxy(stack, "legacy", { intentions: new Intentions(stack, "intentions") });
    expect(Testing.synth(stack)).toMatchSnapshot();
  });
});

describe("generateMesh", () => {
  test("builds a tree with one upstream and one intention per edge", () => {
    const { stack, mesh } = platform("docker");
    const services = generateMesh(stack, { mesh, services: 7, shape: "tree", fanout: 2 });
    expect(services.map((s) => s.upstreamNames)).toEqual([
      ["svc-1", "svc-2"],
      ["svc-3", "svc-4"],
      ["svc-5", "svc-6"],
      [],
      [],
      [],
      [],
    ]);
    expect(group(jobs(stack)["svc-0"], "svc-0").Services[0].Connect.SidecarService.Proxy.Upstreams).toEqual([
      { DestinationName: "svc-1", LocalBindPort: 10001 },
      { DestinationName: "svc-2", LocalBindPort: 10002 },
    ]);
    expect(allowedSources(stack, "svc-4")).toEqual(["svc-1"]);
    expect(mesh.intentions.edges).toHaveLength(6);
    expect(validationError(stack)).toBe("");
  });

  test("builds a chain with transparent proxy", () => {
    const { stack, mesh } = platform("raw_exec");
    const services = generateMesh(stack, { mesh, services: 3, shape: "chain", transparentProxy: true });
    expect(services.map((s) => s.upstreamNames)).toEqual([["svc-1"], ["svc-2"], []]);
    expect(mesh.intentions.edges.map((e) => `${e.source}->${e.destination}`)).toEqual([
      "svc-0->svc-1",
      "svc-1->svc-2",
    ]);
  });

  test("synthesizes 100 services", () => {
    const { stack, mesh } = platform("docker");
    generateMesh(stack, { mesh, services: 100 });
    expect(Object.keys(jobs(stack))).toHaveLength(102);
  });
});

describe("buildGeneratedStack", () => {
  test("builds a valid stack for the benchmark", () => {
    const stack = buildGeneratedStack(Testing.app(), "generated-10", 10);
    expect(validationError(stack)).toBe("");
    expect(Object.keys(jobs(stack))).toHaveLength(12);
  });
});
