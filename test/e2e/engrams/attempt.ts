// Which attempt of its StepRun a probe engram is: the retried pod's env is identical to the first
// one's, so the count lives in a file per StepRun under BUBU_E2E_ATTEMPTS_DIR (set by the image map).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** Counts this start and returns its number (1 for the first attempt). */
export function nextAttempt(): number {
  const dir = process.env.BUBU_E2E_ATTEMPTS_DIR;
  const step = process.env.BUBU_STEPRUN_NAME;
  if (!dir || !step) throw new Error("BUBU_E2E_ATTEMPTS_DIR and BUBU_STEPRUN_NAME must be set");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.env.BUBU_STEPRUN_NAMESPACE ?? ""}_${step}`);
  let n = 0;
  try {
    n = Number(readFileSync(file, "utf8")) || 0;
  } catch {
    // First attempt.
  }
  writeFileSync(file, String(n + 1));
  return n + 1;
}
