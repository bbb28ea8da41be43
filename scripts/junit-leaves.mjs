// Counts the leaf test cases (tests without sub-tests) in a `deno test --junit-path` report, so
// Deno's numbers are comparable with `bun test` and `node --test` (which count leaves only).
import { readFileSync } from "node:fs";

const xml = readFileSync(process.argv[2], "utf8");
const unescape = (s) =>
  s
    .replace(/&gt;/g, ">")
    .replace(/&lt;/g, "<")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
const cases = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)].map((m) => ({
  name: unescape(m[1]),
  failed: /<failure|<error/.test(m[2]),
}));
const names = new Set(cases.map((c) => c.name));
const parents = new Set();
for (const n of names) {
  const parts = n.split(" > ");
  for (let i = 1; i < parts.length; i++) parents.add(parts.slice(0, i).join(" > "));
}
let passed = 0;
let failed = 0;
const seen = new Set();
for (const c of cases) {
  if (parents.has(c.name) || seen.has(c.name)) continue;
  seen.add(c.name);
  if (c.failed) failed++;
  else passed++;
}
console.log(`${passed} ${failed}`);
