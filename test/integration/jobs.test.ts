/**
 * Every job meshstack renders is checked by the real Nomad (`/v1/validate/job`), and the seed jobs
 * (HCL, parsed by the real Nomad with `/v1/jobs/parse`) are compared with our rendering on the fields
 * that matter: network mode, ports, services, Connect, upstreams and Traefik tags.
 */
import { TerraformStack, Testing } from "cdktf";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { environments } from "../../environments";
import { Countdash, LegacyManualProxy, RedisPubSub, SshOverSni } from "../../examples";
import { buildGeneratedStack } from "../../examples/generated-stack";
import { MeshPlatformStack } from "../../stacks/mesh-platform-stack";
import { platform } from "../examples/support";
import { Json, jobs } from "../nomad/support";
import { api, clusterEnv, clusterHas, onCluster } from "./harness";
import { PLATFORM_NAMESPACE } from "../../constructs/platform/mesh-platform";

const env = clusterEnv();
const nomad = <T>(path: string, body: unknown) =>
  api<T>(env.NOMAD_ADDR!, path, env.NOMAD_TOKEN, {
    method: "POST",
    body: JSON.stringify(body),
    tokenHeader: "X-Nomad-Token",
  });

/** Nomad's canonical form of a seed job. */
async function parseSeed(file: string): Promise<Json> {
  return nomad<Json>("/v1/jobs/parse", {
    JobHCL: readFileSync(join(__dirname, "seeds", file), "utf8"),
    Canonicalize: true,
  });
}

/** The mesh-relevant shape of a job. */
interface MeshShape {
  type: string;
  groups: {
    network: string;
    staticPorts: string[];
    services: {
      name: string;
      port: string;
      connect: string;
      transparentProxy: boolean;
      upstreams: string[];
      tags: string[];
    }[];
  }[];
}

/** The mesh-relevant shape of a job, comparable between a seed and our rendering. */
function meshShape(job: Json): MeshShape {
  return {
    type: job.Type ?? "service",
    groups: (job.TaskGroups as Json[]).map((g) => ({
      network: g.Networks?.[0]?.Mode ?? "host",
      staticPorts: (g.Networks?.[0]?.ReservedPorts ?? [])
        .map((p: Json) => `${p.Label}:${p.Value}${p.To ? `->${p.To}` : ""}`)
        .sort(),
      services: (g.Services ?? []).map((s: Json) => ({
        name: s.Name,
        port: s.PortLabel,
        connect: s.Connect?.Native ? "native" : s.Connect?.SidecarService ? "sidecar" : "none",
        transparentProxy: Boolean(s.Connect?.SidecarService?.Proxy?.TransparentProxy),
        upstreams: (s.Connect?.SidecarService?.Proxy?.Upstreams ?? []).map(
          (u: Json) => `${u.DestinationName}:${u.LocalBindPort}`,
        ),
        tags: [...(s.Tags ?? [])].sort(),
      })),
    })),
  };
}

function jobsOf(
  build: (stack: TerraformStack) => void,
  driver: "docker" | "raw_exec" = "docker",
): Record<string, Json> {
  const { stack } = platform(driver);
  build(stack);
  return jobs(stack);
}

describe("the real Nomad accepts every rendered job", () => {
  // The stacks create the platform's namespace before its jobs; validation needs it to exist.
  beforeAll(() => nomad(`/v1/namespace/${PLATFORM_NAMESPACE}`, { Name: PLATFORM_NAMESPACE }));
  afterAll(() =>
    api(env.NOMAD_ADDR!, `/v1/namespace/${PLATFORM_NAMESPACE}`, env.NOMAD_TOKEN, {
      method: "DELETE",
      tokenHeader: "X-Nomad-Token",
    }),
  );

  // The built-in environments as this cluster runs them; staging and prod use workload identity.
  const stacks = Object.values(environments)
    .map((e) => (e.name === "local" || e.name === "prodlike" ? onCluster(e, env) : e))
    .filter(
      (e) =>
        e.name === "local" ||
        e.name === "prodlike" ||
        clusterHas(env, "workload-identity", `the real Nomad accepts the ${e.name} stack's jobs`),
    );
  const cases: [string, Record<string, Json>][] = [
    ...stacks.map((e): [string, Record<string, Json>] => [
      `${e.name} stack`,
      jobs(new MeshPlatformStack(Testing.app(), e.name, { environment: e })),
    ]),
    ["redis example", jobsOf((s) => new RedisPubSub(s, "redis", { mesh: platformMesh(s) }))],
    [
      "ssh over SNI example",
      jobsOf(
        (s) =>
          new SshOverSni(s, "ssh", {
            mesh: platformMesh(s),
            domain: "example.com",
            imageUrl: "https://images.example.com/simple01.qcow2",
          }),
      ),
    ],
    [
      "legacy manual proxy example",
      jobsOf(
        (s) =>
          new LegacyManualProxy(s, "legacy", {
            intentions: platformMesh(s).intentions,
            consulBinary: "/usr/local/bin/consul",
          }),
      ),
    ],
    ["50 generated services", jobs(buildGeneratedStack(Testing.app(), "generated", 50))],
  ];

  test.each(cases)("%s", async (_name, byId) => {
    expect(Object.keys(byId).length).toBeGreaterThan(0);
    for (const [id, job] of Object.entries(byId)) {
      const result = await nomad<{ ValidationErrors?: string[]; Error?: string }>("/v1/validate/job", {
        Job: job,
      });
      expect({ id, errors: result.ValidationErrors ?? [], error: result.Error ?? "" }).toEqual({
        id,
        errors: [],
        error: "",
      });
    }
  });
});

describe("seed jobs, parsed by the real Nomad, match our rendering", () => {
  const countdashSeeds = (
    [
      ["countdash-tproxy.nomad.hcl", "transparent-proxy"],
      ["countdash-upstreams.nomad.hcl", "upstreams"],
    ] as const
  ).filter(([file, mode]) => mode !== "transparent-proxy" || clusterHas(env, "transparent-proxy", file));
  test.each(countdashSeeds)("%s", async (file, mode) => {
    const seed = meshShape(await parseSeed(file));
    const ours = meshShape(
      jobsOf((s) => new Countdash(s, "countdash", { mesh: platformMesh(s), mode })).countdash,
    );
    // Intended differences: our groups carry an HTTP health check through `expose` (a dynamic port,
    // not static), and the dashboard's host port is labelled "public".
    expect(ours.groups.map((g) => g.network)).toEqual(seed.groups.map((g) => g.network));
    expect(
      ours.groups.map((g) => g.services.map((s) => [s.name, s.connect, s.transparentProxy, s.upstreams])),
    ).toEqual(
      seed.groups.map((g) => g.services.map((s) => [s.name, s.connect, s.transparentProxy, s.upstreams])),
    );
    expect(ours.groups[0].services[0].port).toBe(seed.groups[0].services[0].port);
    expect(ours.groups[1].staticPorts).toEqual(["public:9002->9002"]);
    expect(seed.groups[1].staticPorts).toEqual(["http:9002->9002"]);
  });

  test("consul-agent.nomad.hcl", async () => {
    const seed = meshShape(await parseSeed("consul-agent.nomad.hcl"));
    const ours = meshShape(jobs(platform().stack).consul);
    expect(ours.type).toBe(seed.type);
    expect(ours.groups[0].network).toBe(seed.groups[0].network);
    // Intended difference: no port 8400 (Consul's legacy RPC, removed in Consul 0.8).
    const ports = (shape: MeshShape) => shape.groups[0].staticPorts.map((p) => p.split(":")[1]).sort();
    expect(ports(ours)).toEqual(ports(seed).filter((p) => p !== "8400"));
  });

  test("traefik.nomad.hcl", async () => {
    const seed = meshShape(await parseSeed("traefik.nomad.hcl"));
    const ours = meshShape(jobs(platform().stack).traefik);
    expect(ours.groups[0].network).toBe("bridge");
    expect(ours.groups[0].network).toBe(seed.groups[0].network);
    // Same single TLS port; intended difference: no insecure API (8081) or plain HTTP (8080) port by default.
    expect(ours.groups[0].staticPorts.filter((p) => p.includes(":8443"))).toHaveLength(1);
    expect(seed.groups[0].staticPorts.filter((p) => p.includes(":8443"))).toHaveLength(1);
    expect(ours.groups[0].services.map((s) => s.connect)).toEqual(
      seed.groups[0].services.map((s) => s.connect),
    );
  });

  test("qemu-sni.nomad.hcl", async () => {
    const seed = meshShape(await parseSeed("qemu-sni.nomad.hcl"));
    const ours = meshShape(
      jobsOf(
        (s) =>
          new SshOverSni(s, "ssh", {
            mesh: platformMesh(s),
            domain: "domain.com",
            imageUrl: "https://artifactory.com/artifactory/images/simple01.qcow2",
          }),
      ).simple01,
    );
    expect(ours.groups[0].network).toBe(seed.groups[0].network);
    expect(ours.groups[0].services[0].connect).toBe(seed.groups[0].services[0].connect);
    // The seed interpolates ${NOMAD_JOB_NAME}; ours renders the name. Same routing tags otherwise.
    const seedTags = seed.groups[0].services[0].tags.map((t: string) =>
      t.replace(/\$\{NOMAD_JOB_NAME\}/g, "simple01"),
    );
    expect(ours.groups[0].services[0].tags).toEqual(
      expect.arrayContaining(seedTags.filter((t: string) => !t.endsWith(".service=simple01"))),
    );
  });
});

/** The mesh of the platform a stack was built in by `jobsOf`. */
function platformMesh(stack: TerraformStack) {
  return stack.node.findChild("mesh") as ReturnType<typeof platform>["mesh"];
}
