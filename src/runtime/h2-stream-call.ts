/**
 * Streaming gRPC calls straight on a `node:http2` stream, for the connector's `Data` and
 * `Control` bidi streams (a Connect `Transport.stream`).
 *
 * Why not connect-node's own streaming path: it writes one message, waits for the write
 * callback (the next event-loop turn), then pulls the next one, and every message passes
 * through five down-levelled async generators each way. For 100-byte messages that is ~70 µs
 * of CPU per echo, most of an engram's budget (bench/stream-throughput.ts). Here requests are
 * written as long as the HTTP/2 stream accepts them (waiting for `drain` otherwise, so
 * backpressure holds) and responses are split and parsed in the `data` handler into a bounded
 * queue that pauses the stream when full. Headers, status, trailers and errors follow the
 * gRPC protocol with Connect's own helpers and codes, so callers see the same `ConnectError`s.
 * Connection management stays with connect-node's `Http2SessionManager`.
 * @module
 */
import type * as http2 from "node:http2";
import {
  create,
  type DescMessage,
  type DescMethodStreaming,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import { Code, ConnectError, type StreamResponse } from "@connectrpc/connect";
import { requestHeader, validateResponse, validateTrailer } from "@connectrpc/connect/protocol-grpc";
import type { Http2SessionManager } from "@connectrpc/connect-node";
import { connectErrorFromNodeReason, connectErrorFromResetCode, H2_CANCEL, H2_INTERNAL_ERROR } from "./h2-errors.ts";
import type { EncodedMessage, RequestEncoder, ResponseDecoder } from "./types.ts";

/** Limits and request encoders of one call. */
export interface H2CallLimits {
  readonly readMaxBytes?: number;
  readonly writeMaxBytes?: number;
  /** Encoders by request type name, instead of `toBinary` (`GrpcTransportOptions.encoders`). */
  readonly encoders?: Readonly<Record<string, RequestEncoder>>;
  /** Decoders by response type name, tried before `fromBinary` (`GrpcTransportOptions.decoders`). */
  readonly decoders?: Readonly<Record<string, ResponseDecoder>>;
  /** Write callbacks by request type name (`GrpcTransportOptions.onWritten`). */
  readonly onWritten?: Readonly<Record<string, (error?: unknown) => void>>;
  /** Told about every stream opened, so the transport knows its connection. */
  readonly onStream?: (stream: http2.ClientHttp2Stream) => void;
}

/**
 * Parsed responses (count and wire bytes) held before the stream is paused; HTTP/2 flow
 * control then holds the rest at the peer. Resumed below half of both.
 */
const HIGH_WATER = 64;
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const FLAG_COMPRESSED = 0b00000001;

/**
 * Starts one streaming call. Resolves with the response once its headers arrived (as
 * connect-node's transport does); requests are written from `input` from the start.
 */
export async function h2StreamCall<I extends DescMessage, O extends DescMessage>(
  sm: Http2SessionManager,
  method: DescMethodStreaming<I, O>,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
  header: HeadersInit | undefined,
  input: AsyncIterable<MessageInitShape<I>>,
  limits: H2CallLimits,
): Promise<StreamResponse<I, O>> {
  if (signal?.aborted) throw abortError(signal);
  const reqHeader = requestHeader(true, timeoutMs, header);
  const nodeHeaders: http2.OutgoingHttpHeaders = {};
  reqHeader.forEach((value, key) => {
    nodeHeaders[key] = value;
  });
  let stream: http2.ClientHttp2Stream;
  try {
    stream = await sm.request("POST", `/${method.parent.typeName}/${method.name}`, nodeHeaders, {});
  } catch (err) {
    throw connectErrorFromNodeReason(err);
  }
  limits.onStream?.(stream);
  const call = new H2Call(sm, stream, method, input, limits);
  call.start(signal, timeoutMs);
  const header_ = await call.headers;
  return {
    stream: true,
    service: method.parent,
    method,
    header: header_,
    trailer: call.trailer,
    message: call,
  } as StreamResponse<I, O>;
}

class H2Call<I extends DescMessage, O extends DescMessage> implements AsyncIterable<MessageShape<O>> {
  readonly #sm: Http2SessionManager;
  readonly #stream: http2.ClientHttp2Stream;
  readonly #method: DescMethodStreaming<I, O>;
  readonly #input: AsyncIterable<MessageInitShape<I>>;
  readonly #limits: H2CallLimits;
  readonly #decode: ResponseDecoder | undefined;
  readonly trailer: Headers = new Headers();
  readonly headers: Promise<Headers>;
  #resolveHeaders!: (h: Headers) => void;
  #rejectHeaders!: (err: unknown) => void;
  #header: Headers | undefined;
  #foundStatus = false;
  // Responses parsed but not yet taken; a head index instead of shift() (bursts are long).
  #queue: MessageShape<O>[] = [];
  #sizes: number[] = [];
  #head = 0;
  #queuedBytes = 0;
  #paused = false;
  #ended = false;
  #error: ConnectError | undefined;
  #waiter: { resolve(r: IteratorResult<MessageShape<O>>): void; reject(e: unknown): void } | undefined;
  // A frame split across chunks: its pieces so far, and the bytes they add up to.
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #drain: (() => void) | undefined;
  #inputIt: AsyncIterator<MessageInitShape<I>> | undefined;
  #cleanup: (() => void)[] = [];

  constructor(
    sm: Http2SessionManager,
    stream: http2.ClientHttp2Stream,
    method: DescMethodStreaming<I, O>,
    input: AsyncIterable<MessageInitShape<I>>,
    limits: H2CallLimits,
  ) {
    this.#sm = sm;
    this.#stream = stream;
    this.#method = method;
    this.#input = input;
    this.#limits = limits;
    this.#decode = limits.decoders?.[method.output.typeName];
    this.headers = new Promise((resolve, reject) => {
      this.#resolveHeaders = resolve;
      this.#rejectHeaders = reject;
    });
    this.headers.catch(() => {});
  }

  start(signal: AbortSignal | undefined, timeoutMs: number | undefined): void {
    const s = this.#stream;
    s.on("response", (h: http2.IncomingHttpHeaders) => this.#onResponse(h));
    s.on("trailers", (h: http2.IncomingHttpHeaders) => copyHeaders(h, this.trailer));
    s.on("data", (chunk: Uint8Array) => this.#onData(chunk));
    s.on("end", () => this.#onEnd());
    s.on("drain", () => this.#wakeWriter());
    s.on("error", (e: unknown) => {
      // The server ended the call while we were still writing: its status decides.
      if (s.writableEnded && (e as { code?: string }).code === "ERR_STREAM_WRITE_AFTER_END") return;
      // Node reports a reset with an error before `close`: the reset code names the gRPC code.
      this.#fail(connectErrorFromResetCode(s.rstCode ?? 0) ?? connectErrorFromNodeReason(e));
    });
    s.on("close", () => {
      const err = connectErrorFromResetCode(s.rstCode ?? 0);
      if (err) this.#fail(err);
      else if (this.#header === undefined) {
        this.#fail(
          new ConnectError(
            `http/2 stream closed with error code ${s.rstCode ?? 0} before the response was received`,
            Code.Internal,
          ),
        );
      } else if (!this.#ended && !this.#paused) {
        // NO_ERROR does not tell a finished stream from a cut-off one; `end` comes before
        // `close` when it finished, so one turn later an unended stream was cut off.
        setTimeout(
          () => this.#fail(new ConnectError("http/2 stream closed before the response ended", Code.Internal)),
          0,
        );
      }
      this.#wakeWriter();
    });
    if (signal !== undefined) {
      const onAbort = (): void => this.#cancel(abortError(signal));
      signal.addEventListener("abort", onAbort, { once: true });
      this.#cleanup.push(() => signal.removeEventListener("abort", onAbort));
    }
    if (timeoutMs !== undefined && timeoutMs > 0) {
      const t = setTimeout(
        () => this.#cancel(new ConnectError("the operation timed out", Code.DeadlineExceeded)),
        timeoutMs,
      );
      this.#cleanup.push(() => clearTimeout(t));
    }
    void this.#pump();
  }

  // ---- requests ----

  async #pump(): Promise<void> {
    const s = this.#stream;
    const max = this.#limits.writeMaxBytes;
    const schema = this.#method.input;
    const encode = this.#limits.encoders?.[schema.typeName];
    const written = this.#limits.onWritten?.[schema.typeName];
    const it = this.#input[Symbol.asyncIterator]();
    this.#inputIt = it;
    try {
      for (;;) {
        if (this.#error !== undefined || s.destroyed) return;
        const r = await it.next();
        if (r.done) break;
        if (this.#error !== undefined || s.destroyed || s.writableEnded) return;
        const v = r.value as MessageShape<I>;
        const msg = v.$typeName === schema.typeName ? v : create(schema, r.value);
        const e = encode !== undefined ? encode(msg) : bytesMessage(toBinary(schema, msg));
        if (max !== undefined && e.size > max) {
          throw new ConnectError(
            `message size ${e.size} is larger than configured writeMaxBytes ${max}`,
            Code.ResourceExhausted,
          );
        }
        // One write per message, header included: separate writes go out as smaller DATA
        // frames, which cost the peer more per message.
        let frame = e.frame;
        if (frame === undefined) {
          frame = new Uint8Array(5 + e.size);
          frameHeader(e.size, frame);
          e.writeTo(frame, 5);
        }
        const ok = written === undefined ? s.write(frame) : s.write(frame, written);
        if (!ok) await new Promise<void>((resolve) => (this.#drain = resolve));
      }
      if (!s.destroyed && !s.writableEnded) s.end();
    } catch (err) {
      this.#cancel(err instanceof ConnectError ? err : ConnectError.from(err, Code.Internal));
    }
  }

  #wakeWriter(): void {
    const d = this.#drain;
    this.#drain = undefined;
    d?.();
  }

  // ---- responses ----

  #onResponse(h: http2.IncomingHttpHeaders): void {
    const header = copyHeaders(h, new Headers());
    this.#header = header;
    try {
      const { foundStatus, headerError } = validateResponse(Number(h[":status"] ?? 0), header);
      this.#foundStatus = foundStatus;
      if (headerError) throw headerError;
      const encoding = header.get("grpc-encoding");
      if (encoding !== null && encoding.toLowerCase() !== "identity") {
        throw new ConnectError(`unsupported response encoding "${encoding}"`, Code.Internal, header);
      }
    } catch (err) {
      this.#rejectHeaders(err);
      this.#cancel(err as ConnectError);
      return;
    }
    this.#resolveHeaders(header);
  }

  #onData(chunk: Uint8Array): void {
    this.#sm.notifyResponseByteRead(this.#stream);
    if (this.#error !== undefined) return;
    // A plain Uint8Array view (no copy): `bytes` fields are views into it, and a Node Buffer's
    // `slice` would not copy where a user expects it to.
    let data = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#pendingBytes > 0) {
      const before = this.#pendingBytes;
      this.#pending.push(data);
      this.#pendingBytes += data.length;
      if (this.#pendingBytes < 5) return;
      const len = frameLength(this.#pending);
      if (!this.#withinReadMax(len)) return;
      if (this.#pendingBytes < 5 + len) return;
      // Only the message split across chunks is copied together: the rest of this chunk is read
      // in place, so no copy of it is made (and kept alive by views into the message).
      const whole = concat(this.#pending, 5 + len);
      this.#pending = [];
      this.#pendingBytes = 0;
      if (this.#parse(whole) < 0) return;
      data = data.subarray(5 + len - before);
    }
    const off = this.#parse(data);
    if (off < 0) return;
    if (off < data.length) {
      this.#pending.push(data.subarray(off));
      this.#pendingBytes = data.length - off;
    }
    if (!this.#paused && (this.#queue.length - this.#head >= HIGH_WATER || this.#queuedBytes >= HIGH_WATER_BYTES)) {
      this.#paused = true;
      this.#stream.pause();
    }
  }

  /**
   * Parses and delivers the whole messages at the start of `data`. Returns where the first
   * incomplete one starts, or -1 when the call was cancelled (a limit or protocol violation).
   */
  #parse(data: Uint8Array): number {
    let off = 0;
    while (data.length - off >= 5) {
      const len = ((data[off + 1] << 24) >>> 0) + (data[off + 2] << 16) + (data[off + 3] << 8) + data[off + 4];
      if (!this.#withinReadMax(len)) return -1;
      if (data.length - off - 5 < len) break;
      if ((data[off] & FLAG_COMPRESSED) !== 0) {
        this.#cancel(
          new ConnectError("received a compressed message, but no compression was negotiated", Code.Internal),
        );
        return -1;
      }
      let msg: MessageShape<O>;
      try {
        const bytes = data.subarray(off + 5, off + 5 + len);
        msg = (this.#decode?.(bytes) as MessageShape<O> | undefined) ?? fromBinary(this.#method.output, bytes);
      } catch (err) {
        this.#cancel(new ConnectError(`parse binary: ${(err as Error).message}`, Code.Internal));
        return -1;
      }
      off += 5 + len;
      this.#deliver(msg, len);
    }
    return off;
  }

  /** False (and the call cancelled) when a message of `len` bytes exceeds `readMaxBytes`. */
  #withinReadMax(len: number): boolean {
    const max = this.#limits.readMaxBytes;
    if (max === undefined || len <= max) return true;
    this.#cancel(
      new ConnectError(`message size ${len} is larger than configured readMaxBytes ${max}`, Code.ResourceExhausted),
    );
    return false;
  }

  #deliver(msg: MessageShape<O>, size: number): void {
    const w = this.#waiter;
    if (w !== undefined) {
      this.#waiter = undefined;
      w.resolve({ done: false, value: msg });
      return;
    }
    this.#queue.push(msg);
    this.#sizes.push(size);
    this.#queuedBytes += size;
  }

  #onEnd(): void {
    if (this.#error !== undefined) return;
    if (this.#pendingBytes > 0) {
      this.#fail(new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument));
      return;
    }
    if (!this.#foundStatus) {
      try {
        validateTrailer(this.trailer, this.#header ?? new Headers());
      } catch (err) {
        this.#fail(err as ConnectError);
        return;
      }
    }
    this.#ended = true;
    this.#finish();
    const w = this.#waiter;
    if (w !== undefined && this.#head === this.#queue.length) {
      this.#waiter = undefined;
      w.resolve({ done: true, value: undefined });
    }
  }

  /** Ends the call with `err` (messages already parsed are still delivered first). */
  #fail(err: ConnectError): void {
    if (this.#error !== undefined || this.#ended) return;
    this.#error = err;
    this.#rejectHeaders(err);
    this.#finish();
    const w = this.#waiter;
    if (w !== undefined) {
      this.#waiter = undefined;
      w.reject(err);
    }
  }

  /** Fails the call and resets the stream (abort, timeout, a protocol violation). */
  #cancel(err: ConnectError): void {
    const first = this.#error === undefined && !this.#ended;
    this.#fail(err);
    // What was parsed is not delivered after a cancel.
    this.#queue = [];
    this.#sizes = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    if (!first) return;
    const s = this.#stream;
    if (!s.destroyed) {
      s.close(err.code === Code.Canceled ? H2_CANCEL : H2_INTERNAL_ERROR);
      // A stream closed with NO_ERROR keeps its unread data until read: destroy it ourselves.
      s.destroy();
    }
  }

  #finish(): void {
    for (const c of this.#cleanup.splice(0)) c();
    this.#wakeWriter();
    // Let the request side's generator run its `finally` (it may be waiting for data to send).
    void this.#inputIt?.return?.()?.catch?.(() => {});
  }

  [Symbol.asyncIterator](): AsyncIterator<MessageShape<O>> {
    return {
      next: (): Promise<IteratorResult<MessageShape<O>>> => {
        if (this.#head < this.#queue.length) {
          const value = this.#queue[this.#head];
          this.#queue[this.#head] = undefined as unknown as MessageShape<O>;
          this.#queuedBytes -= this.#sizes[this.#head++];
          if (this.#head === this.#queue.length) {
            this.#queue = [];
            this.#sizes = [];
            this.#head = 0;
          }
          if (
            this.#paused &&
            this.#queue.length - this.#head < HIGH_WATER / 2 &&
            this.#queuedBytes < HIGH_WATER_BYTES / 2
          ) {
            this.#paused = false;
            this.#stream.resume();
          }
          return Promise.resolve({ done: false, value });
        }
        if (this.#error !== undefined) return Promise.reject(this.#error);
        if (this.#ended) return Promise.resolve({ done: true, value: undefined });
        if (this.#paused) {
          this.#paused = false;
          this.#stream.resume();
        }
        return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
      },
      return: (): Promise<IteratorResult<MessageShape<O>>> => {
        this.#cancel(new ConnectError("the response was not read to the end", Code.Canceled));
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}

/** Copies Node's incoming headers (pseudo-headers left out) into `into`. */
function copyHeaders(h: http2.IncomingHttpHeaders, into: Headers): Headers {
  for (const [k, v] of Object.entries(h))
    if (v !== undefined && !k.startsWith(":")) into.set(k, Array.isArray(v) ? v.join(", ") : String(v));
  return into;
}

/** Writes the 5-byte gRPC frame header (uncompressed, big-endian length) into `out`. */
function frameHeader(n: number, out: Uint8Array): Uint8Array {
  out[0] = 0;
  out[1] = n >>> 24;
  out[2] = (n >>> 16) & 0xff;
  out[3] = (n >>> 8) & 0xff;
  out[4] = n & 0xff;
  return out;
}

function frameLength(pieces: Uint8Array[]): number {
  const head = pieces[0].length >= 5 ? pieces[0] : concat(pieces, 5);
  return ((head[1] << 24) >>> 0) + (head[2] << 16) + (head[3] << 8) + head[4];
}

/** The first `n` bytes of `pieces` (all of them when `n` is their total) as one array. */
function concat(pieces: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of pieces) {
    if (at >= n) break;
    const part = p.length <= n - at ? p : p.subarray(0, n - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Encoded bytes as an `EncodedMessage`. */
function bytesMessage(bytes: Uint8Array): EncodedMessage {
  return { size: bytes.length, writeTo: (out, at) => out.set(bytes, at) };
}

function abortError(signal: AbortSignal): ConnectError {
  const r: unknown = signal.reason;
  if (r instanceof ConnectError) return r;
  return new ConnectError(
    r instanceof Error ? r.message : "the operation was aborted",
    Code.Canceled,
    undefined,
    undefined,
    r,
  );
}
