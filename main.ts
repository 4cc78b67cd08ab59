import { App } from "cdktf";
import { selectEnvironments } from "./environments";
import { buildStacks } from "./stacks/app-stacks";

// One stack per environment: `cdktf deploy local`, `cdktf diff prod`. MESHSTACK_ENVIRONMENTS narrows
// synthesis to a comma-separated subset (faster for one environment); peered environments come
// together, accepting ones first, since a dialing stack peers with their meshes.
const app = new App();
buildStacks(app, selectEnvironments(process.env.MESHSTACK_ENVIRONMENTS));
app.synth();
