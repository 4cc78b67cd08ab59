import { App } from "cdktf";
import { EnvironmentConfig } from "../environments/types";
import { MeshPlatformStack } from "./mesh-platform-stack";

/**
 * One stack per environment in `app`, in the given order (`selectEnvironments` puts accepting peers
 * first), each dialing the stacks of the environments it peers with. Returns them by name.
 */
export function buildStacks(app: App, environments: EnvironmentConfig[]): Map<string, MeshPlatformStack> {
  const stacks = new Map<string, MeshPlatformStack>();
  for (const environment of environments) {
    const dial = (environment.peering?.dial ?? []).flatMap((name) => stacks.get(name) ?? []);
    stacks.set(environment.name, new MeshPlatformStack(app, environment.name, { environment, dial }));
  }
  return stacks;
}
