/**
 * Markers the constructs stamp on what the mesh cannot lose, so tools such as the plan review
 * recognise it by what it is, not by its (renameable) name.
 */

/** Nomad job `Meta` key that carries a job's role in the mesh. */
export const ROLE_META_KEY = "meshstack_role";

/** Roles a Nomad job can play in the mesh. */
export type JobRole = "consul-agent" | "ingress";
