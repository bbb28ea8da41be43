// The claim's renew, completion and release read the claim again when their PUT conflicts: the
// real operator writes a new claim's status right after the create, and a completion that read
// the claim before that write gets a 409 (the Go SDK v0.1.5 then fails the step).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  completeReservation,
  type Reservation,
  releaseReservation,
  renewReservation,
} from "../../src/effects/claim.ts";
import type { KubeClient } from "../../src/k8s/client.ts";
import type { EffectClaim } from "../../src/k8s/effectclaim.ts";
import { KubernetesError } from "../../src/k8s/errors.ts";

const HOLDER = "ns:step:charge:me";

function conflict(): KubernetesError {
  return new KubernetesError({
    kind: "status",
    status: 409,
    reason: "Conflict",
    message: "the object has been modified",
  });
}

/** A client whose claim's resourceVersion moves on each GET, and whose first `conflicts` PUTs fail. */
function fakeClient(conflicts: number): { client: KubeClient; puts: EffectClaim[]; gets: () => number } {
  let rv = 1;
  let gets = 0;
  let left = conflicts;
  const puts: EffectClaim[] = [];
  const client = {
    get: async () => {
      gets++;
      return {
        apiVersion: "runs.bubustack.io/v1alpha1",
        kind: "EffectClaim",
        metadata: { name: "c", namespace: "ns", resourceVersion: String(rv++) },
        spec: { effectKey: "charge", holderIdentity: HOLDER, leaseDurationSeconds: 600, stepRunRef: { name: "step" } },
      } as unknown as EffectClaim;
    },
    update: async (_r: unknown, _ns: string, _name: string, obj: EffectClaim) => {
      if (left > 0) {
        left--;
        throw conflict();
      }
      puts.push(obj);
      return obj;
    },
  } as unknown as KubeClient;
  return { client, puts, gets: () => gets };
}

function reservation(client: KubeClient): Reservation {
  return { client, namespace: "ns", name: "c", holderIdentity: HOLDER, claim: {} as EffectClaim };
}

describe("effect claim writes under update conflicts", () => {
  test("a completion whose PUT conflicts reads again and completes", async () => {
    const f = fakeClient(1);
    await completeReservation(reservation(f.client), { amount: 42 }, AbortSignal.timeout(5000));
    assert.equal(f.gets(), 2);
    assert.equal(f.puts.length, 1);
    assert.equal(f.puts[0]!.spec.completionStatus, "completed");
    assert.deepEqual(f.puts[0]!.spec.details, { amount: 42 });
    assert.equal(f.puts[0]!.metadata.resourceVersion, "2", "the PUT carries the version it read last");
  });

  test("renew and release retry the same way", async () => {
    const r = fakeClient(2);
    await renewReservation(reservation(r.client), AbortSignal.timeout(5000));
    assert.equal(r.gets(), 3);
    assert.equal(r.puts.length, 1);
    const l = fakeClient(1);
    await releaseReservation(reservation(l.client), AbortSignal.timeout(5000));
    assert.equal(l.puts[0]!.spec.completionStatus, "released");
  });

  test("conflicts that do not stop end with the operation's error", async () => {
    const f = fakeClient(100);
    await assert.rejects(
      completeReservation(reservation(f.client), undefined, AbortSignal.timeout(5000)),
      /^Error: failed to complete effect reservation: the object has been modified$/,
    );
    assert.equal(f.gets(), 4, "the first try and three more");
  });
});
