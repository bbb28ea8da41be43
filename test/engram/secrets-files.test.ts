import assert from "node:assert/strict";
import * as fsp from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { expandSecrets, type SecretExpansionResult } from "../../src/engram/secret-expansion.ts";
import {
  describeFsError,
  readFileSecrets,
  SECRET_MAX_FILE_BYTES,
  SECRET_MAX_FILES,
} from "../../src/engram/secret-files.ts";
import type { FileInfo, RuntimeFs } from "../../src/runtime/types.ts";

// A RuntimeFs over node:fs/promises (works unchanged in Node, Bun and Deno).
const nodeFs: RuntimeFs = {
  readFile: async (p) => new Uint8Array(await fsp.readFile(p)),
  readTextFile: (p) => fsp.readFile(p, "utf8"),
  writeFile: (p, d) => fsp.writeFile(p, d),
  appendFile: (p, d) => fsp.appendFile(p, d),
  createNew: () => Promise.reject(new Error("not used")),
  rename: (a, b) => fsp.rename(a, b),
  mkdir: async (p) => {
    await fsp.mkdir(p, { recursive: true });
  },
  remove: (p, o) => fsp.rm(p, { recursive: o?.recursive ?? false, force: true }),
  lstat: async (p): Promise<FileInfo> => {
    const s = await fsp.lstat(p);
    return { isFile: s.isFile(), isDirectory: s.isDirectory(), isSymlink: s.isSymbolicLink(), size: s.size };
  },
  realPath: (p) => fsp.realpath(p),
  readDir: async (p) =>
    (await fsp.readdir(p, { withFileTypes: true })).map((d) => ({
      name: d.name,
      isFile: d.isFile(),
      isDirectory: d.isDirectory(),
      isSymlink: d.isSymbolicLink(),
    })),
};

let root = "";
before(async () => {
  root = await fsp.realpath(await fsp.mkdtemp(join(tmpdir(), "bubu-secrets-files-")));
});
after(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

async function mkdir(...parts: string[]): Promise<string> {
  const dir = join(root, ...parts);
  await fsp.mkdir(dir, { recursive: true });
  return dir;
}

function expand(
  raw: Record<string, string>,
  fs: RuntimeFs = nodeFs,
  warn?: (m: string) => void,
): Promise<SecretExpansionResult> {
  return expandSecrets(raw, { env: {}, fs, warn });
}

function assertNoText(result: SecretExpansionResult, secrets: string[]): void {
  const text = [result.error?.message ?? "", ...result.errors.map((e) => `${e.message}\n${e.stack ?? ""}`)].join("\n");
  for (const s of secrets) assert.ok(!text.includes(s), `error text leaked ${s}: ${text}`);
}

describe("file: a single file", () => {
  test("key is the base name; trailing newlines trimmed (not \\r, not leading)", async () => {
    const dir = await mkdir("single");
    await fsp.writeFile(join(dir, "api-key"), "\nsk-123\r\n\n\n");
    const r = await expand({ API: `file:${join(dir, "api-key")}` });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.secrets.raw(), { "api-key": "\nsk-123\r" });
  });

  test("the path is trimmed", async () => {
    const dir = await mkdir("trimmed");
    await fsp.writeFile(join(dir, "k"), "v");
    const r = await expand({ K: `file:  ${join(dir, "k")} ` });
    assert.deepEqual(r.secrets.raw(), { k: "v" });
  });

  test("an empty file gives an empty value", async () => {
    const dir = await mkdir("emptyfile");
    await fsp.writeFile(join(dir, "e"), "\n");
    assert.deepEqual((await expand({ E: `file:${join(dir, "e")}` })).secrets.raw(), { e: "" });
  });
});

describe("file: a directory", () => {
  test("walk with slash-separated relative keys", async () => {
    const dir = await mkdir("tree");
    await fsp.mkdir(join(dir, "sub", "deeper"), { recursive: true });
    await fsp.writeFile(join(dir, "a"), "A\n");
    await fsp.writeFile(join(dir, "sub", "b"), "B");
    await fsp.writeFile(join(dir, "sub", "deeper", "c"), "C");
    const r = await expand({ T: `file:${dir}` });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.secrets.raw(), { a: "A", "sub/b": "B", "sub/deeper/c": "C" });
  });

  test("Kubernetes secret-volume layout resolves to the visible key names (quirk E1 fixed)", async () => {
    const dir = await mkdir("k8s-volume");
    const stamp = "..2026_11_28_10_00_00.123456789";
    await fsp.mkdir(join(dir, stamp, "nested"), { recursive: true });
    await fsp.writeFile(join(dir, stamp, "username"), "admin\n");
    await fsp.writeFile(join(dir, stamp, "password"), "s3cr3t\n");
    await fsp.writeFile(join(dir, stamp, "nested", "x"), "X");
    await fsp.symlink(stamp, join(dir, "..data"));
    await fsp.symlink(join("..data", "username"), join(dir, "username"));
    await fsp.symlink(join("..data", "password"), join(dir, "password"));
    await fsp.symlink(join("..data", "nested"), join(dir, "nested"));
    const r = await expand({ DB: `file:${dir}` });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.secrets.raw(), { "nested/x": "X", password: "s3cr3t", username: "admin" });
  });

  test("symlinks leaving the mount and dangling symlinks are skipped with a warning", async () => {
    const outside = await mkdir("outside");
    await fsp.writeFile(join(outside, "stolen"), "do-not-read");
    const dir = await mkdir("escape");
    await fsp.writeFile(join(dir, "ok"), "fine");
    await fsp.symlink(join(outside, "stolen"), join(dir, "link-out"));
    await fsp.symlink(join(dir, "missing"), join(dir, "dangling"));
    const warnings: string[] = [];
    const r = await expand({ S: `file:${dir}` }, nodeFs, (m) => warnings.push(m));
    assert.equal(r.error, undefined);
    assert.deepEqual(r.secrets.raw(), { ok: "fine" });
    assert.ok(warnings.includes("skipping secret symlink that leaves the mount"), warnings.join());
    assert.ok(warnings.includes("skipping dangling secret symlink"), warnings.join());
  });

  test("a directory cycle through a symlink terminates", async () => {
    const dir = await mkdir("cycle");
    await fsp.mkdir(join(dir, "sub"));
    await fsp.writeFile(join(dir, "sub", "v"), "1");
    await fsp.symlink("..", join(dir, "sub", "loop"));
    const r = await expand({ C: `file:${dir}` });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.secrets.raw(), { "sub/v": "1" });
  });

  test("a symlink to a file inside the mount is read under its own name", async () => {
    const dir = await mkdir("alias");
    await fsp.writeFile(join(dir, "real"), "R");
    await fsp.symlink("real", join(dir, "alias"));
    const r = await expand({ A: `file:${dir}` });
    assert.deepEqual(r.secrets.raw(), { alias: "R", real: "R" });
  });
});

describe("file: rejected descriptors and failures", () => {
  test("a symlinked root is rejected", async () => {
    const dir = await mkdir("real-root");
    await fsp.writeFile(join(dir, "k"), "value-behind-symlink");
    const link = join(root, "root-link");
    await fsp.symlink(dir, link);
    const r = await expand({ L: `file:${link}` });
    assert.equal(r.secrets.size, 0);
    assert.equal(
      r.error?.message,
      'secret expansion failed: secret "L" (file): invalid secret descriptor: file secret path must not be a symlink',
    );
    assertNoText(r, ["value-behind-symlink", link]);
  });

  test("a missing path: lstat error without the path", async () => {
    const missing = join(root, "no-such-secret-path");
    const r = await expand({ M: `file:${missing}` });
    assert.equal(r.error?.message, 'secret expansion failed: secret "M" (file): lstat: no such file or directory');
    assertNoText(r, [missing, "no-such-secret-path"]);
  });

  test("empty path", async () => {
    const r = await expand({ E: "file:", F: "file:   " });
    assert.deepEqual(
      r.errors.map((e) => e.message),
      [
        'secret expansion failed: secret "E" (file): invalid secret descriptor: file secret path must not be empty',
        'secret expansion failed: secret "F" (file): invalid secret descriptor: file secret path must not be empty',
      ],
    );
  });

  test("a non-regular root (character device) is rejected", async () => {
    const r = await expand({ D: "file:/dev/null" });
    assert.equal(
      r.error?.message,
      'secret expansion failed: secret "D" (file): invalid secret descriptor: file secret path must reference a regular file or directory',
    );
  });

  test("an unreadable file fails the descriptor without value or path; others still expand", async () => {
    const dir = await mkdir("unreadable");
    await fsp.writeFile(join(dir, "locked"), "locked-value");
    // Tests run as root here, so chmod cannot deny reads: the file system refuses instead, with
    // an error whose message (like Node's) contains the path and some text.
    const denying: RuntimeFs = {
      ...nodeFs,
      readFile: (p) =>
        Promise.reject(
          Object.assign(new Error(`EACCES: permission denied, open '${p}' (locked-value)`), {
            code: "EACCES",
            syscall: "open",
            path: p,
          }),
        ),
    };
    const r = await expand({ LOCK: `file:${dir}`, OK: "literal-ok" }, denying);
    assert.deepEqual(r.secrets.raw(), { OK: "literal-ok" });
    assert.equal(r.error?.message, 'secret expansion failed: secret "LOCK" (file): open: permission denied');
    assertNoText(r, ["locked-value", dir, "literal-ok"]);
  });

  test("a Deno-style error (no errno code) and an unknown error are described safely", () => {
    const denoNotFound = Object.assign(new Error("No such file or directory (os error 2): lstat '/x/y'"), {
      name: "NotFound",
    });
    assert.equal(describeFsError("lstat", denoNotFound), "lstat: no such file or directory");
    assert.equal(describeFsError("open", new TypeError("value=hunter2")), "open: unknown error");
    assert.equal(describeFsError("open", { code: "EXDEV" }), "open: EXDEV");
    assert.equal(describeFsError("open", { code: "hunter2 is the password" }), "open: unknown error");
    assert.equal(describeFsError("open", null), "open: unknown error");
  });

  test("a RuntimeFs that throws unexpectedly from readDir is reported without its message", async () => {
    const dir = await mkdir("weird");
    const broken: RuntimeFs = { ...nodeFs, readDir: () => Promise.reject(new Error("secret-ish text")) };
    const r = await expand({ W: `file:${dir}` }, broken);
    assert.equal(r.error?.message, 'secret expansion failed: secret "W" (file): open: unknown error');
  });

  test("no failure message ever contains a literal descriptor", async () => {
    const r = await expand({ A_LIT: "literal-secret-value", B: "env:", C: "file:/definitely/missing/path" });
    assert.equal(r.secrets.get("A_LIT"), "literal-secret-value");
    assert.equal(r.errors.length, 2);
    assertNoText(r, ["literal-secret-value", "/definitely/missing/path"]);
  });
});

describe("file: limits", () => {
  test(`more than ${SECRET_MAX_FILES} files fails the whole descriptor`, async () => {
    const dir = await mkdir("many");
    await Promise.all(
      Array.from({ length: SECRET_MAX_FILES + 1 }, (_, i) =>
        fsp.writeFile(join(dir, `f${String(i).padStart(3, "0")}`), "x"),
      ),
    );
    const r = await expand({ MANY: `file:${dir}`, OK: "ok" });
    assert.deepEqual(r.secrets.names(), ["OK"]);
    assert.equal(
      r.error?.message,
      'secret expansion failed: secret "MANY" (file): invalid secret descriptor: secret file count exceeds max 256',
    );
  });

  test(`exactly ${SECRET_MAX_FILES} files is allowed`, async () => {
    const dir = await mkdir("max-files");
    await Promise.all(Array.from({ length: SECRET_MAX_FILES }, (_, i) => fsp.writeFile(join(dir, `f${i}`), "x")));
    const values = await readFileSecrets(dir, nodeFs);
    assert.equal(values.size, SECRET_MAX_FILES);
  });

  test("a file over 1 MiB fails; exactly 1 MiB is fine", async () => {
    const dir = await mkdir("big");
    await fsp.writeFile(join(dir, "exact"), new Uint8Array(SECRET_MAX_FILE_BYTES).fill(97));
    assert.equal((await readFileSecrets(join(dir, "exact"), nodeFs)).get("exact")?.length, SECRET_MAX_FILE_BYTES);
    await fsp.writeFile(join(dir, "huge"), new Uint8Array(SECRET_MAX_FILE_BYTES + 1).fill(97));
    const r = await expand({ BIG: `file:${dir}` });
    assert.equal(
      r.error?.message,
      'secret expansion failed: secret "BIG" (file): invalid secret descriptor: secret file huge exceeds max size 1048576',
    );
  });

  test("a file that grows between lstat and read is still capped", async () => {
    const dir = await mkdir("grows");
    await fsp.writeFile(join(dir, "g"), "small");
    const growing: RuntimeFs = {
      ...nodeFs,
      readFile: () => Promise.resolve(new Uint8Array(SECRET_MAX_FILE_BYTES + 1)),
    };
    const r = await expand({ G: `file:${dir}` }, growing);
    assert.match(r.error?.message ?? "", /secret file g exceeds max size 1048576$/);
  });

  test("more than 8 MiB in total fails", async () => {
    const dir = await mkdir("total");
    const chunk = new Uint8Array(SECRET_MAX_FILE_BYTES).fill(98);
    for (let i = 0; i < 9; i++) await fsp.writeFile(join(dir, `part${i}`), chunk);
    const r = await expand({ TOTAL: `file:${dir}` });
    assert.equal(
      r.error?.message,
      'secret expansion failed: secret "TOTAL" (file): invalid secret descriptor: secret file expansion exceeds max total size 8388608',
    );
    assert.equal(r.secrets.size, 0);
  });
});

describe("file: merging with other descriptors", () => {
  test("file keys do not overwrite earlier keys; a later literal does", async () => {
    const dir = await mkdir("merge");
    await fsp.writeFile(join(dir, "TOKEN"), "from-file");
    await fsp.writeFile(join(dir, "USER"), "file-user");
    const r = await expandSecrets(
      { A_ENV: "env:P_", B_FILE: `file:${dir}`, USER: "literal-user" },
      { env: { P_TOKEN: "from-env" }, fs: nodeFs },
    );
    assert.deepEqual(r.secrets.raw(), { TOKEN: "from-env", USER: "literal-user" });
  });

  test("abort during a walk returns the set without the interrupted descriptor", async () => {
    const dir = await mkdir("abort");
    await fsp.writeFile(join(dir, "a"), "1");
    await fsp.writeFile(join(dir, "b"), "2");
    const controller = new AbortController();
    const aborting: RuntimeFs = {
      ...nodeFs,
      readFile: async (p) => {
        const data = await nodeFs.readFile(p);
        controller.abort(new Error("stop"));
        return data;
      },
    };
    const r = await expandSecrets(
      { A: "first-literal", B: `file:${dir}`, C: "never" },
      { env: {}, fs: aborting, signal: controller.signal },
    );
    assert.deepEqual(r.secrets.raw(), { A: "first-literal" });
    assert.equal(r.error?.message, "stop");
  });
});
