/**
 * The parts of the BubuStack resources the local Story runner reads: `Story`, `Engram` and
 * `EngramTemplate`, as their CRDs define them (field names and nesting unchanged, so a manifest
 * applied to a cluster is read here as it is).
 * @module
 */

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** `metadata` of a namespaced or cluster-scoped object. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
}

/** `RetryPolicy` (step `execution.retry`, Story `policy.retries.stepRetryPolicy`). */
export interface RetryPolicy {
  readonly maxRetries?: number;
  readonly delay?: string;
  readonly maxDelay?: string;
  readonly jitter?: number;
  readonly backoff?: "exponential" | "linear" | "constant";
}

/** Step `execution` overrides the runner honours (others are cluster scheduling concerns). */
export interface ExecutionOverrides {
  readonly timeout?: string;
  readonly retry?: RetryPolicy;
  readonly debug?: boolean;
  readonly maxInlineSize?: number;
  readonly storage?: StoragePolicy;
}

/** `StoragePolicy`: where offloaded payloads go. */
export interface StoragePolicy {
  readonly s3?: JsonObject;
  readonly file?: { readonly path?: string } & JsonObject;
  readonly timeoutSeconds?: number;
}

/** The step kinds of `spec.steps[].type`. */
export const STEP_TYPES = ["condition", "parallel", "sleep", "stop", "wait", "executeStory", "gate"] as const;
/** A built-in step type. */
export type StepType = (typeof STEP_TYPES)[number];

/** One entry of `spec.steps`, `spec.compensations` or `spec.finally`. */
export interface Step {
  readonly name: string;
  readonly id?: string;
  readonly needs?: readonly string[];
  readonly type?: StepType;
  readonly if?: string;
  readonly allowFailure?: boolean;
  readonly sideEffects?: boolean;
  readonly requires?: readonly string[];
  readonly idempotencyKeyTemplate?: string;
  readonly ref?: { readonly name: string; readonly namespace?: string; readonly version?: string };
  readonly with?: JsonObject;
  readonly runtime?: JsonObject;
  readonly transport?: string;
  readonly secrets?: Readonly<Record<string, string>>;
  readonly execution?: ExecutionOverrides;
  readonly postExecution?: { readonly condition: string; readonly failureMessage?: string };
}

/** `spec.policy` of a Story. */
export interface StoryPolicy {
  readonly timeouts?: { readonly story?: string; readonly step?: string; readonly gracefulShutdownTimeout?: string };
  readonly with?: JsonObject;
  readonly retries?: { readonly stepRetryPolicy?: RetryPolicy; readonly continueOnStepFailure?: boolean };
  readonly concurrency?: number;
  readonly storage?: StoragePolicy;
  readonly execution?: {
    readonly timeout?: string;
    readonly retry?: RetryPolicy;
    readonly maxRecursionDepth?: number;
  } & JsonObject;
}

/** `spec` of a Story. */
export interface StorySpec {
  readonly version?: string;
  readonly pattern?: "batch" | "realtime";
  readonly inputsSchema?: JsonObject;
  readonly outputsSchema?: JsonObject;
  readonly output?: JsonObject;
  readonly steps: readonly Step[];
  readonly compensations?: readonly Step[];
  readonly finally?: readonly Step[];
  readonly policy?: StoryPolicy;
  readonly transports?: readonly JsonObject[];
}

/** A `bubustack.io/v1alpha1` Story. */
export interface Story {
  readonly apiVersion: string;
  readonly kind: "Story";
  readonly metadata: ObjectMeta;
  readonly spec: StorySpec;
}

/** A `bubustack.io/v1alpha1` Engram. */
export interface Engram {
  readonly apiVersion: string;
  readonly kind: "Engram";
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly templateRef?: { readonly name: string };
    readonly with?: JsonObject;
    readonly version?: string;
    readonly mode?: string;
  } & JsonObject;
}

/** A `catalog.bubustack.io/v1alpha1` EngramTemplate (cluster-scoped). */
export interface EngramTemplate {
  readonly apiVersion: string;
  readonly kind: "EngramTemplate";
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly inputSchema?: JsonObject;
    readonly outputSchema?: JsonObject;
    readonly configSchema?: JsonObject;
    readonly execution?: {
      readonly retry?: {
        readonly recommendedBaseDelay?: string;
        readonly recommendedMaxDelay?: string;
        readonly recommendedBackoff?: string;
      } & JsonObject;
    } & JsonObject;
  } & JsonObject;
}

/** Every resource the runner was given, by kind. */
export interface StoryResources {
  readonly stories: readonly Story[];
  readonly engrams: readonly Engram[];
  readonly templates: readonly EngramTemplate[];
}
