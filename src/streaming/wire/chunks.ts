/**
 * Inbound chunk reassembly: binary chunks with the same `stream_id`, `partition` and `chunk_id`
 * become one packet, accepted up to the proto's 64 MiB `total_bytes` with memory bounded.
 * Reassembly is inbound only; the SDK never chunks what it sends.
 * @module
 */
import { clone } from "@bufbuild/protobuf";
import { type DataResponse, DataResponseSchema } from "../../gen/transport/v1/transport_pb.ts";
import { MAX_MESSAGE_BYTES, MAX_TOTAL_BYTES } from "./constants.ts";

/** Limits of a {@link ChunkReassembler}; the defaults are Go's. */
export interface ChunkLimits {
  /** Since the last chunk of an assembly. Default 2 min. */
  readonly ttlMs?: number;
  /** Assemblies in flight. Default 256. */
  readonly maxAssemblies?: number;
  /** Bytes buffered over all assemblies. Default 64 MiB. */
  readonly maxBufferedBytes?: number;
  /** Chunks per assembly. Default 256. */
  readonly maxChunks?: number;
  /** Bytes per chunk. Default 10 MiB. */
  readonly maxChunkBytes?: number;
  readonly now?: () => number;
}

/** What one inbound packet did. */
export type ChunkResult =
  | { readonly kind: "whole"; readonly packet: DataResponse }
  | { readonly kind: "complete"; readonly packet: DataResponse }
  | { readonly kind: "partial" }
  | { readonly kind: "duplicate" };

interface Assembly {
  readonly base: DataResponse;
  readonly count: number;
  readonly total: number;
  readonly parts: (Uint8Array | undefined)[];
  received: number;
  bytes: number;
  touched: number;
}

/** A chunk that breaks the rules; the session ends (and may reconnect). */
export class ChunkError extends Error {
  override readonly name: string = "ChunkError";
}

function chunkError(message: string): ChunkError {
  return new ChunkError(`chunk reassembly failed: ${message}`);
}

/** True when the packet's envelope marks it as a chunk. */
export function isChunk(p: DataResponse): boolean {
  const e = p.envelope;
  return (
    e !== undefined &&
    (e.chunkId !== "" || e.chunkCount > 0 || e.chunkIndex > 0 || e.chunkBytes > 0 || e.totalBytes > 0)
  );
}

/** Reassembles chunked binary packets of one Data stream. */
export class ChunkReassembler {
  readonly #ttl: number;
  readonly #maxAssemblies: number;
  readonly #maxBuffered: number;
  readonly #maxChunks: number;
  readonly #maxChunkBytes: number;
  readonly #now: () => number;
  readonly #assemblies = new Map<string, Assembly>();
  #buffered = 0;

  constructor(limits: ChunkLimits = {}) {
    this.#ttl = limits.ttlMs ?? 120_000;
    this.#maxAssemblies = limits.maxAssemblies ?? 256;
    this.#maxBuffered = limits.maxBufferedBytes ?? MAX_TOTAL_BYTES;
    this.#maxChunks = limits.maxChunks ?? 256;
    this.#maxChunkBytes = limits.maxChunkBytes ?? MAX_MESSAGE_BYTES;
    this.#now = limits.now ?? Date.now;
  }

  /** Assemblies in flight. */
  get pending(): number {
    return this.#assemblies.size;
  }

  /** Bytes held by unfinished assemblies. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** Drops assemblies idle for longer than the TTL. Returns how many were dropped. */
  sweep(): number {
    const now = this.#now();
    let dropped = 0;
    for (const [key, a] of this.#assemblies) {
      if (now - a.touched >= this.#ttl) {
        this.#assemblies.delete(key);
        this.#buffered -= a.bytes;
        dropped++;
      }
    }
    return dropped;
  }

  /**
   * Feeds one packet.
   * @throws {ChunkError} for chunks that break the rules.
   */
  add(p: DataResponse): ChunkResult {
    if (!isChunk(p)) return { kind: "whole", packet: p };
    this.sweep();
    const e = p.envelope!;
    if (p.frame.case !== "binary") throw chunkError("chunks must be binary frames");
    if (e.chunkId === "" || e.streamId === "") throw chunkError("chunk_id and stream_id are required");
    if (e.chunkCount <= 0) throw chunkError("chunk_count must be positive");
    if (e.chunkIndex >= e.chunkCount)
      throw chunkError(`chunk_index ${e.chunkIndex} out of range (count ${e.chunkCount})`);
    if (e.chunkCount > this.#maxChunks) throw chunkError(`chunk_count ${e.chunkCount} exceeds ${this.#maxChunks}`);
    const data = p.frame.value.payload;
    if (data.length > this.#maxChunkBytes)
      throw chunkError(`chunk of ${data.length} bytes exceeds ${this.#maxChunkBytes}`);
    if (e.chunkBytes > 0 && e.chunkBytes !== data.length) {
      throw chunkError(`chunk_bytes ${e.chunkBytes} does not match payload length ${data.length}`);
    }
    if (e.totalBytes > MAX_TOTAL_BYTES) throw chunkError(`total_bytes ${e.totalBytes} exceeds ${MAX_TOTAL_BYTES}`);

    const key = e.partition === "" ? `${e.streamId}|${e.chunkId}` : `${e.streamId}|${e.partition}|${e.chunkId}`;
    let a = this.#assemblies.get(key);
    if (a === undefined) {
      if (this.#assemblies.size >= this.#maxAssemblies)
        throw chunkError(`too many assemblies in flight (max ${this.#maxAssemblies})`);
      a = {
        base: clone(DataResponseSchema, p),
        count: e.chunkCount,
        total: e.totalBytes,
        parts: new Array(e.chunkCount),
        received: 0,
        bytes: 0,
        touched: 0,
      };
      this.#assemblies.set(key, a);
    } else if (e.chunkCount !== a.count) {
      throw chunkError(`chunk_count changed from ${a.count} to ${e.chunkCount} in assembly ${key}`);
    }
    a.touched = this.#now();
    if (a.parts[e.chunkIndex] !== undefined) return { kind: "duplicate" };
    if (this.#buffered + data.length > this.#maxBuffered) {
      throw chunkError(`buffered chunk bytes would exceed ${this.#maxBuffered}`);
    }
    if (a.total > 0 && a.bytes + data.length > a.total) {
      throw chunkError(`assembly ${key} exceeds its total_bytes ${a.total}`);
    }
    a.parts[e.chunkIndex] = data;
    a.received++;
    a.bytes += data.length;
    this.#buffered += data.length;
    if (a.received < a.count) return { kind: "partial" };

    this.#assemblies.delete(key);
    this.#buffered -= a.bytes;
    if (a.total > 0 && a.bytes !== a.total) throw chunkError(`assembled ${a.bytes} bytes, total_bytes says ${a.total}`);
    const whole = new Uint8Array(a.bytes);
    let off = 0;
    for (const part of a.parts) {
      whole.set(part!, off);
      off += part!.length;
    }
    const out = a.base;
    if (out.frame.case === "binary") out.frame.value.payload = whole;
    const env = out.envelope!;
    env.chunkId = "";
    env.chunkIndex = 0;
    env.chunkCount = 0;
    env.chunkBytes = 0;
    env.totalBytes = 0;
    return { kind: "complete", packet: out };
  }
}
