# Nomad ACL policy of the pull-request plan token (docs/plan-review.md): read-job, never submit-job
# (which would let any branch's code submit jobs); the variables the stack writes, read only. The
# platform's jobs run in their own namespace (MeshPlatform platformNamespace, "mesh-platform").
namespace "default" {
  policy = "read"
  variables {
    path "nomad/jobs/*" {
      capabilities = ["read"]
    }
  }
}
namespace "mesh-platform" {
  policy = "read"
  variables {
    path "nomad/jobs/*" {
      capabilities = ["read"]
    }
  }
}
