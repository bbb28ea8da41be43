import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, describe, test } from "node:test";
import { clusterCapabilities } from "../../src/context/cluster-capabilities.ts";
import { marshalEffectDetails } from "../../src/effects/details.ts";
import { EffectAlreadyRecordedError, EffectsUnavailableError } from "../../src/effects/errors.ts";
import { effectResultOrThrow, executeEffectOnce } from "../../src/effects/execute-once.ts";
import { hasEffect, recordEffect } from "../../src/effects/record.ts";
import type { KubeClient } from "../../src/k8s/client.ts";
import {
  buildEffectClaim,
  claimExpiresAt,
  claimMatchesStepRun,
  deriveEffectClaimName,
  type EffectClaim,
  formatMicroTime,
  isClaimStale,
  newHolderIdentity,
  parseKubeTime,
  renewIntervalMs,
} from "../../src/k8s/effectclaim.ts";
import { EFFECT_CLAIMS } from "../../src/k8s/resources.ts";
import { goMarshal } from "../../src/signals/types.ts";
import { k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";
import { createStepRun, peerClient, statusOf, targetOf } from "../signals/k8s-support.ts";

const sha1 = (s: string): string => createHash("sha1").update(s, "utf8").digest("hex");
const sha256 = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

describe("EffectClaim names, times and details (no cluster)", () => {
  test("name: <stepRun>-effect-<first 8 bytes of sha1(ns/stepRun/key)>", async () => {
    assert.equal(
      await deriveEffectClaimName("ns", "sr", "send-email"),
      `sr-effect-${sha1("ns/sr/send-email").slice(0, 16)}`,
    );
    assert.equal(await deriveEffectClaimName("ns", "sr", ""), "");
    const long = `${"a".repeat(240)}-${"b".repeat(20)}`;
    const name = await deriveEffectClaimName("ns", long, "k");
    assert.equal(name.length, 253);
    assert.equal(name, `${long.slice(0, 229)}-effect-${sha1(`ns/${long}/k`).slice(0, 16)}`);
    const hyphen = `${"a".repeat(228)}-${"b".repeat(40)}`;
    assert.equal(
      await deriveEffectClaimName("ns", hyphen, "k"),
      `${"a".repeat(228)}-effect-${sha1(`ns/${hyphen}/k`).slice(0, 16)}`,
    );
  });

  test("holder identity, MicroTime, renewal interval, staleness", async () => {
    assert.match(
      await newHolderIdentity("ns", "sr", "k"),
      /^ns:sr:k:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.ok((await newHolderIdentity("ns", "sr", "k".repeat(256))).length <= 253);
    assert.equal(formatMicroTime(new Date("2026-05-01T10:00:00.123Z")), "2026-05-01T10:00:00.123000Z");
    assert.equal(parseKubeTime("2026-05-01T10:00:00.123456Z"), Date.parse("2026-05-01T10:00:00.123Z"));
    assert.equal(renewIntervalMs(600), 30_000);
    assert.equal(renewIntervalMs(3), 1000);
    assert.equal(renewIntervalMs(0.1), 100);
    const claim: EffectClaim = {
      metadata: { name: "c", creationTimestamp: "2026-05-01T10:00:00Z" },
      spec: {
        stepRunRef: { name: "sr" },
        effectKey: "k",
        leaseDurationSeconds: 10,
        acquireTime: "2026-05-01T10:00:01.000000Z",
      },
    };
    assert.equal(claimExpiresAt(claim), Date.parse("2026-05-01T10:00:11Z"));
    claim.spec.renewTime = "2026-05-01T10:00:05.500000Z";
    assert.equal(isClaimStale(claim, Date.parse("2026-05-01T10:00:15.499Z")), false);
    assert.equal(isClaimStale(claim, Date.parse("2026-05-01T10:00:15.5Z")), true);
    assert.equal(
      claimExpiresAt({ metadata: { name: "c" }, spec: { stepRunRef: { name: "sr" }, effectKey: "k" } }),
      undefined,
    );
  });

  test("create body and identity check", async () => {
    const body = await buildEffectClaim({
      namespace: "ns",
      stepRunName: "sr",
      stepRunUid: "u-1",
      effectKey: "k",
      idempotencyKey: "",
      holderIdentity: "ns:sr:k:x",
      leaseDurationSeconds: 600,
      now: new Date("2026-05-01T10:00:00.123Z"),
    });
    assert.deepEqual(body, {
      apiVersion: "runs.bubustack.io/v1alpha1",
      kind: "EffectClaim",
      metadata: {
        name: `sr-effect-${sha1("ns/sr/k").slice(0, 16)}`,
        namespace: "ns",
        ownerReferences: [{ apiVersion: "runs.bubustack.io/v1alpha1", kind: "StepRun", name: "sr", uid: "u-1" }],
      },
      spec: {
        stepRunRef: { name: "sr", uid: "u-1" },
        effectKey: "k",
        holderIdentity: "ns:sr:k:x",
        leaseDurationSeconds: 600,
        acquireTime: "2026-05-01T10:00:00.123000Z",
        renewTime: "2026-05-01T10:00:00.123000Z",
      },
    });
    const sr = { name: "sr", uid: "u-1", idempotencyKey: "idem" };
    assert.equal(claimMatchesStepRun(body, sr, "k"), true);
    assert.equal(claimMatchesStepRun(body, sr, "other"), false);
    assert.equal(claimMatchesStepRun(body, { ...sr, uid: "u-2" }, "k"), false);
    assert.equal(claimMatchesStepRun({ ...body, spec: { ...body.spec, idempotencyKey: "x" } }, sr, "k"), false);
  });

  test("details: objects as they are, oversized ones summarized, non-objects wrapped", async () => {
    assert.equal(await marshalEffectDetails(undefined, 100), undefined);
    assert.deepEqual(await marshalEffectDetails({ id: 1 }, 100), { id: 1 });
    assert.deepEqual(await marshalEffectDetails("ok", 100), { value: "ok" });
    const big = { body: "z".repeat(300) };
    const raw = goMarshal(big);
    assert.deepEqual(await marshalEffectDetails(big, 200), {
      truncated: true,
      sizeBytes: raw.length,
      sha256: sha256(raw),
      type: "map",
      details: { len: 1 },
    });
    await assert.rejects(marshalEffectDetails(big, 30), /truncated effect details exceed 30 bytes/);
  });

  test("no StepRun: EffectsUnavailableError; bad key or fn refused", async () => {
    const fake = { namespace: "" } as unknown as KubeClient;
    const noStepRun = clusterCapabilities({ target: () => Promise.resolve(undefined), logs: undefined as never });
    await assert.rejects(noStepRun.effects.record("k", { status: "ok" }), EffectsUnavailableError);
    await assert.rejects(
      noStepRun.effects.once("k", () => 1),
      EffectsUnavailableError,
    );
    await assert.rejects(
      executeEffectOnce({ client: fake, namespace: "ns", name: "x" }, " ", () => 1),
      /effect key is required/,
    );
    await assert.rejects(
      executeEffectOnce({ client: fake, namespace: "ns", name: "x" }, "k", undefined as unknown as () => number),
      /effect function is required/,
    );
    assert.throws(() => effectResultOrThrow({ already: true, reason: "held" }), EffectAlreadyRecordedError);
    assert.equal(effectResultOrThrow({ already: false, result: 5 }), 5);
  });
});

const skip = k8sPeerSkip();
const ns = `eff-${randomBytes(3).toString("hex")}`;
const clients: KubeClient[] = [];

export async function client(): Promise<KubeClient> {
  const peer = requireK8sPeer();
  if (!peer) throw new Error("unreachable: skipped without a peer");
  const c = await peerClient(peer.kubeconfigPath);
  clients.push(c);
  return c;
}

describe("effects against the real API server", () => {
  after(async () => {
    for (const c of clients) await c.close();
  });

  test("recordEffect appends with seq max+1, dedupes keys, truncates details, keeps the newest 256", {
    skip,
  }, async () => {
    const c = await client();
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, ns, name);
    const stepRun = targetOf(c, ns, name, { BUBU_EFFECT_MAX_DETAILS_BYTES: "160" });
    assert.deepEqual(await recordEffect(stepRun, " charge ", { status: " succeeded ", details: { id: "ch_1" } }), {
      recorded: true,
      seq: 1,
    });
    assert.deepEqual(await recordEffect(stepRun, "charge", { status: "failed", details: { id: "ch_2" } }), {
      recorded: false,
      seq: 1,
    });
    const big = { html: "<p>".repeat(100) };
    assert.deepEqual(await recordEffect(stepRun, "email", { status: "succeeded", details: big }), {
      recorded: true,
      seq: 2,
    });
    assert.equal(await hasEffect(stepRun, "email"), true);
    assert.equal(await hasEffect(stepRun, "sms"), false);
    let status = await statusOf(c, ns, name);
    assert.equal(status.effects.length, 2);
    assert.deepEqual(
      { ...status.effects[0], emittedAt: "-" },
      { seq: 1, key: "charge", status: "succeeded", emittedAt: "-", details: { id: "ch_1" } },
    );
    const raw = goMarshal(big);
    assert.deepEqual(status.effects[1].details, {
      truncated: true,
      sizeBytes: raw.length,
      sha256: sha256(raw),
      type: "map",
      details: { len: 1 },
    });

    // The ledger is capped at 256: the oldest record goes.
    const full = Array.from({ length: 256 }, (_, i) => ({ seq: i + 1, key: `e-${i + 1}`, status: "succeeded" }));
    const other = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, ns, other, { effects: full });
    const r = await recordEffect(targetOf(c, ns, other), "last", { status: "succeeded" });
    assert.deepEqual(r, { recorded: true, seq: 257 });
    status = await statusOf(c, ns, other);
    assert.equal(status.effects.length, 256);
    assert.equal(status.effects[0].key, "e-2");
    assert.equal(status.effects[255].key, "last");
  });

  test("executeEffectOnce: runs once, completes the claim, records succeeded; a failure releases the claim", {
    skip,
  }, async () => {
    const c = await client();
    const name = `sr-${randomBytes(4).toString("hex")}`;
    const created = await createStepRun(c, ns, name, {}, { idempotencyKey: "ns/x/storyrun/r/steprun/s" });
    const stepRun = targetOf(c, ns, name);
    let runs = 0;
    await assert.rejects(
      executeEffectOnce(stepRun, "pay", () => {
        runs++;
        throw new Error("card declined");
      }),
      /card declined/,
    );
    const claimName = await deriveEffectClaimName(ns, name, "pay");
    let claim = await c.get<EffectClaim>(EFFECT_CLAIMS, ns, claimName);
    assert.equal(claim.spec.completionStatus, "released");
    assert.equal(claim.spec.holderIdentity ?? "", "");
    assert.equal(claim.spec.renewTime, undefined);
    assert.equal(claim.spec.idempotencyKey, "ns/x/storyrun/r/steprun/s");
    assert.deepEqual(claim.metadata.ownerReferences, [
      {
        apiVersion: "runs.bubustack.io/v1alpha1",
        kind: "StepRun",
        name,
        uid: (created["metadata"] as { uid: string }).uid,
      },
    ]);

    const outcome = await executeEffectOnce(stepRun, "pay", () => {
      runs++;
      return { charge: "ch_9" };
    });
    assert.deepEqual(outcome, { already: false, result: { charge: "ch_9" } });
    assert.equal(runs, 2);
    claim = await c.get<EffectClaim>(EFFECT_CLAIMS, ns, claimName);
    assert.equal(claim.spec.completionStatus, "completed");
    assert.deepEqual(claim.spec.details, { charge: "ch_9" });
    assert.match(claim.spec.completedAt!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(claim.spec.renewTime!, /\.\d{6}Z$/);
    assert.equal(claim.spec.leaseTransitions ?? 0, 0, "taking over a released claim is not a lease transition");
    const status = await statusOf(c, ns, name);
    assert.deepEqual(
      status.effects.map((e: { key: string; status: string; details: unknown }) => [e.key, e.status, e.details]),
      [["pay", "succeeded", { charge: "ch_9" }]],
    );
    // Same process again: the gate answers without running fn.
    assert.deepEqual(await executeEffectOnce(stepRun, "pay", () => runs++), { already: true, reason: "completed" });
    assert.equal(runs, 2);
  });
});
