/**
 * The object shapes the story helpers read and write (JSON as the API server sends it).
 * @module
 */

/** `metadata` of a Kubernetes object, as far as the helpers read it. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

/** A `runs.bubustack.io/v1alpha1` StoryRun as returned by the API server. */
export interface StoryRun {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly storyRef?: { readonly name: string; readonly namespace?: string; readonly version?: string };
    readonly impulseRef?: { readonly name: string; readonly namespace?: string };
    readonly inputs?: unknown;
    readonly cancelRequested?: boolean;
    readonly [key: string]: unknown;
  };
  readonly status?: { readonly phase?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** `spec.deliveryIdentity` of a StoryTrigger. */
export interface DeliveryIdentity {
  mode: "none" | "token" | "key";
  key?: string;
  inputHash?: string;
  submissionId: string;
}

/** A StoryTrigger as the SDK submits it (and the API server returns it, plus `status`). */
export interface StoryTrigger {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
    resourceVersion?: string;
  };
  spec: {
    storyRef: { name: string; namespace?: string; version?: string };
    impulseRef?: { name: string; namespace?: string; version?: string };
    inputs?: unknown;
    deliveryIdentity: DeliveryIdentity;
  };
  status?: {
    decision?: string;
    reason?: string;
    message?: string;
    storyRunRef?: { name?: string; namespace?: string; uid?: string };
    [key: string]: unknown;
  };
}
