/**
 * The startup handshake gate: it opens once the connector said `connector.ready` and, when
 * that asked for them, sent its capabilities. Until then no data is sent or read.
 * @module
 */
import { type Deferred, deferred } from "./async-util.ts";
import { STARTUP_CAPABILITIES_KEY } from "./constants.ts";
import { StreamingError } from "./errors.ts";

/**
 * Validates the `startup.capabilities` metadata of `connector.ready` (`required` or `none`, any
 * case). Returns whether the connector will send its capabilities before data may flow.
 * @throws {StreamingError} (retriable) when the key is missing or has another value.
 */
export function parseStartupCapabilities(metadata: Readonly<Record<string, string>>): boolean {
  if (!Object.hasOwn(metadata, STARTUP_CAPABILITIES_KEY)) {
    throw new StreamingError("invalid connector.ready startup metadata: missing startup.capabilities metadata", {
      retriable: true,
    });
  }
  const v = metadata[STARTUP_CAPABILITIES_KEY].trim().toLowerCase();
  if (v === "required") return true;
  if (v === "none") return false;
  throw new StreamingError(
    `invalid startup.capabilities metadata ${JSON.stringify(metadata[STARTUP_CAPABILITIES_KEY])} (expected required or none)`,
    { retriable: true },
  );
}

/** Tracks the handshake directives of one session. */
export class HandshakeGate {
  /** Resolves when the gate opens. */
  readonly opened: Deferred<void> = deferred<void>();
  #ready = false;
  #capsRequired = false;
  #capsSeen = false;

  /**
   * Notes one control directive of `type`. Every `connector.ready` is validated, also after
   * the gate opened (as Go does).
   * @throws {StreamingError} (retriable) for invalid `startup.capabilities` metadata.
   */
  observe(type: string, metadata: Readonly<Record<string, string>>): void {
    if (type === "connector.ready") {
      this.#capsRequired = parseStartupCapabilities(metadata);
      this.#ready = true;
    } else if (type === "connector.capabilities") {
      this.#capsSeen = true;
    }
    if (this.#ready && (!this.#capsRequired || this.#capsSeen) && !this.opened.settled) this.opened.resolve();
  }
}
