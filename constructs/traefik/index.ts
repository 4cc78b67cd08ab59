export * from "./ingress";
export * from "./tls";
export * from "./toml";
