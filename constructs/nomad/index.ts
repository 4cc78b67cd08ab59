export * as jobspec from "./jobspec";
export * from "./driver";
export type { HclBody, HclValue } from "./hcl";
export type { TaskResources } from "./resources";
export * from "./job";
export * from "./consul-agent";
export type { StaticPortUse } from "./group-checks";
