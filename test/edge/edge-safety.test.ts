// Every package entry point bundled for the Workers target and imported in a workerd isolate
// without Node compatibility: the verdicts must be the README's edge table, so a change that
// pulls Node into an entry (or frees one from it) fails here until the table says so.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../support/spawn.ts";
import { checkEntries, packageEntries, readmeTable } from "./edge-safety.ts";

test("each entry's edge status is the one the README's table lists", { timeout: 120_000 }, () => {
  const table = readmeTable(readFileSync(resolve(repoRoot, "README.md"), "utf8"));
  assert.deepEqual(
    [...table.keys()].sort(),
    packageEntries()
      .map(([entry]) => entry)
      .sort(),
    "the table lists every package entry, and only those",
  );
  const results = checkEntries();
  const wrong = results
    .filter((r) => table.get(r.entry) !== (r.safe ? "yes" : "no"))
    .map(
      (r) =>
        `${r.entry}: README says ${table.get(r.entry)}, but it ${r.safe ? "loads in a Workers isolate" : `does not (${r.chain.join(" → ")}: ${r.error ?? "node:* imports"})`}`,
    );
  assert.deepEqual(wrong, []);
  for (const r of results) {
    // The isolate is the judge: an entry with node:* imports must have failed to load there.
    if (r.nodeImports.length > 0)
      assert.match(r.error ?? "", /No such module "node:/, `${r.entry} imports ${r.nodeImports.join(", ")} yet loaded`);
    else assert.equal(r.error, undefined, `${r.entry}: ${r.error}`);
  }
  assert.ok(results.find((r) => r.entry === "@bubustack/sdk/edge")?.safe, "the edge entry loads in a Workers isolate");
});
