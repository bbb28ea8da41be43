// Connector kill chaos (kill-chaos.ts): the fake connector killed and restarted at seeded
// random points under sequenced, unsequenced and engram-originated traffic. Nothing may be
// lost, and nothing processed twice; a message sent again because the connector had not
// confirmed it (`resent`) is allowed: the receiver drops it by its message id.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runKillChaos } from "./kill-chaos.ts";

describe("connector kill chaos", () => {
  for (const [seed, padBytes] of [
    [11, 0],
    [12, 16 * 1024],
  ]) {
    test(`seed ${seed}${padBytes ? ", 16 KiB messages (a backlog on Data)" : ""}: 0 lost, 0 duplicated over 5 kills`, async () => {
      const r = await runKillChaos({ seed, messages: 400, pacingMs: 2, kills: 5, padBytes, settleMs: 8_000 });
      const summary = JSON.stringify({ ...r, lostIds: r.lostIds.slice(0, 10) });
      assert.equal(r.sessions, 6, `one session per kill, plus the first: ${summary}`);
      assert.ok(r.expected > 400, summary);
      assert.equal(r.lost, 0, summary);
      assert.equal(r.duplicated, 0, summary);
      assert.equal(r.exitCode, 0, summary);
    });
  }
});
