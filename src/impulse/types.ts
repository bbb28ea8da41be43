/**
 * The object shapes the story helpers read and write (JSON as the API server sends it).
 * @module
 */

export type { ObjectMeta, StoryRun } from "../k8s/story-run.ts";

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
