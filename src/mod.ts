/**
 * BubuStack SDK for TypeScript: write Engrams (batch and streaming steps of a Story) and
 * Impulses (services that start Stories) for Bun, Deno and Node. Each handler gets one
 * {@link Context}; {@link start} runs a component as a process, in a cluster or on a laptop.
 *
 * For authors, this entry point is all you need. Testing: `@bubustack/sdk/testkit`. Stream
 * message helpers: `/streaming`; webhooks and story dispatch: `/impulse`; media frames: `/media`;
 * running a whole Story on a laptop: `/story`. The layers underneath (`/k8s`, `/storage`,
 * `/templating`, `/schema`, `/metrics`) are for tools and libraries built on the SDK.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { defineBatch, start } from "@bubustack/sdk";
 *
 * const hello = defineBatch({
 *   inputs: v.object({ name: v.string() }),
 *   async process(ctx, { name }) {
 *     await ctx.signals.emit("progress", { step: "greeting" });
 *     return { message: `Hello, ${name}!` };
 *   },
 * });
 * if (import.meta.main) await start(hello);
 * ```
 * @module
 */

// Define and run
export { type BatchEngram, defineBatch } from "./engram/batch-engram.ts";
// The handler context
export type {
  BlobStorage,
  Context,
  Effects,
  EmitOptions,
  ImpulseContext,
  Logs,
  LogsRef,
  OnceOptions,
  OnceOutcome,
  PublishOptions,
  RecordOptions,
  SignalReceipt,
  Signals,
  StartStoryOptions,
  Stories,
  StoryRun,
} from "./engram/context.ts";
export { type DualEngram, defineDual } from "./engram/dual-engram.ts";
export { defineImpulse, type Impulse } from "./engram/impulse.ts";
export type { SecretDeclaration } from "./engram/secret-declarations.ts";
export type { Secrets } from "./engram/secrets.ts";
export { MissingSecretError } from "./engram/secrets.ts";
export { defineStreaming, type StreamingEngram, type StreamOutbound } from "./engram/streaming-engram.ts";
export type { InboundMessage, StreamMessage } from "./engram/streaming-message.ts";
export type { StoryInfo } from "./env/story-info.ts";
// Errors
export { BubuError, type BubuErrorOptions } from "./errors/bubu-error.ts";
export type { ErrorType, ExitClass } from "./errors/structured-error.ts";
export type { Logger } from "./observability/logger.ts";
export { type Component, type Outcome, type StartOptions, start } from "./start.ts";
