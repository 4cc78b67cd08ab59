import { Fn, Token } from "cdktf";

const PLACEHOLDER = /"@@meshstack-ref-(\d+)@@"/g;

/**
 * `JSON.stringify` for documents that may hold Terraform references: a list or number known only at
 * apply is written by Terraform in its place (a list as JSON, a number as its digits). Plain
 * `JSON.stringify` would write a number reference as the huge literal that encodes it, and leave a
 * list reference where cdktf refuses it. `escape` runs on the text before the references go in
 * (a jobspec escapes Terraform's template sequences, which the references must keep).
 */
export function jsonText(value: unknown, escape: (text: string) => string = (text) => text): string {
  const references: (string[] | number)[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) => {
    const isList = Array.isArray(item) && Token.isUnresolved(item);
    const isNumber = typeof item === "number" && Token.isUnresolved(item);
    if (!isList && !isNumber) return item;
    references.push(item as string[] | number);
    return `@@meshstack-ref-${references.length - 1}@@`;
  });
  return escape(text).replace(PLACEHOLDER, (_match, i: string) => {
    const reference = references[Number(i)];
    return typeof reference === "number" ? Token.asString(reference) : Fn.jsonencode(reference);
  });
}

/** Joins a list of strings; a list reference is joined by Terraform (`join()`). */
export function joinText(list: readonly string[], separator: string): string {
  return Token.isUnresolved(list) ? Fn.join(separator, [...list]) : list.join(separator);
}

/**
 * HTTP methods as Consul stores them, upper-cased (lower-case input would diff on every plan); a list
 * reference is passed as given, so its values must be upper case already.
 */
export function upperCaseMethods(methods: readonly string[] | undefined): string[] | undefined {
  if (methods === undefined || Token.isUnresolved(methods)) return methods as string[] | undefined;
  return methods.map((m) => m.toUpperCase());
}
