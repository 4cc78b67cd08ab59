export * from "../stacks/demos/canary";
export * from "../stacks/demos/countdash";
export * from "./redis";
export * from "./ssh-sni";
export * from "./legacy-manual-proxy";
export * from "./generated";
export * from "./generated-stack";
