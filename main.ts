import { App } from "cdktf";
import { selectEnvironments } from "./environments";
import { MeshPlatformStack } from "./stacks/mesh-platform-stack";

// One stack per environment: `cdktf deploy local`, `cdktf diff prod`. MESHSTACK_ENVIRONMENTS narrows
// synthesis to a comma-separated subset (faster for one environment).
const app = new App();
for (const environment of selectEnvironments(process.env.MESHSTACK_ENVIRONMENTS)) {
  new MeshPlatformStack(app, environment.name, { environment });
}
app.synth();
