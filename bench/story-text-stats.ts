// Wall time of one examples/text-stats Story run (three engram steps in a chain), locally through
// the Story runner (runStory) and on the cluster peer (the real operator, engrams as the process
// kubelet's pods), with the same engram files under the same runtime. Runs alternate between the
// two sides. Local: runStory's call to its return. Cluster: StoryRun created → terminal phase
// seen (polled every 100 ms), in a namespace whose objects were applied beforehand.
// Start the peer first: bash test/peers/cluster/start.sh
// Run: node bench/story-text-stats.ts [runs=3] [bun,deno,node]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parseManifests } from "../src/story/load.ts";
import { runStory } from "../src/story/run-story.ts";
import type { Json } from "../test/peers/cluster/kube-api.ts";
import { apply, collectionPath, createNamespace, registerImages, waitFor } from "../test/peers/cluster/objects.ts";
import { clusterPeer } from "../test/peers/cluster/peer.ts";
import { commandFor, type RuntimeName, repoRoot } from "../test/support/spawn.ts";
import { median } from "./support.ts";

const runs = Number(process.argv[2] ?? 3);
const runtimes = (process.argv[3] ?? "bun").split(",") as RuntimeName[];
const peer = clusterPeer();
if (!peer) throw new Error("the cluster peer is not running: bash test/peers/cluster/start.sh");

const here = join(repoRoot, "examples/text-stats");
const inputs = { text: "To be, or not to be: that is the question." };
const expected = { summary: "Text stats: 10 words; most frequent: be (2), to (2), is (1).", words: 10 };
const NAMES = ["split", "rank", "report"] as const;
const RUNS = "runs.bubustack.io/v1alpha1";

const api = peer.api();
const ns = await createNamespace(api, "bench-text-stats");
try {
  for (const rt of runtimes) {
    const resources = parseManifests(readFileSync(join(here, "story.yaml"), "utf8"));
    const engrams: Record<string, string[]> = {};
    const images: Record<string, unknown> = {};
    for (const name of NAMES) {
      const [cmd, args] = commandFor(rt, join(here, `${name}.ts`));
      engrams[`text-${name}`] = [cmd, ...args];
      images[`bubu-bench/text-${name}:${rt}`] = { command: [cmd, ...args], cwd: repoRoot };
    }
    registerImages(peer, `bench-text-stats-${rt}`, images);
    // The cluster objects: the example's manifests, templates named per namespace and runtime.
    const tpl = (name: string): string => `${name}-${rt}-${ns}`;
    for (const t of resources.templates) {
      await apply(api, {
        ...t,
        metadata: { name: tpl(t.metadata.name) },
        spec: { ...t.spec, image: `bubu-bench/${t.metadata.name}:${rt}` },
      } as unknown as Json);
    }
    for (const e of resources.engrams) {
      await apply(api, {
        ...e,
        metadata: { name: e.metadata.name, namespace: ns },
        spec: { ...e.spec, templateRef: { name: tpl(e.spec.templateRef!.name) } },
      } as unknown as Json);
    }
    const story = resources.stories[0]!;
    await apply(api, { ...story, metadata: { name: `text-stats-${rt}`, namespace: ns } } as unknown as Json);

    const local: number[] = [];
    const cluster: number[] = [];
    for (let i = 0; i <= runs; i++) {
      let t0 = performance.now();
      const r = await runStory({ story: "text-stats", resources, engrams, baseDir: here, inputs });
      const localMs = performance.now() - t0;
      if (r.phase !== "Succeeded" || !isDeepStrictEqual(r.output, expected))
        throw new Error(`local run: ${r.phase} ${r.message} ${JSON.stringify(r.output)}`);

      const name = `text-stats-${rt}-${i}`;
      t0 = performance.now();
      await apply(api, {
        apiVersion: RUNS,
        kind: "StoryRun",
        metadata: { name, namespace: ns },
        spec: { storyRef: { name: `text-stats-${rt}` }, inputs },
      });
      const status = await waitFor(
        `StoryRun ${name}`,
        async () => {
          const st = ((await api.get<Json>(`${collectionPath(RUNS, "StoryRun", ns)}/${name}`)).status ?? {}) as Json;
          return ["Succeeded", "Failed", "Timeout", "Canceled"].includes(st.phase as string) ? st : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 100 },
      );
      const clusterMs = performance.now() - t0;
      if (status.phase !== "Succeeded" || !isDeepStrictEqual(status.output, expected))
        throw new Error(`cluster run: ${JSON.stringify(status)}`);
      // The first pair warms the file cache and the operator's informers.
      if (i > 0) {
        local.push(localMs);
        cluster.push(clusterMs);
      }
      console.log(
        `${rt} run ${i}${i === 0 ? " (warm-up)" : ""}: local ${Math.round(localMs)} ms, cluster ${Math.round(clusterMs)} ms`,
      );
    }
    const fmt = (xs: number[]): string =>
      `median ${Math.round(median(xs))} ms (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))})`;
    console.log(`${rt.padEnd(4)} text-stats, ${runs} runs: local ${fmt(local)}; cluster peer ${fmt(cluster)}`);
  }
} finally {
  for (const rt of runtimes) {
    for (const name of NAMES)
      await api.raw(
        "DELETE",
        `${collectionPath("catalog.bubustack.io/v1alpha1", "EngramTemplate")}/text-${name}-${rt}-${ns}`,
      );
  }
  await api.raw("DELETE", `/api/v1/namespaces/${ns}`);
  api.close();
}
