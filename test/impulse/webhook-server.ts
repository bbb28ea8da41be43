// A webhook handler (GitHub HMAC, 64 KiB limit, counting fake trigger) served by the runtime
// that runs this file, for tests that need client and server in separate processes: a server in
// the test's own process never closes a connection while the client is mid-write, so a reset
// that a real sender would see cannot happen there. Prints `listening <port>`; GET /calls
// answers how many triggers ran.

import { Secrets } from "../../src/engram/secrets.ts";
import { githubSignature } from "../../src/impulse/webhook/verify.ts";
import { createWebhookHandler } from "../../src/impulse/webhook/webhook-handler.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { FakeTrigger, MAX_BODY, SECRET } from "./webhook-support.ts";

const trigger = new FakeTrigger();
const verify = githubSignature({ secret: SECRET });
await verify.prepare(new Secrets({}));
// A refused request settles for at most the body timeout (0.5 s) before its connection closes.
const handler = createWebhookHandler({
  verify,
  toInputs: (p) => p as Record<string, unknown>,
  trigger: trigger.fn,
  maxBodyBytes: MAX_BODY,
  bodyTimeoutMs: 500,
});
const server = await detectRuntime().serve(
  (req) =>
    new URL(req.url).pathname === "/calls" ? Promise.resolve(new Response(String(trigger.calls.length))) : handler(req),
  { port: 0, hostname: "127.0.0.1" },
);
console.log(`listening ${server.port}`);
