/**
 * Reads a request body as a stream with a running byte count and a deadline: a body over the
 * limit (declared or actual) is refused without holding more than the limit, and a body that
 * has not arrived in time is given up on. A refused body is let settle (`settleUnreadBody`) so
 * the sender sees the answer before the connection closes.
 * @module
 */

/** Limits of {@link readBody}. */
export interface BodyLimits {
  readonly maxBytes: number;
  /** The whole body must arrive within this many milliseconds. */
  readonly timeoutMs: number;
}

/** What is left of a refused body: its reader once reading began, else the request itself. */
export type UnreadBody = Request | ReadableStreamDefaultReader<Uint8Array>;

/** The body, or why there is none: 413 too large, 408 too slow, 400 broken off. */
export type BodyResult =
  | { readonly ok: true; readonly body: Uint8Array }
  | { readonly ok: false; readonly status: 400 | 408 | 413; readonly error: string; readonly rest: UnreadBody };

const TIMED_OUT = Symbol("timed out");

/** Reads `request`'s body within `limits`; on failure `rest` is what was not read. */
export async function readBody(request: Request, limits: BodyLimits): Promise<BodyResult> {
  const tooLarge = (rest: UnreadBody) =>
    ({ ok: false, status: 413, error: `request body exceeds ${limits.maxBytes} bytes`, rest }) as const;
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > limits.maxBytes)
    return tooLarge(request);
  if (request.body === null) return { ok: true, body: new Uint8Array(0) };

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), limits.timeoutMs);
  });
  try {
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array> | typeof TIMED_OUT;
      try {
        step = await Promise.race([reader.read(), deadline]);
      } catch (err) {
        return {
          ok: false,
          status: 400,
          error: `request body could not be read: ${(err as Error)?.message ?? String(err)}`,
          rest: reader,
        };
      }
      if (step === TIMED_OUT) {
        return {
          ok: false,
          status: 408,
          error: `request body not received within ${limits.timeoutMs} ms`,
          rest: reader,
        };
      }
      if (step.done) break;
      total += step.value.byteLength;
      if (total > limits.maxBytes) {
        chunks.length = 0;
        return tooLarge(reader);
      }
      chunks.push(step.value);
    }
  } finally {
    clearTimeout(timer);
  }
  if (chunks.length === 1) return { ok: true, body: chunks[0]! };
  const body = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, body };
}

/**
 * Lets a refused request settle before its connection is closed. Closing while the sender is
 * still writing can reset the connection before the sender has read the answer, so: read and
 * drop up to `readBytes` of what is left (a small body is then complete and the close is clean
 * at once); if more is still coming, stop reading (the sender is slowed by flow control, nothing
 * is buffered here) and wait until `ms` have passed, then cancel the body.
 */
export async function settleUnreadBody(
  rest: UnreadBody,
  options: { readonly ms: number; readonly readBytes: number },
): Promise<void> {
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  if (rest instanceof Request) {
    if (rest.body === null || rest.bodyUsed) return;
    try {
      reader = rest.body.getReader();
    } catch {
      return;
    }
  } else {
    reader = rest;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), options.ms);
  });
  let dropped = 0;
  try {
    while (dropped < options.readBytes) {
      const step = await Promise.race([reader.read(), deadline]);
      if (step === TIMED_OUT || step.done) return;
      dropped += step.value.byteLength;
    }
    await deadline;
  } catch {
    // The sender went away: nothing left to wait for.
  } finally {
    clearTimeout(timer);
    void reader.cancel().catch(() => {});
  }
}
