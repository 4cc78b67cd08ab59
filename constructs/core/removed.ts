import { Lazy, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";

const SOURCES = new WeakMap<TerraformStack, (() => string[])[]>();

/**
 * Tells Terraform to forget, not destroy, the objects at the addresses `addresses` returns at synth,
 * once they leave the configuration (`removed` blocks with `destroy = false`; a no-op while nothing is
 * at an address). For a Consul object that changes resource type: the new resource writes it, and
 * destroying the old one would delete it again, in whichever order Terraform runs the two.
 */
export function forgetWhenRemoved(scope: IConstruct, addresses: () => string[]): void {
  const stack = TerraformStack.of(scope);
  let sources = SOURCES.get(stack);
  if (!sources) {
    const registered: (() => string[])[] = (sources = []);
    SOURCES.set(stack, registered);
    stack.addOverride(
      "removed",
      Lazy.anyValue({
        produce: () => {
          const addresses = [...new Set(registered.flatMap((s) => s()))].sort();
          // No block at all rather than an empty list: nothing to say, and renderers differ on `[]`.
          return addresses.length
            ? addresses.map((from) => ({ from, lifecycle: { destroy: false } }))
            : undefined;
        },
      }),
    );
  }
  sources.push(addresses);
}
