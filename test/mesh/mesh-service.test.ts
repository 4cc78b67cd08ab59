import { Intentions } from "../../constructs/consul/intentions";
import { MeshDefaults } from "../../constructs/consul/mesh-defaults";
import {
  MeshJob,
  MeshService,
  MeshServiceProps,
  ServiceMesh,
  SidecarTaskOverride,
} from "../../constructs/mesh";
import { ConsulAgentJob, NomadJob, TaskDriver } from "../../constructs/nomad";
import { TraefikIngress } from "../../constructs/traefik";
import {
  allowedSources,
  group,
  jobs,
  platformStack,
  rawJobspecs,
  synthJson,
  validationError,
  type Json,
} from "../nomad/support";

/** The arguments Nomad's own Envoy sidecar runs with, as raw_exec sidecars take them over. */
const ENVOY_BOOTSTRAP_ARGS = [
  "-c",
  "${NOMAD_SECRETS_DIR}/envoy_bootstrap.json",
  "-l",
  "${meta.connect.log_level}",
  "--concurrency",
  "${meta.connect.proxy_concurrency}",
  "--disable-hot-restart",
];

const app = [{ name: "app", driver: TaskDriver.docker({ image: "hashicorpdev/counter-api:v3" }) }];

function meshStack(props: ConstructorParameters<typeof ServiceMesh>[2] = {}) {
  const { stack } = platformStack();
  const traefik = new TraefikIngress(stack, "traefik", { httpPort: 8080 });
  const mesh = new ServiceMesh(stack, "mesh", { ingress: traefik, ...props });
  const service = (id: string, extra: Partial<MeshServiceProps> = {}) =>
    new MeshService(stack, id, { mesh, port: 9001, tasks: app, ...extra });
  return { stack, mesh, traefik, service };
}

describe("MeshService", () => {
  test("a service routed through the ingress publishes no plain host port unless told it is on loopback", () => {
    const { stack, service } = meshStack();
    const expose = { http: { host: "count.example.com" } };
    expect(() => service("count-dashboard", { port: 9002, hostPort: 9002, expose })).toThrow(
      "publishes the service in plain HTTP beside its ingress route",
    );
    service("count-local", { port: 9002, hostPort: 9002, expose, allowHostPortWithIngress: true });
    expect(group(jobs(stack)["count-local"], "count-local").Networks[0].ReservedPorts).toEqual([
      { Label: "public", Value: 9002, To: 9002 },
    ]);
  });

  test("renders a bridge group with a group-level Connect service", () => {
    const { stack, service } = meshStack();
    service("count-api");
    const g = group(jobs(stack)["count-api"], "count-api");
    expect(g.Networks).toEqual([{ Mode: "bridge" }]);
    expect(g.Services).toEqual([{ Name: "count-api", PortLabel: "9001", Connect: { SidecarService: {} } }]);
    expect(g.Tasks[0]).toMatchObject({
      Name: "app",
      Driver: "docker",
      Resources: { CPU: 100, MemoryMB: 128 },
    });
  });

  test("connectTo adds the upstream and exactly one intention", () => {
    const { stack, service } = meshStack();
    const api = service("count-api");
    const dashboard = service("count-dashboard", { port: 9002, hostPort: 9002 });
    dashboard.connectTo(api, { localBindPort: 8080 });
    const g = group(jobs(stack)["count-dashboard"], "count-dashboard");
    expect(g.Services[0].Connect.SidecarService.Proxy.Upstreams).toEqual([
      { DestinationName: "count-api", LocalBindPort: 8080 },
    ]);
    expect(g.Networks[0].ReservedPorts).toEqual([{ Label: "public", Value: 9002, To: 9002 }]);
    expect(g.Services[0].PortLabel).toBe("public");
    expect(allowedSources(stack, "count-api")).toEqual(["count-dashboard"]);
    expect(allowedSources(stack, "count-dashboard")).toEqual([]);
    expect(dashboard.upstreamAddress(api)).toBe("${NOMAD_UPSTREAM_ADDR_count_api}");
  });

  test("declaring upstreams by name works in any order", () => {
    const { stack, service } = meshStack();
    service("count-dashboard", { port: 9002, upstreams: [{ service: "count-api", localBindPort: 8080 }] });
    service("count-api");
    expect(validationError(stack)).toBe("");
    expect(allowedSources(stack, "count-api")).toEqual(["count-dashboard"]);
  });

  test("transparent proxy renders TransparentProxy {} and virtual addresses", () => {
    const { stack, service } = meshStack();
    const api = service("count-api", { transparentProxy: true });
    const dashboard = service("count-dashboard", { port: 9002, transparentProxy: true });
    dashboard.connectTo(api);
    const proxy = group(jobs(stack)["count-dashboard"], "count-dashboard").Services[0].Connect.SidecarService
      .Proxy;
    expect(proxy).toEqual({ TransparentProxy: {} });
    expect(dashboard.upstreamAddress(api)).toBe("count-api.virtual.consul");
    expect(allowedSources(stack, "count-api")).toEqual(["count-dashboard"]);
  });

  test("an upstream with L7 permissions allows only those requests, through the relation itself", () => {
    // GIVEN an http upstream (service-defaults) and a caller limited to GET /v1/counter
    const { stack } = platformStack();
    const mesh = new ServiceMesh(stack, "mesh", {
      defaults: new MeshDefaults(stack, "defaults"),
      intentions: new Intentions(stack, "intentions"),
    });
    const api = new MeshService(stack, "count-api", { mesh, port: 9001, protocol: "http", tasks: app });
    new MeshService(stack, "count-dashboard", { mesh, port: 9002, tasks: app }).connectTo(api, {
      localBindPort: 8080,
      permissions: [{ pathExact: "/v1/counter", methods: ["GET"] }],
    });
    // THEN the destination's intentions carry exactly that permission for the caller
    expect(validationError(stack)).toBe("");
    const entry = Object.values(
      synthJson(stack).resource.consul_config_entry_service_intentions as Record<string, Json>,
    ).find((e) => e.name === "count-api")!;
    expect(entry.sources).toEqual([
      expect.objectContaining({
        name: "count-dashboard",
        permissions: [{ action: "allow", http: [{ path_exact: "/v1/counter", methods: ["GET"] }] }],
      }),
    ]);
  });

  test("refuses L7 permissions towards an upstream that does not speak HTTP", () => {
    const { stack } = platformStack();
    const mesh = new ServiceMesh(stack, "mesh", {
      defaults: new MeshDefaults(stack, "defaults"),
      intentions: new Intentions(stack, "intentions"),
    });
    new MeshService(stack, "db", { mesh, port: 5432, tasks: app });
    new MeshService(stack, "count-dashboard", { mesh, port: 9002, tasks: app }).connectTo("db", {
      localBindPort: 15432,
      permissions: [{ methods: ["GET"] }],
    });
    expect(validationError(stack)).toContain(
      'Intentions platform/intentions: allow("count-dashboard", "db") has L7 permissions but "db" speaks "tcp"; ' +
        'give it protocol "http", "http2" or "grpc"',
    );
  });

  test("refuses L7 permissions in a mesh without MeshDefaults, where no protocol can be declared", () => {
    const { stack } = platformStack();
    const mesh = new ServiceMesh(stack, "mesh");
    new MeshService(stack, "db", { mesh, port: 5432, tasks: app });
    new MeshService(stack, "count-dashboard", { mesh, port: 9002, tasks: app }).connectTo("db", {
      localBindPort: 15432,
      permissions: [{ methods: ["GET"] }],
    });
    expect(validationError(stack)).toContain(
      'MeshService platform/count-dashboard: upstream "db" has L7 permissions but its protocol is unknown',
    );
  });

  test("transparent proxy exempts the uid the raw_exec sidecar runs Envoy as", () => {
    // GIVEN sidecars under a user of their own, apart from the workloads (consul-cni's ProxyUID)
    const { stack, service } = meshStack({
      driver: "raw_exec",
      sidecarTask: SidecarTaskOverride.rawExecEnvoy({
        envoyPath: "envoy",
        user: { name: "nobody", uid: 65534 },
      }),
    });
    service("count-api", { transparentProxy: true });
    service("count-web", { port: 9002 });
    const connect = (name: string) => group(jobs(stack)[name], name).Services[0].Connect;
    // THEN Envoy runs as that user, and redirection spares exactly its uid
    expect(connect("count-api").SidecarTask.User).toBe("nobody");
    expect(connect("count-api").SidecarService.Proxy.TransparentProxy).toEqual({ UID: "65534" });
    // AND services with upstreams only carry no transparent proxy block
    expect(connect("count-web").SidecarService.Proxy?.TransparentProxy).toBeUndefined();
  });

  test("health checks go through an expose path on a dynamic port", () => {
    const { stack, service } = meshStack();
    service("count-api", { healthCheck: { path: "/health", interval: "5s" }, exposePaths: ["/metrics"] });
    const g = group(jobs(stack)["count-api"], "count-api");
    expect(g.Networks[0].DynamicPorts).toEqual([
      { Label: "healthcheck", To: -1 },
      { Label: "expose-1", To: -1 },
    ]);
    expect(g.Services[0].Connect.SidecarService.Proxy.Expose.Paths).toEqual([
      { Path: "/health", Protocol: "http", LocalPathPort: 9001, ListenerPort: "healthcheck" },
      { Path: "/metrics", Protocol: "http", LocalPathPort: 9001, ListenerPort: "expose-1" },
    ]);
    expect(g.Services[0].Checks).toEqual([
      {
        Name: "count-api-health",
        Type: "http",
        Path: "/health",
        PortLabel: "healthcheck",
        Interval: 5e9,
        Timeout: 2e9,
      },
    ]);
  });

  test("HTTP exposure adds Traefik router tags and the ingress intention", () => {
    const { stack, service } = meshStack();
    service("count-dashboard", { expose: { http: { host: "count.example.com", pathPrefix: "/ui" } } });
    expect(group(jobs(stack)["count-dashboard"], "count-dashboard").Services[0].Tags).toEqual([
      "traefik.enable=true",
      "traefik.consulcatalog.connect=true",
      "traefik.http.routers.count-dashboard.rule=Host(`count.example.com`) && PathPrefix(`/ui`)",
      "traefik.http.routers.count-dashboard.entrypoints=https",
      "traefik.http.routers.count-dashboard.tls=true",
    ]);
    expect(allowedSources(stack, "count-dashboard")).toEqual(["traefik"]);
  });

  test("HTTP exposure on the plain entry point has no tls tag", () => {
    const { stack, service } = meshStack();
    service("web", { expose: { http: { host: "web.example.com", entryPoint: "web" } } });
    const tags: string[] = group(jobs(stack).web, "web").Services[0].Tags;
    expect(tags).toContain("traefik.http.routers.web.entrypoints=web");
    expect(tags.some((t) => t.endsWith(".tls=true"))).toBe(false);
  });

  test("TCP exposure adds a HostSNI router on the TLS entry point", () => {
    const { stack, service } = meshStack();
    service("ssh", { port: 22, expose: { tcp: { sni: "ssh.example.com" } } });
    expect(group(jobs(stack).ssh, "ssh").Services[0].Tags).toEqual([
      "traefik.enable=true",
      "traefik.consulcatalog.connect=true",
      "traefik.tcp.routers.ssh.rule=HostSNI(`ssh.example.com`)",
      "traefik.tcp.routers.ssh.entrypoints=https",
      "traefik.tcp.routers.ssh.tls=true",
      "traefik.tcp.routers.ssh.service=ssh",
    ]);
  });

  test("applies the mesh's raw_exec Envoy sidecar, escaped for Terraform", () => {
    const { stack, service } = meshStack({
      driver: "raw_exec",
      sidecarTask: SidecarTaskOverride.rawExecEnvoy({ envoyPath: "/opt/envoy/bin/envoy" }),
    });
    service("count-api");
    expect(group(jobs(stack)["count-api"], "count-api").Services[0].Connect.SidecarTask).toEqual({
      Driver: "raw_exec",
      Config: {
        command: "/opt/envoy/bin/envoy",
        args: ENVOY_BOOTSTRAP_ARGS,
        // raw_exec runs from the task directory; Envoy's gRPC socket path is relative to the alloc dir.
        work_dir: "${NOMAD_ALLOC_DIR}/..",
      },
    });
    expect(rawJobspecs(stack)["count-api"]).toContain("$${NOMAD_SECRETS_DIR}/envoy_bootstrap.json");
  });

  test("renders health check durations in nanoseconds", () => {
    const { stack, service } = meshStack();
    service("count-api", { healthCheck: { path: "/health", interval: "5s", timeout: "1500ms" } });
    const check = group(jobs(stack)["count-api"], "count-api").Services[0].Checks[0];
    expect([check.Interval, check.Timeout]).toEqual([5e9, 1.5e9]);
  });

  test("rejects sub-second health check timeouts, as Nomad does (ServiceCheck.validateCommon)", () => {
    const { service } = meshStack();
    expect(() =>
      service("count-api", { healthCheck: { path: "/health", interval: "5s", timeout: "500ms" } }),
    ).toThrow(/healthCheck.timeout "500ms" is shorter than Nomad's minimum of 1s/);
  });

  test("renders count, update and canaries, Vault roles and protocols", () => {
    const { stack } = platformStack();
    const defaults = new MeshDefaults(stack, "defaults");
    const mesh = new ServiceMesh(stack, "mesh", {
      defaults,
      intentions: new Intentions(stack, "intentions"),
    });
    new MeshService(stack, "api", {
      mesh,
      port: 9001,
      count: 3,
      protocol: "http",
      update: { canary: 1, autoPromote: true, maxParallel: 2 },
      tasks: [{ ...app[0], vaultRole: "api", resources: { cpu: 250, memoryMb: 256 } }],
    });
    const g = group(jobs(stack).api, "api");
    expect(g.Count).toBe(3);
    expect(g.Update).toEqual({
      MaxParallel: 2,
      Canary: 1,
      AutoPromote: true,
      AutoRevert: false,
      MinHealthyTime: 10e9,
      HealthyDeadline: 300e9,
    });
    expect(g.Tasks[0].Vault).toEqual({ Role: "api" });
    expect(g.Tasks[0].Resources).toEqual({ CPU: 250, MemoryMB: 256 });
    expect(defaults.protocolOf("api")).toBe("http");
  });

  test("several services share a MeshJob as groups", () => {
    const { stack } = platformStack();
    const mesh = new ServiceMesh(stack, "mesh");
    const job = new MeshJob(stack, "countdash", { mesh });
    new MeshService(job, "count-api", { mesh, port: 9001, tasks: app });
    new MeshService(job, "count-dashboard", { mesh, port: 9002, tasks: app });
    expect(jobs(stack).countdash.TaskGroups.map((g: Json) => g.Name)).toEqual([
      "count-api",
      "count-dashboard",
    ]);
  });

  test("every mesh job depends on what the mesh depends on", () => {
    // GIVEN a mesh depending on two resources, and three services
    const { stack } = platformStack();
    const consul = new ConsulAgentJob(stack, "consul");
    const other = new NomadJob(stack, "other", { groups: [] });
    const mesh = new ServiceMesh(stack, "mesh", { dependsOn: [consul.resource, other.resource] });
    for (const name of ["a", "b", "c"]) new MeshService(stack, name, { mesh, port: 9001, tasks: app });
    // THEN each job lists both, in order
    const dependsOn = Object.entries(synthJson(stack).resource.nomad_job as Record<string, Json>)
      .filter(([key]) => /^[abc]_/.test(key))
      .map(([, job]) => job.depends_on);
    expect(dependsOn).toHaveLength(3);
    for (const list of dependsOn) {
      expect(list).toEqual([
        expect.stringMatching(/^nomad_job\.consul_/),
        expect.stringMatching(/^nomad_job\.other_/),
      ]);
    }
  });

  test("checks upstreams at synth without listing the mesh's services when all are known", () => {
    // GIVEN valid upstreams (listing every service for every service made synth quadratic)
    const { stack, mesh, service } = meshStack();
    const api = service("count-api");
    service("count-dashboard", { port: 9002 }).connectTo(api, { localBindPort: 8080 });
    const serviceNames = jest.spyOn(mesh, "serviceNames", "get");
    // THEN synth passes and never asks for the list
    expect(validationError(stack)).toBe("");
    expect(serviceNames).not.toHaveBeenCalled();
  });

  describe("bad input", () => {
    test("fails when an upstream is not a service in the stack", () => {
      // GIVEN a typo in the upstream's name
      const { stack, service } = meshStack();
      service("count-api");
      service("count-dashboard", { port: 9002, upstreams: [{ service: "count-apii", localBindPort: 8080 }] });
      // THEN synth names both ends and the known services
      expect(validationError(stack)).toContain(
        'MeshService platform/count-dashboard: upstream "count-apii" is not a service in this stack ' +
          "(known: count-api, traefik); fix the name, add the service, or declare it with mesh.addExternalService()",
      );
    });

    test("accepts an upstream declared external", () => {
      const { stack, mesh, service } = meshStack();
      mesh.addExternalService("billing");
      service("count-dashboard", { upstreams: [{ service: "billing", localBindPort: 8080 }] });
      expect(validationError(stack)).toBe("");
    });

    test("fails when props are missing, as plain JavaScript may call it", () => {
      const { stack } = meshStack();
      const untyped = MeshService as unknown as new (s: unknown, id: string, p?: unknown) => MeshService;
      expect(() => new untyped(stack, "svc", undefined)).toThrow(
        "MeshService platform/svc: props undefined are not an object; pass { mesh, port, tasks }",
      );
    });

    test("fails when the mesh is missing", () => {
      const { stack } = meshStack();
      expect(() => new MeshService(stack, "svc", { port: 9001 } as unknown as MeshServiceProps)).toThrow(
        'MeshService platform/svc: mesh undefined is not a ServiceMesh; pass the mesh this service belongs to, e.g. new ServiceMesh(stack, "Mesh")',
      );
    });

    test.each([null, undefined, 42])("fails when connectTo is given %p", (target) => {
      const { service } = meshStack();
      const api = service("count-api");
      expect(() => api.connectTo(target as unknown as string, { localBindPort: 8080 })).toThrow(
        `MeshService platform/count-api: connectTo(${target === undefined ? "undefined" : JSON.stringify(target)}): ` +
          `the upstream must be a MeshService, an ExternalService or a service name, e.g. connectTo(api) or connectTo("api")`,
      );
    });

    test.each(["a/b", "a\\b", "", "alloc", "nul\u0000"])(
      "fails when a task is named %j, which Nomad rejects",
      (name) => {
        const { service } = meshStack();
        expect(() => service("count-api", { tasks: [{ ...app[0], name }] })).toThrow(
          `MeshService platform/count-api: task name ${JSON.stringify(name)} is not a Nomad task name; use a non-empty ` +
            `name other than "alloc", without slashes, backslashes or NUL characters (e.g. "api")`,
        );
      },
    );

    test("fails when a service connects to itself", () => {
      const { service } = meshStack();
      const api = service("count-api");
      expect(() => api.connectTo(api, { localBindPort: 8080 })).toThrow(
        'MeshService platform/count-api: upstream "count-api" is the service itself; a service reaches its own port directly, so remove it',
      );
    });

    test("fails when two upstreams share a local bind port", () => {
      const { service } = meshStack();
      const dashboard = service("count-dashboard").connectTo("count-api", { localBindPort: 8080 });
      expect(() => dashboard.connectTo("redis", { localBindPort: 8080 })).toThrow(
        'MeshService platform/count-dashboard: upstream "redis" localBindPort 8080 is already used by upstream "count-api"; give each upstream its own port',
      );
    });

    test("fails when a local bind port is the service's own port", () => {
      const { service } = meshStack();
      expect(() => service("count-dashboard").connectTo("count-api", { localBindPort: 9001 })).toThrow(
        'MeshService platform/count-dashboard: upstream "count-api" localBindPort 9001 is the service\'s own port; use another port',
      );
    });

    test("fails when transparent proxy is combined with a local bind port", () => {
      const { service } = meshStack();
      expect(() =>
        service("count-dashboard", { transparentProxy: true }).connectTo("count-api", {
          localBindPort: 8080,
        }),
      ).toThrow(
        'MeshService platform/count-dashboard: upstream "count-api" localBindPort 8080 is set but the service uses transparent proxy, ' +
          "which reaches upstreams at count-api.virtual.consul; drop localBindPort or set transparentProxy: false",
      );
    });

    test("fails when a manual upstream has no local bind port", () => {
      const { service } = meshStack();
      expect(() => service("count-dashboard").connectTo("count-api")).toThrow(
        'MeshService platform/count-dashboard: upstream "count-api" has no localBindPort; give one (e.g. 8080) or set transparentProxy: true',
      );
    });

    test("fails when the service name is invalid", () => {
      const { service } = meshStack();
      expect(() => service("Count_API")).toThrow(
        'MeshService platform/Count_API: name "Count_API" is not a valid service name; use 1-63 lowercase letters',
      );
    });

    test("fails when exposePaths are given without a health check", () => {
      const { service } = meshStack();
      expect(() => service("count-api", { exposePaths: ["/metrics"] })).toThrow(
        'MeshService platform/count-api: exposePaths ["/metrics"] are served without mTLS but there is no health check; add healthCheck: { path } or remove exposePaths',
      );
    });

    test("fails when a health check does not go through expose in bridge mode", () => {
      const { service } = meshStack();
      expect(() => service("count-api", { healthCheck: { path: "/health", expose: false } })).toThrow(
        "MeshService platform/count-api: healthCheck.expose false leaves the check unable to reach the application inside the bridge network; set healthCheck.expose to true",
      );
    });

    test("fails when the Traefik route host is empty", () => {
      const { service } = meshStack();
      expect(() => service("web", { expose: { http: { host: "" } } })).toThrow(
        'MeshService platform/web: expose.http.host "" is not a host name; use e.g. "app.example.com"',
      );
    });

    test("fails when the route host is a wildcard, which Host() never matches", () => {
      const { service } = meshStack();
      expect(() => service("web", { expose: { http: { host: "*.example.com" } } })).toThrow(
        'MeshService platform/web: expose.http.host "*.example.com" is not a host name; use e.g. "app.example.com"',
      );
    });

    test("fails when an SNI route uses an entry point without TLS", () => {
      const { service } = meshStack();
      expect(() =>
        service("ssh", { expose: { tcp: { sni: "ssh.example.com", entryPoint: "web" } } }),
      ).toThrow(
        'MeshService platform/ssh: expose.tcp.entryPoint "web" does not terminate TLS, so HostSNI() never matches; use the TLS entry point "https"',
      );
    });

    test("fails when a route names an unknown entry point", () => {
      const { service } = meshStack();
      expect(() =>
        service("web", { expose: { http: { host: "a.example.com", entryPoint: "websecure" } } }),
      ).toThrow(
        'MeshService platform/web: expose.http.entryPoint "websecure" is not an entry point of the ingress; use one of https, web',
      );
    });

    test("fails when exposing without an ingress", () => {
      const { stack } = platformStack();
      const mesh = new ServiceMesh(stack, "mesh");
      expect(
        () => new MeshService(stack, "web", { mesh, port: 80, expose: { http: { host: "a.example.com" } } }),
      ).toThrow(
        'MeshService platform/web: expose {"http":{"host":"a.example.com"}} needs an ingress in the mesh; pass ingress to the ServiceMesh or call mesh.useIngress() first',
      );
    });

    test("fails when canaries exceed the count", () => {
      const { service } = meshStack();
      expect(() => service("api", { count: 2, update: { canary: 3 } })).toThrow(
        "MeshService platform/api: update.canary 3 exceeds count 2; use at most 2 canaries or raise count",
      );
    });

    test("fails when a health check duration is not a Go duration", () => {
      const { service } = meshStack();
      expect(() => service("api", { healthCheck: { path: "/health", timeout: "2 seconds" } })).toThrow(
        'MeshService platform/api: healthCheck.timeout "2 seconds" is not a positive duration; use a form such as "10s", "5m" or "250ms"',
      );
    });

    test("fails when the canary count is negative", () => {
      const { service } = meshStack();
      expect(() => service("api", { update: { canary: -1 } })).toThrow(
        "MeshService platform/api: update.canary -1 must be a whole number, 0 or more",
      );
    });

    test("fails when autoPromote has no canaries to promote", () => {
      const { service } = meshStack();
      expect(() => service("api", { update: { autoPromote: true } })).toThrow(
        "MeshService platform/api: update.autoPromote true needs canaries (update.canary is 0); set update.canary or drop autoPromote",
      );
    });

    test("fails when minHealthyTime is not shorter than healthyDeadline", () => {
      const { service } = meshStack();
      expect(() => service("api", { update: { minHealthyTime: "5m", healthyDeadline: "5m" } })).toThrow(
        'MeshService platform/api: update.minHealthyTime "5m" is not shorter than update.healthyDeadline "5m"; Nomad rejects it, so shorten minHealthyTime or lengthen healthyDeadline',
      );
    });

    test("fails when task resources are zero", () => {
      const { service } = meshStack();
      expect(() => service("api", { tasks: [{ ...app[0], resources: { cpu: 0 } }] })).toThrow(
        'MeshService platform/api: task "app" resources.cpu 0 must be a whole number of at least 1; use e.g. 100 (MHz)',
      );
    });

    test("fails when the port is out of range", () => {
      const { service } = meshStack();
      expect(() => service("api", { port: 0 })).toThrow(
        "MeshService platform/api: port 0 is not a port number; use 1-65535",
      );
    });

    test("fails when an external service is declared after a mesh service of the same name", () => {
      const { mesh, service } = meshStack();
      service("api");
      expect(() => mesh.addExternalService("api")).toThrow(
        'ServiceMesh platform/mesh: service "api" is declared twice (platform/api and an external service); give each service its own name',
      );
    });

    test("fails when two services share a name", () => {
      const { stack, service } = meshStack();
      service("api");
      expect(() => service("api-2", { name: "api" })).toThrow(
        'ServiceMesh platform/mesh: service "api" is declared twice (platform/api-2 and platform/api); give each service its own name',
      );
      expect(stack).toBeDefined();
    });

    test("fails when a protocol is set without MeshDefaults", () => {
      const { service } = meshStack();
      expect(() => service("api", { protocol: "http" })).toThrow(
        'MeshService platform/api: protocol "http" needs MeshDefaults; pass defaults to the ServiceMesh',
      );
    });

    test("fails when a published host port clashes with another job's", () => {
      const { stack, service } = meshStack();
      service("dashboard", { hostPort: 8443 });
      expect(validationError(stack)).toContain(
        'MeshJob platform/dashboard/Job: static port 8443 (group "dashboard", port "public") is already reserved by platform/traefik',
      );
    });

    test("fails when the raw_exec Envoy path is relative", () => {
      expect(() => SidecarTaskOverride.rawExecEnvoy({ envoyPath: "bin/envoy" })).toThrow(
        'SidecarTaskOverride.rawExecEnvoy: envoyPath "bin/envoy" is neither an absolute path nor a command name; use the Envoy binary\'s path on the client nodes',
      );
    });

    test("accepts a command name found on the Nomad agent's PATH", () => {
      expect(SidecarTaskOverride.rawExecEnvoy({ envoyPath: "envoy" }).task.Config).toMatchObject({
        command: "envoy",
        work_dir: "${NOMAD_ALLOC_DIR}/..",
      });
    });

    test("starts Envoy in the allocation directory through sh where raw_exec has no work_dir (Nomad 1.6)", () => {
      // GIVEN clients on Nomad 1.6.1, whose raw_exec refuses `work_dir`
      const config = SidecarTaskOverride.rawExecEnvoy({ envoyPath: "envoy", nomadVersion: "1.6.1" }).task
        .Config!;
      // THEN sh changes into the allocation directory and execs Envoy with Nomad's bootstrap arguments
      expect(config.work_dir).toBeUndefined();
      expect(config.command).toBe("/bin/sh");
      expect(config.args).toEqual([
        "-c",
        'cd "$1" && shift && exec "$@"',
        "envoy",
        "${NOMAD_ALLOC_DIR}/..",
        "envoy",
        ...ENVOY_BOOTSTRAP_ARGS,
      ]);
    });
  });
});
