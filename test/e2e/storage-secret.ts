// The S3 storage policy of the e2e Stories, and its credentials.
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

/** A Story's `policy` that offloads to the S3 peer with the credentials of {@link STORAGE_SECRET}. */
export function s3StoragePolicy(s3: S3Peer): { storage: { s3: Record<string, unknown> } } {
  return {
    storage: {
      s3: {
        bucket: s3.bucket,
        region: s3.region,
        endpoint: s3.endpoint,
        usePathStyle: true,
        authentication: { secretRef: { name: STORAGE_SECRET } },
      },
    },
  };
}
