import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const SOURCES = join(__dirname, "..", "..", "plan-review");

/** Module name → the plan-review modules it imports, type-only imports included. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(SOURCES).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join(SOURCES, file), "utf8");
    const imports = [...text.matchAll(/from "\.\/([\w-]+)"/g)].map((m) => m[1] ?? "");
    graph.set(file.slice(0, -".ts".length), [...new Set(imports)]);
  }
  return graph;
}

/** Every import cycle, each as `a -> b -> a`. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const found = new Set<string>();
  const visit = (module: string, path: readonly string[]): void => {
    const seen = path.indexOf(module);
    if (seen >= 0) {
      found.add([...path.slice(seen), module].join(" -> "));
      return;
    }
    for (const next of graph.get(module) ?? []) visit(next, [...path, module]);
  };
  for (const module of graph.keys()) visit(module, []);
  return [...found];
}

describe("plan-review modules", () => {
  test("import each other without a cycle", () => {
    // GIVEN the imports of every module, type-only ones too
    const graph = importGraph();
    // THEN
    expect(graph.get("critical")).toContain("markdown");
    expect(cycles(graph)).toEqual([]);
  });

  test("fails when two modules import each other", () => {
    const graph = new Map([
      ["critical", ["markdown"]],
      ["markdown", ["critical"]],
    ]);
    expect(cycles(graph)).toContain("critical -> markdown -> critical");
  });
});
