/**
 * The cdktf app of the deploy benchmark (`npm run bench -- --deploy`): the `local` platform as a
 * throwaway stack (`bench-local`) and the same platform with N generated mesh services
 * (`bench-<N>`, MESHSTACK_BENCH_SERVICES, default 50), both with local state beside the output.
 */
import { App } from "cdktf";
import { environments } from "../environments";
import { MeshPlatformStack } from "../stacks/mesh-platform-stack";
import { generateMesh } from "./generated";

const services = Number(process.env.MESHSTACK_BENCH_SERVICES ?? 50);
const app = new App();
const environment = (name: string) => ({
  ...environments.local,
  name,
  preventDestroy: false,
  backend: { type: "local" as const },
});
new MeshPlatformStack(app, "bench-local", { environment: environment("bench-local") });
const large = new MeshPlatformStack(app, `bench-${services}`, {
  environment: environment(`bench-${services}`),
});
generateMesh(large, { mesh: large.platform.mesh, services });
app.synth();
