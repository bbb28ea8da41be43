// Names, label values and the trigger input hash against golden values printed by the operator's
// own identity packages (test/impulse/golden/main.go: bobrapet v0.1.13, core v0.1.6).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  computeTriggerInputHash,
  deriveStoryRunName,
  deriveStoryTriggerName,
  safeLabelValue,
} from "../../src/impulse/names.ts";

const golden = JSON.parse(readFileSync(fileURLToPath(new URL("./golden/golden.json", import.meta.url)), "utf8")) as {
  triggerNames: { Ns: string; Story: string; Key: string; Sub: string; Out: string }[];
  storyRunNames: { Ns: string; Story: string; Token: string; Out: string }[];
  labels: { In: string; Out: string }[];
  inputHashes: { In: string; Out: string }[];
};

describe("names match the operator byte for byte", () => {
  test("DeriveStoryTriggerName", async () => {
    assert.ok(golden.triggerNames.length >= 5);
    for (const c of golden.triggerNames) {
      assert.equal(await deriveStoryTriggerName(c.Ns, c.Story, c.Key, c.Sub), c.Out, JSON.stringify(c));
    }
  });
  test("DeriveStoryRunName", async () => {
    for (const c of golden.storyRunNames) {
      assert.equal(await deriveStoryRunName(c.Ns, c.Story, c.Token), c.Out, JSON.stringify(c));
    }
  });
  test("SafeLabelValue (Unicode lower-casing, trimming, hash suffix)", async () => {
    for (const c of golden.labels) assert.equal(await safeLabelValue(c.In), c.Out, JSON.stringify(c));
  });
  test("ComputeTriggerInputHash (Go re-encoding: sorted keys, <>& escapes, floats)", async () => {
    for (const c of golden.inputHashes) assert.equal(await computeTriggerInputHash(c.In), c.Out, JSON.stringify(c));
  });
  test("a trigger name is <story>-trigger-<16 hex> and fits 253 characters", async () => {
    const name = await deriveStoryTriggerName("ns", "x".repeat(300), "k", "k");
    assert.equal(name.length, 253);
    assert.match(name, /^x+-trigger-[0-9a-f]{16}$/);
  });
  test("malformed inputs JSON is refused", async () => {
    await assert.rejects(computeTriggerInputHash("{not json"), /decode trigger inputs/);
  });
});
