/**
 * The Control stream's responses: each directive feeds the handshake gate and is answered by
 * the engram's handler, or by the default replies (wire/control.ts) without one.
 * @module
 */

import type { ControlDirective } from "../engram/streaming-engram.ts";
import type { ControlResponse } from "../gen/transport/v1/transport_pb.ts";
import { type Deferred, deferred } from "./async-util.ts";
import type { ControlSender } from "./control-sender.ts";
import { StreamingError, wrapRpcError } from "./errors.ts";
import type { HandshakeGate } from "./handshake-gate.ts";
import type { SessionContext } from "./session-context.ts";
import { defaultReply, directiveToRequest, directiveType, errorRequest, toDirective } from "./wire/control.ts";

/** A custom directive handler (the engram's `control`). */
export type DirectiveHandler = (
  directive: ControlDirective,
  signal: AbortSignal,
) => ControlDirective | undefined | void | Promise<ControlDirective | undefined | void>;

/** Reads one session's Control responses until the stream ends. */
export class ControlReceiver {
  readonly #ctx: SessionContext;
  readonly #gate: HandshakeGate;
  readonly #sender: ControlSender;
  readonly #handler: DirectiveHandler | undefined;
  /** Resolves when the connector's side of Control ended (or failed). */
  readonly closed: Deferred<void> = deferred<void>();

  constructor(ctx: SessionContext, gate: HandshakeGate, sender: ControlSender, handler: DirectiveHandler | undefined) {
    this.#ctx = ctx;
    this.#gate = gate;
    this.#sender = sender;
    this.#handler = handler;
  }

  /** Runs until the responses end; a premature end or an error fails the session. */
  async run(responses: AsyncIterator<ControlResponse>): Promise<void> {
    const ctx = this.#ctx;
    try {
      for (;;) {
        const r = await responses.next();
        if (r.done) break;
        ctx.touch();
        await this.#handle(r.value);
      }
      this.closed.resolve();
      if (!this.#sender.finished) ctx.fail(new StreamingError("control stream recv failed: EOF", { retriable: true }));
    } catch (err) {
      this.closed.resolve();
      if (!this.#sender.finished || ctx.failure === undefined)
        ctx.fail(wrapRpcError("control stream recv failed", err));
    }
  }

  async #handle(resp: ControlResponse): Promise<void> {
    const type = directiveType(resp);
    this.#gate.observe(type, resp.metadata);
    let reply: ControlDirective | undefined | void;
    if (this.#handler !== undefined) {
      try {
        reply = await this.#handler(toDirective(resp), this.#ctx.signal);
      } catch (err) {
        this.#sender.push(errorRequest(err instanceof Error ? err.message : String(err)));
        return;
      }
    } else {
      reply = defaultReply(type);
    }
    if (reply) this.#sender.push(directiveToRequest(reply));
  }
}
