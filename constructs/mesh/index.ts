export * from "./service-mesh";
export * from "./mesh-job";
export * from "./mesh-service";
export type { MeshTaskProps } from "./mesh-task";
export type { MeshHealthCheck, MeshUpdateOptions } from "./health-and-update";
export * from "./routes";
export * from "./sidecar";
export * from "./external-service";
export * from "./terminating-gateway";
