import { readFileSync } from "node:fs";
import { join } from "node:path";
import { VERSIONS } from "../../constructs/core/versions";
import { ConsulAgentJob } from "../../constructs/nomad";
import { TraefikIngress } from "../../constructs/traefik";
import { group, jobs, platformStack } from "../nomad/support";

describe("pinned versions", () => {
  const toolchain = readFileSync(join(__dirname, "../../scripts/toolchain.sh"), "utf8");
  const pin = (name: string) => new RegExp(`^${name}_VERSION=(\\S+)`, "m").exec(toolchain)?.[1];

  test("are the releases the toolchain installs for the local clusters", () => {
    expect({ consul: pin("CONSUL"), traefik: pin("TRAEFIK") }).toEqual(VERSIONS);
  });

  test("are the default images of the agent job and the ingress", () => {
    const { stack } = platformStack();
    new ConsulAgentJob(stack, "consul", {});
    new TraefikIngress(stack, "traefik", {});
    const image = (job: string, g: string) => group(jobs(stack)[job], g).Tasks[0].Config.image;
    expect(image("consul", "consul-agent")).toBe(`hashicorp/consul:${VERSIONS.consul}`);
    expect(image("traefik", "traefik")).toBe(`traefik:v${VERSIONS.traefik}`);
  });
});
