// Real console output of the runtime running this test (Node, Bun or Deno): a child process of
// the same runtime logs a Secrets object in every common way, and its stdout/stderr is checked.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";

const VALUES = ["sk-live-AAAA1111", "pw-BBBB2222"];

function runtimeArgs(script: string): string[] {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno !== undefined) return ["run", "--no-config", "--no-lock", script];
  if (g.Bun !== undefined) return ["run", script];
  return [script];
}

test("console.log / info / warn / error / dir / template / format print no secret values", () => {
  const dir = mkdtempSync(join(tmpdir(), "bubu-secrets-console-"));
  try {
    const moduleUrl = new URL("../../src/engram/secrets.ts", import.meta.url).href;
    const script = join(dir, "print.mjs");
    writeFileSync(
      script,
      `import { Secrets } from ${JSON.stringify(moduleUrl)};
const s = new Secrets({ API_KEY: ${JSON.stringify(VALUES[0])}, DB_PASSWORD: ${JSON.stringify(VALUES[1])} });
console.log(s);
console.log({ nested: { deeper: { s } }, list: [s] });
console.log(new Map([["k", s]]), new Set([s]));
console.log("%s|%o|%O|%j", s, s, s, s);
console.log(\`tpl:\${s}\`);
console.info(s);
console.warn(s);
console.error(s);
console.dir(s, { depth: 10, showHidden: true });
console.log("done");
`,
    );
    const result = spawnSync(process.execPath, runtimeArgs(script), {
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    const output = `${result.stdout}\n${result.stderr}`;
    assert.equal(result.status, 0, output);
    assert.ok(result.stdout.includes("done"), output);
    for (const value of VALUES) assert.ok(!output.includes(value), `leaked ${value}:\n${output}`);
    // Every call above must show the redaction marker (10 lines print at least 12 markers).
    const markers = output.split("[redacted secrets]").length - 1;
    assert.ok(markers >= 12, `expected >= 12 redaction markers, got ${markers}:\n${output}`);
    assert.ok(result.stdout.includes("tpl:[redacted secrets]"), output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
