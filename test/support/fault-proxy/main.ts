// The fault-injecting TLS proxy, run as a node child process (see client.ts). It terminates TLS
// with its own certificate (signed by a throwaway test CA), forwards HTTP/1.1 requests to the
// Kubernetes peer with the peer's client certificate, and applies the armed fault rules: status
// storms, stalls, resets, refused connections and lost responses. A plain-HTTP control port on
// 127.0.0.1 arms and clears rules and returns the event log.
//
// Config (env FAULT_PROXY_CONFIG, JSON): { upstream: "https://127.0.0.1:port", caPem, certPem, keyPem }
// Ready line on stdout: {"port":…,"controlPort":…,"caPem":"…"}
import { Buffer } from "node:buffer";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Agent, createServer as createHttpsServer, request as httpsRequest } from "node:https";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import process from "node:process";
import { makeTestPki } from "./certs.ts";
import { ArmedRule, type Fault, type RequestInfo, type Rule, statusBody } from "./rules.ts";

interface Config {
  readonly upstream: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** One request as the proxy handled it. */
export interface ProxyEvent {
  /** Milliseconds since the epoch, when the request arrived. */
  readonly t: number;
  readonly method: string;
  readonly path: string;
  /** `forwarded`, `status`, `stall`, `reset`, `refuse`, `drop-response`, or `outage-end`. */
  readonly action: string;
  readonly rule?: string;
  /** The status sent (injected or from upstream). */
  readonly status?: number;
  /** A PATCH body (its first 4 KiB), to tell terminal writes from logs patches. */
  readonly body?: string;
}

const config = JSON.parse(process.env.FAULT_PROXY_CONFIG ?? "") as Config;
const upstream = new URL(config.upstream);
const pki = makeTestPki();
const agent = new Agent({ keepAlive: true, ca: config.caPem, cert: config.certPem, key: config.keyPem });

let rules: ArmedRule[] = [];
const events: ProxyEvent[] = [];
const sockets = new Set<Socket>();
const stalled = new Set<ServerResponse>();
let port = 0;
let front: NetServer | undefined;
let outageTimer: ReturnType<typeof setTimeout> | undefined;

const https = createHttpsServer({ key: pki.keyPem, cert: pki.certPem }, (req, res) => void handle(req, res));
https.keepAliveTimeout = 60_000;

/** Accepts TCP on `port` and hands each connection to the TLS/HTTP server. */
function listen(onReady?: () => void): void {
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    https.emit("connection", socket);
  });
  server.on("error", (err) => {
    process.stderr.write(`fault-proxy: listen failed: ${String(err)}\n`);
    process.exit(1);
  });
  server.listen(port, "127.0.0.1", () => {
    port = (server.address() as { port: number }).port;
    front = server;
    onReady?.();
  });
}

/** Refused connections from now on; every open one dropped. Ends after `ms` (or on clear). */
function startOutage(ms: number | undefined): void {
  if (front === undefined) return;
  front.close();
  front = undefined;
  for (const s of sockets) s.destroy();
  if (ms !== undefined) outageTimer = setTimeout(endOutage, ms);
}

function endOutage(): void {
  if (outageTimer !== undefined) clearTimeout(outageTimer);
  outageTimer = undefined;
  if (front !== undefined) return;
  events.push({ t: Date.now(), method: "-", path: "-", action: "outage-end" });
  listen();
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const t = Date.now();
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch {
    return;
  }
  const info: RequestInfo = { method: req.method ?? "", path: req.url ?? "", body: body.toString("utf8") };
  const base = {
    t,
    method: info.method,
    path: info.path,
    ...(info.method === "PATCH" ? { body: info.body.slice(0, 4096) } : {}),
  };
  for (const armed of rules) {
    const hit = armed.observe(info, t);
    if (hit === undefined) continue;
    events.push({ ...base, action: hit.fault.kind, rule: armed.rule.name, ...statusOf(hit.fault) });
    applyFault(hit.fault, armed, hit.opened, req, res, body);
    return;
  }
  forward(req, res, body, (status) => events.push({ ...base, action: "forwarded", status }));
}

function statusOf(fault: Fault): { status?: number } {
  return fault.kind === "status" ? { status: fault.status } : {};
}

function applyFault(
  fault: Fault,
  armed: ArmedRule,
  opened: boolean,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): void {
  switch (fault.kind) {
    case "status": {
      const text = statusBody(fault.status, fault.reason);
      res.writeHead(fault.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    case "stall":
      stalled.add(res);
      res.on("close", () => stalled.delete(res));
      return;
    case "reset":
      req.socket.destroy();
      return;
    case "refuse":
      req.socket.destroy();
      if (opened) startOutage(armed.rule.durationMs);
      return;
    case "drop-response":
      forward(
        req,
        res,
        body,
        () => {},
        () => req.socket.destroy(),
      );
      return;
  }
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  onStatus: (status: number) => void,
  instead?: () => void,
): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || ["host", "connection", "keep-alive", "transfer-encoding", "content-length"].includes(k))
      continue;
    headers[k] = v;
  }
  headers["content-length"] = String(body.length);
  const up = httpsRequest(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
    (ur) => {
      const status = ur.statusCode ?? 502;
      onStatus(status);
      if (instead !== undefined) {
        ur.resume();
        ur.on("end", instead);
        return;
      }
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(ur.headers)) {
        if (v === undefined || ["connection", "keep-alive", "transfer-encoding"].includes(k)) continue;
        out[k] = v;
      }
      res.writeHead(status, out);
      ur.pipe(res);
    },
  );
  up.on("error", (err) => {
    onStatus(502);
    if (!res.headersSent) {
      const text = statusBody(502, "BadGateway").replace("injected 502", `upstream error: ${String(err)}`);
      res.writeHead(502, { "content-type": "application/json" });
      res.end(text);
    } else {
      res.destroy();
    }
  });
  up.end(body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json" });
  res.end(text);
}

const control = createHttpServer(async (req, res) => {
  const body = (await readBody(req)).toString("utf8");
  const route = `${req.method} ${req.url}`;
  switch (route) {
    case "POST /rules": {
      const rule = JSON.parse(body) as Rule;
      rules.push(new ArmedRule(rule, Date.now()));
      // Without a trigger the window is open now: an outage starts at once.
      if (rule.trigger === undefined && rule.fault.kind === "refuse") startOutage(rule.durationMs);
      return json(res, 200, { ok: true });
    }
    case "DELETE /rules":
      rules = [];
      endOutage();
      for (const r of stalled) r.destroy();
      return json(res, 200, { ok: true });
    case "GET /events":
      return json(res, 200, events);
    case "DELETE /events":
      events.length = 0;
      return json(res, 200, { ok: true });
    case "GET /state":
      return json(res, 200, {
        listening: front !== undefined,
        rules: rules.map((r) => ({ name: r.rule.name, openedAt: r.openedAt, closed: r.closed(Date.now()) })),
      });
    default:
      return json(res, 404, { error: route });
  }
});

process.on("SIGTERM", () => process.exit(0));
// The test process holds our stdin open; when it is gone (even killed), so are we.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
listen(() => {
  control.listen(0, "127.0.0.1", () => {
    const controlPort = (control.address() as { port: number }).port;
    process.stdout.write(JSON.stringify({ port, controlPort, caPem: pki.caPem }) + "\n");
  });
});
