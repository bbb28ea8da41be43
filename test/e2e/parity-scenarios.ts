/**
 * The batch scenarios that parity.test.ts runs once with the Go engram and once with ours.
 *
 * @module
 */
import type { S3Peer } from "../peers/s3/peer.ts";
import type { Scenario } from "./parity-run.ts";
import { STORAGE_SECRET, s3StoragePolicy } from "./storage-secret.ts";

export function parityScenarios(s3: S3Peer): Scenario[] {
  return [
    { name: "success", with: { mode: "ok" }, stepWith: { name: "Ada" } },
    { name: "failure", with: { mode: "fail" }, stepWith: { name: "Ada" } },
    { name: "unicode", with: { mode: "unicode" } },
    // Long enough for both SDKs to reach their handler on a loaded machine (the deadline starts
    // when the SDK does, before its input lookup).
    { name: "timeout", with: { mode: "hang" }, execution: { timeout: "8s", retry: { maxRetries: 0 } } },
    { name: "inputs", with: { mode: "inputs" }, stepWith: { name: 42 } },
    {
      name: "s3",
      with: { mode: "big", size: 6000 },
      policy: s3StoragePolicy(s3),
    },
    { name: "signals", with: { mode: "signals" } },
    { name: "effects", with: { mode: "effects" } },
  ];
}
