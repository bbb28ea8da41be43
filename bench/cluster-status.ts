// Process start → StepRun status patched, on the cluster peer (bash test/peers/cluster/start.sh):
// hello-batch as a one-step Story run by the real operator, its pod's container started by the
// process kubelet the way a kubelet does (private mount namespace, the pod's projected
// service-account token, ca.crt and namespace at /var/run/secrets/kubernetes.io/serviceaccount,
// KUBERNETES_SERVICE_HOST/PORT): the SDK's in-cluster configuration is what runs, with the
// operator's env and RBAC. Go (bubu-sdk-go v0.1.5, bench/go-hello, the same engram) against ours
// from dist/ (built here with `npm run build`: what the npm package gives every runtime) under
// bun, deno and node, and the compiled binary (`bun build --compile --bytecode --format=esm`);
// from the TS sources (`bun`, `deno`, `node`) and `bun-compiled-plain` (no --bytecode) on request.
//
//   node bench/cluster-status.ts [runs=7] [variants=go,bun-dist,bun-compiled,deno-dist,node-dist]
//   (also: bun, deno, node from the TS sources; bun-compiled-plain without --bytecode)
//   BENCH_BASELINE=<checkout> adds "<variant>@before" for every TS variant, from that checkout
//   (e.g. `git archive <rev> | tar -x -C dir` with node_modules linked in), interleaved.
//
// How it measures: each container is bench/exec-timer (Go, no SDK), which notes the wall clock
// just before it starts the engram as its child and, at the child's exit, the child's CPU time
// and peak RSS (wait4 rusage: VmHWM at exit). "Patched" is when the apiserver finished the final
// status PATCH (stageTimestamp of its audit event, µs); requests are every audit event of the
// run's service account. Round 0 warms caches and is dropped; every round runs each variant once,
// in a rotated order, so load from other work on the machine hits every column alike.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { join, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";
import {
  applyAll,
  describeNamespace,
  e2eNamespace,
  engram,
  engramTemplate,
  story,
  TERMINAL,
} from "../test/e2e/story-run.ts";
import { findGo } from "../test/interop/streaming/go-engram.ts";
import type { Json } from "../test/peers/cluster/kube-api.ts";
import { collectionPath, registerImages } from "../test/peers/cluster/objects.ts";
import { clusterPeer } from "../test/peers/cluster/peer.ts";
import { commandFor, repoRoot } from "../test/support/spawn.ts";
import { median } from "./support.ts";

const runs = Number(process.argv[2] ?? "7");
const wanted = (process.argv[3] ?? "go,bun-dist,bun-compiled,deno-dist,node-dist").split(",");
const baseline = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : undefined;
const cache = resolve(repoRoot, ".cache/bench");
mkdirSync(cache, { recursive: true });

const peer = clusterPeer();
if (!peer) throw new Error("the cluster peer is not running: bash test/peers/cluster/start.sh");

/** Builds a Go program of bench/<dir> into .cache/bench, keyed by a hash of its sources. */
function goBinary(dir: string): string {
  const src = resolve(repoRoot, "bench", dir);
  const h = createHash("sha256");
  for (const f of ["main.go", "go.mod", "go.sum"])
    if (existsSync(join(src, f)))
      h.update(`${f}\0`)
        .update(readFileSync(join(src, f)))
        .update("\0");
  const out = join(cache, `${dir}-${h.digest("hex").slice(0, 16)}`);
  if (existsSync(out)) return out;
  const go = findGo();
  if (!go) throw new Error("Go toolchain not found (PATH, /usr/local/go/bin)");
  console.error(`building bench/${dir} ...`);
  execFileSync(go, ["build", "-o", `${out}.tmp`, "."], { cwd: src, stdio: ["ignore", "ignore", "inherit"] });
  renameSync(`${out}.tmp`, out);
  return out;
}

/** Checkouts whose dist/ this run built. */
const built = new Set<string>();

/** The command lines of a TS variant for the checkout at `root`. */
function tsCommand(variant: string, root: string, tag: string): string[] {
  const engramTs = join(root, "examples/hello-batch/engram.ts");
  switch (variant) {
    case "bun":
    case "deno":
    case "node": {
      const [cmd, args] = commandFor(variant, engramTs);
      return [cmd, ...args];
    }
    case "bun-compiled":
    case "bun-compiled-plain": {
      // As the README builds it: --bytecode (with --format=esm, for the top-level await) stores
      // the parsed code in the binary; plain, every start parses the whole bundle again.
      const plain = variant === "bun-compiled-plain";
      const exe = join(cache, `hello-batch-${tag}${plain ? "-plain" : ""}`);
      console.error(`bun build --compile${plain ? "" : " --bytecode"} (${tag}) ...`);
      execFileSync(
        commandFor("bun", "")[0],
        ["build", "--compile", ...(plain ? [] : ["--bytecode", "--format=esm"]), engramTs, "--outfile", exe],
        {
          cwd: root,
          stdio: ["ignore", "ignore", "inherit"],
        },
      );
      return [exe];
    }
    case "node-dist":
    case "bun-dist":
    case "deno-dist": {
      // The example itself as JavaScript, importing the SDK's dist/ build (what an npm user runs
      // on every runtime: the package's exports point there). Built once per checkout.
      const file = join(root, `.cache/bench/hello-batch-dist-${tag}.mjs`);
      if (!built.has(root)) {
        built.add(root);
        console.error(`npm run build (${tag}) ...`);
        execFileSync("npm", ["run", "--silent", "build"], {
          cwd: root,
          stdio: "inherit",
          env: {
            ...process.env,
            PATH: `${join(repoRoot, ".cache/node/node_modules/.bin")}:${join(repoRoot, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
          },
        });
      }
      const js = stripTypeScriptTypes(readFileSync(engramTs, "utf8")).replace(
        `"../../src/mod.ts"`,
        JSON.stringify(pathToFileURL(join(root, "dist/mod.js")).href),
      );
      mkdirSync(join(root, ".cache/bench"), { recursive: true });
      writeFileSync(file, js);
      const [cmd, args] = commandFor(variant.slice(0, -"-dist".length) as "node" | "bun" | "deno", file);
      return [cmd, ...args];
    }
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

const timer = goBinary("exec-timer");
const commands = new Map<string, string[]>();
for (const v of wanted) {
  commands.set(v, v === "go" ? [goBinary("go-hello")] : tsCommand(v, repoRoot, "now"));
  if (baseline && v !== "go") commands.set(`${v}@before`, tsCommand(v, baseline, "before"));
}
const variants = [...commands.keys()];
const timerDir = join(cache, `timer-${process.pid}`);
mkdirSync(timerDir, { recursive: true });
const image = (v: string): string => `bench/hello-batch:${v.replace("@", "-")}`;
registerImages(
  peer,
  "bench-cluster-status",
  Object.fromEntries(
    variants.map((v) => [
      image(v),
      { command: [timer, ...commands.get(v)!], env: { BENCH_TIMER_DIR: timerDir }, cwd: repoRoot },
    ]),
  ),
);

const exampleTemplate = parseYaml(readFileSync(join(repoRoot, "examples/hello-batch/Engram.yaml"), "utf8")) as {
  spec: Json;
};
const { api, ns, close } = await e2eNamespace(peer, "bench-status");
const name = (v: string): string => v.replace("@", "-");
await applyAll(api, [
  ...variants.map((v) =>
    engramTemplate(`hello-${name(v)}`, ns, image(v), { ...exampleTemplate.spec, image: image(v) }),
  ),
  ...variants.map((v) =>
    engram(`hello-${name(v)}`, ns, `hello-${name(v)}`, { with: { greeting: "Hi", excited: true } }),
  ),
  ...variants.map((v) =>
    story(`greet-${name(v)}`, ns, {
      steps: [{ name: "greet", ref: { name: `hello-${name(v)}` }, with: { name: "{{ inputs.name }}", times: 2 } }],
    }),
  ),
]);

interface Sample {
  /** exec → final status PATCH completed at the apiserver. */
  patched: number;
  /** exec → first API request received. */
  firstRequest: number;
  /** exec → exit. */
  exit: number;
  cpuMs: number;
  rssMiB: number;
  requests: number;
  /** What the requests were, e.g. "get engrams 403". */
  trail: string[];
}

/** RFC 3339 with µs → ms since the epoch (with the µs as a fraction). */
function auditMs(ts: string): number {
  const [whole, frac = "0Z"] = ts.split(".");
  return Date.parse(`${whole}Z`) + Number(`0.${frac.replace("Z", "")}`) * 1000;
}

async function runOnce(v: string, round: number): Promise<Sample> {
  const run = `${name(v)}-${round}`;
  const stepRun = `${run}-greet`;
  await api.json("POST", collectionPath("runs.bubustack.io/v1alpha1", "StoryRun", ns), {
    apiVersion: "runs.bubustack.io/v1alpha1",
    kind: "StoryRun",
    metadata: { name: run, namespace: ns },
    spec: { storyRef: { name: `greet-${name(v)}` }, inputs: { name: "Ada" } },
  });
  const path = `${collectionPath("runs.bubustack.io/v1alpha1", "StoryRun", ns)}/${run}`;
  const deadline = Date.now() + 120_000;
  let phase: string | undefined;
  while (!(phase && TERMINAL.has(phase))) {
    if (Date.now() > deadline) throw new Error(`${run} did not end\n${await describeNamespace(peer!, api, ns, run)}`);
    await new Promise((r) => setTimeout(r, 100));
    phase = ((await api.get<Json>(path)).status as { phase?: string } | undefined)?.phase;
  }
  if (phase !== "Succeeded") throw new Error(`${run}: ${phase}\n${await describeNamespace(peer!, api, ns, run)}`);
  // The operator may end the StoryRun before the engram has exited.
  const timerFile = join(timerDir, `${stepRun}.json`);
  for (let i = 0; !existsSync(timerFile); i++) {
    if (i > 300) throw new Error(`${run}: the engram did not exit\n${await describeNamespace(peer!, api, ns, run)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const timing = JSON.parse(readFileSync(timerFile, "utf8")) as {
    startUnixNano: number;
    endUnixNano: number;
    exitCode: number;
    userMicros: number;
    sysMicros: number;
    maxRssKiB: number;
  };
  const t0 = timing.startUnixNano / 1e6;
  const user = `system:serviceaccount:${ns}:${run}-engram-runner`;
  for (let i = 0; ; i++) {
    const events = readFileSync(peer!.auditLog, "utf8")
      .split("\n")
      .filter((l) => l.includes(`"${user}"`))
      .map((l) => JSON.parse(l) as Json);
    const final = events.find(
      (e) =>
        e.verb === "patch" &&
        ((e.requestObject as Json | undefined)?.status as Json | undefined)?.phase === "Succeeded",
    );
    if (final) {
      const trail = events.map((e) => {
        const ref = e.objectRef as { resource?: string; subresource?: string } | undefined;
        return `${e.verb} ${ref?.resource ?? e.requestURI}${ref?.subresource ? `/${ref.subresource}` : ""} ${(e.responseStatus as { code: number }).code}`;
      });
      return {
        patched: auditMs(final.stageTimestamp as string) - t0,
        firstRequest: Math.min(...events.map((e) => auditMs(e.requestReceivedTimestamp as string))) - t0,
        exit: (timing.endUnixNano - timing.startUnixNano) / 1e6,
        cpuMs: (timing.userMicros + timing.sysMicros) / 1000,
        rssMiB: timing.maxRssKiB / 1024,
        requests: events.length,
        trail,
      };
    }
    if (i > 50) throw new Error(`${run}: no final status patch by ${user} in the audit log`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const samples = new Map<string, Sample[]>(variants.map((v) => [v, []]));
try {
  for (let r = 0; r <= runs; r++) {
    for (let j = 0; j < variants.length; j++) {
      const v = variants[(j + r) % variants.length]!;
      const s = await runOnce(v, r);
      if (r > 0) samples.get(v)!.push(s);
      console.error(
        `round ${r} ${v.padEnd(18)} patched ${s.patched.toFixed(1)} ms, first request ${s.firstRequest.toFixed(1)} ms, exit ${s.exit.toFixed(1)} ms, cpu ${s.cpuMs.toFixed(0)} ms, rss ${s.rssMiB.toFixed(1)} MiB, ${s.requests} requests`,
      );
    }
  }
} finally {
  await close();
  rmSync(join(peer.imagesDir, "bench-cluster-status.json"), { force: true });
  rmSync(timerDir, { recursive: true, force: true });
}

/** Nearest-rank 90th percentile. */
const p90 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.ceil(0.9 * xs.length) - 1]!;
const med = (v: string, f: (s: Sample) => number): number => median(samples.get(v)!.map(f));
const go = variants.includes("go") ? med("go", (s) => s.patched) : Number.NaN;
console.log(
  `\nstart → StepRun status patched, in-cluster config through the process kubelet; ${runs} interleaved runs (after 1 warm-up round)`,
);
console.log(
  "| variant | start→patched median | p90 | vs Go | start→first request | start→exit | CPU (user+sys) | peak RSS (VmHWM) | API requests |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const v of variants) {
  const xs = samples.get(v)!;
  console.log(
    `| ${v} | ${med(v, (s) => s.patched).toFixed(1)} ms | ${p90(xs.map((s) => s.patched)).toFixed(1)} ms | ${(med(v, (s) => s.patched) / go).toFixed(2)}x | ${med(
      v,
      (s) => s.firstRequest,
    ).toFixed(
      1,
    )} ms | ${med(v, (s) => s.exit).toFixed(1)} ms | ${med(v, (s) => s.cpuMs).toFixed(0)} ms | ${med(v, (s) => s.rssMiB).toFixed(1)} MiB | ${med(v, (s) => s.requests)} |`,
  );
}
console.log("\nrequests per variant (last run):");
for (const v of variants) console.log(`  ${v}: ${samples.get(v)!.at(-1)?.trail.join(", ")}`);
