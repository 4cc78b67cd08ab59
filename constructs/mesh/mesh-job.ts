import { checkPropsOf, checkReferenceOf } from "../core/errors";
import { Construct } from "constructs";
import { NomadJob } from "../nomad/job";
import type { Constraint } from "../nomad/jobspec";
import { ServiceMesh } from "./service-mesh";

/** Props for {@link MeshJob}. */
export interface MeshJobProps {
  /** The mesh the job's services belong to. */
  readonly mesh: ServiceMesh;
  /**
   * Job ID and name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Nomad namespace.
   * @default - the provider's namespace
   */
  readonly namespace?: string;
  /**
   * Job-level placement constraints.
   * @default - none
   */
  readonly constraints?: Constraint[];
  /**
   * Job metadata (`NOMAD_META_<key>`).
   * @default - none
   */
  readonly meta?: Record<string, string>;
  /**
   * Return from `terraform apply` without waiting for the deployment.
   * @default true
   */
  readonly detach?: boolean;
}

/**
 * A Nomad service job holding one group per {@link MeshService} created inside it (like countdash's
 * `api` and `dashboard` groups), placed in the mesh's datacenters and depending on what the mesh
 * depends on.
 */
export class MeshJob extends NomadJob {
  /** Whether `x` is a {@link MeshJob}. */
  public static isMeshJob(x: unknown): x is MeshJob {
    return x instanceof MeshJob;
  }

  /** The mesh of the job's services. */
  public readonly mesh: ServiceMesh;

  public constructor(scope: Construct, id: string, props: MeshJobProps) {
    checkPropsOf("MeshJob", scope, id, props, "{ mesh, name }");
    checkReferenceOf("MeshJob", scope, id, "mesh", props.mesh, ServiceMesh, "the mesh of the job's services");
    super(scope, id, {
      name: props.name,
      datacenters: props.mesh.datacenters,
      namespace: props.namespace,
      constraints: props.constraints,
      meta: props.meta,
      detach: props.detach,
      dependsOn: props.mesh.dependsOn,
    });
    this.mesh = props.mesh;
  }
}
