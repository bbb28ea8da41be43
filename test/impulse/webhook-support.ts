// Shared by the webhook probe tests: a seeded PRNG, the two signature schemes computed with
// node:crypto (independently of the code under test), a trigger that counts what it is asked to
// start, and a raw HTTP/1.1 client over one socket (for chunked and trickled bodies).
import { createHmac } from "node:crypto";
import { connect } from "node:net";
import type { WebhookTrigger, WebhookTriggerRequest } from "../../src/impulse/webhook/webhook-handler.ts";

export { prng } from "../support/prng.ts";

export const SECRET = "It's a Secret to Everybody";

/** The body limit of the served handlers in the probe tests. */
export const MAX_BODY = 64 * 1024;

/** GitHub's `X-Hub-Signature-256` value. */
export function githubSig(body: string | Uint8Array, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** `t=<unix>,v1=<hex HMAC of "t.body">`. */
export function timestampedSig(body: string | Uint8Array, t: number, secret = SECRET): string {
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex")}`;
}

export const push = (commit: string): string =>
  JSON.stringify({ ref: "refs/heads/main", after: commit, repository: { full_name: "octo/repo" } });

/** A trigger that records its calls and how many ran at once; `hold()` makes calls wait. */
export class FakeTrigger {
  readonly calls: WebhookTriggerRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;

  hold(): void {
    this.#gate = new Promise((r) => (this.#open = r));
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  readonly fn: WebhookTrigger = async (req) => {
    this.calls.push(req);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.#gate;
      return `ns/run-${req.triggerToken.slice(0, 12)}`;
    } finally {
      this.inFlight--;
    }
  };
}

/** What a raw request got: a status, or the socket closed / timed out before one arrived. */
export interface RawAnswer {
  readonly status: number | "closed" | "timeout";
  readonly sent: number;
  readonly headers: string;
  /** Resolves when the server closed the connection (or the client gave up). */
  readonly closed: Promise<"closed" | "timeout">;
  /** Closes the connection from the client side. */
  destroy(): void;
}

/**
 * Sends `head` and then whatever `write` puts, over its own socket, until an answer arrives or
 * the socket closes; `put` resolves false once it should stop.
 */
export function rawRequest(
  port: number,
  head: string,
  write: (put: (b: string | Uint8Array) => Promise<boolean>) => Promise<void>,
  timeoutMs: number,
): Promise<RawAnswer> {
  return new Promise((done) => {
    const sock = connect(port, "127.0.0.1");
    let text = "";
    let sent = 0;
    let answered = false;
    let onClosed!: (how: "closed" | "timeout") => void;
    const closed = new Promise<"closed" | "timeout">((r) => (onClosed = r));
    const answer = (status: RawAnswer["status"]): void => {
      if (answered) return;
      answered = true;
      done({
        status,
        sent,
        headers: text.slice(0, text.indexOf("\r\n\r\n") + 1),
        closed,
        destroy: () => sock.destroy(),
      });
    };
    const timer = setTimeout(() => {
      answer("timeout");
      onClosed("timeout");
      sock.destroy();
    }, timeoutMs);
    sock.on("data", (d: Uint8Array) => {
      text += new TextDecoder("latin1").decode(d);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (m && text.includes("\r\n\r\n")) answer(Number(m[1]));
    });
    const gone = (): void => {
      clearTimeout(timer);
      answer("closed");
      onClosed("closed");
    };
    sock.on("error", gone);
    sock.on("close", gone);
    const put = (b: string | Uint8Array): Promise<boolean> => {
      if (answered || sock.destroyed) return Promise.resolve(false);
      sent += typeof b === "string" ? new TextEncoder().encode(b).length : b.length;
      return new Promise((r) => {
        if (sock.write(b)) r(true);
        else sock.once("drain", () => r(!answered));
      });
    };
    sock.once("connect", () => {
      sock.write(head);
      void write(put).catch(() => {});
    });
  });
}

/** A complete POST /webhook over its own connection. */
export function rawPost(
  port: number,
  body: string,
  headers: Record<string, string>,
  timeoutMs = 10_000,
): Promise<RawAnswer> {
  const head =
    `POST /webhook HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${new TextEncoder().encode(body).length}\r\n` +
    `${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("")}\r\n`;
  return rawRequest(
    port,
    head,
    async (put) => {
      await put(body);
    },
    timeoutMs,
  );
}
