/**
 * W3C trace context (`traceparent`, `tracestate`) and W3C baggage (`baggage`) on
 * `@opentelemetry/api` types only, because the API package ships no W3C propagator. They travel in
 * stream message metadata. With `BUBU_TRACE_PROPAGATION` off nothing is injected or extracted.
 * @module
 */
import {
  type BaggageEntry,
  baggageEntryMetadataFromString,
  type Context,
  createTraceState,
  isSpanContextValid,
  context as otelContext,
  propagation,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import { tracePropagationEnabled } from "./toggles.ts";

/** The W3C carrier keys. */
export const TRACEPARENT = "traceparent";
/** W3C `tracestate`. */
export const TRACESTATE = "tracestate";
/** W3C `baggage`. */
export const BAGGAGE = "baggage";

/** W3C limits on the `baggage` header. */
const BAGGAGE_MAX_BYTES = 8192;
const BAGGAGE_MAX_MEMBERS = 180;

const TRACEPARENT_RE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Formats a span context as a `traceparent` value. */
export function formatTraceparent(sc: SpanContext): string {
  const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${sc.traceId}-${sc.spanId}-${flags}`;
}

/** Parses a `traceparent` value (version 00, or a future version's first four fields). */
export function parseTraceparent(value: string): SpanContext | undefined {
  const m = TRACEPARENT_RE.exec(value.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (version === "ff") return undefined;
  if (version === "00" && rest !== undefined) return undefined;
  const sc: SpanContext = { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(sc) ? sc : undefined;
}

function encodeBaggage(entries: readonly [string, BaggageEntry][]): string {
  const members: string[] = [];
  let size = 0;
  for (const [key, entry] of entries) {
    if (members.length >= BAGGAGE_MAX_MEMBERS) break;
    let member = `${encodeURIComponent(key)}=${encodeURIComponent(entry.value)}`;
    const meta = entry.metadata?.toString();
    if (meta !== undefined && meta !== "") member += `;${meta}`;
    const added = member.length + (members.length > 0 ? 1 : 0);
    if (size + added > BAGGAGE_MAX_BYTES) continue;
    members.push(member);
    size += added;
  }
  return members.join(",");
}

function decodeBaggage(header: string): Record<string, BaggageEntry> {
  const out: Record<string, BaggageEntry> = {};
  if (header.length > BAGGAGE_MAX_BYTES) return out;
  let count = 0;
  for (const member of header.split(",")) {
    if (count >= BAGGAGE_MAX_MEMBERS) break;
    const semi = member.indexOf(";");
    const pair = semi < 0 ? member : member.slice(0, semi);
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    try {
      const key = decodeURIComponent(pair.slice(0, eq).trim());
      const value = decodeURIComponent(pair.slice(eq + 1).trim());
      if (key === "") continue;
      const entry: BaggageEntry = { value };
      if (semi >= 0) {
        const meta = member.slice(semi + 1).trim();
        if (meta !== "") entry.metadata = baggageEntryMetadataFromString(meta);
      }
      out[key] = entry;
      count++;
    } catch {
      // A malformed percent-encoding drops that member only.
    }
  }
  return out;
}

/**
 * `Composite(TraceContext{}, Baggage{})` as a `TextMapPropagator`. It can also be registered as
 * the application's global propagator.
 */
export class W3CPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const sc = trace.getSpanContext(context);
    if (sc !== undefined && isSpanContextValid(sc)) {
      setter.set(carrier, TRACEPARENT, formatTraceparent(sc));
      const state = sc.traceState?.serialize() ?? "";
      if (state !== "") setter.set(carrier, TRACESTATE, state);
    }
    const bag = propagation.getBaggage(context);
    if (bag !== undefined) {
      const text = encodeBaggage(bag.getAllEntries());
      if (text !== "") setter.set(carrier, BAGGAGE, text);
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let ctx = context;
    const parent = single(getter.get(carrier, TRACEPARENT));
    const sc = parent === undefined ? undefined : parseTraceparent(parent);
    if (sc !== undefined) {
      const stateRaw = getter.get(carrier, TRACESTATE);
      const state = Array.isArray(stateRaw) ? stateRaw.join(",") : stateRaw;
      if (state !== undefined && state !== "") sc.traceState = createTraceState(state);
      ctx = trace.setSpanContext(ctx, sc);
    }
    const bagRaw = getter.get(carrier, BAGGAGE);
    const bagText = Array.isArray(bagRaw) ? bagRaw.join(",") : bagRaw;
    if (bagText !== undefined && bagText !== "") {
      const entries = decodeBaggage(bagText);
      if (Object.keys(entries).length > 0) ctx = propagation.setBaggage(ctx, propagation.createBaggage(entries));
    }
    return ctx;
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE, BAGGAGE];
  }
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

const propagator = new W3CPropagator();

const recordSetter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const recordGetter: TextMapGetter<Readonly<Record<string, string>>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => (Object.hasOwn(carrier, key) ? carrier[key] : undefined),
};

/**
 * Stream-message metadata with the trace context of `ctx` (default: the active context) injected: a
 * **copy** of `metadata`, written only when propagation is on and `ctx` holds a valid span
 * (otherwise `metadata` itself is returned, so an engram-supplied `traceparent` stays as it is).
 * `tracestate` and `baggage` only when non-empty.
 */
export function injectTraceContext(
  metadata: Readonly<Record<string, string>> | undefined,
  ctx: Context = otelContext.active(),
): Readonly<Record<string, string>> {
  const base = metadata ?? {};
  if (!tracePropagationEnabled()) return base;
  const sc = trace.getSpanContext(ctx);
  if (sc === undefined || !isSpanContextValid(sc)) return base;
  const out: Record<string, string> = { ...base };
  propagator.inject(ctx, out, recordSetter);
  return out;
}

/**
 * `ctx` (default: the active context) with the remote span context and baggage found in `metadata`.
 * Unchanged when propagation is off or nothing valid is there.
 */
export function extractTraceContext(
  metadata: Readonly<Record<string, string>> | undefined,
  ctx: Context = otelContext.active(),
): Context {
  if (!tracePropagationEnabled() || metadata === undefined) return ctx;
  return propagator.extract(ctx, metadata, recordGetter);
}

/** The StoryTrigger annotation keys that carry the W3C fields (an addition; the Go SDK writes none). */
export const TRACE_ANNOTATIONS: Readonly<Record<string, string>> = Object.freeze({
  [TRACEPARENT]: "bubustack.io/traceparent",
  [TRACESTATE]: "bubustack.io/tracestate",
  [BAGGAGE]: "bubustack.io/baggage",
});

/**
 * Annotations for a StoryTrigger created under `ctx`, so the triggered run can be linked to the
 * trace that caused it: `{}` when propagation is off or `ctx` holds no valid span.
 */
export function traceAnnotations(ctx: Context = otelContext.active()): Record<string, string> {
  const fields = injectTraceContext({}, ctx);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    const key = TRACE_ANNOTATIONS[k];
    if (key !== undefined) out[key] = v;
  }
  return out;
}

/** The context carried by annotations written by {@link traceAnnotations}. */
export function extractTraceAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
  ctx: Context = otelContext.active(),
): Context {
  if (annotations === undefined) return ctx;
  const fields: Record<string, string> = {};
  for (const [field, key] of Object.entries(TRACE_ANNOTATIONS)) {
    const v = annotations[key];
    if (v !== undefined) fields[field] = v;
  }
  return extractTraceContext(fields, ctx);
}
