/**
 * A local `@bubustack/sdk` for `bubu init --sdk <path>`: a packed `.tgz` or a folder. Node and Bun
 * install either from a `file:` dependency. Deno cannot: `deno install` links a `file:` tarball
 * as it is (node_modules/@bubustack/sdk becomes a symlink to the .tgz) and does not install a
 * `file:` folder's dependencies. It installs a folder named in deno.json `links` properly, so for
 * Deno a tarball is unpacked into the project and linked.
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "./args.ts";

/** Where a Deno project keeps the unpacked SDK of a `--sdk` tarball. */
export const VENDOR_DIR = "vendor/bubustack-sdk";

const PACKAGE = "@bubustack/sdk";

/** A local SDK's package: its version, and whether it is a JSR package (a deno.json names it). */
export interface LocalPackage {
  readonly version: string;
  readonly jsr: boolean;
}

/** The `@bubustack/sdk` package in `path` (a .tgz or a folder); a usage error when it is not one. */
export function readLocalPackage(path: string, given: string): LocalPackage {
  if (statSync(path).isDirectory()) {
    for (const manifest of ["deno.json", "package.json"]) {
      const file = join(path, manifest);
      if (!existsSync(file)) continue;
      const version = sdkVersion(readFileSync(file, "utf8"), given);
      return { version, jsr: manifest === "deno.json" };
    }
    throw new UsageError(`--sdk: ${given} has no package.json or deno.json`);
  }
  const r = spawnSync("tar", ["-xzOf", path, "package/package.json"], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.error !== undefined || r.status !== 0)
    throw new UsageError(`--sdk: cannot read package/package.json in ${given} (${tarFailure(r)})`);
  return { version: sdkVersion(r.stdout, given), jsr: false };
}

/** Unpacks the npm tarball at `tgz` into `<project>/vendor/bubustack-sdk/`. */
export function unpackInto(project: string, tgz: string, given: string): void {
  const dest = join(project, VENDOR_DIR);
  mkdirSync(dest, { recursive: true });
  const r = spawnSync("tar", ["-xzf", tgz, "-C", dest, "--strip-components=1"], { encoding: "utf8" });
  if (r.error !== undefined || r.status !== 0) {
    rmSync(dest, { recursive: true, force: true });
    throw new Error(
      `cannot unpack ${given} into ${VENDOR_DIR} (${tarFailure(r)}); unpack it yourself: ` +
        `mkdir -p ${VENDOR_DIR} && tar -xzf ${given} -C ${VENDOR_DIR} --strip-components=1`,
    );
  }
}

function sdkVersion(manifest: string, given: string): string {
  let json: { name?: unknown; version?: unknown };
  try {
    json = JSON.parse(manifest) as typeof json;
  } catch {
    throw new UsageError(`--sdk: the manifest in ${given} is not JSON`);
  }
  if (json.name !== PACKAGE) throw new UsageError(`--sdk: ${given} is ${String(json.name)}, not ${PACKAGE}`);
  if (typeof json.version !== "string" || json.version === "") throw new UsageError(`--sdk: ${given} has no version`);
  return json.version;
}

function tarFailure(r: { error?: Error; status: number | null; stderr: string | Buffer }): string {
  if (r.error !== undefined) return `tar did not run: ${r.error.message}`;
  return String(r.stderr).trim().split("\n")[0] || `tar exited ${r.status}`;
}
