export * as jobspec from "./jobspec";
export * from "./driver";
export * from "./hcl";
export * from "./resources";
export * from "./job";
export * from "./consul-agent";
export type { StaticPortUse } from "./group-checks";
