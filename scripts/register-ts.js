// Runs TypeScript entry points (main.ts) under plain Node by compiling each .ts module with SWC as it
// is required: `node -r ./scripts/register-ts.js main.ts`. TypeScript 7 has no JS API, and SWC's
// in-process transform starts ~0.5 s faster than tsx's esbuild service, which `cdktf synth` pays
// on every run. Type checking stays with `tsc` (npm test).
const { transformSync } = require("@swc/core");
const Module = require("node:module");
const fs = require("node:fs");

const options = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  swcrc: false,
  configFile: false,
};

Module._extensions[".ts"] = function compile(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, "utf8"), { ...options, filename });
  module._compile(code, filename);
};
