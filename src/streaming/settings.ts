/**
 * The streaming tunables with the binding's `env` overrides applied: a non-blank override from
 * the provider payload wins, else the process env. Go resolves them the same way.
 * @module
 */
import { loadStreamingEnv, type StreamingEnv } from "../env/load.ts";

/** Resolved session settings in milliseconds. */
export interface StreamingSettings {
  readonly env: StreamingEnv;
  readonly bufferSize: number;
  readonly messageTimeoutMs: number;
  readonly channelSendTimeoutMs: number;
  readonly hangTimeoutMs: number;
  /** Clamped below the message timeout. */
  readonly heartbeatIntervalMs: number;
  readonly controlHeartbeatIntervalMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  /** -1 = unlimited. */
  readonly reconnectMaxRetries: number;
  readonly dialTimeoutMs: number;
  readonly maxRecvBytes: number;
  readonly maxSendBytes: number;
}

/** The resolver: `BUBU_TRANSPORT_BINDING` is always read from the process env, as in Go. */
export function overrideSource(
  processEnv: (name: string) => string | undefined,
  overrides: Readonly<Record<string, string>>,
): (name: string) => string | undefined {
  return (name) => {
    if (name !== "BUBU_TRANSPORT_BINDING" && Object.hasOwn(overrides, name)) {
      const v = overrides[name];
      if (v.trim() !== "") return v;
    }
    return processEnv(name);
  };
}

/**
 * Parses the tunables through the resolver.
 * @throws {EnvError} for malformed values (override or env).
 */
export function resolveStreamingSettings(
  processEnv: (name: string) => string | undefined,
  overrides: Readonly<Record<string, string>> = {},
): StreamingSettings {
  const env = loadStreamingEnv(overrideSource(processEnv, overrides));
  const messageTimeoutMs = env.messageTimeout.millis;
  let heartbeatIntervalMs = env.heartbeatInterval.millis;
  // Go clamps to messageTimeout - 1ns; a millisecond is the finest our timers go.
  if (heartbeatIntervalMs >= messageTimeoutMs) heartbeatIntervalMs = Math.max(1, messageTimeoutMs - 1);
  return {
    env,
    bufferSize: env.channelBufferSize,
    messageTimeoutMs,
    channelSendTimeoutMs: env.channelSendTimeout.millis,
    hangTimeoutMs: env.hangTimeout.millis,
    heartbeatIntervalMs,
    controlHeartbeatIntervalMs: env.controlHeartbeatInterval.millis,
    reconnectBaseMs: env.reconnectBaseBackoff.millis,
    reconnectMaxMs: env.reconnectMaxBackoff.millis,
    reconnectMaxRetries: env.reconnectMaxRetries,
    dialTimeoutMs: env.dialTimeout.millis,
    maxRecvBytes: env.clientMaxRecvBytes,
    maxSendBytes: env.clientMaxSendBytes,
  };
}
