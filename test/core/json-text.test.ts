/**
 * JSON and joined text that may hold Terraform references: what Terraform receives in place of a
 * list or number known only at apply.
 */
import { Fn, TerraformOutput, Testing, Token } from "cdktf";
import { jsonText, joinText, upperCaseMethods } from "../../constructs/core/json-text";
import { testStack } from "../helpers";

/** The text as Terraform receives it (tokens resolved by synthesizing an output). */
function resolved(text: string): string {
  const stack = testStack();
  new TerraformOutput(stack, "o", { value: text });
  return JSON.parse(Testing.synth(stack)).output.o.value as string;
}

describe("jsonText", () => {
  test("writes a number reference as Terraform's expression, never the literal that encodes it", () => {
    const port = Token.asNumber(Fn.parseint("8080", 10));
    const text = resolved(jsonText({ Port: port, Static: 9090 }));
    expect(text).toBe('{"Port":${parseint("8080", 10)},"Static":9090}');
    expect(text).not.toMatch(/e\+\d+/);
  });

  test("writes a list reference as jsonencode() and leaves literal lists and strings alone", () => {
    const datacenters = Fn.split(",", "dc1,dc2");
    expect(resolved(jsonText({ Datacenters: datacenters, Tags: ["a"], Name: "web" }))).toBe(
      '{"Datacenters":${jsonencode(split(",", "dc1,dc2"))},"Tags":["a"],"Name":"web"}',
    );
  });

  test("escapes the text before the references go in, so they stay Terraform expressions", () => {
    const escape = (text: string) => text.replace(/\$\{(?!TfToken)/g, () => "$${");
    const count = Token.asNumber(Fn.parseint("2", 10));
    expect(resolved(jsonText({ Env: "${NOMAD_PORT}", Count: count }, escape))).toBe(
      '{"Env":"$${NOMAD_PORT}","Count":${parseint("2", 10)}}',
    );
  });

  test("equals JSON.stringify for plain documents", () => {
    const doc = { a: [1, "b", { c: null }], d: true };
    expect(jsonText(doc)).toBe(JSON.stringify(doc));
  });
});

describe("joinText and upperCaseMethods", () => {
  test("a literal list is joined here; a reference by Terraform's join()", () => {
    expect(joinText(["a", "b"], ",")).toBe("a,b");
    expect(resolved(joinText(Fn.split(",", "x,y"), ","))).toBe('${join(",", split(",", "x,y"))}');
  });

  test("methods are upper-cased as Consul stores them; a reference is passed as given", () => {
    expect(upperCaseMethods(["get", "Post"])).toEqual(["GET", "POST"]);
    expect(upperCaseMethods(undefined)).toBeUndefined();
    const reference = Fn.split(",", "GET");
    expect(upperCaseMethods(reference)).toBe(reference);
  });
});
