import { TerraformResource, TerraformStack, Token } from "cdktf";
import { IConstruct } from "constructs";
import { constructError } from "./errors";

/**
 * Something a construct writes that only one construct of a stack may write: a Terraform address, a
 * Nomad job, a Consul config entry, an ingress router rule. Two writers are a composition error, never
 * a silent overwrite (the later element replacing the earlier in the JSON, two applies undoing each
 * other, or Traefik picking one router at random).
 */
export interface Claim {
  /** What is claimed, for messages: e.g. `Nomad job "traefik"`. */
  readonly what: string;
  /** The construct that claims it. */
  readonly owner: IConstruct;
}

/** What to do when two constructs claim the same thing, for every message. */
const FIX =
  "give one of them another name or id, or reuse the existing construct (with MeshPlatform: " +
  "platform.ingress, platform.mesh, platform.intentions)";

/** Finds the claims of one kind among a stack's constructs. */
export type ClaimFinder = (construct: IConstruct) => Claim[];

const finders: ClaimFinder[] = [terraformAddresses];
const guarded = new WeakSet<TerraformStack>();

/**
 * Registers a kind of claim (once per kind, at module load) and makes sure the stack of `scope` checks
 * every registered kind when it is validated.
 */
export function guardComposition(scope: IConstruct, finder?: ClaimFinder): void {
  if (finder && !finders.includes(finder)) finders.push(finder);
  const stack = TerraformStack.of(scope);
  if (guarded.has(stack)) return;
  guarded.add(stack);
  stack.node.addValidation({ validate: () => compositionErrors(stack) });
}

/** One message per second claimant of anything, naming both constructs and the fix. */
export function compositionErrors(stack: IConstruct): string[] {
  const first = new Map<string, Claim>();
  const errors: string[] = [];
  for (const construct of stack.node.findAll()) {
    for (const find of finders) {
      for (const claim of find(construct)) {
        const earlier = first.get(claim.what);
        if (!earlier) first.set(claim.what, claim);
        else if (earlier.owner !== claim.owner) {
          errors.push(
            constructError(
              claim.owner,
              `${claim.what} is also written by ${earlier.owner.node.path}; one would overwrite the other, so ${FIX}`,
            ).message,
          );
        }
      }
    }
  }
  return errors;
}

/** Terraform addresses: cdktf keeps only the last element of one address in the synthesized JSON. */
function terraformAddresses(construct: IConstruct): Claim[] {
  if (!(construct instanceof TerraformResource)) return [];
  const address = `${construct.terraformResourceType}.${construct.friendlyUniqueId}`;
  return [{ what: `Terraform resource ${address}`, owner: construct }];
}

/** A literal string of a construct's input, or undefined for a Terraform reference (not comparable). */
export function literal(value: unknown): string | undefined {
  return typeof value === "string" && !Token.isUnresolved(value) ? value : undefined;
}
