/**
 * The S3 peer (test/peers/s3/start.sh) as seen from a test. Tests may use node:*; this file runs
 * unchanged on Bun, Deno and Node.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseEnvFile } from "../k8s/peer.ts";
import { type PeerLookup, peerAccess, type SkipContext } from "../peer-access.ts";

/** A running versitygw: endpoint, root keys, the bucket and its posix directory. */
export interface S3Peer {
  endpoint: string;
  region: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  /** The posix backend root: the object `<bucket>/<key>` is the file `<dataDir>/<bucket>/<key>`. */
  dataDir: string;
}

/** The message a test fails with under CI when the peer is absent. */
export const S3_PEER_MISSING: string = "the S3 peer (versitygw) is not running: run test/peers/s3/start.sh";

const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

function lookup(): { peer: S3Peer } | { reason: string } {
  const envFile = join(process.env.BUBU_S3_PEER_STATE ?? join(repoRoot, ".cache/peers/s3"), "env");
  if (!existsSync(envFile)) return { reason: `${envFile} does not exist` };
  const env = parseEnvFile(readFileSync(envFile, "utf8"));
  const pid = Number(env.BUBU_TEST_S3_PID);
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) {
    return { reason: `${envFile} is stale: versitygw (pid ${env.BUBU_TEST_S3_PID}) is not running` };
  }
  const need = ["ENDPOINT", "REGION", "BUCKET", "ACCESS_KEY", "SECRET_KEY", "DATA"] as const;
  for (const k of need) if (!env[`BUBU_TEST_S3_${k}`]) return { reason: `${envFile} has no BUBU_TEST_S3_${k}` };
  return {
    peer: {
      endpoint: env.BUBU_TEST_S3_ENDPOINT!,
      region: env.BUBU_TEST_S3_REGION!,
      bucket: env.BUBU_TEST_S3_BUCKET!,
      accessKey: env.BUBU_TEST_S3_ACCESS_KEY!,
      secretKey: env.BUBU_TEST_S3_SECRET_KEY!,
      dataDir: env.BUBU_TEST_S3_DATA!,
    },
  };
}

const access = peerAccess(lookup, S3_PEER_MISSING);

/** The running peer, or undefined. */
export const s3Peer: () => S3Peer | undefined = access.get;
/** For a test's `skip` option: a reason when the peer is absent outside CI, else false. */
export const s3PeerSkip: () => string | false = access.skip;
/** The peer; under CI=true a missing one fails the test, otherwise the test is skipped. */
export const requireS3Peer: (t?: SkipContext) => S3Peer | undefined = access.require;
