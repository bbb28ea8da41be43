import * as v from "valibot";
import { startBatch } from "/work/wt/json-safety/src/batch/start-batch.ts";
import { loadEnv } from "/work/wt/json-safety/src/env/load.ts";
import { noopLogger } from "/work/wt/json-safety/src/observability/logger.ts";
import { detectRuntime } from "/work/wt/json-safety/src/runtime/detect.ts";
import { createStorageSeams } from "/work/wt/json-safety/src/storage/batch-seams.ts";
import { createTemplateSeam } from "/work/wt/json-safety/src/templating/seam.ts";
import { mkdtempSync } from "node:fs";
import { hasTemplates } from "/work/wt/json-safety/src/batch/has-templates.ts";
const rt = detectRuntime();
const dir = mkdtempSync("/tmp/jsafety/st-");
async function go(label: string, mode: "local" | "cluster", extra: Record<string, string>) {
  let seen: unknown;
  let cfg: any; const engram = { init(c: unknown) { cfg = c; }, process(_c: unknown, inputs: unknown) { seen = inputs; return { ok: true }; } };
  const env: Record<string, string> = mode === "cluster"
    ? { BUBU_STEPRUN_NAME: "sr", BUBU_STEPRUN_NAMESPACE: "ns", BUBU_STORAGE_PROVIDER: "file", BUBU_STORAGE_PATH: dir, ...extra }
    : { ...extra };
  let seams: any;
  if (mode === "cluster") {
    const bubu = loadEnv(env);
    const st = await createStorageSeams(rt, bubu, noopLogger, { kubeRefs: false });
    seams = { hydrateConfig: st.hydrateConfig, hydrateInputs: st.hydrateInputs, dehydrateOutput: st.dehydrateOutput, ...(hasTemplates(bubu.payload.config) || hasTemplates(bubu.payload.inputs ?? {}) ? createTemplateSeam(bubu, noopLogger, {}) : {}), writeStatus: () => Promise.resolve() };
  }
  let out: any;
  try {
    out = await startBatch(engram as any, { env, exit: false, args: [], logger: noopLogger, runtime: rt, seams });
  } catch (e) { console.log(label, mode, "THREW", String(e).slice(0, 200)); return; }
  const s = seen as any;
  console.log(label, mode, out.status.phase, JSON.stringify(out.status.lastFailureMsg)?.slice(0, 200), "seen:", s === undefined ? "-" : JSON.stringify(s).slice(0, 120), "ownKeys:", s ? Object.keys(s) : "-", "polluted:", s?.polluted, "proto-is-Object:", s ? Object.getPrototypeOf(s) === Object.prototype : "-", "cfg:", cfg && JSON.stringify(cfg), cfg && Object.keys(cfg), cfg?.polluted);
}
const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
for (const m of ["local", "cluster"] as const) {
  await go("proto", m, { BUBU_TRIGGER_DATA: '{"__proto__":{"polluted":1},"keep":2}' });
  await go("cfgproto", m, { BUBU_STEP_CONFIG: '{"__proto__":{"polluted":1}}', BUBU_CONFIG___proto__: "x" });
  await go("passwd", m, { BUBU_STORAGE_PROVIDER: "file", BUBU_STORAGE_PATH: "/", BUBU_TRIGGER_DATA: '{"a":{"$bubuStorageRef":"etc/passwd"}}' });
  for (const n of [11, 12, 100, 5000, 100000]) await go("deep" + n, m, { BUBU_TRIGGER_DATA: `{"a":${deep(n)}}` });
  await go("1e999", m, { BUBU_TRIGGER_DATA: '{"a":1e999}' });
  await go("prototpl", m, { BUBU_TRIGGER_DATA: '{"__proto__":{"polluted":1},"keep":"{{ 1 }}"}' });
  await go("cfgtpl", m, { BUBU_STEP_CONFIG: '{"__proto__":{"polluted":1},"keep":"{{ 1 }}"}' });
}
console.log("global polluted:", ({} as any).polluted);
