import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { Policy } from "@cdktf/provider-vault/lib/policy";
import { PolicyDocument } from "./policy-document";

/**
 * Creates a `vault_policy` whose text is rendered from `document` at synth time, so rules added after
 * construction (`grant*` methods) are included.
 * @internal
 */
export function lazyPolicy(scope: Construct, id: string, name: string, document: PolicyDocument): Policy {
  return new Policy(scope, id, {
    name,
    policy: Lazy.stringValue({ produce: () => document.render() }),
  });
}
