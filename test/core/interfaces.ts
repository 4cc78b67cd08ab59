import { readdirSync, readFileSync } from "fs";
import { join } from "path";

/** A field of an interface the constructs export, as its source declares it. */
export interface InterfaceField {
  /** `Interface.field`, the key the catalogue tables use. */
  readonly key: string;
  /** The interface's name. */
  readonly interfaceName: string;
  /** The declared type, as written. */
  readonly type: string;
}

/** Every field of every exported interface under constructs/ (the jobspec API model aside), sorted. */
export function interfaceFields(): InterfaceField[] {
  const root = join(__dirname, "../../constructs");
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter(
    (f) => f.endsWith(".ts") && !f.includes("jobspec"),
  );
  const fields: InterfaceField[] = [];
  for (const file of files) {
    const source = readFileSync(join(root, file), "utf8");
    for (const [, name, body] of source.matchAll(
      /export interface (\w+)(?: extends \w+)? \{([\s\S]*?)\n\}/g,
    )) {
      for (const [, field, type] of body.matchAll(/^ {2}readonly (\w+)\??: ([^;]+);/gm)) {
        fields.push({ key: `${name}.${field}`, interfaceName: name, type: type.trim() });
      }
    }
  }
  return fields.sort((a, b) => a.key.localeCompare(b.key));
}
