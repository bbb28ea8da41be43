// The process kubelet's parts without a cluster: env resolution, the image map, the pod statuses
// the Job controller reads, and a real process in a private mount namespace.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { findImage, loadImages } from "../peers/cluster/images.ts";
import { expandVars, resolveEnv } from "../peers/cluster/pod-env.ts";
import { namespaceScript, startProcess } from "../peers/cluster/pod-process.ts";
import { PodConfigError, type RefReader } from "../peers/cluster/pod-refs.ts";
import { terminatedStatus } from "../peers/cluster/pod-status.ts";
import type { Pod } from "../peers/cluster/pod-types.ts";

test("expandVars: defined names are replaced, $$ escapes, unknown names stay", () => {
  const env: Record<string, string> = { A: "x", B_1: "y" };
  assert.equal(
    expandVars("$(A)-$(B_1)-$(C)", (n) => env[n]),
    "x-y-$(C)",
  );
  assert.equal(
    expandVars("$$(A) costs $5", (n) => env[n]),
    "$(A) costs $5",
  );
});

/** A RefReader over fixed objects (no API server). */
function fakeRefs(objects: Record<string, Record<string, string>>): RefReader {
  const object = async (kind: string, name: string) => {
    const o = objects[`${kind}/${name}`];
    return o && Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Buffer.from(v)]));
  };
  return {
    object,
    async key(kind: string, name: string | undefined, key: string, optional: boolean | undefined) {
      const o = await object(kind, name ?? "");
      if (!o) {
        if (optional) return undefined;
        throw new PodConfigError(`${kind} "${name}" not found`);
      }
      if (o[key] === undefined && !optional) throw new PodConfigError(`no key ${key}`);
      return o[key];
    },
  } as unknown as RefReader;
}

const pod: Pod = {
  metadata: { name: "p-1", namespace: "ns1", uid: "u-1", labels: { app: "probe" } },
  spec: { serviceAccountName: "runner", containers: [] },
};

test("resolveEnv: envFrom first, env overrides in order, refs, fieldRefs and $(VAR)", async () => {
  const refs = fakeRefs({ "configmaps/cm": { MODE: "cm", SHARED: "from-cm" }, "secrets/sec": { token: "s3cret" } });
  const env = await resolveEnv(
    pod,
    {
      name: "c",
      envFrom: [{ configMapRef: { name: "cm" } }, { prefix: "S_", secretRef: { name: "sec" } }],
      env: [
        { name: "SHARED", value: "from-env" },
        { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: "SA", valueFrom: { fieldRef: { fieldPath: "spec.serviceAccountName" } } },
        { name: "TOKEN", valueFrom: { secretKeyRef: { name: "sec", key: "token" } } },
        { name: "OPT", valueFrom: { configMapKeyRef: { name: "absent", key: "k", optional: true } } },
        { name: "COMBINED", value: "$(POD)/$(MODE)/$(HOST_VAR)" },
      ],
    },
    refs,
    { HOST_VAR: "h", SHARED: "base" },
    "127.0.0.1",
  );
  assert.equal(env.MODE, "cm");
  assert.equal(env.S_token, "s3cret");
  assert.equal(env.SHARED, "from-env");
  assert.equal(env.POD, "p-1");
  assert.equal(env.NS, "ns1");
  assert.equal(env.APP, "probe");
  assert.equal(env.SA, "runner");
  assert.equal(env.TOKEN, "s3cret");
  assert.equal("OPT" in env, false);
  assert.equal(env.COMBINED, "p-1/cm/h");
  assert.equal(env.HOST_VAR, "h");
});

test("resolveEnv: a missing Secret or key is a PodConfigError (the container waits)", async () => {
  const refs = fakeRefs({ "secrets/sec": { a: "1" } });
  await assert.rejects(
    resolveEnv(
      pod,
      { name: "c", env: [{ name: "X", valueFrom: { secretKeyRef: { name: "nope", key: "a" } } }] },
      refs,
      {},
      "127.0.0.1",
    ),
    (err) => err instanceof PodConfigError && /"nope" not found/.test(err.message),
  );
  await assert.rejects(
    resolveEnv(
      pod,
      { name: "c", env: [{ name: "X", valueFrom: { secretKeyRef: { name: "sec", key: "b" } } }] },
      refs,
      {},
      "127.0.0.1",
    ),
    PodConfigError,
  );
});

test("image map: files in name order, later wins, {repo} substituted, name == name:latest", () => {
  const dir = mkdtempSync(join(tmpdir(), "bubu-images-"));
  try {
    writeFileSync(
      join(dir, "00-a.json"),
      JSON.stringify({ "x/a:1": ["{repo}/bin/a", "--flag"], "x/b": { command: ["b"], env: { R: "{repo}" } } }),
    );
    writeFileSync(
      join(dir, "10-b.json"),
      JSON.stringify({ "x/a:1": { command: ["a2"], args: ["d"], cwd: "{repo}/w" } }),
    );
    writeFileSync(join(dir, "notes.txt"), "ignored");
    const images = loadImages(dir, "/repo");
    assert.deepEqual(findImage(images, "x/a:1"), { command: ["a2"], args: ["d"], env: {}, cwd: "/repo/w" });
    assert.deepEqual(findImage(images, "x/b:latest")?.env, { R: "/repo" });
    assert.equal(findImage(images, "x/b:2"), undefined);
    writeFileSync(join(dir, "20-bad.json"), JSON.stringify({ "x/c": { command: "not-an-array" } }));
    assert.throws(() => loadImages(dir, "/repo"), /command must be an array of strings/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("pod status: the exit code lands in containerStatuses[0].state.terminated; phase follows it", () => {
  const at = "2026-12-06T00:00:00Z";
  const ok = terminatedStatus("engram", "img", { exitCode: 0, startedAt: at, finishedAt: at, pid: 7 }).status as Record<
    string,
    any
  >;
  assert.equal(ok.phase, "Succeeded");
  assert.equal(ok.containerStatuses[0].state.terminated.exitCode, 0);
  const term = terminatedStatus("engram", "img", { exitCode: 143, startedAt: at, finishedAt: at, pid: 7 })
    .status as Record<string, any>;
  assert.equal(term.phase, "Failed");
  assert.deepEqual(term.containerStatuses[0].state.terminated, {
    exitCode: 143,
    reason: "Error",
    startedAt: at,
    finishedAt: at,
    containerID: "process://7",
  });
  const late = terminatedStatus("engram", "img", {
    exitCode: 0,
    startedAt: at,
    finishedAt: at,
    pid: 7,
    podReason: "DeadlineExceeded",
    podMessage: "m",
  }).status as Record<string, any>;
  assert.equal(late.phase, "Failed");
  assert.equal(late.reason, "DeadlineExceeded");
});

test("namespaceScript: single quotes in paths are quoted, read-only mounts are remounted", () => {
  const s = namespaceScript([{ source: "/tmp/it's", target: "/run/x", readOnly: true }], "/w");
  assert.match(s, /mount --bind '\/tmp\/it'\\''s' '\/run\/x'/);
  assert.match(s, /mount -o remount,bind,ro '\/run\/x'/);
  assert.match(s, /^set -e\nmount -t tmpfs/);
  assert.match(s, /exec "\$@"$/);
});

/** Whether this machine lets us make a mount namespace (root, or unprivileged user namespaces). */
function canUnshare(): boolean {
  return existsSync("/usr/bin/unshare") && process.platform === "linux";
}

test("a pod process sees its files at the in-cluster path; the host does not; SIGTERM ends it with 143", {
  skip: canUnshare() || process.env.CI === "true" ? false : "no unshare on this machine",
  timeout: 30_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "bubu-pod-"));
  try {
    const sa = join(dir, "sa");
    mkdirSync(sa);
    writeFileSync(join(sa, "token"), "tok-123");
    writeFileSync(join(sa, "namespace"), "ns1");
    const target = "/var/run/secrets/kubernetes.io/serviceaccount";
    const script = `cat ${target}/token; echo; cat ${target}/namespace; echo; echo "$BUBU_X"; exit 3`;
    const p = startProcess({
      argv: ["/bin/sh", "-c", script],
      env: { PATH: "/usr/bin:/bin", BUBU_X: "env-ok" },
      cwd: dir,
      mounts: [{ source: sa, target, readOnly: true }],
      stdoutFile: join(dir, "out"),
      stderrFile: join(dir, "err"),
    });
    const exit = await p.exited;
    assert.equal(exit.exitCode, 3, readFileSync(join(dir, "err"), "utf8"));
    assert.equal(readFileSync(join(dir, "out"), "utf8"), "tok-123\nns1\nenv-ok\n");
    assert.equal(existsSync(`${target}/token`), false, "the mount leaked to the host");

    const sleeper = startProcess({
      argv: ["/bin/sleep", "30"],
      env: { PATH: "/usr/bin:/bin" },
      cwd: dir,
      mounts: [],
      stdoutFile: join(dir, "out2"),
      stderrFile: join(dir, "err2"),
    });
    await new Promise((r) => setTimeout(r, 300));
    sleeper.kill("SIGTERM");
    assert.deepEqual(await sleeper.exited, { exitCode: 143, signal: "SIGTERM" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
