export * from "./ingress";
export * from "./tls";
