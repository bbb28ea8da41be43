// kvReplayStore against workerd's own KV binding (the `kvNamespace` the Workers API exposes,
// over a small backing service that, like Workers KV, refuses expiries under 60 s), run inside an
// isolate without Node compatibility: the adapter speaks the real binding's API.

import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../support/spawn.ts";
import { bundleForWorkers, COMPAT_DATE, capnpString, NO_NODE_COMPAT, testWorkerd, workDir } from "./workerd.ts";

test("kvReplayStore over a workerd KV binding keeps the replay contract", { timeout: 60_000 }, () => {
  const work = workDir("edge-kv");
  try {
    bundleForWorkers("test/edge/fixtures/kv-worker.ts", join(work.dir, "main.js"));
    copyFileSync(resolve(repoRoot, "test/edge/fixtures/kv-service.js"), join(work.dir, "kv.js"));
    const flags = NO_NODE_COMPAT.map(capnpString).join(", ");
    const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = (
      modules = [(name = "main.js", esModule = embed "main.js")],
      compatibilityDate = ${capnpString(COMPAT_DATE)},
      compatibilityFlags = [${flags}],
      bindings = [(name = "KV", kvNamespace = "kv")],
    )),
    (name = "kv", worker = (
      modules = [(name = "kv.js", esModule = embed "kv.js")],
      compatibilityDate = ${capnpString(COMPAT_DATE)},
      compatibilityFlags = [${flags}],
    )),
  ],
);
`;
    const run = testWorkerd(work.dir, config);
    assert.ok(run.ok, run.output);
    assert.match(run.output, /PASS \] main/);
  } finally {
    work.rm();
  }
});
