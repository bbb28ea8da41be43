// Adversarial probe of the webhook example (examples/webhook-impulse, GitHub HMAC) as a child
// process per runtime, against the real API server peer with the test controller resolving
// triggers: forgeries, replays with a new or missing delivery id, 100 MB bodies (chunked and with
// Content-Length), a body trickling 1 byte/s, and N concurrent valid deliveries (wall time,
// status codes, peak RSS of the child = VmHWM after clear_refs, and the time until all N are
// accepted when clients retry after Retry-After).
// Run: bash test/peers/k8s/start.sh && node bench/webhook-probe.ts [bun,deno,node] [n=1000]
// (PROBES=forge,replay,big,slow,conc picks some; PROXY=1 counts the webhook's API requests).
// BENCH_BASELINE=<dir> probes the example of another checkout (e.g. `git archive <rev>` with a
// node_modules symlink).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { resolve } from "node:path";
import { FaultProxy, Fixture, freshNamespace } from "../test/impulse/support.ts";
import { startTestController } from "../test/peers/controller/controller.ts";
import { requireK8sPeer } from "../test/peers/k8s/peer.ts";
import { commandFor, type RuntimeName, repoRoot } from "../test/support/spawn.ts";

const runtimes = (process.argv[2] ?? "bun,deno,node").split(",") as RuntimeName[];
const n = Number(process.argv[3] ?? 1000);
const root = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : repoRoot;
const SECRET = "probe secret";
const MB100 = 100 * 1024 * 1024;
/** PROBES=forge,replay,big,slow,conc picks probes (default all). */
const only = new Set((process.env.PROBES ?? "forge,replay,big,slow,conc").split(","));

let seed = 0x5eed;
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (k: number): number => Math.floor(rand() * k);

const sign = (body: string | Uint8Array): string => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
const push = (commit: string): string =>
  JSON.stringify({
    ref: "refs/heads/main",
    after: commit,
    repository: { full_name: "octo/repo" },
    pusher: { name: "mona" },
  });

interface Answer {
  status: number | "closed" | "timeout";
  ms: number;
  sent: number;
  retryAfter?: string;
}

/** One request over its own socket; the body is written by `write` until an answer or a close. */
function rawRequest(
  port: number,
  head: string,
  write: (put: (b: string | Uint8Array) => Promise<boolean>) => Promise<void>,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((done) => {
    const t0 = performance.now();
    const sock = connect(port, "127.0.0.1");
    let text = "";
    let sent = 0;
    let finished = false;
    const finish = (status: Answer["status"]): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const ra = /\r\nretry-after: *(\S+)/i.exec(text)?.[1];
      done({ status, ms: Math.round(performance.now() - t0), sent, ...(ra ? { retryAfter: ra } : {}) });
      sock.destroy();
    };
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    sock.on("data", (d) => {
      text += d.toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (m && text.includes("\r\n\r\n")) finish(Number(m[1]));
    });
    sock.on("error", () => finish("closed"));
    sock.on("close", () => finish("closed"));
    const put = (b: string | Uint8Array): Promise<boolean> => {
      if (finished || sock.destroyed) return Promise.resolve(false);
      sent += typeof b === "string" ? Buffer.byteLength(b) : b.length;
      return new Promise((r) => (sock.write(b) ? r(true) : sock.once("drain", () => r(!finished))));
    };
    sock.once("connect", () => {
      sock.write(head);
      void write(put).catch(() => {});
    });
  });
}

function post(port: number, body: string, headers: Record<string, string>, timeoutMs = 120_000): Promise<Answer> {
  return rawRequest(
    port,
    `POST /webhook HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n${Object.entries(
      headers,
    )
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("")}\r\n`,
    async (put) => {
      await put(body);
    },
    timeoutMs,
  );
}

const valid = (commit: string, id: string | undefined = randomUUID()): [string, Record<string, string>] => {
  const body = push(commit);
  return [
    body,
    { "x-hub-signature-256": sign(body), "x-github-event": "push", ...(id ? { "x-github-delivery": id } : {}) },
  ];
};

function hwm(pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}
function rss(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}

const histogram = (xs: Answer[]): string => {
  const h = new Map<string, number>();
  for (const a of xs) h.set(String(a.status), (h.get(String(a.status)) ?? 0) + 1);
  return [...h]
    .sort()
    .map(([k, v]) => `${k}×${v}`)
    .join(" ");
};

async function startChild(
  rt: RuntimeName,
  fx: Fixture,
  peer: { kubeconfigPath: string },
  kubeconfig: string,
): Promise<{ child: ChildProcess; port: number; log: () => string }> {
  const [cmd, args] = commandFor(rt, resolve(root, "examples/webhook-impulse/impulse.ts"));
  const child = spawn(cmd, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      NO_COLOR: "1",
      KUBECONFIG: kubeconfig,
      BUBU_IMPULSE_NAMESPACE: fx.ns,
      BUBU_IMPULSE_NAME: "github-push",
      BUBU_TARGET_STORY_NAME: "ci",
      BUBU_SECRET_WEBHOOK: SECRET,
      BUBU_STEP_CONFIG: JSON.stringify({ port: 0 }),
    },
  });
  let out = "";
  const port = await new Promise<number>((ok, fail) => {
    const on = (d: Buffer): void => {
      out += d.toString();
      const m = /"msg":"webhook listening".*?"port":(\d+)/.exec(out);
      if (m) ok(Number(m[1]));
    };
    child.stdout!.on("data", on);
    child.stderr!.on("data", on);
    child.on("exit", (code) => fail(new Error(`exited ${code}: ${out}`)));
  });
  return { child, port, log: () => out };
}

async function probe(rt: RuntimeName): Promise<void> {
  const peer = requireK8sPeer()!;
  const fx = new Fixture(peer, freshNamespace("probe"));
  const controller = await startTestController(peer, { namespaces: [fx.ns] });
  await fx.story("ci");
  await fx.impulse("github-push", "ci");
  // PROXY=1: the child reaches the API server through a counting plain-HTTP proxy (no TLS on
  // that hop, so run it for request counts, not for time or memory).
  const proxy = process.env.PROXY === "1" ? new FaultProxy(peer) : undefined;
  const kubeconfig = proxy ? fx.proxyKubeconfig(await proxy.start()) : peer.kubeconfigPath;
  const { child, port } = await startChild(rt, fx, peer, kubeconfig);
  const pid = child.pid!;
  const runs = async (): Promise<number> => (await fx.list("storyruns")).length;
  console.log(`== ${rt} (pid ${pid}, port ${port}, ${root === repoRoot ? "this checkout" : root})`);
  try {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const [, hb] = valid("big");
    const headLines = `host: 127.0.0.1\r\ncontent-type: application/json\r\n${Object.entries(hb)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("")}`;
    if (only.has("forge")) {
      // Forgeries: random mutations of a signed request.
      const forged: Answer[] = [];
      const [body0, h0] = valid("f0");
      const sig0 = h0["x-hub-signature-256"]!;
      for (let i = 0; i < 1000; i++) {
        let body = body0;
        let sig: string | undefined = sig0;
        const kind = pick(7);
        const bytes = Buffer.from(body0);
        if (kind === 0) {
          bytes[pick(bytes.length)]! ^= 1 << pick(8);
          body = bytes.toString("latin1");
        } else if (kind === 1) {
          const at = 7 + pick(64);
          const c = sig0[at]!;
          sig = sig0.slice(0, at) + "0123456789abcdef".replace(c, "")[pick(15)] + sig0.slice(at + 1);
        } else if (kind === 2) body = body0.slice(0, pick(body0.length));
        else if (kind === 3) body = body0 + " ";
        else if (kind === 4) sig = undefined;
        else if (kind === 5) sig = sig0.slice(0, 7 + pick(64));
        else
          sig = `sha256=${createHmac("sha256", SECRET + "x")
            .update(body0)
            .digest("hex")}`;
        forged.push(
          await post(port, body, {
            "x-github-event": "push",
            "x-github-delivery": randomUUID(),
            ...(sig ? { "x-hub-signature-256": sig } : {}),
          }),
        );
      }
      console.log(
        `forgeries: ${forged.filter((a) => typeof a.status === "number" && a.status < 300).length} of ${forged.length} accepted (${histogram(forged)})`,
      );
    }
    if (only.has("replay")) {
      // Replays: one signed delivery, then the same body with 10 new ids and 10 without an id.
      const before = await runs();
      const [rb, rh] = valid("replay", randomUUID());
      const first = await post(port, rb, rh);
      const replays: Answer[] = [];
      for (let i = 0; i < 20; i++) {
        const { "x-github-delivery": _, ...rest } = rh;
        replays.push(await post(port, rb, i < 10 ? { ...rest, "x-github-delivery": randomUUID() } : rest));
      }
      console.log(
        `replays: first ${first.status}; 20 replays (10 new id, 10 no id) → ${histogram(replays)}; StoryRuns started: ${(await runs()) - before}`,
      );
    }
    if (only.has("big")) {
      writeFileSync(`/proc/${pid}/clear_refs`, "5");
      const bigBase = rss(pid);
      // 100 MB bodies.
      const chunked = await rawRequest(
        port,
        `POST /webhook HTTP/1.1\r\n${headLines}transfer-encoding: chunked\r\n\r\n`,
        async (put) => {
          for (let sent = 0; sent < MB100; sent += chunk.length) {
            if (!(await put(`${chunk.length.toString(16)}\r\n`)) || !(await put(chunk)) || !(await put("\r\n"))) return;
          }
          await put("0\r\n\r\n");
        },
        60_000,
      );
      const sized = await rawRequest(
        port,
        `POST /webhook HTTP/1.1\r\n${headLines}content-length: ${MB100}\r\n\r\n`,
        async (put) => {
          for (let sent = 0; sent < MB100; sent += chunk.length) if (!(await put(chunk))) return;
        },
        60_000,
      );
      // The same through fetch, which writes the whole body before it reads an answer.
      const viaFetch = async (body: BodyInit): Promise<string> => {
        const t0 = performance.now();
        try {
          const r = await fetch(`http://127.0.0.1:${port}/webhook`, {
            method: "POST",
            body,
            headers: hb,
            duplex: "half",
          } as RequestInit);
          await r.body?.cancel();
          return `${r.status} in ${Math.round(performance.now() - t0)} ms`;
        } catch (err) {
          const e = err as Error & { cause?: { code?: string; message?: string } };
          return `error (${e.cause?.code ?? e.cause?.message ?? e.message}) in ${Math.round(performance.now() - t0)} ms`;
        }
      };
      let left = MB100;
      const stream = new ReadableStream<Uint8Array>({
        pull(c) {
          if (left <= 0) return c.close();
          left -= chunk.length;
          c.enqueue(chunk.slice());
        },
      });
      console.log(
        `fetch 100 MB stream (chunked): ${await viaFetch(stream)}; fetch 100 MB bytes (content-length): ${await viaFetch(new Uint8Array(MB100).fill(0x20))}`,
      );
      // node:http writing the whole body (chunked and sized), and curl when there is one.
      const viaHttp = (sizedBody: boolean): Promise<string> =>
        new Promise((ok) => {
          const t0 = performance.now();
          const req = httpRequest(
            {
              host: "127.0.0.1",
              port,
              path: "/webhook",
              method: "POST",
              headers: { ...hb, ...(sizedBody ? { "content-length": String(MB100) } : {}) },
            },
            (res) => {
              res.resume();
              ok(`${res.statusCode} in ${Math.round(performance.now() - t0)} ms`);
            },
          );
          req.on("error", (e: Error & { code?: string }) =>
            ok(`error (${e.code ?? e.message}) in ${Math.round(performance.now() - t0)} ms`),
          );
          (async () => {
            for (let sent = 0; sent < MB100 && !req.destroyed; sent += chunk.length) {
              if (!req.write(chunk)) {
                await new Promise<void>((r) => {
                  const go = (): void => {
                    req.off("drain", go);
                    req.off("close", go);
                    r();
                  };
                  req.on("drain", go);
                  req.on("close", go);
                });
              }
            }
            req.end();
          })();
        });
      console.log(
        `node:http 100 MB chunked: ${await viaHttp(false)}; node:http 100 MB content-length: ${await viaHttp(true)}`,
      );
      const file = "/tmp/webhook-probe-100mb.bin";
      if (!existsSync(file)) writeFileSync(file, new Uint8Array(MB100).fill(0x20));
      const curl = (extra: string[]): string => {
        const r = spawnSync(
          "curl",
          [
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "POST",
            ...Object.entries(hb).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
            ...extra,
            "--data-binary",
            `@${file}`,
            `http://127.0.0.1:${port}/webhook`,
          ],
          { encoding: "utf8" },
        );
        return r.error ? "no curl" : `${r.stdout}${r.status ? ` (exit ${r.status}: ${r.stderr.trim()})` : ""}`;
      };
      console.log(
        `curl 100 MB chunked: ${curl(["-H", "transfer-encoding: chunked"])}; curl 100 MB content-length: ${curl([])}`,
      );
      console.log(
        `child RSS ${bigBase.toFixed(0)} MiB before the 100 MB bodies, peak ${hwm(pid).toFixed(0)} MiB, ${rss(pid).toFixed(0)} MiB after`,
      );
      console.log(
        `100 MB chunked: ${chunked.status} after ${(chunked.sent / 1048576).toFixed(1)} MiB sent, ${chunked.ms} ms; 100 MB content-length: ${sized.status} after ${(sized.sent / 1048576).toFixed(1)} MiB, ${sized.ms} ms`,
      );
    }
    if (only.has("slow")) {
      // Slow client: 1 byte/s of a 64-byte body; a valid delivery meanwhile.
      const slowBody = push("slow").padEnd(64, " ").slice(0, 64);
      const slowP = rawRequest(
        port,
        `POST /webhook HTTP/1.1\r\n${headLines}content-length: 64\r\n\r\n`,
        async (put) => {
          for (let i = 0; i < 64; i++) {
            if (!(await put(slowBody[i]!))) return;
            await new Promise((r) => setTimeout(r, 1000));
          }
        },
        30_000,
      );
      await new Promise((r) => setTimeout(r, 2000));
      const [vb, vh] = valid("during-slow");
      const during = await post(port, vb, vh);
      const slow = await slowP;
      console.log(
        `slow client (1 byte/s): ${slow.status} after ${slow.ms} ms (${slow.sent - 0} bytes incl. head); a valid delivery meanwhile: ${during.status} in ${during.ms} ms`,
      );
    }
    if (only.has("conc")) {
      // N concurrent valid deliveries.
      await new Promise((r) => setTimeout(r, 500));
      writeFileSync(`/proc/${pid}/clear_refs`, "5");
      const base = rss(pid);
      const runsBefore = await runs();
      const seenBefore = proxy?.seen.length ?? 0;
      let peak = hwm(pid);
      const sampler = setInterval(() => (peak = Math.max(peak, hwm(pid))), 100);
      const t0 = performance.now();
      const bodies = Array.from({ length: n }, (_, i) => valid(`conc-${i}`));
      const firstAnswers = await Promise.all(bodies.map(([b, h]) => post(port, b, h)));
      const firstMs = Math.round(performance.now() - t0);
      // Then clients retry what was refused, after its Retry-After (capped at 5 s).
      let pending = bodies.filter((_, i) => firstAnswers[i]!.status !== 202 && firstAnswers[i]!.status !== 200);
      let lastAnswers = firstAnswers;
      let rounds = 0;
      while (pending.length > 0 && rounds < 50) {
        rounds++;
        const wait = Math.min(5, Math.max(1, ...lastAnswers.map((a) => Number(a.retryAfter ?? 1))));
        await new Promise((r) => setTimeout(r, wait * 1000));
        lastAnswers = await Promise.all(pending.map(([b, h]) => post(port, b, h)));
        pending = pending.filter((_, i) => lastAnswers[i]!.status !== 202 && lastAnswers[i]!.status !== 200);
      }
      const allMs = Math.round(performance.now() - t0);
      clearInterval(sampler);
      peak = Math.max(peak, hwm(pid));
      const started = (await runs()) - runsBefore;
      if (proxy) {
        const calls = new Map<string, number>();
        for (const line of proxy.seen.slice(seenBefore)) {
          const [method, path] = line.split(" ");
          const kind = `${method} ${path!
            .split("?")[0]!
            .replace(/\/namespaces\/[^/]+/, "")
            .replace(/^\/apis\/[^/]+\/[^/]+\//, "")
            .replace(/\/[^/]+$/, (m) => (/^\/(status)$/.test(m) ? m : "/<name>"))}`;
          calls.set(kind, (calls.get(kind) ?? 0) + 1);
        }
        console.log(
          `API requests from the webhook for ${n} deliveries: ${[...calls]
            .sort((a, b) => b[1] - a[1])
            .map(([k, v]) => `${k} ×${v}`)
            .join(", ")}`,
        );
      }
      console.log(
        `${n} concurrent: first answers in ${firstMs} ms (${histogram(firstAnswers)}); all accepted after ${allMs} ms (${rounds} retry rounds, ${pending.length} never); StoryRuns ${started}; child RSS ${base.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB`,
      );
    }
  } finally {
    child.kill("SIGKILL");
    await proxy?.stop();
    await controller.stop();
    await fx.close();
  }
}

for (const rt of runtimes) await probe(rt);
