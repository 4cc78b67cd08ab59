export { MeshstackError } from "./core/errors";
export type { JobRole } from "./core/markers";
export { ROLE_META_KEY } from "./core/markers";
export * from "./vault/policy-document";
export * from "./vault/connect-ca-pki";
export * from "./vault/consul-ca-token";
export * from "./vault/consul-ca-login";
export * from "./vault/nomad-vault";
export * from "./vault/ingress-pki";
export * from "./consul/connect-ca";
export * from "./consul/mesh-defaults";
export * from "./consul/intentions";
export * from "./consul/nomad-consul";
export * from "./consul/acl-token";
export * from "./consul/service-routing";
export { HTTP_METHODS } from "./consul/http-match";
export type { HeaderMatch } from "./consul/http-match";
export * from "./nomad";
export * from "./traefik";
export * from "./mesh";
export * from "./platform/mesh-platform";
export * from "./core/versions";
export {
  DEFAULT_NOMAD_VERSION,
  compareVersions,
  consulHas,
  nomadHas,
  nomadVersionsWith,
} from "./core/server-versions";
export type { ConsulFeature, NomadFeature } from "./core/server-versions";
export * from "./policy/access-policy";
export * from "./policy/rules";
