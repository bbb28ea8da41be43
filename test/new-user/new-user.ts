// What a new user does, end to end, with the package as npm would publish it: `npm pack`, then
// for each of Node, Bun and Deno a project per kind made by `bubu init`, installed from the
// tarball as its printed next steps say, those next steps run as printed (tests, the example run,
// the type check), run locally with other flags, its template regenerated, the README's Story
// snippet run with `bubu story run`, the batch one compiled to a single binary; plus a Deno app
// made with `--sdk <this working tree>` (linked as the JSR package).
//
// Run once (not under each test runner): node test/new-user/new-user.ts [--keep]
// Needs node (>= 22.19), bun and deno on the PATH (scripts/test.sh sets it). Prints each step
// with its time and closes with "new-user: N passed, N failed".
import { type SpawnSyncOptions, spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const repo = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const keep = process.argv.includes("--keep");

/**
 * The work folder: under the temporary folder, or /var/tmp, whichever has no node_modules above
 * it (one there would supply the packages a project's own install failed to).
 */
function workFolder(): string {
  const ancestors = (dir: string): string[] => (dirname(dir) === dir ? [dir] : [dir, ...ancestors(dirname(dir))]);
  const bases = [tmpdir(), "/var/tmp"].map((b) => resolve(b));
  const base = bases.find((b) => existsSync(b) && !ancestors(b).some((d) => existsSync(join(d, "node_modules"))));
  if (base === undefined) {
    process.stdout.write(`FAIL  every candidate work folder (${bases.join(", ")}) has a node_modules above it\n`);
    process.stdout.write("new-user: 0 passed, 1 failed\n");
    process.exit(1);
  }
  return mkdtempSync(join(base, "bubu-new-user-"));
}
const work = workFolder();
const results: { step: string; ms: number; ok: boolean; note: string }[] = [];

type Kind = "batch" | "streaming" | "impulse" | "dual";
type Runtime = "node" | "bun" | "deno";
const KINDS: Kind[] = ["batch", "streaming", "impulse", "dual"];
const RUNTIMES: Runtime[] = ["node", "bun", "deno"];

// A laptop: no cluster variables, no BUBU_* settings from the caller.
const env: Record<string, string> = {};
for (const [k, v] of Object.entries(process.env)) {
  if (v !== undefined && !k.startsWith("BUBU_") && k !== "KUBERNETES_SERVICE_HOST" && k !== "CI") env[k] = v;
}
env.NO_COLOR = "1";
env.npm_config_audit = "false";
env.npm_config_fund = "false";
env.npm_config_update_notifier = "false";
// Deno trusts only its bundled roots unless told otherwise; behind a TLS-inspecting proxy (whose CA
// is in the system store, as on this project's machines) `deno install` then cannot reach the npm
// registry. A user there sets this too.
env.DENO_TLS_CA_STORE ??= "system,mozilla";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function sh(cmd: string, args: string[], cwd: string, options: SpawnSyncOptions = {}): Run {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 240_000, maxBuffer: 64 << 20, ...options });
  if (r.error) return { status: null, stdout: "", stderr: `${cmd} did not run: ${r.error.message}` };
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Like {@link sh}, without blocking: for commands that can run side by side. */
function shAsync(cmd: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
    child.stdout.on("data", (d: Uint8Array) => void (stdout += String(d)));
    child.stderr.on("data", (d: Uint8Array) => void (stderr += String(d)));
    child.on("error", (err) => done({ status: null, stdout, stderr: `${cmd} did not run: ${err.message}` }));
    child.on("close", (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}

function ok(r: Run, what: string): Run {
  if (r.status !== 0)
    throw new Error(
      `${what} exited ${r.status}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`,
    );
  return r;
}

function check(cond: unknown, message: string): void {
  if (!cond) throw new Error(message);
}

async function step(name: string, body: () => string | void | Promise<string | void>): Promise<boolean> {
  const t0 = performance.now();
  let ok = true;
  let note = "";
  try {
    note = (await body()) ?? "";
  } catch (err) {
    ok = false;
    note = err instanceof Error ? err.message : String(err);
  }
  const ms = performance.now() - t0;
  results.push({ step: name, ms, ok, note });
  process.stdout.write(
    `${ok ? "ok  " : "FAIL"} ${(ms / 1000).toFixed(1).padStart(6)}s  ${name}${note && ok ? `  (${note})` : ""}\n`,
  );
  if (!ok) process.stdout.write(`${note.replace(/^/gm, "        ")}\n`);
  return ok;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l.trim().startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The one JSON line of a start script's stdout (npm prints its "> name start" header there too). */
function onlyJson(stdout: string): Record<string, unknown> {
  const lines = jsonLines(stdout);
  check(lines.length === 1, `not one JSON line on stdout: ${stdout}`);
  return lines[0]!;
}

function duKiB(path: string, exclude: string[] = []): number {
  const r = sh("du", ["-sk", ...exclude.map((e) => `--exclude=${e}`), path], work);
  return Number(r.stdout.split(/\s/)[0]);
}

// --- pack ---------------------------------------------------------------------------------------
let tarball = "";
const packed = await step("npm pack (prepack builds dist/)", () => {
  const r = ok(sh("npm", ["pack", "--pack-destination", work, "--silent"], repo), "npm pack");
  tarball = join(work, r.stdout.trim().split("\n").pop()!);
  check(existsSync(tarball), `no tarball ${tarball}`);
  const list = ok(sh("tar", ["-tzf", tarball], work), "tar").stdout;
  check(list.includes("package/dist/cli/bubu.js"), "dist/cli/bubu.js not packed");
  check(list.includes("package/dist/mod.js") && list.includes("package/dist/mod.d.ts"), "dist/ not packed");
  // Every runtime loads dist/ from npm (JSR serves the sources): the TypeScript is not shipped twice.
  check(!list.includes("package/src/"), "src/ packed, though nothing in the package points at it");
  return `${(statSync(tarball).size / 1024).toFixed(0)} KiB`;
});

// --- the commands each runtime uses ---------------------------------------------------------------
function install(rt: Runtime, dir: string): Run {
  // What init's next steps say. (For Deno, init unpacked the tarball into vendor/ and linked it.)
  if (rt === "deno") return sh("deno", ["install"], dir);
  return rt === "bun"
    ? sh("bun", ["install"], dir)
    : sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], dir);
}

/** The commands init printed under "Next:" after the `cd`; without the install when `installed`. */
function nextSteps(printed: string, installed = true): string[] {
  const lines = printed.slice(printed.indexOf("\nNext:\n") + 7).split("\n");
  return lines
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("cd ") && !(installed && /^\w+ install\b/.test(l)));
}

/** The README's Story snippet (the yaml block after "# story.yaml"), for the engram `name`. */
function readmeStory(name: string): { yaml: string; command: string } {
  const readme = readFileSync(join(repo, "README.md"), "utf8");
  const yaml = /```yaml\n(# story\.yaml[\s\S]*?)```/.exec(readme)?.[1];
  const command = /^npx bubu story run .*$/m.exec(readme)?.[0];
  if (yaml === undefined || command === undefined)
    throw new Error("README: no story.yaml snippet or its npx bubu story run command");
  return { yaml: yaml.replaceAll("my-engram", name), command: command.replaceAll("my-engram", name) };
}
function task(rt: Runtime, dir: string, name: string, args: string[] = [], input?: string): Run {
  const o = input === undefined ? {} : { input };
  if (rt === "node") return sh("npm", ["run", "--silent", name, ...(args.length ? ["--", ...args] : [])], dir, o);
  if (rt === "bun") return sh("bun", ["run", name, ...args], dir, o);
  return sh("deno", ["task", "--quiet", name, ...args], dir, o);
}
function bubu(rt: Runtime, dir: string, args: string[], input?: string, extraEnv?: Record<string, string>): Run {
  const o = { ...(input === undefined ? {} : { input }), ...(extraEnv ? { env: { ...env, ...extraEnv } } : {}) };
  if (rt === "node") return sh("npx", ["--no-install", "bubu", ...args], dir, o);
  if (rt === "bun") return sh("bunx", ["--bun", "bubu", ...args], dir, o);
  return sh("deno", ["run", "-A", "npm:@bubustack/sdk/bubu", ...args], dir, o);
}

// --- each runtime, each kind --------------------------------------------------------------------
const sizes: string[] = [];
if (packed) {
  for (const rt of RUNTIMES) {
    const root = join(work, rt);
    mkdirSync(root);
    const dirs = Object.fromEntries(KINDS.map((k) => [k, join(root, `${k}-app`)])) as Record<Kind, string>;
    const printed = {} as Record<Kind, string>;
    const made = await step(`${rt}: bubu init × 4 kinds`, () => {
      for (const kind of KINDS) {
        const r = ok(
          sh(
            "node",
            [join(repo, "dist/cli/bubu.js"), "init", dirs[kind], "--kind", kind, "--runtime", rt, "--sdk", tarball],
            root,
          ),
          `init ${kind}`,
        );
        check(r.stdout.includes("Next:"), "init printed no next steps");
        printed[kind] = r.stdout;
      }
      return readdirSync(dirs.batch).sort().join(" ");
    });
    if (!made) continue;
    // Two dependency sets: batch and impulse need no gRPC packages, streaming and dual do. Deno
    // installs each project: its node_modules holds a copy of the linked vendor/ folder.
    const installed = await step(`${rt}: install the projects from the tarball`, () => {
      if (rt === "deno") {
        for (const kind of KINDS) ok(install(rt, dirs[kind]), `deno install (${kind})`);
        const sdk = join(dirs.batch, "node_modules/@bubustack/sdk");
        check(
          existsSync(join(sdk, "package.json")) && existsSync(join(sdk, "dist/mod.js")),
          "deno install: node_modules/@bubustack/sdk is not the package",
        );
      } else {
        ok(install(rt, dirs.batch), "install batch");
        ok(install(rt, dirs.streaming), "install streaming");
        symlinkSync(join(dirs.batch, "node_modules"), join(dirs.impulse, "node_modules"));
        symlinkSync(join(dirs.streaming, "node_modules"), join(dirs.dual, "node_modules"));
      }
      const nm = join(dirs.batch, "node_modules");
      check(!existsSync(join(nm, "@connectrpc")), "a batch app got @connectrpc");
      check(
        existsSync(join(dirs.streaming, "node_modules/@connectrpc/connect")),
        "the streaming app lacks @connectrpc/connect",
      );
      const all = duKiB(nm);
      const runtimeOnly = duKiB(nm, ["bun", "@oven", "@types", "typescript", "@typescript", ".bin", ".cache"]);
      sizes.push(
        `${rt} batch app: node_modules ${(all / 1024).toFixed(1)} MiB, without devDependencies ${(runtimeOnly / 1024).toFixed(1)} MiB`,
      );
      return `batch node_modules ${(all / 1024).toFixed(1)} MiB, ${(runtimeOnly / 1024).toFixed(1)} MiB without dev tools`;
    });
    if (!installed) continue;

    // Each project's printed next steps as printed (its tests, the example run, the type check),
    // the projects side by side.
    await step(`${rt}: each project's next steps, as init printed them`, async () => {
      const runs = await Promise.all(
        KINDS.map(async (kind) => {
          const out: { command: string; run: Run }[] = [];
          for (const command of nextSteps(printed[kind]))
            out.push({ command, run: ok(await shAsync("sh", ["-c", command], dirs[kind]), `${kind}: ${command}`) });
          return out;
        }),
      );
      const [batch, streaming, impulse, dual] = runs.map((r) =>
        r.filter((x) => /\b(start|run start)\b/.test(x.command)),
      );
      check(batch!.length === 2, `batch: ${batch!.length} start commands printed`);
      check(onlyJson(batch![0]!.run.stdout).message === "Hello, Ada!", `batch start: ${batch![0]!.run.stdout}`);
      check(onlyJson(batch![1]!.run.stdout).message === "Hello, Bo!", `batch start Bo: ${batch![1]!.run.stdout}`);
      check(
        jsonLines(batch![0]!.run.stderr).some((l) => l.msg === "signal" && l.key === "progress"),
        `no progress signal on stderr: ${batch![0]!.run.stderr}`,
      );
      check(
        (jsonLines(streaming![0]!.run.stdout)[0]?.payload as { text?: string } | undefined)?.text === "HI",
        `streaming start: ${streaming![0]!.run.stdout}`,
      );
      const starts = jsonLines(impulse![0]!.run.stderr).filter((l) => l.msg === "story triggered (local: no cluster)");
      check(
        starts.length === 3 && starts.every((s) => s.story === "hello"),
        `impulse start: ${impulse![0]!.run.stderr}`,
      );
      check(onlyJson(dual![0]!.run.stdout).text === "HI", `dual start: ${dual![0]!.run.stdout}`);
      const typechecks = runs.flat().filter((x) => x.command.includes("typecheck")).length;
      check(typechecks === 4, `${typechecks} of 4 projects printed a typecheck step`);
      return `${runs.flat().length} commands`;
    });

    await step(`${rt}: the type check fails on a type error`, () => {
      const file = join(dirs.batch, "engram.ts");
      const source = readFileSync(file, "utf8");
      writeFileSync(file, source.replace("return { message:", "return { messages:"));
      const r = task(rt, dirs.batch, "typecheck");
      writeFileSync(file, source);
      check(
        r.status !== 0 && /message/.test(r.stdout + r.stderr),
        `exit ${r.status}: ${(r.stdout + r.stderr).slice(-800)}`,
      );
    });

    await step(`${rt}: batch runs locally (bubu run, flags after the start script's)`, () => {
      const r = ok(
        task(rt, dirs.batch, "start", ["--inputs", '{"name":"Cy"}', "--config", '{"greeting":"Yo"}']),
        "start",
      );
      check(JSON.parse(r.stdout.trim()).message === "Yo, Cy!", `stdout: ${r.stdout}`);
      const viaBubu = ok(
        bubu(rt, dirs.batch, ["run", "engram.ts", "--inputs", '{"name":"Bo"}', "--config", '{"greeting":"Hi"}']),
        "bubu run",
      );
      check(JSON.parse(viaBubu.stdout.trim()).message === "Hi, Bo!", `bubu run stdout: ${viaBubu.stdout}`);
      const bad = bubu(rt, dirs.batch, ["run", "engram.ts", "--inputs", '{"name":""}']);
      check(
        bad.status === 1 && bad.stderr.includes("validation_error"),
        `empty name: exit ${bad.status}, ${bad.stderr.slice(-500)}`,
      );
    });

    await step(`${rt}: the README's Story snippet runs with bubu story run`, () => {
      const { yaml, command } = readmeStory("batch-app");
      writeFileSync(join(dirs.batch, "story.yaml"), yaml);
      // The README's command is for Node (npx, node engram.ts); the same on this runtime.
      const argv = command
        .replace(/^npx bubu /, "")
        .replace(/"node engram\.ts"/, `"${rt === "node" ? "node" : rt === "bun" ? "bun" : "deno run -A"} engram.ts"`)
        .match(/(?:[^\s'"]+|'[^']*'|"[^"]*")+/g)!
        .map((a) => a.replace(/^'(.*)'$/, "$1").replace(/="(.*)"$/, "=$1"));
      const r = bubu(rt, dirs.batch, argv);
      rmSync(join(dirs.batch, "story.yaml"));
      check(r.status === 0, `exit ${r.status}: ${r.stdout.slice(-1500)}${r.stderr.slice(-1500)}`);
      const report = JSON.parse(r.stdout) as { phase: string; output?: { message?: string } };
      check(report.phase === "Succeeded" && report.output?.message === "Hello, Ada!", r.stdout);
      const usage = bubu(rt, dirs.batch, ["story"]);
      check(
        usage.status === 2 && usage.stderr.includes("run <story.yaml>"),
        `bubu story: ${usage.status} ${usage.stderr}`,
      );
    });

    await step(
      `${rt}: a streaming file in the batch app (no gRPC packages) runs locally; against a connector it says what to install`,
      () => {
        writeFileSync(
          join(dirs.batch, "stream.ts"),
          `import { defineStreaming } from "@bubustack/sdk";
export const s = defineStreaming({ async stream(ctx, inbound, outbound) { for await (const m of inbound) { await outbound.send(m, ctx.signal); m.done(); } } });\n`,
        );
        const local = bubu(rt, dirs.batch, ["run", "stream.ts"], '{"kind":"data","payload":{"a":1}}\n');
        const connector = bubu(rt, dirs.batch, ["run", "stream.ts"], "", {
          BUBU_TRANSPORT_BINDING: '{"endpoint":"127.0.0.1:1"}',
        });
        rmSync(join(dirs.batch, "stream.ts"));
        check(local.status === 0, `local run: exit ${local.status}: ${local.stderr.slice(-800)}`);
        check(
          (jsonLines(local.stdout)[0]?.payload as { a?: number } | undefined)?.a === 1,
          `local run output: ${local.stdout}`,
        );
        check(connector.status === 1, `exit ${connector.status}: ${connector.stderr.slice(-800)}`);
        check(
          connector.stderr.includes(
            "a streaming engram needs the packages @connectrpc/connect, @connectrpc/connect-node, @bufbuild/protobuf",
          ),
          connector.stderr.slice(-800),
        );
        check(!/\n\s+at /.test(connector.stderr), `a stack trace under the message: ${connector.stderr.slice(-800)}`);
      },
    );

    await step(`${rt}: streaming runs locally (NDJSON stdin → stdout)`, () => {
      const input =
        '{"kind":"data","payload":{"text":"hi"},"metadata":{"k":"v"}}\n{"kind":"data","payload":{"text":"there"}}\n';
      const r = ok(task(rt, dirs.streaming, "start", [], input), "start");
      const out = jsonLines(r.stdout);
      check(out.length === 2, `stdout: ${r.stdout}`);
      check(
        (out[0]!.payload as { text: string }).text === "HI" && (out[0]!.metadata as { k: string }).k === "v",
        `first: ${JSON.stringify(out[0])}`,
      );
      check((out[1]!.payload as { text: string }).text === "THERE", `second: ${JSON.stringify(out[1])}`);
      const cfg = ok(
        bubu(
          rt,
          dirs.streaming,
          ["run", "engram.ts", "--config", '{"prefix":"> "}'],
          '{"kind":"data","payload":{"text":"x"}}\n',
        ),
        "bubu run",
      );
      check((jsonLines(cfg.stdout)[0]!.payload as { text: string }).text === "> X", `bubu run --config: ${cfg.stdout}`);
    });

    await step(`${rt}: impulse runs locally (story starts printed, not sent; flags override the script's)`, () => {
      const r = ok(
        task(rt, dirs.impulse, "start", ["--story", "other", "--config", '{"limit":2,"everyMs":1}']),
        "start",
      );
      const starts = jsonLines(r.stderr).filter((l) => l.msg === "story triggered (local: no cluster)");
      check(starts.length === 2, `stderr: ${r.stderr}`);
      check(starts[0]!.story === "other" && starts[1]!.token === "tick-2", JSON.stringify(starts));
    });

    await step(`${rt}: dual runs locally as batch and as streaming`, () => {
      const b = ok(task(rt, dirs.dual, "start", ["--inputs", '{"text":"yo"}']), "start");
      check(JSON.parse(b.stdout.trim()).text === "YO", `batch: ${b.stdout}`);
      const s = ok(
        bubu(rt, dirs.dual, ["run", "engram.ts", "--mode", "streaming"], '{"kind":"data","payload":{"text":"yo"}}\n'),
        "bubu run --mode streaming",
      );
      check((jsonLines(s.stdout)[0]!.payload as { text: string }).text === "YO", `streaming: ${s.stdout}`);
    });

    await step(`${rt}: template script regenerates the same Engram.yaml/Impulse.yaml`, () => {
      for (const kind of KINDS) {
        const file = join(dirs[kind], kind === "impulse" ? "Impulse.yaml" : "Engram.yaml");
        const before = readFileSync(file, "utf8");
        ok(task(rt, dirs[kind], "template"), `${kind} template`);
        const after = readFileSync(file, "utf8");
        check(after === before, `${kind}: the template from the file differs from init's:\n${after}`);
      }
      const batch = readFileSync(join(dirs.batch, "Engram.yaml"), "utf8");
      check(
        /secretSchema:\n\s+API_KEY:/.test(batch) && batch.includes("- job"),
        "batch template: no secretSchema or job mode",
      );
      check(
        readFileSync(join(dirs.impulse, "Impulse.yaml"), "utf8").includes("kind: ImpulseTemplate"),
        "impulse template kind",
      );
    });

    if (rt !== "deno") {
      // deno compile downloads its runtime from dl.deno.land, which this machine cannot reach.
      await step(`${rt}: build script compiles the batch app (bun build --compile) and the binary runs`, () => {
        const r = ok(task(rt, dirs.batch, "build"), "build");
        const bin = join(dirs.batch, "dist", "batch-app");
        check(existsSync(bin), `no binary: ${r.stderr}`);
        const run = ok(sh(bin, ["--inputs", '{"name":"Bin"}'], tmpdir(), { env: { PATH: "/usr/bin:/bin" } }), "binary");
        check(JSON.parse(run.stdout.trim()).message === "Hello, Bin!", run.stdout);
        return `${(statSync(bin).size / 1048576).toFixed(1)} MiB`;
      });
    }
  }
}

// --- Deno from JSR ------------------------------------------------------------------------------
await step("deno: --sdk <this working tree> links it as the JSR package: tests, run, template via jsr:…/cli", () => {
  const dir = join(work, "deno-jsr-app");
  const r = ok(
    sh(
      "node",
      [join(repo, "dist/cli/bubu.js"), "init", dir, "--kind", "batch", "--runtime", "deno", "--sdk", repo],
      work,
    ),
    "init",
  );
  const config = JSON.parse(readFileSync(join(dir, "deno.json"), "utf8")) as {
    imports: Record<string, string>;
    links: string[];
  };
  check(config.imports["@bubustack/sdk"]!.startsWith("jsr:@bubustack/sdk@"), JSON.stringify(config));
  check(resolve(dir, config.links[0]!) === repo, `links: ${JSON.stringify(config.links)}`);
  for (const command of nextSteps(r.stdout, false)) ok(sh("sh", ["-c", command], dir), command);
  const before = readFileSync(join(dir, "Engram.yaml"), "utf8");
  ok(sh("deno", ["task", "--quiet", "template"], dir), "deno task template");
  check(readFileSync(join(dir, "Engram.yaml"), "utf8") === before, "the template from jsr:…/cli differs from init's");
  const lock = existsSync(join(dir, "deno.lock")) ? readFileSync(join(dir, "deno.lock"), "utf8") : "";
  check(!lock.includes("jsr.io"), "the JSR package was fetched instead of linked");
});

// --- summary ------------------------------------------------------------------------------------
const failed = results.filter((r) => !r.ok).length;
const total = results.reduce((n, r) => n + r.ms, 0);
process.stdout.write(
  `\n${sizes.join("\n")}\nsteps took ${(total / 1000).toFixed(1)}s in all; work folder ${keep ? work : "removed"}\n`,
);
if (!keep) rmSync(work, { recursive: true, force: true });
process.stdout.write(`new-user: ${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
