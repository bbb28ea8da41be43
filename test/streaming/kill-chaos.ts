// Connector kill chaos: an engram echoes every inbound message (with a message id derived from
// it) and also sends messages of its own, while the fake connector is killed and restarted at
// seeded random points. The driver plays the hub: it sends sequenced packets (replayed after
// each restart until receipted, as the hub replays what was not acknowledged) and unsequenced
// ones with message ids (acknowledged by the connector on write, never replayed).
//
// At the receiver (the fake) it counts, per message id:
//   lost        expected and never arrived (an echo of every sequenced input, of every
//               unsequenced input the engram got, and every message the engram sent itself);
//   duplicated  arrived from more than one processing (each processing stamps a fresh `run`
//               number, so a second processing of the same input is told apart);
//   resent      the same processing arrived again: the SDK sent it once more after a restart
//               because the connector had not confirmed it (a receiver dedupes it by id).
//
// Also a probe: `node test/streaming/kill-chaos.ts [runs=5] [messages=3000] [pacingMs=2] [kills=10] [seed=1] [padBytes=0]`
import process from "node:process";
import { defineStreaming } from "../../src/engram/streaming-engram.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { startStreaming } from "../../src/streaming/start-streaming.ts";
import { FakeConnector } from "../peers/connector/index.ts";
import { envelopePacket } from "../peers/connector/packets.ts";
import { prng } from "../support/prng.ts";
import { enc, streamEnv } from "./helpers.ts";

export { prng };

export interface ChaosOptions {
  readonly seed: number;
  /** Inbound packets the driver sends (2 of 3 sequenced). */
  readonly messages: number;
  readonly pacingMs: number;
  readonly kills: number;
  /** Period of the engram's own messages. */
  readonly tickMs?: number;
  /** How long the connector stays down per kill, at most. */
  readonly maxDownMs?: number;
  /** How long to wait for everything to arrive after the last send, at most. */
  readonly settleMs?: number;
  /** Filler added to every message the engram sends (a backlog on Data, none on Control). */
  readonly padBytes?: number;
}

export interface ChaosResult {
  readonly expected: number;
  readonly lost: number;
  /** Lost echoes of sequenced inputs whose receipt the connector had (nothing replays those). */
  readonly lostReceipted: number;
  readonly duplicated: number;
  readonly resent: number;
  readonly sessions: number;
  readonly exitCode: number;
  readonly lostIds: string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runKillChaos(o: ChaosOptions): Promise<ChaosResult> {
  const rand = prng(o.seed);
  const fake = await FakeConnector.start({});
  const received = new Set<string>(); // inbound keys the engram got (unsequenced ones count only then)
  const sentTicks: string[] = [];
  let runs = 0;
  let producing = true;
  const pad = "x".repeat(o.padBytes ?? 0);
  const engram = defineStreaming({
    async stream(ctx, inbound, outbound) {
      const ticks = (async () => {
        for (let k = 0; producing && !ctx.signal.aborted; k++) {
          const id = `tick:${k}`;
          await outbound.send({
            kind: "data",
            messageId: id,
            payload: enc.encode(JSON.stringify({ id, run: ++runs, pad })),
          });
          sentTicks.push(id);
          await sleep(o.tickMs ?? 5);
        }
      })();
      for await (const m of inbound) {
        const key = m.messageId ?? "";
        received.add(key);
        const id = `echo:${key}`;
        await outbound.send({
          kind: "data",
          messageId: id,
          payload: enc.encode(JSON.stringify({ id, run: ++runs, pad })),
        });
        m.done();
      }
      producing = false;
      await ticks;
    },
  });
  const ctl = new AbortController();
  const env = streamEnv(fake.endpoint, {
    BUBU_GRPC_RECONNECT_MAX_RETRIES: "-1",
    BUBU_GRPC_RECONNECT_BASE_BACKOFF: "10ms",
    BUBU_GRPC_RECONNECT_MAX_BACKOFF: "50ms",
  });
  const run = startStreaming(engram, {
    env,
    args: [], // the probe's own arguments are not the engram's
    exit: false,
    logger: createLogger({ sink: () => {} }),
    signal: ctl.signal,
  });

  // What the fake saw, read incrementally from its event log.
  let seen = 0;
  const receipted = new Set<string>();
  const arrivals = new Map<string, number[]>(); // id -> run numbers, one per arrival
  let sessions = 0;
  const scan = (): void => {
    const ev = fake.events;
    for (; seen < ev.length; seen++) {
      const e = ev[seen];
      if (e.type === "control-open") sessions++;
      else if (e.type === "control-request" && e.request.customAction === "downstream.delivered")
        receipted.add(e.request.metadata.sequence);
      else if (e.type === "data-request" && e.request.metadata["bubu-heartbeat"] !== "true") {
        const p = e.request.payload as { id?: string; run?: number } | undefined;
        if (p?.id === undefined) continue;
        let list = arrivals.get(p.id);
        if (list === undefined) arrivals.set(p.id, (list = []));
        list.push(p.run ?? 0);
      }
    }
  };
  const established = (n: number) =>
    fake.waitFor(
      () => fake.controlRequests.filter((r) => r.metadata.type === "connector.ready").length >= n,
      20_000,
      `session ${n}`,
    );

  const packet = (i: number) => {
    const sequenced = i % 3 !== 2;
    const key = sequenced ? `s-${i}` : `u-${i}`;
    return sequenced
      ? envelopePacket({ payload: { i }, messageId: key, streamId: "s", sequence: BigInt(i + 1) })
      : envelopePacket({ payload: { i }, messageId: key });
  };
  const sequencedSent: number[] = [];
  const replay = async (): Promise<void> => {
    scan();
    for (const i of sequencedSent) {
      if (!receipted.has(String(i + 1))) await fake.sendData(packet(i)).catch(() => {});
    }
  };

  try {
    await established(1);
    const killAt = new Set<number>();
    while (killAt.size < Math.min(o.kills, o.messages)) killAt.add(1 + Math.floor(rand() * (o.messages - 1)));
    let restarts = 0;
    for (let i = 0; i < o.messages; i++) {
      if (killAt.has(i)) {
        // A kill at a random moment within this step, then the hub's replay on the new session.
        await sleep(rand() * o.pacingMs);
        await fake.restart(Math.floor(rand() * (o.maxDownMs ?? 30)));
        restarts++;
        await established(restarts + 1);
        await replay();
      }
      await fake.sendData(packet(i)).catch(() => {});
      if (i % 3 !== 2) sequencedSent.push(i);
      await sleep(o.pacingMs);
    }
    producing = false;
    // Settle: keep replaying what is not receipted until everything expected has arrived.
    // Gives up early once all is receipted and nothing new arrived for a while (the rest is lost).
    const deadline = Date.now() + (o.settleMs ?? 10_000);
    let quietSince = Date.now();
    let lastSeen = -1;
    for (;;) {
      scan();
      if (seen !== lastSeen) {
        lastSeen = seen;
        quietSince = Date.now();
      }
      const missing = expectedIds().filter((id) => !arrivals.has(id));
      const unreceipted = sequencedSent.some((i) => !receipted.has(String(i + 1)));
      if (!unreceipted && (missing.length === 0 || Date.now() - quietSince > 1_500)) break;
      if (Date.now() > deadline) break;
      await sleep(250);
      await replay();
    }
  } finally {
    ctl.abort();
  }
  const outcome = await run;
  await fake.close();
  scan();

  function expectedIds(): string[] {
    const ids: string[] = [];
    for (const i of sequencedSent) ids.push(`echo:s-${i}`);
    for (const key of received) if (key.startsWith("u-")) ids.push(`echo:${key}`);
    for (const t of sentTicks) ids.push(t);
    return ids;
  }
  const expected = expectedIds();
  const lostIds = expected.filter((id) => !arrivals.has(id));
  let duplicated = 0;
  let resent = 0;
  for (const list of arrivals.values()) {
    const distinct = new Set(list).size;
    duplicated += distinct - 1;
    resent += list.length - distinct;
  }
  const lostReceipted = lostIds.filter(
    (id) => id.startsWith("echo:s-") && receipted.has(String(Number(id.slice(7)) + 1)),
  ).length;
  return {
    expected: expected.length,
    lost: lostIds.length,
    lostReceipted,
    duplicated,
    resent,
    sessions,
    exitCode: outcome.exitCode,
    lostIds,
  };
}

if (import.meta.main ?? process.argv[1]?.endsWith("kill-chaos.ts")) {
  const [runsArg, messages, pacing, kills, seed, padBytes] = process.argv.slice(2).map(Number);
  const total = { expected: 0, lost: 0, lostReceipted: 0, duplicated: 0, resent: 0 };
  const n = runsArg || 5;
  for (let r = 0; r < n; r++) {
    const res = await runKillChaos({
      seed: (seed || 1) + r,
      messages: messages || 3000,
      pacingMs: pacing || 2,
      kills: kills ?? 10,
      padBytes: padBytes || 0,
    });
    console.log(JSON.stringify({ run: r, seed: (seed || 1) + r, ...res, lostIds: res.lostIds.slice(0, 5) }));
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += res[k];
  }
  console.log(JSON.stringify({ runs: n, ...total }));
}
