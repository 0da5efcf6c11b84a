// labelbridge.d.ts is checked by compiling a dashboard's use of it with the
// TypeScript compiler, every strict check on.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dir = path.dirname(fileURLToPath(import.meta.url));

test("labelbridge.d.ts types a dashboard's code", () => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const args = [tsc, "--noEmit", "--strict", "--exactOptionalPropertyTypes", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--lib", "es2022,dom", path.join(dir, "types", "usage.ts")];
  let out = "";
  try {
    execFileSync(process.execPath, args, { encoding: "utf8" });
  } catch (err) {
    out = `${err.stdout}${err.stderr}`;
  }
  assert.equal(out, "", "tsc found errors");
});
