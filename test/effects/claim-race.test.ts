// executeEffectOnce under contention, crashes and a slow API server, against the real API peer.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { executeEffectOnce } from "../../src/effects/execute-once.ts";
import type { KubeClient } from "../../src/k8s/client.ts";
import { claimExpiresAt, deriveEffectClaimName, type EffectClaim } from "../../src/k8s/effectclaim.ts";
import { EFFECT_CLAIMS } from "../../src/k8s/resources.ts";
import { k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";
import { createStepRun, peerClient, statusOf, targetOf } from "../signals/k8s-support.ts";
import { type RunResult, runScript } from "../support/spawn.ts";

const skip = k8sPeerSkip();
const ns = `race-${randomBytes(3).toString("hex")}`;
const clients: KubeClient[] = [];
const cleanups: (() => Promise<void>)[] = [];

async function client(kubeconfig?: string): Promise<KubeClient> {
  const peer = requireK8sPeer();
  if (!peer) throw new Error("unreachable: skipped without a peer");
  const c = await peerClient(kubeconfig ?? peer.kubeconfigPath);
  clients.push(c);
  return c;
}

function worker(
  env: Record<string, string>,
  onOutput?: (text: string, child: { kill(s: NodeJS.Signals): void }) => void,
): Promise<RunResult> {
  const peer = requireK8sPeer()!;
  return runScript("test/effects/fixtures/effect-worker.ts", {
    env: { PEER_KUBECONFIG: peer.kubeconfigPath, NS: ns, ...env },
    timeoutMs: 90_000,
    ...(onOutput !== undefined ? { onOutput } : {}),
  });
}

function outcomeOf(r: RunResult): {
  id: string;
  outcome?: { already: boolean; reason?: string; result?: unknown };
  error?: string;
} {
  const line = r.stdout
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .pop();
  assert.ok(line, `no outcome line; stdout=${r.stdout} stderr=${r.stderr}`);
  return JSON.parse(line!);
}

const ran = (r: RunResult): number => r.stdout.split("\n").filter((l) => l.startsWith("RAN ")).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP proxy to the API server that delays every chunk coming back by `delayMs` (order kept). */
async function slowProxy(target: URL): Promise<{ url: string; setDelay(ms: number): void; close(): Promise<void> }> {
  let delayMs = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((down) => {
    const up = createConnection({ host: target.hostname, port: Number(target.port) });
    sockets.add(down);
    sockets.add(up);
    let chain = Promise.resolve();
    down.on("data", (d) => up.write(d));
    up.on("data", (d) => {
      const wait = delayMs;
      chain = chain
        .then(() => sleep(wait))
        .then(() => {
          if (!down.destroyed) down.write(d);
        });
    });
    const close = () => {
      up.destroy();
      down.destroy();
    };
    down.on("close", close);
    up.on("close", () => void chain.then(close));
    down.on("error", close);
    up.on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    setDelay: (ms) => void (delayMs = ms),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("executeEffectOnce under contention (real API server)", () => {
  after(async () => {
    for (const c of clients) await c.close();
    for (const f of cleanups) await f();
  });

  test("five processes race for one effect: exactly one runs fn", { skip, timeout: 90_000 }, async () => {
    const c = await client();
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, ns, name);
    const results = await Promise.all(
      ["1", "2", "3", "4", "5"].map((id) => worker({ STEPRUN: name, KEY: "notify", ID: id, HOLD_MS: "1500" })),
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(
      results.reduce((n, r) => n + ran(r), 0),
      1,
      "fn ran exactly once",
    );
    const outcomes = results.map(outcomeOf);
    const winners = outcomes.filter((o) => o.outcome?.already === false);
    assert.equal(winners.length, 1);
    const winner = winners[0]!.id;
    for (const o of outcomes) if (o.id !== winner) assert.equal(o.outcome?.already, true);
    const claim = await c.get<EffectClaim>(EFFECT_CLAIMS, ns, await deriveEffectClaimName(ns, name, "notify"));
    assert.equal(claim.spec.completionStatus, "completed");
    assert.deepEqual(claim.spec.details, { worker: winner });
    const effects = (await statusOf(c, ns, name)).effects as { key: string; details: unknown }[];
    assert.deepEqual(
      effects.map((e) => [e.key, e.details]),
      [["notify", { worker: winner }]],
    );
  });

  test("a holder killed mid-lease: nobody runs fn until the lease expires, then one takes over", {
    skip,
    timeout: 90_000,
  }, async () => {
    const c = await client();
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, ns, name);
    const lease = "4";
    const a = await worker({ STEPRUN: name, KEY: "k", ID: "A", LEASE: lease, HOLD_MS: "60000" }, (text, child) => {
      if (text.includes("RAN A")) child.kill("SIGKILL");
    });
    assert.equal(a.signal ?? "SIGKILL", "SIGKILL");
    assert.equal(ran(a), 1);
    const claimName = await deriveEffectClaimName(ns, name, "k");
    const held = await c.get<EffectClaim>(EFFECT_CLAIMS, ns, claimName);
    assert.match(held.spec.holderIdentity ?? "", new RegExp(`^${ns}:${name}:k:`));

    const b = await worker({ STEPRUN: name, KEY: "k", ID: "B", LEASE: lease, HOLD_MS: "0" });
    const expires = claimExpiresAt(await c.get<EffectClaim>(EFFECT_CLAIMS, ns, claimName))!;
    assert.ok(Date.now() < expires, "B finished while A's lease was still live");
    assert.equal(ran(b), 0, "B must not run fn while A's lease is live");
    assert.deepEqual(outcomeOf(b).outcome, { already: true, reason: "held" });

    await sleep(Math.max(0, expires - Date.now()) + 250);
    const cw = await worker({ STEPRUN: name, KEY: "k", ID: "C", LEASE: lease, HOLD_MS: "100" });
    assert.equal(cw.code, 0, cw.stderr + cw.stdout);
    assert.equal(ran(cw), 1);
    assert.deepEqual(outcomeOf(cw).outcome, { already: false, result: { worker: "C" } });
    const done = await c.get<EffectClaim>(EFFECT_CLAIMS, ns, claimName);
    assert.equal(done.spec.completionStatus, "completed");
    assert.equal(done.spec.leaseTransitions, 1);
    assert.notEqual(done.spec.holderIdentity, held.spec.holderIdentity);
    assert.deepEqual(
      (await statusOf(c, ns, name)).effects.map((e: { key: string }) => e.key),
      ["k"],
    );
  });

  test("renewal keeps the lease under a slow API server, and a too-slow one aborts fn", {
    skip,
    timeout: 90_000,
  }, async () => {
    const peer = requireK8sPeer()!;
    const dir = await mkdtemp(join(tmpdir(), "eff-slow-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const proxy = await slowProxy(new URL(peer.url));
    cleanups.push(() => proxy.close());
    const kc = parseYaml(await readFile(peer.kubeconfigPath, "utf8")) as {
      clusters: { cluster: { server: string } }[];
    };
    for (const cl of kc.clusters) cl.cluster.server = proxy.url;
    const slowConfig = join(dir, "kubeconfig");
    await writeFile(slowConfig, toYaml(kc));

    const direct = await client();
    const slow = await client(slowConfig);
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(direct, ns, name);
    const claimName = await deriveEffectClaimName(ns, name, "slow");

    // Lease 3s, renewal every 1s; every response chunk is held back 250ms (a renewal takes ~1s of its 3s budget).
    const renewTimes = new Set<string>();
    const outcome = await executeEffectOnce(
      targetOf(slow, ns, name),
      "slow",
      async (signal) => {
        proxy.setDelay(250);
        const end = Date.now() + 4500;
        while (Date.now() < end) {
          assert.equal(signal.aborted, false, "the lease must not be lost");
          const claim = await direct.get<EffectClaim>(EFFECT_CLAIMS, ns, claimName);
          renewTimes.add(claim.spec.renewTime!);
          await sleep(250);
        }
        proxy.setDelay(0);
        return { ok: true };
      },
      { leaseDurationSeconds: 3 },
    );
    assert.deepEqual(outcome, { already: false, result: { ok: true } });
    assert.ok(renewTimes.size >= 3, `the lease was renewed (renewTime values seen: ${[...renewTimes].join(", ")})`);
    assert.equal((await direct.get<EffectClaim>(EFFECT_CLAIMS, ns, claimName)).spec.completionStatus, "completed");

    // 2s per response: a renewal (GET + PUT) cannot finish in its 3s budget, so fn is aborted.
    let abortedWith: unknown;
    await assert.rejects(
      executeEffectOnce(
        targetOf(slow, ns, name),
        "too-slow",
        (signal) =>
          new Promise((_, reject) => {
            proxy.setDelay(2000);
            signal.addEventListener("abort", () => {
              abortedWith = signal.reason;
              proxy.setDelay(0);
              reject(new Error("aborted by lease loss"));
            });
          }),
        { leaseDurationSeconds: 3 },
      ),
      /aborted by lease loss/,
    );
    assert.match(String((abortedWith as Error)?.message), /renew|renewal/);
    const effects = ((await statusOf(direct, ns, name)).effects ?? []) as { key: string }[];
    assert.deepEqual(
      effects.map((e) => e.key),
      ["slow"],
      "the aborted effect is not recorded",
    );
  });
});
