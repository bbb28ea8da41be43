import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { goJsonStringify } from "../../src/json/go-json.ts";
import { buildLogsStatusUpdate } from "../../src/k8s/logs-patch.ts";
import { createMergePatch } from "../../src/k8s/merge-patch.ts";
import { InvalidPhaseTransitionError, isValidPhaseTransition } from "../../src/k8s/phase.ts";
import {
  MAX_EFFECT_RECORDS,
  MAX_SIGNAL_EVENTS,
  mergeStepRunStatus,
  type StepRunStatus,
  statusDiff,
} from "../../src/k8s/steprun-merge.ts";
import { patchBody } from "../../src/k8s/steprun-status.ts";

describe("isValidPhaseTransition", () => {
  const table: Record<string, string[]> = {
    Pending: ["Running", "Failed", "Canceled", "Timeout"],
    Running: ["Succeeded", "Failed", "Canceled", "Paused", "Timeout", "Aborted"],
    Paused: ["Running", "Canceled", "Failed"],
    Failed: ["Running", "Succeeded"],
    Blocked: ["Pending", "Running", "Failed", "Canceled"],
    Scheduling: ["Running", "Failed", "Canceled"],
    Succeeded: [],
    Canceled: [],
    Timeout: [],
    Aborted: [],
    Finished: [],
    Skipped: [],
    Compensated: [],
  };
  const all = Object.keys(table);

  test("matches the contract table for every pair", () => {
    for (const from of all) {
      for (const to of all) {
        const expected = from === to || table[from]!.includes(to);
        assert.equal(isValidPhaseTransition(from, to), expected, `${from} → ${to}`);
      }
    }
  });

  test("empty current phase allows anything; unknown current phase rejects", () => {
    assert.equal(isValidPhaseTransition("", "Succeeded"), true);
    assert.equal(isValidPhaseTransition("", "Whatever"), true);
    assert.equal(isValidPhaseTransition("Mystery", "Running"), false);
    assert.equal(isValidPhaseTransition("Mystery", "Mystery"), true);
    assert.equal(isValidPhaseTransition("toString", "Running"), false);
  });

  test("Pending → Succeeded is rejected (quirk B2)", () => {
    assert.equal(isValidPhaseTransition("Pending", "Succeeded"), false);
  });
});

describe("mergeStepRunStatus", () => {
  test("copies the terminal fields and leaves controller fields alone", () => {
    const current: StepRunStatus = {
      phase: "Running",
      observedGeneration: 3,
      startedAt: "2026-05-01T10:00:00Z",
      podName: "pod-a",
      retries: 0,
      conditions: [{ type: "Ready", status: "False" }],
      needs: ["a"],
    };
    const merged = mergeStepRunStatus(current, {
      phase: "Succeeded",
      finishedAt: "2026-05-01T10:00:05Z",
      duration: "5.12s",
      exitClass: "success",
      output: { status: "ok" },
    });
    assert.deepEqual(merged, {
      ...current,
      phase: "Succeeded",
      finishedAt: "2026-05-01T10:00:05Z",
      duration: "5.12s",
      exitClass: "success",
      output: { status: "ok" },
    });
    assert.equal(current.phase, "Running", "input not mutated");
  });

  test("zero/empty incoming values never overwrite", () => {
    const current: StepRunStatus = {
      phase: "Failed",
      exitCode: 1,
      exitClass: "terminal",
      lastFailureMsg: "boom",
      error: { type: "execution_error", message: "boom" },
      retries: 2,
      duration: "1s",
      podName: "p",
      output: { a: 1 },
      logs: { $bubuStorageRef: "x" },
    };
    const merged = mergeStepRunStatus(current, {
      phase: "",
      exitCode: 0,
      exitClass: "",
      lastFailureMsg: "",
      retries: 0,
      duration: "",
      podName: "",
      output: null,
      logs: undefined,
      error: null,
    });
    assert.deepEqual(merged, current);
  });

  test("a later success does not clear earlier failure fields (quirk B3)", () => {
    const current: StepRunStatus = {
      phase: "Failed",
      exitCode: 1,
      lastFailureMsg: "boom",
      error: { type: "execution_error" },
    };
    const merged = mergeStepRunStatus(current, { phase: "Succeeded", exitCode: 0, exitClass: "success" });
    assert.equal(merged.phase, "Succeeded");
    assert.equal(merged.exitCode, 1);
    assert.equal(merged.lastFailureMsg, "boom");
    assert.deepEqual(merged.error, { type: "execution_error" });
    assert.equal(merged.exitClass, "success");
  });

  test("non-zero exit code, retries and nextRetryAt replace", () => {
    const merged = mergeStepRunStatus({ exitCode: 1, retries: 1 }, { exitCode: 124, retries: 3, nextRetryAt: "t" });
    assert.equal(merged.exitCode, 124);
    assert.equal(merged.retries, 3);
    assert.equal(merged.nextRetryAt, "t");
  });

  test("needs: present replaces, an empty list clears, absent keeps", () => {
    assert.deepEqual(mergeStepRunStatus({ needs: ["a"] }, { needs: ["b"] }).needs, ["b"]);
    assert.deepEqual(mergeStepRunStatus({ needs: ["a"] }, { needs: [] }).needs, []);
    assert.deepEqual(mergeStepRunStatus({ needs: ["a"] }, {}).needs, ["a"]);
  });

  test("invalid phase transition throws and names both phases", () => {
    assert.throws(
      () => mergeStepRunStatus({ phase: "Pending" }, { phase: "Succeeded" }),
      (err: unknown) =>
        err instanceof InvalidPhaseTransitionError &&
        err.from === "Pending" &&
        err.to === "Succeeded" &&
        err.message === "invalid phase transition: Pending → Succeeded (not allowed by state machine)",
    );
  });

  test("empty incoming phase skips validation (signal/effect/log patches on a terminal run)", () => {
    const merged = mergeStepRunStatus({ phase: "Succeeded" }, { signals: { k: { v: 1 } } });
    assert.equal(merged.phase, "Succeeded");
    assert.deepEqual(merged.signals, { k: { v: 1 } });
  });

  test("signals merge per key; null deletes", () => {
    const merged = mergeStepRunStatus({ signals: { a: { x: 1 }, b: { y: 2 } } }, { signals: { a: null, c: { z: 3 } } });
    assert.deepEqual(merged.signals, { b: { y: 2 }, c: { z: 3 } });
  });

  test("signalEvents: seq 0 gets max+1, an existing seq is dropped, explicit larger seq raises max", () => {
    const merged = mergeStepRunStatus(
      {
        signalEvents: [
          { seq: 1, key: "a" },
          { seq: 2, key: "b" },
        ],
      },
      {
        signalEvents: [
          { seq: 0, key: "c" },
          { seq: 2, key: "dup" },
          { seq: 10, key: "d" },
          { seq: 0, key: "e" },
        ],
      },
    );
    assert.deepEqual(
      merged.signalEvents!.map((e) => [e.seq, e.key]),
      [
        [1, "a"],
        [2, "b"],
        [3, "c"],
        [10, "d"],
        [11, "e"],
      ],
    );
  });

  test("signalEvents over the cap keep the newest 256 sorted by seq", () => {
    const existing = Array.from({ length: MAX_SIGNAL_EVENTS }, (_, i) => ({
      seq: MAX_SIGNAL_EVENTS - i,
      key: `k${i}`,
    }));
    const merged = mergeStepRunStatus({ signalEvents: existing }, { signalEvents: [{ seq: 0, key: "new" }] });
    assert.equal(merged.signalEvents!.length, MAX_SIGNAL_EVENTS);
    assert.equal(merged.signalEvents![0]!.seq, 2);
    assert.deepEqual(merged.signalEvents!.at(-1), { seq: MAX_SIGNAL_EVENTS + 1, key: "new" });
  });

  test("effects: a seq-0 record whose trimmed key exists is dropped; new keys append", () => {
    const merged = mergeStepRunStatus(
      { effects: [{ seq: 1, key: "charge", status: "done" }] },
      {
        effects: [
          { seq: 0, key: " charge ", status: "again" },
          { seq: 0, key: "email", status: "sent" },
          { seq: 0, key: "email", status: "twice" },
        ],
      },
    );
    assert.deepEqual(
      merged.effects!.map((e) => [e.seq, e.key, e.status]),
      [
        [1, "charge", "done"],
        [2, "email", "sent"],
      ],
    );
  });

  test("effects cap is 256", () => {
    const existing = Array.from({ length: MAX_EFFECT_RECORDS }, (_, i) => ({ seq: i + 1, key: `k${i}` }));
    const merged = mergeStepRunStatus({ effects: existing }, { effects: [{ seq: 0, key: "last" }] });
    assert.equal(merged.effects!.length, MAX_EFFECT_RECORDS);
    assert.equal(merged.effects![0]!.seq, 2);
    assert.equal(merged.effects!.at(-1)!.key, "last");
  });

  test("conditions and other controller fields in the update are ignored", () => {
    const update = { conditions: [{ type: "Ready" }], observedGeneration: 9, trace: { traceId: "t" } } as never;
    assert.deepEqual(mergeStepRunStatus({ phase: "Running" }, update), { phase: "Running" });
  });
});

describe("merge patch diff and body bytes", () => {
  test("createMergePatch: changed, removed (null), nested, arrays whole, type changes", () => {
    const before = { a: 1, b: { c: 1, d: 2 }, e: [1, 2], f: "x", g: null, h: { i: 1 } };
    const after = { a: 1, b: { c: 1, d: 3, n: true }, e: [1, 2, 3], g: { now: "obj" }, h: "flat" };
    assert.deepEqual(createMergePatch(before, after), {
      b: { d: 3, n: true },
      e: [1, 2, 3],
      f: null,
      g: { now: "obj" },
      h: "flat",
    });
    assert.deepEqual(createMergePatch(before, structuredClone(before)), {});
  });

  test("goJsonStringify sorts keys by byte order and escapes like Go", () => {
    assert.equal(
      goJsonStringify({ b: 1, "10": 2, "9": 3, a: [{ z: 1, y: "<&>" }] }),
      '{"10":2,"9":3,"a":[{"y":"\\u003c\\u0026\\u003e","z":1}],"b":1}',
    );
    assert.equal(goJsonStringify({ s: '\u2028\u2029\n\t"\\' }), '{"s":"\\u2028\\u2029\\n\\t\\"\\\\"}');
    assert.equal(
      goJsonStringify({ é: 1, z: 2, "\u{1F600}": 3, "\uFFFF": 4 }),
      '{"z":2,"é":1,"\uFFFF":4,"\u{1F600}":3}',
    );
    assert.equal(goJsonStringify([1.5, 1e21, 1e-7, 0, true, null]), "[1.5,1e+21,1e-7,0,true,null]");
    assert.throws(() => goJsonStringify({ x: Number.NaN }));
  });

  test("success body (batch.md §5 shape, Go's sorted key order)", () => {
    const current: StepRunStatus = { phase: "Running", startedAt: "2026-05-01T10:00:00Z", retries: 0 };
    const merged = mergeStepRunStatus(current, {
      phase: "Succeeded",
      finishedAt: "2026-05-01T10:00:05Z",
      duration: "5.12s",
      exitCode: 0,
      exitClass: "success",
      output: { status: "ok" },
    });
    assert.equal(
      patchBody(undefined, statusDiff(current, merged)),
      '{"status":{"duration":"5.12s","exitClass":"success","finishedAt":"2026-05-01T10:00:05Z","output":{"status":"ok"},"phase":"Succeeded"}}',
    );
  });

  test("failure body with resourceVersion precondition", () => {
    const current: StepRunStatus = { phase: "Running" };
    const merged = mergeStepRunStatus(current, {
      phase: "Failed",
      finishedAt: "2026-05-01T10:00:05Z",
      duration: "850ms",
      exitCode: 1,
      exitClass: "terminal",
      lastFailureMsg: "boom",
      error: {
        version: "v1",
        type: "execution_error",
        message: "boom",
        retryable: false,
        exitCode: 1,
        exitClass: "terminal",
      },
    });
    assert.equal(
      patchBody("1234", statusDiff(current, merged)),
      '{"metadata":{"resourceVersion":"1234"},"status":{"duration":"850ms","error":{"exitClass":"terminal","exitCode":1,"message":"boom","retryable":false,"type":"execution_error","version":"v1"},"exitClass":"terminal","exitCode":1,"finishedAt":"2026-05-01T10:00:05Z","lastFailureMsg":"boom","phase":"Failed"}}',
    );
  });

  test("signal body: deleted key is null, whole events array is sent", () => {
    const current: StepRunStatus = {
      phase: "Running",
      signals: { old: { v: 1 } },
      signalEvents: [{ seq: 1, key: "old", emittedAt: "t1" }],
    };
    const merged = mergeStepRunStatus(current, {
      signals: { old: null, now: { v: 2 } },
      signalEvents: [{ seq: 0, key: "now", emittedAt: "t2", payload: { v: 2 } }],
    });
    assert.equal(
      patchBody("7", statusDiff(current, merged)),
      '{"metadata":{"resourceVersion":"7"},"status":{"signalEvents":[{"emittedAt":"t1","key":"old","seq":1},{"emittedAt":"t2","key":"now","payload":{"v":2},"seq":2}],"signals":{"now":{"v":2},"old":null}}}',
    );
  });

  test("logs body (batch.md §7): schema only when known, version only with a schema", () => {
    const full = buildLogsStatusUpdate({
      path: "ns/logs/sr/step/st/1.log",
      contentType: "application/x-ndjson",
      schema: "bubu://engram/ns/e/logs",
      schemaVersion: "1.2.0",
    });
    assert.equal(
      patchBody(undefined, statusDiff({}, mergeStepRunStatus({}, full))),
      '{"status":{"logs":{"$bubuStorageContentType":"application/x-ndjson","$bubuStorageRef":"ns/logs/sr/step/st/1.log","$bubuStorageSchema":"bubu://engram/ns/e/logs","$bubuStorageSchemaVersion":"1.2.0"}}}',
    );
    assert.deepEqual(buildLogsStatusUpdate({ path: "p", schemaVersion: "9" }), {
      logs: { $bubuStorageRef: "p", $bubuStorageContentType: "text/plain; charset=utf-8" },
    });
    assert.equal(full.phase, undefined);
  });
});
