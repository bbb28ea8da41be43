// An engram without the SDK, for finding out what the operator does with a given StepRun status
// and exit code. Config (`BUBU_STEP_CONFIG`): { "attempts": [Action, ...] }; attempt n uses
// attempts[n-1] (the last once they run out). Action:
//   { "status": {...} | null,   merge-patched into StepRun.status first (null: no patch)
//     "exit": number,           then exits with this code ...
//     "sleepMs": number }       ... after sleeping this long (SIGTERM keeps its default action)
// The patch goes through the in-cluster credentials, as an SDK's would.
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import process from "node:process";
import { nextAttempt } from "./attempt.ts";

interface Action {
  status?: Record<string, unknown> | null;
  exit?: number;
  sleepMs?: number;
}

const SA = "/var/run/secrets/kubernetes.io/serviceaccount";

/** One call on this pod's StepRun with the in-cluster credentials. */
function stepRunCall(
  method: "GET" | "PATCH",
  subresource: string,
  body?: string,
): Promise<{ code: number; body: string }> {
  const ns = process.env.BUBU_STEPRUN_NAMESPACE!;
  const name = process.env.BUBU_STEPRUN_NAME!;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: process.env.KUBERNETES_SERVICE_HOST,
        port: process.env.KUBERNETES_SERVICE_PORT,
        method,
        path: `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/stepruns/${name}${subresource}`,
        ca: readFileSync(`${SA}/ca.crt`),
        headers: {
          authorization: `Bearer ${readFileSync(`${SA}/token`, "utf8").trim()}`,
          ...(body === undefined
            ? {}
            : { "content-type": "application/merge-patch+json", "content-length": Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function patchStatus(status: Record<string, unknown>): Promise<number> {
  return (await stepRunCall("PATCH", "/status", JSON.stringify({ status }))).code;
}

const config = JSON.parse(process.env.BUBU_STEP_CONFIG || "{}") as { attempts?: Action[] };
const attempts = config.attempts?.length ? config.attempts : [{ exit: 0 }];
const attempt = nextAttempt();
const action = attempts[Math.min(attempt, attempts.length) - 1]!;
console.log(JSON.stringify({ msg: "raw probe attempt", attempt, action }));
// What an engram can know about its retry budget at start: the StepRun's retry policy and count.
const own = await stepRunCall("GET", "");
const seen =
  own.code === 200
    ? (JSON.parse(own.body) as { spec?: { retry?: unknown }; status?: { retries?: number; phase?: string } })
    : undefined;
console.log(
  JSON.stringify({
    msg: "own StepRun",
    code: own.code,
    specRetry: seen?.spec?.retry,
    retries: seen?.status?.retries,
    phase: seen?.status?.phase,
  }),
);
if (action.status) console.log(JSON.stringify({ msg: "status patch", code: await patchStatus(action.status) }));
if (action.sleepMs) await new Promise((r) => setTimeout(r, action.sleepMs));
process.exit(action.exit ?? 0);
