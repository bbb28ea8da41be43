// A webhook impulse declares the secrets its verifiers read: the template lists them, and a run
// without one fails at start with one clean line naming the variable (exit 1, no stack).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { templateYamlFor } from "../../src/cli/template-command.ts";
import { MissingSecretError } from "../../src/engram/secrets.ts";
import { localStories } from "../../src/impulse/local-stories.ts";
import { githubSignature, sharedSecretHeader, timestampedSignature, webhookImpulse } from "../../src/impulse/mod.ts";
import { runImpulse } from "../../src/impulse/run-impulse.ts";
import { captureRuntime } from "../support/capture-runtime.ts";

const toInputs = (payload: unknown) => ({ event: payload });

describe("webhook impulse secrets", () => {
  test("each verifier's secret key is declared required; own declarations are kept and added to", () => {
    const impulse = webhookImpulse({
      verify: [
        githubSignature({ secret: { secretKey: "WEBHOOK" } }),
        timestampedSignature({ secret: { secretKey: "STRIPE" } }),
        sharedSecretHeader({ secret: "a-literal-value" }),
      ],
      secrets: {
        STRIPE: { description: "Stripe signing secret", mountType: "file" },
        OTHER: { description: "not a verifier's" },
      },
      toInputs,
    });
    assert.deepEqual(impulse.secrets, {
      OTHER: { description: "not a verifier's" },
      STRIPE: { description: "Stripe signing secret", expectedKeys: ["STRIPE"], mountType: "file", required: true },
      WEBHOOK: { description: "webhook secret (github verifier)", expectedKeys: ["WEBHOOK"], required: true },
    });
    assert.equal(webhookImpulse({ toInputs }).secrets, undefined, "no verifier, no declaration");
    assert.equal(
      webhookImpulse({ verify: githubSignature({ secret: () => "x" }), toInputs }).secrets,
      undefined,
      "a function source declares nothing",
    );
  });

  test("bubu template: the ImpulseTemplate's secretSchema lists the verifier's secret as required", () => {
    const impulse = webhookImpulse({ verify: githubSignature({ secret: { secretKey: "WEBHOOK" } }), toInputs });
    const doc = parse(templateYamlFor(impulse, { name: "push", version: "0.1.0" })) as {
      kind: string;
      spec: { secretSchema?: Record<string, { required?: boolean; expectedKeys?: string[] }> };
    };
    assert.equal(doc.kind, "ImpulseTemplate");
    assert.equal(doc.spec.secretSchema?.WEBHOOK?.required, true);
    assert.deepEqual(doc.spec.secretSchema?.WEBHOOK?.expectedKeys, ["WEBHOOK"]);
  });

  for (const [label, env, why] of [
    [
      "not set",
      {},
      "declared required, but BUBU_SECRET_WEBHOOK is not set; in a cluster, the Impulse maps no Secret to it",
    ],
    [
      "empty",
      { BUBU_SECRET_WEBHOOK: "" },
      "the github webhook verifier needs it: BUBU_SECRET_WEBHOOK is empty or its Secret has no key WEBHOOK",
    ],
  ] as const) {
    test(`a missing secret (${label}) fails at start: one ERROR line naming the variable, no stack, exit 1`, async () => {
      const { runtime, stderr, stdout } = captureRuntime();
      const impulse = webhookImpulse({
        verify: githubSignature({ secret: { secretKey: "WEBHOOK" } }),
        toInputs,
        runtime: { serve: () => Promise.reject(new Error("must not serve")) },
      });
      const out = await runImpulse(impulse, {
        env,
        args: [],
        exit: false,
        runtime,
        stories: localStories({ target: undefined, started: [], stopped: [] }),
      });
      assert.equal(out.exitCode, 1);
      assert.equal(out.end, "failed");
      assert.ok((out.error as Error).cause instanceof MissingSecretError);
      assert.equal(stdout(), "");
      const lines = stderr().trimEnd().split("\n");
      const errors = lines.filter((l) => !l.includes('"level":"INFO"'));
      assert.equal(errors.length, 1, stderr());
      const line = JSON.parse(errors[0]!) as { level: string; error: string; exitCode: number };
      assert.equal(line.level, "ERROR");
      assert.equal(line.exitCode, 1);
      assert.match(line.error, /missing required secret "WEBHOOK"/);
      assert.ok(line.error.includes(why), line.error);
      assert.doesNotMatch(stderr(), /\n\s+at /, "no stack trace");
    });
  }

  test("with BUBU_DEBUG the stack follows", async () => {
    const { runtime, stderr } = captureRuntime();
    const impulse = webhookImpulse({ verify: githubSignature({ secret: { secretKey: "WEBHOOK" } }), toInputs });
    const out = await runImpulse(impulse, {
      env: { BUBU_DEBUG: "true" },
      args: [],
      exit: false,
      runtime,
      stories: localStories({ target: undefined, started: [], stopped: [] }),
    });
    assert.equal(out.exitCode, 1);
    assert.match(stderr(), /MissingSecretError: missing required secret "WEBHOOK"[^\n]*\n\s+at /);
  });
});
