import { loadBatchSettings } from "../src/batch/settings-from-env.ts";
import { detectRuntime } from "../src/runtime/detect.ts";
const n = 5000;
try { await loadBatchSettings({ BUBU_TRIGGER_DATA: `{"a":${"[".repeat(n) + "]".repeat(n)}}` }, { fs: detectRuntime().fs }); console.log("ok"); } catch (e) { console.log((e as Error).stack?.split("\n").slice(0, 3).join("\n"), "\ncause:", ((e as any).cause as Error)?.stack?.split("\n").slice(0, 12).join("\n")); }
