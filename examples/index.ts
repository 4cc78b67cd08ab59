export * from "./canary";
export * from "./countdash";
export * from "./redis";
export * from "./ssh-sni";
export * from "./legacy-manual-proxy";
export * from "./generated";
export * from "./generated-stack";
