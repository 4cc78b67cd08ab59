export * from "./service-mesh";
export * from "./mesh-job";
export * from "./mesh-service";
export * from "./routes";
export * from "./sidecar";
