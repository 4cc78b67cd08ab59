# Vault policy of the pull-request plan token (docs/plan-review.md): reads what the stack manages.
# `+` is the environment's datacenter (the PKI mounts are `<datacenter>/connect_*`).
path "sys/mounts" { capabilities = ["read"] }
path "sys/mounts/*" { capabilities = ["read"] }
path "sys/auth" { capabilities = ["read"] }
path "sys/auth/*" { capabilities = ["read"] }
path "sys/policies/acl/*" { capabilities = ["read"] }
path "sys/policy/*" { capabilities = ["read"] }
path "+/connect_root/*" { capabilities = ["read", "list"] }
path "+/connect_intermediate/*" { capabilities = ["read", "list"] }
path "+/ingress_root/*" { capabilities = ["read", "list"] }
path "+/ingress/*" { capabilities = ["read", "list"] }
path "auth/jwt-nomad/*" { capabilities = ["read", "list"] }
path "auth/+/consul-ca-cert/*" { capabilities = ["read", "list"] }
path "auth/token/roles/*" { capabilities = ["read"] }
# Lookups are POSTs: the provider reads the CA token by accessor, and plans with a child token.
path "auth/token/lookup-accessor" { capabilities = ["update"] }
path "auth/token/create" { capabilities = ["update"] }
# What Vault's default policy grants, for tokens made without it: the provider looks its token up
# and revokes its child token when done.
path "auth/token/lookup-self" { capabilities = ["read"] }
path "auth/token/revoke-self" { capabilities = ["update"] }
