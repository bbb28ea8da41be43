// The folder-cycle finder behind scripts/check-import-cycles.ts: what counts as a cycle, how it is
// named, and how the allowlist is judged (a new cycle and a stale entry both fail the check).

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cycleKey,
  describeCycle,
  type FolderEdge,
  findCycles,
  judgeCycles,
  parseAllowlist,
} from "../../scripts/lib/folder-cycles.ts";

const edge = (from: string, to: string, at: string, typeOnly = false): FolderEdge => ({ from, to, at, typeOnly });

test("finds each elementary cycle once, from its smallest folder, shortest first", () => {
  const edges = [
    edge("storage", "batch", "src/storage/a.ts:1", true),
    edge("batch", "storage", "src/batch/b.ts:2"),
    edge("env", "engram", "src/env/c.ts:3"),
    edge("engram", "observability", "src/engram/d.ts:4"),
    edge("observability", "env", "src/observability/e.ts:5"),
    edge("engram", "env", "src/engram/f.ts:6"),
    edge("k8s", "json", "src/k8s/g.ts:7"), // no way back: not a cycle
    edge("json", "json", "src/json/h.ts:8"), // inside one folder: not a cycle
  ];
  assert.deepEqual(findCycles(edges).map(cycleKey), [
    "batch → storage → batch",
    "engram → env → engram",
    "engram → observability → env → engram",
  ]);
});

test("an acyclic graph has no cycles; the search is bounded by its limit", () => {
  assert.deepEqual(findCycles([edge("a", "b", "x:1"), edge("b", "c", "x:2"), edge("a", "c", "x:3")]), []);
  // A complete graph on 8 folders has thousands of elementary cycles.
  const names = ["a", "b", "c", "d", "e", "f", "g", "h"];
  const complete = names.flatMap((from) => names.filter((to) => to !== from).map((to) => edge(from, to, "x:1")));
  assert.equal(findCycles(complete, 50).length, 50);
});

test("a cycle's description names one import per hop, preferring a runtime import, with the count of others", () => {
  const edges = [
    edge("batch", "storage", "src/batch/a.ts:3", true),
    edge("batch", "storage", "src/batch/b.ts:9"),
    edge("storage", "batch", "src/storage/c.ts:12", true),
  ];
  const [cycle] = findCycles(edges);
  assert.ok(cycle);
  assert.equal(
    describeCycle(cycle, edges),
    "batch → storage → batch via src/batch/b.ts:9 (+1 more), src/storage/c.ts:12 (type)",
  );
});

test("the allowlist accepts any rotation, -> arrows and comments", () => {
  const text = "# today's cycles\nstorage → batch → storage\n\n  env -> engram   # via env/load.ts\n";
  assert.deepEqual(parseAllowlist(text), ["batch → storage → batch", "engram → env → engram"]);
});

test("a cycle missing from the allowlist is unexpected; an allowlisted cycle that is gone is stale", () => {
  const cycles = findCycles([
    edge("a", "b", "x:1"),
    edge("b", "a", "x:2"),
    edge("b", "c", "x:3"),
    edge("c", "b", "x:4"),
  ]);
  const verdict = judgeCycles(cycles, parseAllowlist("a → b → a\nd → e → d\n"));
  assert.deepEqual(verdict.allowed.map(cycleKey), ["a → b → a"]);
  assert.deepEqual(verdict.unexpected.map(cycleKey), ["b → c → b"]);
  assert.deepEqual(verdict.stale, ["d → e → d"]);
  const clean = judgeCycles(cycles, parseAllowlist("a → b → a\nb → c → b"));
  assert.equal(clean.unexpected.length + clean.stale.length, 0);
});
