/**
 * `BUBU_SDK_TRACING_ENABLED`, `BUBU_SDK_METRICS_ENABLED`, `BUBU_TRACE_PROPAGATION`, all true by
 * default. The Go SDK reads them once per process; here an entry point reads them from its
 * environment with {@link configureObservabilityFromEnv} (core code never reads the process
 * environment itself). Until then every toggle is on.
 * @module
 */
import { parseObservabilityToggle } from "../env/flags.ts";
import { ENV } from "../env/names.ts";
import type { Logger } from "./logger.ts";

/** The three switches. */
export interface ObservabilityToggles {
  /** SDK tracers are the global provider's, else no-op tracers. */
  readonly tracing: boolean;
  /** SDK instruments come from the global meter provider, else they are no-ops. */
  readonly metrics: boolean;
  /** W3C `traceparent`/`tracestate`/`baggage` are injected and extracted. */
  readonly propagation: boolean;
}

const ALL_ON: ObservabilityToggles = Object.freeze({ tracing: true, metrics: true, propagation: true });
let current: ObservabilityToggles = ALL_ON;

/** Sets the toggles (missing fields keep their current value). */
export function configureObservability(toggles: Partial<ObservabilityToggles>): ObservabilityToggles {
  current = Object.freeze({ ...current, ...toggles });
  return current;
}

/** Back to all-on (tests). */
export function resetObservability(): void {
  current = ALL_ON;
}

/** The toggles in effect. */
export function observabilityToggles(): ObservabilityToggles {
  return current;
}

/** `MetricsEnabled()`. */
export function metricsEnabled(): boolean {
  return current.metrics;
}

/** `TracingEnabled()`. */
export function tracingEnabled(): boolean {
  return current.tracing;
}

/** `TracePropagationEnabled()`. */
export function tracePropagationEnabled(): boolean {
  return current.propagation;
}

/**
 * Parses the three variables (`1,true,t,yes,y,on` / `0,false,f,no,n,off`; unset or invalid →
 * true). An invalid value is logged at WARN with the message
 * `ignoring invalid observability env override`.
 */
export function observabilityFromEnv(env: (name: string) => string | undefined, logger?: Logger): ObservabilityToggles {
  const read = (name: string): boolean => {
    const raw = env(name);
    const parsed = parseObservabilityToggle(raw);
    if (parsed.invalid) logger?.warn("ignoring invalid observability env override", { env: name, value: raw });
    return parsed.value;
  };
  return Object.freeze({
    tracing: read(ENV.SDK_TRACING_ENABLED),
    metrics: read(ENV.SDK_METRICS_ENABLED),
    propagation: read(ENV.TRACE_PROPAGATION),
  });
}

/** {@link observabilityFromEnv} and {@link configureObservability} in one call, for entry points. */
export function configureObservabilityFromEnv(
  env: (name: string) => string | undefined,
  logger?: Logger,
): ObservabilityToggles {
  return configureObservability(observabilityFromEnv(env, logger));
}
