// Shared helpers for the streaming tests.
import { createLogger, type Logger } from "../../src/observability/logger.ts";

export const enc = new TextEncoder();
export const dec = new TextDecoder();

/** `BUBU_TRANSPORT_BINDING` for `endpoint`. */
export function bindingJson(
  endpoint: string,
  o: { name?: string; namespace?: string; env?: Record<string, string>; protocolVersion?: string } = {},
): string {
  const payload = o.env ? btoa(JSON.stringify({ env: o.env })) : undefined;
  return JSON.stringify({
    name: o.name ?? "echo-binding",
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    binding: {
      transportRef: "t1",
      driver: "fake",
      endpoint,
      protocolVersion: o.protocolVersion ?? "1.0.0",
      ...(payload ? { payload } : {}),
    },
  });
}

/** Env for an in-process engram against `endpoint`, with fast timers. */
export function streamEnv(
  endpoint: string,
  extra: Record<string, string> = {},
  binding: Parameters<typeof bindingJson>[1] = {},
): Record<string, string> {
  return {
    BUBU_TRANSPORT_BINDING: bindingJson(endpoint, binding),
    BUBU_GRPC_RECONNECT_BASE_BACKOFF: "20ms",
    BUBU_GRPC_RECONNECT_MAX_BACKOFF: "100ms",
    BUBU_GRPC_DIAL_TIMEOUT: "2s",
    BUBU_GRPC_MESSAGE_TIMEOUT: "5s",
    ...extra,
  };
}

/** A logger that keeps its lines (for asserting on warnings). */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const logger = createLogger({ sink: (l) => out.push(l), level: "DEBUG" });
  return { logger, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

export function json(bytes: Uint8Array | undefined): unknown {
  return bytes === undefined ? undefined : JSON.parse(dec.decode(bytes));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
