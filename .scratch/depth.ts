import { goJsonByteLength } from "../src/json/go-json.ts";
function probe(name: string, f: (n: number) => void) {
  let lo = 1, hi = 2_000_000;
  // find max n that works
  while (lo < hi) { const mid = Math.floor((lo + hi + 1) / 2); try { f(mid); lo = mid; } catch { hi = mid - 1; } }
  console.log(name, lo);
}
const text = (n: number) => "[".repeat(n) + "]".repeat(n);
const val = (n: number) => { let v: unknown = []; for (let i = 1; i < n; i++) v = [v]; return v; };
probe("JSON.parse", (n) => JSON.parse(text(n)));
probe("JSON.stringify", (n) => JSON.stringify(val(n)));
probe("goJsonByteLength", (n) => goJsonByteLength(val(n)));
probe("sync recursion", (n) => { const r = (v: any, d: number): number => Array.isArray(v) && v.length ? r(v[0], d + 1) : d; r(val(n), 0); });
