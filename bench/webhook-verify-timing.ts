// Does a webhook verifier's time depend on how much of a forged signature is right? For GitHub's
// and the timestamped scheme: verify() time for a signature wrong in its first byte, wrong only
// in its last byte, and right, interleaved, medians over many rounds. Equal medians mean nothing
// leaks through timing at this resolution.
// Run with each runtime: node bench/webhook-verify-timing.ts | bun run … | deno run -A …  [rounds=20000]
import { createHmac } from "node:crypto";
import { Secrets } from "../src/engram/secrets.ts";
import { timestampedSignature } from "../src/impulse/webhook/timestamped-signature.ts";
import { githubSignature, type WebhookVerifier } from "../src/impulse/webhook/verify.ts";
import { median } from "./support.ts";

const rounds = Number(globalThis.process?.argv[2] ?? 20000);
const SECRET = "timing secret";
const body = new TextEncoder().encode(
  JSON.stringify({ ref: "refs/heads/main", after: "x".repeat(40), pad: "y".repeat(2000) }),
);
const t = Math.floor(Date.now() / 1000);
const flip = (hex: string, at: number): string => hex.slice(0, at) + (hex[at] === "0" ? "1" : "0") + hex.slice(at + 1);

async function measure(
  name: string,
  verifier: WebhookVerifier,
  header: string,
  make: (hex: string) => string,
  goodHex: string,
): Promise<void> {
  await verifier.prepare(new Secrets({}));
  const variants = { first: flip(goodHex, 0), last: flip(goodHex, 63), right: goodHex };
  const times: Record<string, number[]> = { first: [], last: [], right: [] };
  const results: Record<string, string> = {};
  for (let i = 0; i < rounds; i++) {
    for (const [k, hex] of Object.entries(variants)) {
      const headers = new Headers({ [header]: make(hex) });
      const t0 = performance.now();
      results[k] = await verifier.verify({ headers, body });
      times[k]!.push(performance.now() - t0);
    }
  }
  const us = (k: string): string => `${(median(times[k]!) * 1000).toFixed(2)} µs (${results[k]})`;
  console.log(`${name}: wrong first byte ${us("first")}, wrong last byte ${us("last")}, right ${us("right")}`);
}

const gh = createHmac("sha256", SECRET).update(body).digest("hex");
await measure("github", githubSignature({ secret: SECRET }), "x-hub-signature-256", (h) => `sha256=${h}`, gh);
const ts = createHmac("sha256", SECRET).update(`${t}.`).update(body).digest("hex");
await measure(
  "timestamped",
  timestampedSignature({ secret: SECRET }),
  "x-webhook-signature",
  (h) => `t=${t},v1=${h}`,
  ts,
);
