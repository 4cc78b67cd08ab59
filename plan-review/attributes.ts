import { JsonValue, PlanChange, ValueMask } from "./plan-json";
import {
  ABSENT,
  PathStep,
  SENSITIVE,
  UNKNOWN,
  ValueRenderer,
  childMask,
  formatPath,
  anyMarked,
  isMarked,
  jsonEqual,
} from "./values";

/** One changed attribute of an updated or replaced resource, ready to print. */
export interface AttributeChange {
  /** Display path, e.g. `sources[1].action` or `jobspec › Job.TaskGroups[0].Count` inside JSON strings. */
  readonly path: string;
  /** The rendered value before; never a secret. */
  readonly before: string;
  /** The rendered value after; never a secret. */
  readonly after: string;
  /** True when changing this attribute forces the replacement. */
  readonly forcesReplacement: boolean;
}

interface Side {
  readonly value: JsonValue | undefined;
  readonly sensitive: ValueMask | undefined;
}

interface Walk {
  readonly renderer: ValueRenderer;
  readonly replacePaths: readonly string[];
  readonly out: AttributeChange[];
}

type Container = JsonValue[] | { [key: string]: JsonValue };

function isContainer(value: JsonValue | undefined): value is Container {
  return typeof value === "object" && value !== null;
}

function parseJsonContainer(text: string): Container | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return undefined;
  try {
    const parsed = JSON.parse(trimmed) as JsonValue;
    return isContainer(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function childSteps(...values: (JsonValue | ValueMask | undefined)[]): PathStep[] {
  if (values.some((v) => Array.isArray(v))) {
    const length = Math.max(...values.map((v) => (Array.isArray(v) ? v.length : 0)));
    return Array.from({ length }, (_, i) => i);
  }
  const keys = new Set<string>();
  for (const v of values) if (typeof v === "object" && v !== null) Object.keys(v).forEach((k) => keys.add(k));
  return [...keys].sort();
}

function child(value: JsonValue | undefined, step: PathStep): JsonValue | undefined {
  if (Array.isArray(value)) return typeof step === "number" ? value[step] : undefined;
  if (isContainer(value)) return (value as Record<string, JsonValue>)[String(step)];
  return undefined;
}

function emit(walk: Walk, path: readonly PathStep[], display: string, before: string, after: string): void {
  const raw = formatPath(path);
  const forcesReplacement = walk.replacePaths.some(
    (p) => raw === p || raw.startsWith(`${p}.`) || raw.startsWith(`${p}[`),
  );
  walk.out.push({ path: display, before, after, forcesReplacement });
}

function visit(
  walk: Walk,
  path: readonly PathStep[],
  display: string,
  before: Side,
  after: Side,
  unknown: ValueMask | undefined,
): void {
  const { renderer } = walk;
  if (isMarked(before.sensitive) || isMarked(after.sensitive)) {
    const show = (side: Side) => (side.value === undefined ? ABSENT : SENSITIVE);
    if (isMarked(unknown)) return emit(walk, path, display, show(before), UNKNOWN);
    if (jsonEqual(before.value, after.value)) return;
    return emit(walk, path, display, show(before), show(after));
  }
  if (isMarked(unknown)) return emit(walk, path, display, renderer.render(before.value), UNKNOWN);
  if (jsonEqual(before.value, after.value) && !anyMarked(unknown)) return;

  if (typeof before.value === "string" && typeof after.value === "string") {
    const [b, a] = [parseJsonContainer(before.value), parseJsonContainer(after.value)];
    if (b && a && !renderer.leaks(before.value) && !renderer.leaks(after.value)) {
      const forcesReplacement = walk.replacePaths.includes(formatPath(path));
      const inner: AttributeChange[] = [];
      const plain = (value: JsonValue): Side => ({ value, sensitive: undefined });
      visit({ renderer, replacePaths: [], out: inner }, [], "", plain(b), plain(a), undefined);
      for (const c of inner) {
        walk.out.push({
          ...c,
          path: `${display} › ${c.path.replace(/^\./, "") || "(root)"}`,
          forcesReplacement,
        });
      }
      return;
    }
  }

  if (
    isContainer(before.value) &&
    isContainer(after.value) &&
    Array.isArray(before.value) === Array.isArray(after.value)
  ) {
    for (const step of childSteps(before.value, after.value, unknown)) {
      visit(
        walk,
        [...path, step],
        typeof step === "number" ? `${display}[${step}]` : `${display}.${formatPath([step])}`,
        { value: child(before.value, step), sensitive: childMask(before.sensitive, step) },
        { value: child(after.value, step), sensitive: childMask(after.sensitive, step) },
        childMask(unknown, step),
      );
    }
    return;
  }
  emit(walk, path, display, renderer.render(before.value), renderer.render(after.value));
}

/**
 * The attribute-level changes of an update or replacement, as Terraform's own plan shows them: nested
 * paths, JSON strings (a Nomad jobspec, a `config_json`) diffed inside, sensitive values shown as
 * `(sensitive)` and unknown ones as `(known after apply)`.
 */
export function diffAttributes(change: PlanChange, renderer: ValueRenderer): AttributeChange[] {
  const out: AttributeChange[] = [];
  const walk: Walk = {
    renderer,
    replacePaths: (change.replace_paths ?? []).map((p) => formatPath(p)),
    out,
  };
  const before = change.before ?? undefined;
  const after = change.after ?? undefined;
  for (const step of childSteps(before, after, change.after_unknown)) {
    visit(
      walk,
      [step],
      formatPath([step]),
      { value: child(before, step), sensitive: childMask(change.before_sensitive, step) },
      { value: child(after, step), sensitive: childMask(change.after_sensitive, step) },
      childMask(change.after_unknown, step),
    );
  }
  return out;
}
