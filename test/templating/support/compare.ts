// How a TypeScript result is compared with the Go engine's result.
import { isDeepStrictEqual } from "node:util";
import type { CaseResult, CorpusCase } from "./run-case.ts";

/** Cases whose error message differs on purpose (the error class must still match). */
export const MESSAGE_DIFFERENCES: Readonly<Record<string, string>> = {
  "control/0145": "template recursion stops at depth 1000 (Go: 100000); JavaScript stacks are smaller",
};

/** Compares one result with Go's; returns a description of the difference or undefined. */
export function difference(c: CorpusCase, got: CaseResult, want: CaseResult): string | undefined {
  const show = (r: CaseResult): string => JSON.stringify(r.error ?? r.value).slice(0, 400);
  if (want.error || got.error) {
    if (want.error?.class !== got.error?.class) return `${c.name}: class\n  go: ${show(want)}\n  ts: ${show(got)}`;
    if (want.error?.message !== got.error?.message && MESSAGE_DIFFERENCES[c.name] === undefined) {
      return `${c.name}: message\n  go: ${show(want)}\n  ts: ${show(got)}`;
    }
    return undefined;
  }
  const norm = JSON.parse(JSON.stringify(got.value ?? null));
  if (!isDeepStrictEqual(norm, want.value ?? null)) return `${c.name}: value\n  go: ${show(want)}\n  ts: ${show(got)}`;
  return undefined;
}
