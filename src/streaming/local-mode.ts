/**
 * Local mode (no binding, no cluster): NDJSON messages from stdin become inbound messages, and
 * outbound messages are printed as NDJSON on stdout, so a streaming engram runs on a laptop
 * with a pipe and no connector. Nothing here loads the gRPC packages.
 * @module
 */
import type { InboundMessage } from "../engram/streaming-message.ts";
import { validateStreamMessage } from "../engram/streaming-validate.ts";
import type { DataResponse } from "../gen/transport/v1/transport_pb.ts";
import type { Logger } from "../observability/logger.ts";
import type { StreamPipeline } from "./pipeline.ts";
import { fromDataResponse, isDroppable } from "./wire/from-data-response.ts";
import { formatMessageLine, parseMessageLine } from "./wire/json-lines.ts";

/** Where local mode reads and writes. */
export interface LocalIo {
  readonly stdin: AsyncIterable<Uint8Array>;
  readonly writeStdout: (text: string) => void;
  readonly logger: Logger;
  /** Longest input line kept (the largest message a connector would deliver); longer ones are skipped. */
  readonly maxLineBytes?: number;
}

/**
 * Splits a byte stream into text lines (UTF-8), without the line ends. A line longer than
 * `maxChars` is not kept: it comes out as `null` once its end arrives, so a stream without line
 * breaks cannot grow memory without bound. Each chunk is searched once and a line's pieces are
 * joined once (no rescanning or re-copying of a long pending line).
 */
export async function* textLines(
  chunks: AsyncIterable<Uint8Array>,
  maxChars: number = Number.POSITIVE_INFINITY,
): AsyncIterable<string | null> {
  const decoder = new TextDecoder();
  let pieces: string[] = [];
  let pending = 0;
  let oversized = false;
  const take = (last: string): string | null => {
    const long = oversized || pending + last.length > maxChars;
    const line = long ? null : (pieces.length === 0 ? last : pieces.join("") + last).replace(/\r$/, "");
    pieces = [];
    pending = 0;
    oversized = false;
    return line;
  };
  const keep = (rest: string): void => {
    if (rest === "" || oversized) return;
    pending += rest.length;
    if (pending > maxChars) {
      oversized = true;
      pieces = [];
    } else pieces.push(rest);
  };
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf("\n", start)) >= 0) {
      yield take(text.slice(start, nl));
      start = nl + 1;
    }
    keep(start === 0 ? text : text.slice(start));
  }
  keep(decoder.decode());
  if (oversized || pending > 0) yield take("");
}

/** Kinds the SDK itself sends; any other `[A-Za-z0-9._-]` kind is allowed but gets a warning. */
const KNOWN_KINDS = new Set(["data", "error"]);
/** Distinct unknown kinds warned about, at most (a typo repeats; a flood of kinds should not). */
const MAX_KIND_WARNINGS = 16;

/**
 * Feeds stdin lines to the pipeline until EOF (then stops reading, which ends `inbound`).
 * Heartbeats, noops and empty messages are dropped, as in a cluster. A line
 * with a payload or inputs and no `kind` is `data`, as the previous step's SDK sends
 * it; a kind other than `data` or `error` is passed on (custom kinds are allowed) with a warning,
 * once per kind, since a typo would otherwise go unnoticed.
 */
export async function readLocalInput(pipeline: StreamPipeline, io: LocalIo): Promise<void> {
  let n = 0;
  const warned = new Set<string>();
  try {
    const maxLineBytes = io.maxLineBytes ?? Number.POSITIVE_INFINITY;
    for await (const line of textLines(io.stdin, maxLineBytes)) {
      n++;
      if (pipeline.stoppedReading) break;
      if (line === null) {
        io.logger.error("invalid input message skipped", {
          line: n,
          error: `line longer than ${maxLineBytes} bytes (BUBU_GRPC_CLIENT_MAX_RECV_BYTES)`,
        });
        continue;
      }
      if (line.trim() === "") continue;
      let msg;
      try {
        msg = parseMessageLine(line);
        validateStreamMessage(msg);
      } catch (err) {
        io.logger.error("invalid input message skipped", { line: n, error: (err as Error).message });
        continue;
      }
      // What the connector path drops never reaches the engram here either.
      if (isDroppable(msg)) {
        io.logger.debug("input message dropped (heartbeat, noop or empty)", { line: n });
        continue;
      }
      if (msg.kind === undefined || msg.kind === "") {
        const body = (msg.payload?.length ?? 0) > 0 || (msg.inputs?.length ?? 0) > 0;
        if (body) msg = { ...msg, kind: "data" };
      } else if (!KNOWN_KINDS.has(msg.kind.toLowerCase()) && !warned.has(msg.kind) && warned.size < MAX_KIND_WARNINGS) {
        warned.add(msg.kind);
        io.logger.warn('input message kind is neither "data" nor "error"; passed to the engram as it is', {
          line: n,
          kind: msg.kind,
        });
      }
      const inbound: InboundMessage = { ...msg, done: () => {} };
      try {
        await pipeline.inbound.push(inbound);
      } catch {
        break; // reading stopped (drain)
      }
    }
  } finally {
    pipeline.stopReading();
  }
}

/** Prints outbound messages until the outbound side is closed and empty. */
export async function writeLocalOutput(pipeline: StreamPipeline, io: LocalIo): Promise<void> {
  for (;;) {
    const got = await pipeline.outbound.shift();
    if (got === undefined) return;
    // The pipeline keeps the request beside its frame in local mode (keepRequests).
    const r = got.value.request;
    if (r === undefined) throw new Error("local mode needs a pipeline made with keepRequests");
    // Print what the next step would receive: the same fields read back as a DataResponse.
    const response: DataResponse = {
      $typeName: "transport.v1.DataResponse",
      frame: r.frame,
      metadata: r.metadata,
      transports: r.transports,
    };
    if (r.payload !== undefined) response.payload = r.payload;
    if (r.inputs !== undefined) response.inputs = r.inputs;
    if (r.envelope !== undefined) response.envelope = r.envelope;
    const view = fromDataResponse(response);
    if (view !== undefined) io.writeStdout(formatMessageLine(view));
  }
}
