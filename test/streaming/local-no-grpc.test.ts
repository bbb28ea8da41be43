// A streaming engram run locally (stdin/stdout) loads none of the gRPC packages, so a project
// without them can run one; the connector side (which needs them) is behind a dynamic import.
// The module graph comes from `deno info --json` (a real parser, which marks dynamic imports).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../support/spawn.ts";

const GRPC = /^@(connectrpc\/connect|connectrpc\/connect-node|bufbuild\/protobuf)(\/|$)/;

interface Dep {
  readonly specifier: string;
  readonly code?: { readonly specifier: string };
  readonly isDynamic?: boolean;
}
interface Mod {
  readonly specifier: string;
  readonly dependencies?: readonly Dep[];
}

/** Each module's runtime imports: `static` ones load with it, `dynamic` ones on demand. */
function graph(entry: string): Map<string, { static: string[]; dynamic: string[] }> {
  const deno = join(repoRoot, ".cache/runtimes/deno");
  const info = spawnSync(deno, ["info", "--json", join(repoRoot, entry)], {
    cwd: repoRoot,
    encoding: "utf8",
    maxBuffer: 256 << 20,
  });
  assert.equal(info.status, 0, info.stderr);
  const out = new Map<string, { static: string[]; dynamic: string[] }>();
  for (const m of (JSON.parse(info.stdout) as { modules: Mod[] }).modules) {
    const edges = { static: [] as string[], dynamic: [] as string[] };
    for (const d of m.dependencies ?? []) {
      // A type-only import has no `code` and is erased.
      if (d.code === undefined) continue;
      // Bare specifiers stay as written; relative ones are resolved.
      const target = GRPC.test(d.specifier) ? d.specifier : d.code.specifier;
      (d.isDynamic ? edges.dynamic : edges.static).push(target);
    }
    out.set(m.specifier, edges);
  }
  return out;
}

/** What loading `from` loads (static imports, transitively), and the gRPC packages among it. */
function staticClosure(g: ReturnType<typeof graph>, from: string): { modules: Set<string>; grpc: string[] } {
  const modules = new Set<string>();
  const grpc: string[] = [];
  const todo = [from];
  while (todo.length > 0) {
    const m = todo.pop()!;
    if (modules.has(m)) continue;
    modules.add(m);
    for (const t of g.get(m)?.static ?? []) {
      if (GRPC.test(t)) grpc.push(`${m.replace(pathToFileURL(repoRoot).href + "/", "")} → ${t}`);
      else todo.push(t);
    }
  }
  return { modules, grpc };
}

const url = (path: string): string => pathToFileURL(join(repoRoot, path)).href;

test("startStreaming and local mode load no gRPC package; the connector side needs them and is loaded on demand", () => {
  const g = graph("src/streaming/start-streaming.ts");
  const local = staticClosure(g, url("src/streaming/start-streaming.ts"));
  assert.deepEqual(local.grpc, [], "gRPC packages loaded by a local streaming run");
  assert.ok(local.modules.has(url("src/streaming/local-mode.ts")));
  assert.ok(!local.modules.has(url("src/streaming/connector.ts")), "the connector side is not loaded statically");
  assert.ok(g.get(url("src/streaming/start-streaming.ts"))?.dynamic.includes(url("src/streaming/connector.ts")));
  // The check can fail: the connector side does load them.
  const connector = staticClosure(g, url("src/streaming/connector.ts"));
  for (const pkg of ["@connectrpc/connect", "@bufbuild/protobuf"]) {
    assert.ok(
      connector.grpc.some((edge) => edge.endsWith(`→ ${pkg}`) || edge.includes(`→ ${pkg}/`)),
      `${pkg} not found on the connector side: ${connector.grpc.join(", ")}`,
    );
  }
});
