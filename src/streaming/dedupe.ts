/**
 * Packet dedupe shared by every session of one `startStreaming`: a sequenced packet is keyed by
 * stream, partition and sequence, else by its `bubu.envelope.message_id` metadata. A replay of a
 * completed packet is dropped and receipted again; a replay of a pending one is dropped.
 *
 * Pending entries survive a reconnect: the inbound queue and `stream` span sessions, so a pending
 * packet is still on its way to `done()`, and its receipt goes out on whichever session is
 * current when `done()` is called. (Go clears them on reconnect, because each of its sessions has
 * its own inbound channel and the packets in it are gone.)
 * @module
 */
import type { DataResponse } from "../gen/transport/v1/transport_pb.ts";
import { DEDUPE_CAPACITY } from "./constants.ts";
import { StreamingError } from "./errors.ts";
import { META_MESSAGE_ID } from "./wire/constants.ts";

/** The dedupe key of an assembled packet, or `undefined` when it has none. */
export function dedupeKey(p: DataResponse): string | undefined {
  const e = p.envelope;
  if (e !== undefined && e.streamId !== "" && e.sequence > 0n) return `env|${e.streamId}|${e.partition}|${e.sequence}`;
  const id = p.metadata[META_MESSAGE_ID]?.trim() ?? "";
  return id === "" ? undefined : `msg|${id}`;
}

/** What {@link PacketDeduper.begin} found. */
export type DedupeState = "new" | "pending" | "completed";

/** Pending and completed keys, at most `capacity` of each (4096, as in Go). */
export class PacketDeduper {
  readonly #capacity: number;
  readonly #pending = new Set<string>();
  readonly #completed = new Set<string>(); // insertion order = FIFO

  constructor(capacity: number = DEDUPE_CAPACITY) {
    this.#capacity = capacity;
  }

  /**
   * Registers `key`; `new` means deliver it.
   * @throws {StreamingError} when more than `capacity` packets are pending.
   */
  begin(key: string): DedupeState {
    if (this.#completed.has(key)) return "completed";
    if (this.#pending.has(key)) return "pending";
    if (this.#pending.size >= this.#capacity) {
      throw new StreamingError(
        `packet dedupe pending capacity exceeded: limit=${this.#capacity} (is the engram calling done() on every message?)`,
        { retriable: true },
      );
    }
    this.#pending.add(key);
    return "new";
  }

  /** Marks `key` completed (kept in a FIFO of `capacity`). */
  complete(key: string): void {
    this.#pending.delete(key);
    if (this.#completed.has(key)) return;
    this.#completed.add(key);
    if (this.#completed.size > this.#capacity) {
      const oldest = this.#completed.values().next().value as string;
      this.#completed.delete(oldest);
    }
  }

  /** Forgets a pending key, so a replay is delivered again. */
  release(key: string): void {
    this.#pending.delete(key);
  }

  get pendingCount(): number {
    return this.#pending.size;
  }
}
