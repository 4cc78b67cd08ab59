# Consul ACL rules of the pull-request plan token (docs/plan-review.md): read only. With `acl = "read"`
# Consul shows token secrets redacted; the stack compares the variables that hold them only when
# their token is replaced, so the plan matches a privileged one.
operator = "read"
acl      = "read"
mesh     = "read"
service_prefix "" {
  policy     = "read"
  intentions = "read"
}
node_prefix "" {
  policy = "read"
}
