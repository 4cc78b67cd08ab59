import { TerraformVariable } from "cdktf";
import { onlyResource, synth, testStack } from "../helpers";
import { TraefikIngress, TraefikTls } from "../../constructs/traefik";
import { renderToml } from "../../constructs/traefik/toml";
import { group, jobs, platformStack, type Json } from "../nomad/support";

function ingress(props: ConstructorParameters<typeof TraefikIngress>[2] = {}) {
  const { stack } = platformStack();
  const construct = new TraefikIngress(stack, "traefik", props);
  const g = group(jobs(stack).traefik, "traefik");
  const task = g.Tasks[0];
  const staticConfig = task.Templates.find((t: Json) => t.DestPath === "local/traefik.toml")
    .EmbeddedTmpl as string;
  return { construct, group: g, task, staticConfig };
}

describe("TraefikIngress", () => {
  test("is a Connect-native service in bridge mode on one static TLS port", () => {
    const { group: g, construct } = ingress();
    expect(g.Networks).toEqual([
      { Mode: "bridge", ReservedPorts: [{ Label: "https", Value: 8443, To: 8443 }] },
    ]);
    expect(g.Services[0]).toMatchObject({ Name: "traefik", PortLabel: "https", Connect: { Native: true } });
    expect(g.Services[0].Checks[0]).toMatchObject({ Type: "tcp", PortLabel: "https" });
    expect(construct).toMatchObject({ serviceName: "traefik", tlsEntryPoint: "https", tagPrefix: "traefik" });
    expect(construct.httpEntryPoint).toBeUndefined();
  });

  test("refuses TLS before 1.2 and sends HSTS on every HTTP route of the TLS entry point", () => {
    const { task, staticConfig } = ingress();
    const hardening = task.Templates.find((t: Json) => t.DestPath === "local/dynamic/hardening.toml")
      .EmbeddedTmpl as string;
    expect(hardening).toContain(
      ["[tls.options.default]", 'minVersion = "VersionTLS12"', "sniStrict = false"].join("\n"),
    );
    expect(hardening).toContain(
      ["[http.middlewares.hsts.headers]", "stsSeconds = 31536000", "stsIncludeSubdomains = true"].join("\n"),
    );
    expect(staticConfig).toContain(["[entryPoints.https.http]", 'middlewares = ["hsts@file"]'].join("\n"));
    expect(staticConfig).toContain('[providers.file]\ndirectory = "/local/dynamic"');
  });

  test("with a certificate of its own, refuses names it does not serve (sniStrict); TLS 1.3 and no HSTS on request", () => {
    const { task, staticConfig } = ingress({
      tls: TraefikTls.fromFiles({ certFile: "cert.pem", keyFile: "key.pem" }),
      minTlsVersion: "1.3",
      hstsMaxAgeSeconds: 0,
    });
    const hardening = task.Templates.find((t: Json) => t.DestPath === "local/dynamic/hardening.toml")
      .EmbeddedTmpl as string;
    expect(hardening).toBe(
      ["[tls.options.default]", 'minVersion = "VersionTLS13"', "sniStrict = true", ""].join("\n"),
    );
    expect(staticConfig).not.toContain("hsts@file");
  });

  test("configures the Consul catalog provider for the mesh", () => {
    const { staticConfig } = ingress({ serviceName: "ingress" });
    expect(staticConfig).toContain(
      [
        "[providers.consulCatalog]",
        'prefix = "traefik"',
        'serviceName = "ingress"',
        "connectAware = true",
        "watch = true",
        "connectByDefault = false",
        "exposedByDefault = false",
      ].join("\n"),
    );
    // A TOML literal string: the template action's quotes reach consul-template unescaped.
    expect(staticConfig).toContain(`address = 'unix://{{ env "NOMAD_ALLOC_DIR" }}/tmp/consul_http.sock'`);
    expect(staticConfig).toContain('[entryPoints.https]\naddress = ":8443"');
  });

  test("reads the catalog over HTTPS where the node's agent serves TLS, with the CA Nomad copies in", () => {
    const plain = ingress();
    expect(plain.staticConfig).toContain('scheme = "http"');
    expect(plain.task.Env).toBeUndefined();
    const docker = ingress({ consulTls: true });
    expect(docker.staticConfig).toContain('scheme = "https"');
    // In a chroot Nomad's CONSUL_CACERT (/secrets/consul_ca_file.pem) is right as it is...
    expect(docker.task.Env).toBeUndefined();
    // ...raw_exec tasks have no chroot: the path is relative to the task directory.
    const rawExec = ingress({ consulTls: true, driver: "raw_exec" });
    expect(rawExec.task.Env).toEqual({ CONSUL_CACERT: "secrets/consul_ca_file.pem" });
  });

  test("reads the catalog with its own token, kept in its Nomad variable and a secrets file", () => {
    const stack = testStack();
    const token = new TerraformVariable(stack, "token", { type: "string", sensitive: true }).stringValue;
    const traefik = new TraefikIngress(stack, "traefik", { consulToken: token });
    const out = synth(stack);
    expect(onlyResource(out, "nomad_variable")).toMatchObject({
      path: "nomad/jobs/traefik",
      items: { consul_token: "${var.token}" },
    });
    const task = traefik.toJob().TaskGroups[0].Tasks[0];
    expect(task.Templates![0].DestPath).toBe("secrets/traefik.toml");
    expect(task.Templates![0].EmbeddedTmpl).toContain(
      "token = '{{ with nomadVar `nomad/jobs/traefik` }}{{ .consul_token }}{{ end }}'",
    );
    expect(task.Config).toMatchObject({ args: ["--configFile=/secrets/traefik.toml"] });
    // Registered once the variable holds the token.
    expect(onlyResource(out, "nomad_job").depends_on).toEqual([
      expect.stringMatching(/^nomad_variable\.traefik_Variable_\w+$/),
    ]);
  });

  test("rejects a literal Consul token", () => {
    expect(() => new TraefikIngress(testStack(), "traefik", { consulToken: "s3cr3t" })).toThrow(
      "TraefikIngress test/traefik: consulToken is a literal; pass a Terraform reference",
    );
  });

  test("keeps the dashboard and insecure API off by default", () => {
    const { staticConfig, group: g } = ingress();
    expect(staticConfig).toContain("[api]\ndashboard = false");
    expect(staticConfig).not.toContain("insecure");
    expect(g.Services[0].Tags).toBeUndefined();
  });

  test("routes the dashboard on a TLS host when asked", () => {
    const { staticConfig, group: g } = ingress({
      dashboard: { host: "traefik.example.com", middlewares: ["auth"] },
    });
    expect(staticConfig).toContain("dashboard = true");
    expect(staticConfig).not.toContain("insecure");
    expect(g.Services[0].Tags).toEqual([
      "traefik.enable=true",
      "traefik.http.routers.traefik-dashboard.rule=Host(`traefik.example.com`)",
      "traefik.http.routers.traefik-dashboard.entrypoints=https",
      "traefik.http.routers.traefik-dashboard.tls=true",
      "traefik.http.routers.traefik-dashboard.service=api@internal",
      "traefik.http.routers.traefik-dashboard.middlewares=auth",
    ]);
  });

  test("exposes the insecure API only through the loudly named opt-in", () => {
    const { staticConfig, group: g } = ingress({ dangerouslyExposeInsecureApi: true });
    expect(staticConfig).toContain("insecure = true");
    expect(g.Networks[0].DynamicPorts).toEqual([{ Label: "api", To: 8080 }]);
  });

  test("adds a plain HTTP entry point when httpPort is set", () => {
    const { staticConfig, group: g, construct } = ingress({ httpPort: 8080 });
    expect(construct.httpEntryPoint).toBe("web");
    expect(staticConfig).toContain('[entryPoints.web]\naddress = ":8080"');
    expect(g.Networks[0].ReservedPorts).toContainEqual({ Label: "web", Value: 8080, To: 8080 });
  });

  test("issues its certificate from Vault PKI through workload identity", () => {
    const { task, staticConfig } = ingress({
      tls: TraefikTls.fromVault({
        issuePath: "pki_int/issue/ingress",
        commonName: "*.example.com",
        role: "traefik",
      }),
    });
    expect(task.Vault).toEqual({ Role: "traefik" });
    const cert = task.Templates.find((t: Json) => t.DestPath === "secrets/tls/ingress.pem");
    expect(cert.EmbeddedTmpl).toBe(
      '{{ with pkiCert "pki_int/issue/ingress" "common_name=*.example.com" "ttl=72h" }}\n{{ .Cert }}\n{{ .CA }}\n{{ .Key }}\n{{ end }}\n',
    );
    const dynamic = task.Templates.find((t: Json) => t.DestPath === "local/dynamic/tls.toml").EmbeddedTmpl;
    expect(dynamic).toContain('[[tls.certificates]]\ncertFile = "/secrets/tls/ingress.pem"');
    expect(staticConfig).toContain('[providers.file]\ndirectory = "/local/dynamic"\nwatch = true');
  });

  test("reads certificates from files and runs the host binary on raw_exec", () => {
    const { task } = ingress({
      driver: "raw_exec",
      tls: TraefikTls.fromFiles({ certFile: "/etc/ssl/ingress.crt", keyFile: "/etc/ssl/ingress.key" }),
      constraints: [{ LTarget: "${attr.unique.hostname}", Operand: "set_contains_any", RTarget: "edge-1" }],
    });
    expect(task.Driver).toBe("raw_exec");
    expect(task.Config).toEqual({ command: "traefik", args: ["--configFile=local/traefik.toml"] });
    expect(task.Vault).toBeUndefined();
    const dynamic = task.Templates.find((t: Json) => t.DestPath === "local/dynamic/tls.toml").EmbeddedTmpl;
    expect(dynamic).toContain('certFile = "/etc/ssl/ingress.crt"\nkeyFile = "/etc/ssl/ingress.key"');
  });

  test("applies the placement constraint to the job", () => {
    const { stack } = platformStack();
    new TraefikIngress(stack, "traefik", {
      constraints: [{ LTarget: "${attr.unique.hostname}", Operand: "set_contains_any", RTarget: "edge-1" }],
    });
    expect(jobs(stack).traefik.Constraints).toEqual([
      { LTarget: "${attr.unique.hostname}", Operand: "set_contains_any", RTarget: "edge-1" },
    ]);
  });

  describe("bad input", () => {
    test("fails when the insecure API would share a port with an entry point", () => {
      const { stack } = platformStack();
      expect(
        () => new TraefikIngress(stack, "traefik", { dangerouslyExposeInsecureApi: true, httpPort: 8080 }),
      ).toThrow(
        "TraefikIngress platform/traefik: httpPort 8080 is the insecure API's port inside the namespace; use another port for httpPort",
      );
    });

    test("fails when the dashboard host is empty", () => {
      const { stack } = platformStack();
      expect(() => new TraefikIngress(stack, "traefik", { dashboard: { host: " " } })).toThrow(
        'TraefikIngress platform/traefik: dashboard.host " " is not a host name; use e.g. "traefik.example.com"',
      );
    });

    test("fails when the TLS port is not a port", () => {
      const { stack } = platformStack();
      expect(() => new TraefikIngress(stack, "traefik", { tlsPort: 70000 })).toThrow(
        "TraefikIngress platform/traefik: tlsPort 70000 is not a port number; use 1-65535",
      );
    });

    test("fails when the Vault issue path is not a PKI issue path", () => {
      expect(() =>
        TraefikTls.fromVault({ issuePath: "pki_int/ingress", commonName: "x.example.com", role: "t" }),
      ).toThrow(
        'TraefikTls.fromVault: issuePath "pki_int/ingress" is not a PKI issue path; use "<mount>/issue/<role>"',
      );
    });
  });
});

describe("renderToml", () => {
  test("renders scalars before sub-tables and arrays of tables", () => {
    expect(renderToml({ a: { b: 1, c: { d: "x" } }, list: [{ k: true }, { k: false }] })).toBe(
      '[a]\nb = 1\n\n[a.c]\nd = "x"\n\n[[list]]\nk = true\n\n[[list]]\nk = false\n',
    );
  });
});
