// The S3 credentials of the e2e Stories' storage policy.
import type { KubeApi } from "../peers/cluster/kube-api.ts";
import { apply } from "../peers/cluster/objects.ts";
import type { S3Peer } from "../peers/s3/peer.ts";

/**
 * The S3 credentials as the operator finds them: a Secret in bobrapet-system whose name the
 * operator's config map allows it to copy into a Story's namespace (start.sh sets that key).
 * The operator injects its keys as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
 */
export const STORAGE_SECRET = "bubu-e2e-s3";
export async function applyStorageSecret(api: KubeApi, s3: S3Peer): Promise<void> {
  await apply(api, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: STORAGE_SECRET, namespace: "bobrapet-system" },
    stringData: { AWS_ACCESS_KEY_ID: s3.accessKey, AWS_SECRET_ACCESS_KEY: s3.secretKey },
  });
}
