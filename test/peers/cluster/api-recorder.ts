/**
 * A recording pass-through in front of the apiserver, for comparing what two SDKs send: TLS with the
 * apiserver's own serving certificate (so a pod's in-cluster `ca.crt` trusts it), each request
 * forwarded unchanged (the pod's bearer token included, so the apiserver authenticates and
 * authorises the pod, not us) and one JSON line per request appended to the log: who (the token's
 * subject), method, path, content type, body, status. The apiserver's audit log records the same
 * requests but not their content types. Pods use it when their image entry sets
 * `KUBERNETES_SERVICE_PORT` to its port (images.ts). Started by start.sh under node >= 22.
 *
 * Env: BUBU_RECORDER_UPSTREAM  https://127.0.0.1:<apiserver port>
 *      BUBU_RECORDER_PKI       the peer's pki dir (ca.crt, server.crt, server.key)
 *      BUBU_RECORDER_LOG       the JSON-lines file
 *      BUBU_RECORDER_READY     written with the port once listening
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent, createServer, request } from "node:https";
import process from "node:process";

/** One recorded request. */
export interface RecordedRequest {
  readonly t: string;
  /** The bearer token's `sub` (`system:serviceaccount:<ns>:<name>`), or `-`. */
  readonly user: string;
  /** The pod the token is bound to, when it is a bound token. */
  readonly pod?: string;
  readonly method: string;
  readonly path: string;
  readonly contentType?: string;
  readonly accept?: string;
  readonly userAgent?: string;
  readonly body?: string;
  readonly status: number;
}

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const upstream = new URL(env("BUBU_RECORDER_UPSTREAM"));
const pki = env("BUBU_RECORDER_PKI");
const logFile = env("BUBU_RECORDER_LOG");
const ca = readFileSync(`${pki}/ca.crt`, "utf8");
const agent = new Agent({ keepAlive: true, ca });

/** The unverified claims of a bearer token: the apiserver verifies it, we only label the line. */
function tokenIdentity(auth: string | undefined): { user: string; pod?: string } {
  const m = /^Bearer\s+([^.]+)\.([^.]+)\./i.exec(auth ?? "");
  if (!m) return { user: "-" };
  try {
    const claims = JSON.parse(Buffer.from(m[2]!, "base64url").toString("utf8")) as {
      sub?: string;
      "kubernetes.io"?: { pod?: { name?: string } };
    };
    const pod = claims["kubernetes.io"]?.pod?.name;
    return { user: claims.sub ?? "-", ...(pod ? { pod } : {}) };
  } catch {
    return { user: "-" };
  }
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || ["host", "connection", "keep-alive", "transfer-encoding", "content-length"].includes(k))
        continue;
      headers[k] = v;
    }
    if (body.length > 0) headers["content-length"] = String(body.length);
    const record = (status: number): void => {
      const line: RecordedRequest = {
        t: new Date().toISOString(),
        ...tokenIdentity(req.headers.authorization),
        method: req.method ?? "",
        path: req.url ?? "",
        ...(req.headers["content-type"] ? { contentType: req.headers["content-type"] } : {}),
        ...(req.headers.accept ? { accept: req.headers.accept } : {}),
        ...(req.headers["user-agent"] ? { userAgent: req.headers["user-agent"] } : {}),
        ...(body.length > 0 ? { body: body.toString("utf8") } : {}),
        status,
      };
      appendFileSync(logFile, `${JSON.stringify(line)}\n`);
    };
    const up = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      (ur) => {
        record(ur.statusCode ?? 502);
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(ur.headers)) {
          if (v === undefined || ["connection", "keep-alive", "transfer-encoding"].includes(k)) continue;
          out[k] = v;
        }
        res.writeHead(ur.statusCode ?? 502, out);
        ur.pipe(res);
      },
    );
    up.on("error", (err) => {
      record(502);
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`api-recorder: upstream error: ${String(err)}`);
    });
    // The client went away (a watch it stopped): end the upstream request too.
    res.on("close", () => {
      if (!res.writableFinished) up.destroy();
    });
    up.end(body);
  });
}

const server = createServer(
  { key: readFileSync(`${pki}/server.key`), cert: readFileSync(`${pki}/server.crt`) },
  handle,
);
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  writeFileSync(env("BUBU_RECORDER_READY"), `${port}\n`);
  process.stdout.write(`api-recorder on 127.0.0.1:${port} -> ${upstream.href}\n`);
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
