// Every corpus case evaluated by our engine must equal the Go engine's golden result
// (test/interop/templating/golden.json, produced by `go run . < corpus.json`): same value, or
// same error class and the same message. Intended differences are listed with their reason.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { repoRoot } from "../support/spawn.ts";
import { difference, MESSAGE_DIFFERENCES } from "./support/compare.ts";
import { type CaseResult, type CorpusCase, runCase } from "./support/run-case.ts";

const dir = `${repoRoot}/test/interop/templating`;
const corpus = JSON.parse(readFileSync(`${dir}/corpus.json`, "utf8")) as {
  defaultVars: Record<string, unknown>;
  cases: CorpusCase[];
};
const golden = JSON.parse(readFileSync(`${dir}/golden.json`, "utf8")) as CaseResult[];

describe("templating agrees with the Go engine on the corpus", () => {
  test("corpus and golden files line up", () => {
    assert.equal(golden.length, corpus.cases.length);
    assert.ok(corpus.cases.length >= 400, `corpus has ${corpus.cases.length} cases`);
    corpus.cases.forEach((c, i) => assert.equal(golden[i]!.name, c.name));
  });

  const groups = new Map<string, number[]>();
  corpus.cases.forEach((c, i) => {
    const g = c.name.split("/")[0]!;
    groups.set(g, [...(groups.get(g) ?? []), i]);
  });
  for (const [group, indexes] of groups) {
    test(`${group} (${indexes.length} cases)`, () => {
      const diffs: string[] = [];
      for (const i of indexes) {
        const c = corpus.cases[i]!;
        const d = difference(c, runCase(c, corpus.defaultVars), golden[i]!);
        if (d !== undefined) diffs.push(d);
      }
      assert.deepEqual(diffs, []);
    });
  }

  test("intended differences still differ only in the message", () => {
    for (const name of Object.keys(MESSAGE_DIFFERENCES)) {
      const i = corpus.cases.findIndex((c) => c.name === name);
      assert.ok(i >= 0, name);
      const got = runCase(corpus.cases[i]!, corpus.defaultVars);
      assert.equal(got.error?.class, golden[i]!.error?.class);
      assert.notEqual(got.error?.message, golden[i]!.error?.message);
    }
  });
});
