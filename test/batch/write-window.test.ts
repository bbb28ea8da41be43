import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { graceAfter, openWriteWindow } from "../../src/batch/write-window.ts";

const SECOND_NS = 1_000_000_000n;

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) =>
    signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true }),
  );
}

describe("terminal status write window", () => {
  test("ends at the step's deadline plus the grace window", () => {
    const now = 1_000_000;
    const w = openWriteWindow({
      startedAt: new Date(now - 60_000),
      stepTimeoutNs: 300n * SECOND_NS,
      graceMs: 10_000,
      minimumMs: 30_000,
      now: () => now,
    });
    assert.equal(w.endsAt, now - 60_000 + 300_000 + 10_000);
    assert.equal(w.signalled, undefined);
    w.close();
  });

  test("never shorter than the minimum (a step that timed out still gets a full budget)", () => {
    const now = 1_000_000;
    const w = openWriteWindow({
      startedAt: new Date(now - 400_000),
      stepTimeoutNs: 300n * SECOND_NS,
      graceMs: 10_000,
      minimumMs: 30_000,
      now: () => now,
    });
    assert.equal(w.endsAt, now + 30_000);
    w.close();
  });

  test("aborts with a TimeoutError when it ends", async () => {
    const started = Date.now();
    const w = openWriteWindow({ startedAt: new Date(), stepTimeoutNs: 0n, graceMs: 0, minimumMs: 150 });
    await aborted(w.signal);
    assert.equal((w.signal.reason as Error).name, "TimeoutError");
    assert.ok(Date.now() - started >= 140);
    w.close();
  });

  test("a SIGTERM during the write shortens it to one grace window from the signal", async () => {
    const terminate = new AbortController();
    const w = openWriteWindow({
      startedAt: new Date(),
      stepTimeoutNs: 3600n * SECOND_NS,
      graceMs: 100,
      minimumMs: 30_000,
      terminate: terminate.signal,
    });
    const before = w.endsAt;
    const t = Date.now();
    terminate.abort("SIGTERM");
    assert.ok(w.endsAt < before);
    assert.ok(w.endsAt >= t + 100 && w.endsAt <= Date.now() + 100);
    assert.equal(w.signalled, "SIGTERM");
    await aborted(w.signal);
    w.close();
  });

  test("a SIGINT that came before the write: one grace window from the start of the write", () => {
    const terminate = new AbortController();
    terminate.abort("SIGINT");
    const now = 5_000_000;
    const w = openWriteWindow({
      startedAt: new Date(now),
      stepTimeoutNs: 3600n * SECOND_NS,
      graceMs: 2_000,
      minimumMs: 30_000,
      terminate: terminate.signal,
      now: () => now,
    });
    assert.equal(w.endsAt, now + 2_000);
    assert.equal(w.signalled, "SIGINT");
    w.close();
  });

  test("a signal never lengthens the window", () => {
    const terminate = new AbortController();
    const now = 5_000_000;
    const w = openWriteWindow({
      startedAt: new Date(now - 400_000),
      stepTimeoutNs: 300n * SECOND_NS,
      graceMs: 60_000,
      minimumMs: 1_000,
      terminate: terminate.signal,
      now: () => now,
    });
    assert.equal(w.endsAt, now + 1_000);
    terminate.abort("SIGTERM");
    assert.equal(w.endsAt, now + 1_000);
    assert.equal(w.signalled, "SIGTERM");
    w.close();
  });

  test("a deadline beyond setTimeout's range does not end the window at once; close() stops it", async () => {
    const w = openWriteWindow({
      startedAt: new Date(),
      stepTimeoutNs: 90n * 24n * 3600n * SECOND_NS,
      graceMs: 0,
      minimumMs: 0,
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(w.signal.aborted, false);
    w.close();
  });

  test("graceAfter: nothing until the signal, then one grace window", async () => {
    const terminate = new AbortController();
    const g = graceAfter(terminate.signal, 100);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(g.signal.aborted, false);
    const t = Date.now();
    terminate.abort("SIGTERM");
    await aborted(g.signal);
    assert.ok(Date.now() - t >= 90);
    g.close();
  });

  test("graceAfter: a signal that already came counts from now; close() disarms it", async () => {
    const terminate = new AbortController();
    terminate.abort("SIGTERM");
    const g = graceAfter(terminate.signal, 50);
    await aborted(g.signal);
    const h = graceAfter(terminate.signal, 50);
    h.close();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.signal.aborted, false);
  });
});
