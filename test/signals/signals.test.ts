import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, describe, test } from "node:test";
import { clusterCapabilities } from "../../src/context/cluster-capabilities.ts";
import type { KubeClient } from "../../src/k8s/client.ts";
import { STEP_RUNS } from "../../src/k8s/resources.ts";
import { emitSignal } from "../../src/signals/emit.ts";
import { SignalsUnavailableError, SignalTooLargeError } from "../../src/signals/errors.ts";
import { replaySignals } from "../../src/signals/replay.ts";
import { signalTypeSummary, summarizeSignalValue } from "../../src/signals/summary.ts";
import { emitTextSignal, textSample, truncateUtf8 } from "../../src/signals/text-signal.ts";
import {
  formatMetaTime,
  formatRfc3339Nano,
  goMarshal,
  SequencedSignal,
  SignalEnvelope,
  SignalMeta,
  SignalSequence,
} from "../../src/signals/types.ts";
import { k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";
import { runScript } from "../support/spawn.ts";
import { createStepRun, peerClient, statusOf, targetOf } from "./k8s-support.ts";

const sha = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

describe("signal payloads (no cluster)", () => {
  test("Go struct encoding: field order and omitempty", () => {
    assert.equal(goMarshal(new SignalMeta()), "{}");
    const env = new SignalEnvelope(
      { format: "text", contentType: "text/plain", sizeBytes: 12, hashSha256: "ab", attributes: { z: "1", a: "<2>" } },
      { text: "hi", truncated: true },
    );
    assert.equal(
      goMarshal(env),
      '{"meta":{"format":"text","contentType":"text/plain","sizeBytes":12,"hashSha256":"ab","attributes":{"a":"\\u003c2\\u003e","z":"1"}},"sample":{"text":"hi","truncated":true}}',
    );
    const seq = new SequencedSignal(7, { b: 1, a: 2 }, new Date("2026-05-01T10:00:00.120Z"));
    assert.equal(goMarshal(seq), '{"seq":7,"emittedAt":"2026-05-01T10:00:00.12Z","value":{"a":2,"b":1}}');
    assert.equal(
      goMarshal(new SequencedSignal(1, null, new Date("2026-05-01T10:00:00Z"))),
      '{"seq":1,"emittedAt":"2026-05-01T10:00:00Z"}',
    );
    assert.equal(formatMetaTime(new Date("2026-05-01T10:00:00.999Z")), "2026-05-01T10:00:00Z");
    assert.equal(formatRfc3339Nano(new Date("2026-05-01T10:00:00.100Z")), "2026-05-01T10:00:00.1Z");
  });

  test("type summary follows Go's reflect kinds", () => {
    assert.deepEqual(signalTypeSummary({ a: 1, b: 2 }), { type: "map", details: { len: 2 } });
    assert.deepEqual(signalTypeSummary([1, 2, 3]), { type: "array", details: { len: 3 } });
    assert.deepEqual(signalTypeSummary("héllo€"), { type: "string", details: { len: 9 } });
    assert.deepEqual(signalTypeSummary(3), { type: "int" });
    assert.deepEqual(signalTypeSummary(3.5), { type: "float" });
    assert.deepEqual(signalTypeSummary(true), { type: "bool" });
    assert.deepEqual(signalTypeSummary(new SignalMeta()), { type: "struct" });
    assert.deepEqual(signalTypeSummary(new Date()), { type: "struct" });
    assert.deepEqual(signalTypeSummary(null), { type: "null" });
  });

  test("summary: size and sha256 of the Go JSON; a SequencedSignal reports its inner kind", async () => {
    const value = { z: "<&>", a: [1, 2] };
    const raw = goMarshal(value);
    assert.equal(raw, '{"a":[1,2],"z":"\\u003c\\u0026\\u003e"}');
    assert.deepEqual(await summarizeSignalValue(value, raw), {
      sizeBytes: raw.length,
      sha256: sha(raw),
      type: "map",
      details: { len: 2 },
    });
    const wrapped = new SequencedSignal(1, "abc");
    const wrappedRaw = goMarshal(wrapped);
    const s = await summarizeSignalValue(wrapped, wrappedRaw);
    assert.equal(s.type, "string");
    assert.equal(s.sizeBytes, wrappedRaw.length);
  });

  test("text samples: UTF-8-safe truncation, defaults, extras never override", () => {
    assert.deepEqual(truncateUtf8("aé€😀", 5), ["aé", true]);
    assert.deepEqual(truncateUtf8("aé€😀", 9), ["aé€", true]);
    assert.deepEqual(truncateUtf8("abc", 3), ["abc", false]);
    assert.equal(textSample("abc", {}), undefined);
    assert.deepEqual(textSample("abcdef", { sampleBytes: 2 }), { text: "ab", truncated: true });
    assert.deepEqual(textSample("abc", { sampleBytes: -1, sampleExtras: { text: "x", lang: "en" } }), {
      text: "abc",
      lang: "en",
    });
    const seq = new SignalSequence(5);
    assert.equal(seq.next(), 6);
    assert.equal(seq.next(), 7);
  });

  test("no StepRun: SignalsUnavailableError; an empty key or a bad sequence is refused", async () => {
    const fake = { namespace: "" } as unknown as KubeClient;
    const noStepRun = clusterCapabilities({ target: () => Promise.resolve(undefined), logs: undefined as never });
    await assert.rejects(noStepRun.signals.emit("k", 1), SignalsUnavailableError);
    await assert.rejects(noStepRun.signals.replay(), SignalsUnavailableError);
    await assert.rejects(emitSignal({ client: fake, namespace: "ns", name: "x" }, "  ", 1), /signal key is required/);
    await assert.rejects(emitSignal({ client: fake, namespace: "ns", name: "x" }, "k", 1, { seq: -1 }), RangeError);
  });
});

const skip = k8sPeerSkip();
const ns = `sig-${randomBytes(3).toString("hex")}`;
const clients: KubeClient[] = [];

async function client(): Promise<KubeClient> {
  const peer = requireK8sPeer();
  if (!peer) throw new Error("unreachable: skipped without a peer");
  const c = await peerClient(peer.kubeconfigPath);
  clients.push(c);
  return c;
}

describe("signals against the real API server", () => {
  after(async () => {
    for (const c of clients) await c.close();
  });

  test("over the cap: the status keeps the redacted summary, never the value", { skip }, async () => {
    const c = await client();
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, ns, name);
    const stepRun = targetOf(c, ns, name, { BUBU_SIGNAL_MAX_PAYLOAD_BYTES: "200" });
    const big = { transcript: "SECRET-ish ".repeat(40), n: 1 };
    const r = await emitSignal(stepRun, " transcript ", big);
    assert.equal(r.stored, "summary");
    const raw = goMarshal(big);
    let status = await statusOf(c, ns, name);
    assert.deepEqual(status.signals.transcript, {
      details: { len: 2 },
      redacted: true,
      sha256: sha(raw),
      sizeBytes: raw.length,
      type: "map",
    });
    assert.ok(!JSON.stringify(status).includes("SECRET-ish"));
    assert.equal(status.signalEvents.length, 1);
    const event = status.signalEvents[0];
    assert.equal(event.seq, r.seq);
    assert.equal(event.key, "transcript");
    assert.match(event.emittedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(event.payload, { details: { len: 2 }, sha256: sha(raw), sizeBytes: raw.length, type: "map" });

    // A small envelope is stored as it is; the event still carries only the summary.
    const small = await emitTextSignal(stepRun, "status", "hello world", { includeHash: true, sampleBytes: 5 });
    assert.equal(small.stored, "value");
    status = await statusOf(c, ns, name);
    assert.deepEqual(status.signals.status, {
      meta: { format: "text", sizeBytes: 11, hashSha256: sha("hello world") },
      sample: { text: "hello", truncated: true },
    });
    assert.equal(status.signalEvents[1].payload.type, "struct");
    assert.equal(status.signalEvents[1].seq, r.seq + 1);

    // An envelope over the cap becomes a summary of type struct.
    const bigEnv = await emitSignal(stepRun, "status", new SignalEnvelope({ format: "x" }, { text: "y".repeat(400) }));
    assert.equal(bigEnv.stored, "summary");
    assert.equal((await statusOf(c, ns, name)).signals.status.type, "struct");

    // null deletes the latest value but still appends an event without payload.
    const del = await emitSignal(stepRun, "transcript", null);
    assert.equal(del.stored, "deleted");
    status = await statusOf(c, ns, name);
    assert.equal(status.signals.transcript, undefined);
    const last = status.signalEvents[status.signalEvents.length - 1];
    assert.equal(last.key, "transcript");
    assert.equal(last.payload, undefined);
    assert.deepEqual(
      status.signalEvents.map((e: { seq: number }) => e.seq),
      [1, 2, 3, 4],
    );

    // A cap smaller than any summary is an error, and nothing is written.
    const tiny = targetOf(c, ns, name, { BUBU_SIGNAL_MAX_PAYLOAD_BYTES: "20" });
    await assert.rejects(
      emitSignal(tiny, "x", { a: 1 }),
      (err: unknown) => err instanceof SignalTooLargeError && err.message === "signal summary for x exceeds 20 bytes",
    );
    assert.equal((await statusOf(c, ns, name)).signalEvents.length, 4);
  });

  test("sequencing continues from the status across two processes of the same StepRun", { skip }, async () => {
    const c = await client();
    const peer = requireK8sPeer()!;
    const name = `sr-${randomBytes(4).toString("hex")}`;
    // A previous attempt of the step left events 1..3 (Go's retried pod would collide with them).
    await createStepRun(c, ns, name, {
      signalEvents: [1, 2, 3].map((seq) => ({ seq, key: `old-${seq}`, emittedAt: "2026-05-01T10:00:00Z" })),
    });
    const count = 8;
    const run = (prefix: string) =>
      runScript("test/signals/fixtures/emit-worker.ts", {
        env: { PEER_KUBECONFIG: peer.kubeconfigPath, NS: ns, STEPRUN: name, PREFIX: prefix, COUNT: String(count) },
        timeoutMs: 60_000,
      });
    const [a, b] = await Promise.all([run("a"), run("b")]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const seqA = JSON.parse(a.stdout.trim().split("\n").pop()!).seqs as number[];
    const seqB = JSON.parse(b.stdout.trim().split("\n").pop()!).seqs as number[];
    for (const seqs of [seqA, seqB]) {
      assert.deepEqual(
        seqs,
        [...seqs].sort((x, y) => x - y),
        "each process sees increasing sequence numbers",
      );
      assert.ok(
        seqs.every((s) => s > 3),
        "new events continue after the previous attempt's",
      );
    }
    const status = await statusOf(c, ns, name);
    const events = status.signalEvents as { seq: number; key: string }[];
    assert.deepEqual(
      events.map((e) => e.seq).sort((x, y) => x - y),
      Array.from({ length: 3 + 2 * count }, (_, i) => i + 1),
    );
    const keys = new Set(events.map((e) => e.key));
    for (let i = 0; i < count; i++)
      assert.ok(keys.has(`a-${i}`) && keys.has(`b-${i}`), `event ${i} of both processes kept`);
    assert.deepEqual(
      [...seqA, ...seqB].sort((x, y) => x - y),
      Array.from({ length: 2 * count }, (_, i) => i + 4),
    );

    // Replay: sorted, after a sequence number.
    const replay = await replaySignals(targetOf(c, ns, name), { sinceSeq: 3 + 2 * count - 2 });
    assert.deepEqual(
      replay.map((e) => e.seq),
      [2 + 2 * count, 3 + 2 * count],
    );
    assert.equal((await replaySignals(targetOf(c, ns, name))).length, 3 + 2 * count);
  });

  test("an explicit sequence that already exists is dropped by the merge; the latest value still updates", {
    skip,
  }, async () => {
    const c = await client();
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, ns, name);
    const stepRun = targetOf(c, ns, name);
    await emitSignal(stepRun, "k", { v: 1 }, { seq: 1 });
    const first = (await statusOf(c, ns, name)).signals.k;
    await emitSignal(stepRun, "k", { v: 22 }, { seq: 1 });
    const status = await statusOf(c, ns, name);
    assert.deepEqual(
      status.signalEvents.map((e: { seq: number }) => e.seq),
      [1],
    );
    assert.equal(status.signals.k.type, "map", "the summary describes the wrapped value");
    assert.ok(status.signals.k.sizeBytes > goMarshal({ v: 22 }).length + 20, "sized over the SequencedSignal wrapper");
    assert.notEqual(status.signals.k.sha256, first.sha256);
    await c.request("DELETE", `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/stepruns/${name}`);
    await assert.rejects(c.get(STEP_RUNS, ns, name));
  });
});
