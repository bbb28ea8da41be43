import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { detectRuntime } from "../../src/runtime/detect.ts";

describe("Runtime.fs", () => {
  const { fs } = detectRuntime();
  let dir = "";
  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), "bubu-fs-")));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("writeFile and readFile round-trip bytes and text", async () => {
    const bin = join(dir, "bin");
    await fs.writeFile(bin, new Uint8Array([0, 255, 10]));
    assert.deepEqual([...(await fs.readFile(bin))], [0, 255, 10]);
    const txt = join(dir, "txt");
    await fs.writeFile(txt, "héllo\n");
    assert.equal(await fs.readTextFile(txt), "héllo\n");
    assert.equal(readFileSync(txt, "utf8"), "héllo\n");
    await fs.writeFile(txt, "x");
    assert.equal(await fs.readTextFile(txt), "x", "truncates");
  });

  test("readTextFile keeps a byte-order mark (like Go's os.ReadFile)", async () => {
    const p = join(dir, "bom");
    writeFileSync(p, new Uint8Array([0xef, 0xbb, 0xbf, 0x61]));
    assert.equal(await fs.readTextFile(p), "\uFEFFa");
  });

  test("reading a missing file rejects with code ENOENT", async () => {
    await assert.rejects(() => fs.readFile(join(dir, "missing")), { code: "ENOENT" });
    await assert.rejects(() => fs.lstat(join(dir, "missing")), { code: "ENOENT" });
  });

  test("writeFile to a temp name then rename replaces the target", async () => {
    const target = join(dir, "config.json");
    await fs.writeFile(target, "old");
    const tmp = `${target}.tmp`;
    await fs.writeFile(tmp, "new");
    await fs.rename(tmp, target);
    assert.equal(await fs.readTextFile(target), "new");
    assert.equal(existsSync(tmp), false);
  });

  test("mkdir is recursive and tolerates an existing directory", async () => {
    const deep = join(dir, "a", "b", "c");
    await fs.mkdir(deep);
    await fs.mkdir(deep);
    assert.equal((await fs.lstat(deep)).isDirectory, true);
  });

  test("lstat reports a symlink without following it; realPath resolves it", async () => {
    const target = join(dir, "target.txt");
    writeFileSync(target, "12345");
    const link = join(dir, "link");
    symlinkSync(target, link);
    assert.deepEqual(await fs.lstat(link), {
      isFile: false,
      isDirectory: false,
      isSymlink: true,
      size: Buffer.byteLength(target),
    });
    assert.deepEqual(await fs.lstat(target), { isFile: true, isDirectory: false, isSymlink: false, size: 5 });
    assert.equal(await fs.realPath(link), target);
    // Kubernetes secret volumes: ..data -> timestamped dir, key -> ..data/key
    mkdirSync(join(dir, "vol", "..2026_11_28"), { recursive: true });
    writeFileSync(join(dir, "vol", "..2026_11_28", "token"), "t");
    symlinkSync("..2026_11_28", join(dir, "vol", "..data"));
    symlinkSync("..data/token", join(dir, "vol", "token"));
    assert.equal(await fs.realPath(join(dir, "vol", "token")), join(dir, "vol", "..2026_11_28", "token"));
    assert.equal(await fs.readTextFile(join(dir, "vol", "token")), "t");
  });

  test("readDir lists entries with their types, sorted by name", async () => {
    const d = join(dir, "list");
    mkdirSync(join(d, "sub"), { recursive: true });
    writeFileSync(join(d, "b.txt"), "");
    writeFileSync(join(d, "A.txt"), "");
    symlinkSync("b.txt", join(d, "c-link"));
    assert.deepEqual(await fs.readDir(d), [
      { name: "A.txt", isFile: true, isDirectory: false, isSymlink: false },
      { name: "b.txt", isFile: true, isDirectory: false, isSymlink: false },
      { name: "c-link", isFile: false, isDirectory: false, isSymlink: true },
      { name: "sub", isFile: false, isDirectory: true, isSymlink: false },
    ]);
    await assert.rejects(() => fs.readDir(join(dir, "missing")), { code: "ENOENT" });
  });

  test("remove: files, empty dirs, recursive trees, missing paths", async () => {
    const f = join(dir, "rm-file");
    writeFileSync(f, "x");
    await fs.remove(f);
    assert.equal(existsSync(f), false);
    await fs.remove(f); // missing: no error
    await fs.remove(join(dir, "never", "existed"), { recursive: true });

    const empty = join(dir, "rm-empty");
    mkdirSync(empty);
    await fs.remove(empty);
    assert.equal(existsSync(empty), false);

    const tree = join(dir, "rm-tree");
    mkdirSync(join(tree, "x", "y"), { recursive: true });
    writeFileSync(join(tree, "x", "y", "z"), "z");
    await assert.rejects(() => fs.remove(tree), { code: "ENOTEMPTY" });
    assert.equal(existsSync(tree), true);
    await fs.remove(tree, { recursive: true });
    assert.equal(existsSync(tree), false);
  });

  test("remove of a symlink removes the link, not the target", async () => {
    const target = join(dir, "keep");
    mkdirSync(target);
    writeFileSync(join(target, "f"), "f");
    const link = join(dir, "keep-link");
    symlinkSync(target, link);
    await fs.remove(link, { recursive: true });
    assert.equal(existsSync(link), false);
    assert.equal(readFileSync(join(target, "f"), "utf8"), "f");
  });
});
