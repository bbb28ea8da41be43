/**
 * A container's environment as the kubelet builds it: `envFrom` first, then `env` in order
 * (later wins), `$(VAR)` references expanded against what is defined so far, values from the pod
 * (fieldRef, resourceFieldRef), ConfigMaps and Secrets.
 *
 * @module
 */
import { cpus, totalmem } from "node:os";
import { PodConfigError, podField, type RefReader } from "./pod-refs.ts";
import type { Container, Pod } from "./pod-types.ts";

/** Kubernetes' `$(VAR)` expansion: defined names are replaced, `$$` is a literal `$`. */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  return input.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === "$$") return "$";
    return lookup(name!) ?? m;
  });
}

/** Resolves the container's env; `base` (service variables) is visible to `$(VAR)` and overridden by the pod's. */
export async function resolveEnv(
  pod: Pod,
  container: Container,
  refs: RefReader,
  base: Readonly<Record<string, string>>,
  hostIP: string,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? "configmaps" : "secrets";
    const obj = await refs.object(kind, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw new PodConfigError(`${kind === "secrets" ? "secret" : "configmap"} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(obj)) env[prefix + k] = v.toString("utf8");
  }
  const lookup = (name: string): string | undefined => env[name] ?? base[name];
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      env[e.name] = expandVars(e.value ?? "", lookup);
    } else if (from.fieldRef) {
      env[e.name] = podField(pod, from.fieldRef.fieldPath, hostIP);
    } else if (from.resourceFieldRef) {
      env[e.name] = resourceValue(container, from.resourceFieldRef.resource, from.resourceFieldRef.divisor);
    } else if (from.secretKeyRef) {
      const v = await refs.key("secrets", from.secretKeyRef.name, from.secretKeyRef.key, from.secretKeyRef.optional);
      if (v !== undefined) env[e.name] = v.toString("utf8");
    } else if (from.configMapKeyRef) {
      const v = await refs.key(
        "configmaps",
        from.configMapKeyRef.name,
        from.configMapKeyRef.key,
        from.configMapKeyRef.optional,
      );
      if (v !== undefined) env[e.name] = v.toString("utf8");
    } else {
      throw new PodConfigError(`env ${e.name}: unsupported valueFrom ${Object.keys(from).join(",")}`);
    }
  }
  return { ...base, ...env };
}

/** `limits.cpu` and friends; without a limit the node's capacity, as the kubelet does. */
function resourceValue(container: Container, resource: string, divisor: string | undefined): string {
  const [kind, name] = resource.split(".") as [string, string];
  const set = kind === "limits" ? container.resources?.limits : container.resources?.requests;
  const cpu = name === "cpu";
  let value = set?.[name] !== undefined ? quantity(set[name]!) : undefined;
  if (value === undefined) value = kind === "limits" ? (cpu ? cpus().length : totalmem()) : 0;
  const div = divisor ? quantity(divisor) : 1;
  return String(Math.ceil(value / (div || 1)));
}

/** A resource quantity (`500m`, `2`, `64Mi`, `1G`) as a number. */
function quantity(q: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) throw new PodConfigError(`bad quantity ${q}`);
  const n = Number(m[1]);
  const units: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  const f = units[m[2]!];
  if (f === undefined) throw new PodConfigError(`bad quantity unit ${q}`);
  return n * f;
}
