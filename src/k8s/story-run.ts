/**
 * The StoryRun shape the story functions read (JSON as the API server sends it).
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
