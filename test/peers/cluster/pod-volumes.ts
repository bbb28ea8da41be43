/**
 * A container's volumes as host folders under the pod's state dir, plus where each is mounted.
 * Honoured: projected (serviceAccountToken through the TokenRequest API, configMap, secret,
 * downwardAPI), secret, configMap, downwardAPI, emptyDir, hostPath. Mount targets under /run
 * (/var/run) land in the pod's private tmpfs; other targets must be existing folders (they are
 * bind-mounted over, in the pod's mount namespace only); anything else is reported, not mounted.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize } from "node:path";
import process from "node:process";
import type { KubeApi } from "./kube-api.ts";
import { PodConfigError, podField, type RefReader } from "./pod-refs.ts";
import type { Container, DownwardItem, KeyToPath, Pod, Volume } from "./pod-types.ts";

/** One bind mount inside the pod's mount namespace. */
export interface Mount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/** A service-account token file to renew before it expires. */
export interface TokenFile {
  readonly file: string;
  readonly audience?: string;
  readonly expirationSeconds: number;
}

export interface PreparedVolumes {
  readonly mounts: Mount[];
  readonly tokens: TokenFile[];
  readonly warnings: string[];
}

interface Ctx {
  readonly pod: Pod;
  readonly refs: RefReader;
  readonly api: KubeApi;
  readonly hostIP: string;
  readonly tokens: TokenFile[];
}

/** Writes every volume the container mounts into `<dir>/<volume>/` and plans the mounts. */
export async function prepareVolumes(
  pod: Pod,
  container: Container,
  ctx: { refs: RefReader; api: KubeApi; hostIP: string; dir: string },
): Promise<PreparedVolumes> {
  const byName = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  const c: Ctx = { pod, refs: ctx.refs, api: ctx.api, hostIP: ctx.hostIP, tokens: [] };
  const mounts: Mount[] = [];
  const warnings: string[] = [];
  const prepared = new Map<string, string>();
  for (const vm of container.volumeMounts ?? []) {
    const vol = byName.get(vm.name);
    if (!vol) throw new PodConfigError(`volumeMount ${vm.name}: no such volume`);
    let source = prepared.get(vol.name);
    if (source === undefined) {
      source = await prepareVolume(vol, join(ctx.dir, vol.name), c);
      prepared.set(vol.name, source);
    }
    if (vm.subPath) source = join(source, safeRelative(vm.subPath));
    if (!mountable(vm.mountPath)) {
      warnings.push(
        `volume ${vm.name}: mount path ${vm.mountPath} is neither under /run nor an existing folder; not mounted`,
      );
      continue;
    }
    mounts.push({ source, target: vm.mountPath, readOnly: vm.readOnly === true });
  }
  return { mounts, tokens: c.tokens, warnings };
}

/** Under /run (the pod's tmpfs), or an existing folder. */
function mountable(path: string): boolean {
  const p = normalize(path);
  if (p === "/run" || p.startsWith("/run/") || p === "/var/run" || p.startsWith("/var/run/")) return true;
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

async function prepareVolume(vol: Volume, dir: string, c: Ctx): Promise<string> {
  if (vol.hostPath) return vol.hostPath.path;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (vol.emptyDir) return dir;
  if (vol.projected) {
    for (const src of vol.projected.sources ?? []) {
      if (src.serviceAccountToken) {
        const t = src.serviceAccountToken;
        const token: TokenFile = {
          file: join(dir, safeRelative(t.path)),
          audience: t.audience,
          expirationSeconds: t.expirationSeconds ?? 3600,
        };
        await writeToken(c.api, c.pod, token);
        c.tokens.push(token);
      } else if (src.configMap) {
        await writeKeys(dir, "configmaps", src.configMap.name, src.configMap.items, src.configMap.optional, c);
      } else if (src.secret) {
        await writeKeys(dir, "secrets", src.secret.name, src.secret.items, src.secret.optional, c);
      } else if (src.downwardAPI) {
        writeDownward(dir, src.downwardAPI.items, c);
      }
    }
    return dir;
  }
  if (vol.secret) {
    await writeKeys(dir, "secrets", vol.secret.secretName, vol.secret.items, vol.secret.optional, c);
    return dir;
  }
  if (vol.configMap) {
    await writeKeys(dir, "configmaps", vol.configMap.name, vol.configMap.items, vol.configMap.optional, c);
    return dir;
  }
  if (vol.downwardAPI) {
    writeDownward(dir, vol.downwardAPI.items, c);
    return dir;
  }
  throw new PodConfigError(
    `volume ${vol.name}: unsupported volume source ${Object.keys(vol)
      .filter((k) => k !== "name")
      .join(",")}`,
  );
}

/** Requests a token bound to the pod and writes it atomically (renewals replace the file). */
export async function writeToken(api: KubeApi, pod: Pod, token: TokenFile): Promise<void> {
  const ns = pod.metadata.namespace ?? "default";
  const sa = pod.spec.serviceAccountName ?? "default";
  const res = await api.json<{ status?: { token?: string } }>(
    "POST",
    `/api/v1/namespaces/${ns}/serviceaccounts/${encodeURIComponent(sa)}/token`,
    {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: {
        audiences: token.audience ? [token.audience] : [],
        expirationSeconds: token.expirationSeconds,
        boundObjectRef: { apiVersion: "v1", kind: "Pod", name: pod.metadata.name, uid: pod.metadata.uid },
      },
    },
  );
  const value = res.status?.token;
  if (!value) throw new PodConfigError(`TokenRequest for ${ns}/${sa} returned no token`);
  writeAtomically(token.file, value);
}

async function writeKeys(
  dir: string,
  kind: "configmaps" | "secrets",
  name: string,
  items: KeyToPath[] | undefined,
  optional: boolean | undefined,
  c: Ctx,
): Promise<void> {
  const obj = await c.refs.object(kind, name);
  if (!obj) {
    if (optional) return;
    throw new PodConfigError(`${kind === "secrets" ? "secret" : "configmap"} "${name}" not found`);
  }
  const pairs: [string, string][] = items?.length
    ? items.map((i) => [i.key, i.path])
    : Object.keys(obj).map((k) => [k, k]);
  for (const [key, path] of pairs) {
    const value = obj[key];
    if (value === undefined) {
      if (optional) continue;
      throw new PodConfigError(`${name}: no key ${key}`);
    }
    writeAtomically(join(dir, safeRelative(path)), value);
  }
}

function writeDownward(dir: string, items: DownwardItem[] | undefined, c: Ctx): void {
  for (const item of items ?? []) {
    if (!item.fieldRef) throw new PodConfigError(`downwardAPI ${item.path}: only fieldRef is supported`);
    writeAtomically(join(dir, safeRelative(item.path)), podField(c.pod, item.fieldRef.fieldPath, c.hostIP));
  }
}

function writeAtomically(file: string, data: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode: 0o644 });
  renameSync(tmp, file);
}

/** A relative path that stays inside its folder. */
function safeRelative(p: string): string {
  const n = normalize(p);
  if (isAbsolute(n) || n === ".." || n.startsWith("../")) throw new PodConfigError(`path ${p} leaves its volume`);
  return n;
}
