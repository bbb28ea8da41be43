/**
 * Reads a request body as a stream with a running byte count and a deadline: a body over the
 * limit (declared or actual) is refused without holding more than the limit, and a body that
 * has not arrived in time is given up on.
 * @module
 */

/** Limits of {@link readBody}. */
export interface BodyLimits {
  readonly maxBytes: number;
  /** The whole body must arrive within this many milliseconds. */
  readonly timeoutMs: number;
}

/** The body, or why there is none: 413 too large, 408 too slow, 400 broken off. */
export type BodyResult =
  | { readonly ok: true; readonly body: Uint8Array }
  | { readonly ok: false; readonly status: 400 | 408 | 413; readonly error: string };

const TIMED_OUT = Symbol("timed out");

/** Reads `request`'s body within `limits`; on failure the body stream is cancelled. */
export async function readBody(request: Request, limits: BodyLimits): Promise<BodyResult> {
  const tooLarge = { ok: false, status: 413, error: `request body exceeds ${limits.maxBytes} bytes` } as const;
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > limits.maxBytes) return tooLarge;
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
        return { ok: false, status: 400, error: `request body could not be read: ${(err as Error)?.message ?? String(err)}` };
      }
      if (step === TIMED_OUT) {
        void reader.cancel().catch(() => {});
        return { ok: false, status: 408, error: `request body not received within ${limits.timeoutMs} ms` };
      }
      if (step.done) break;
      total += step.value.byteLength;
      if (total > limits.maxBytes) {
        chunks.length = 0;
        void reader.cancel().catch(() => {});
        return tooLarge;
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
