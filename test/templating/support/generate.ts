// A small seeded generator of template cases (no fast-check here): random actions built from
// paths into the corpus variables, literals, functions with fitting and unfitting arguments,
// pipelines and control structures. Deterministic for a given seed.
import { prng } from "../../support/prng.ts";

export { prng };

const PATHS = [
  ".inputs.name",
  ".inputs.n",
  ".inputs.f",
  ".inputs.big",
  ".inputs.neg",
  ".inputs.zero",
  ".inputs.t",
  ".inputs.fl",
  ".inputs.nil",
  ".inputs.empty",
  ".inputs.s",
  ".inputs.num",
  ".inputs.list",
  ".inputs.strs",
  ".inputs.nums",
  ".inputs.m",
  ".inputs.m.a",
  ".inputs.m.nested",
  ".inputs.missing",
  ".inputs.unicode",
  ".inputs.html",
  ".inputs.ver",
  ".inputs.json",
  ".steps.fetch.output",
  ".steps.fetch.output.count",
  ".steps.big.output",
  ".packet.seq",
  "inputs.name",
  "inputs.n",
  ".inputs.emptyList",
  ".inputs.emptyMap",
  "$",
  ".",
  "$x",
];
const LITERALS = [
  '"abc"',
  '"A b-C_d"',
  '""',
  "0",
  "1",
  "-3",
  "2.5",
  "1e3",
  "true",
  "false",
  "'x'",
  "`raw`",
  "nil",
  '"1.2.3"',
  '","',
  '"%v-%d"',
];
const FUNCS: [string, number][] = [
  ["upper", 1],
  ["lower", 1],
  ["title", 1],
  ["trim", 1],
  ["len", 1],
  ["toJson", 1],
  ["toString", 1],
  ["quote", 2],
  ["squote", 1],
  ["default", 2],
  ["empty", 1],
  ["coalesce", 2],
  ["ternary", 3],
  ["typeOf", 1],
  ["kindOf", 1],
  ["type_of", 1],
  ["exists", 1],
  ["add", 2],
  ["sub", 2],
  ["mul", 2],
  ["div", 2],
  ["mod", 2],
  ["add1", 1],
  ["addf", 2],
  ["mulf", 2],
  ["max", 2],
  ["min", 2],
  ["int", 1],
  ["int64", 1],
  ["float64", 1],
  ["atoi", 1],
  ["trunc", 2],
  ["abbrev", 2],
  ["substr", 3],
  ["replace", 3],
  ["contains", 2],
  ["hasPrefix", 2],
  ["split", 2],
  ["splitList", 2],
  ["join", 2],
  ["list", 3],
  ["dict", 2],
  ["keys", 1],
  ["first", 1],
  ["last", 1],
  ["rest", 1],
  ["reverse", 1],
  ["uniq", 1],
  ["has", 2],
  ["index", 2],
  ["slice", 2],
  ["eq", 2],
  ["ne", 2],
  ["lt", 2],
  ["ge", 2],
  ["and", 2],
  ["or", 2],
  ["not", 1],
  ["print", 2],
  ["printf", 3],
  ["b64enc", 1],
  ["sha256sum", 1],
  ["snakecase", 1],
  ["camelcase", 1],
  ["kebabcase", 1],
  ["nospace", 1],
  ["indent", 2],
  ["plural", 3],
  ["get", 2],
  ["hasKey", 2],
  ["pluck", 2],
  ["compact", 1],
  ["semverCompare", 2],
  ["base", 1],
  ["ext", 1],
  ["ceil", 1],
  ["round", 2],
  ["toDecimal", 1],
  ["hash_of", 1],
  ["html", 1],
  ["js", 1],
  ["urlquery", 1],
  ["fromJson", 1],
  ["sortAlpha", 1],
  ["toStrings", 1],
  ["without", 2],
  ["concat", 2],
  ["dig", 3],
  ["fail", 1],
];

export interface GeneratedCase {
  name: string;
  value: unknown;
}

/** `count` random cases from `seed`. */
export function generateCases(seed: number, count: number): GeneratedCase[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const operand = (depth: number): string => {
    const k = r();
    if (k < 0.45) return pick(PATHS);
    if (k < 0.75 || depth > 2) return pick(LITERALS);
    return `(${command(depth + 1)})`;
  };
  const command = (depth: number): string => {
    const [f, n] = pick(FUNCS);
    const argc = r() < 0.85 ? n : Math.floor(r() * 4);
    const args = Array.from({ length: argc }, () => operand(depth));
    return [f, ...args].join(" ");
  };
  const pipeline = (): string => {
    const k = r();
    if (k < 0.3) return operand(0);
    if (k < 0.8) return command(0);
    return `${operand(0)} | ${pick(FUNCS)[0]}${r() < 0.5 ? ` ${operand(1)}` : ""}`;
  };
  const action = (): string => {
    const k = r();
    const pre = r() < 0.2 ? "{{- " : "{{ ";
    const post = r() < 0.2 ? " -}}" : " }}";
    if (k < 0.6) return `${pre}${pipeline()}${post}`;
    if (k < 0.7) return `{{ $x := ${pipeline()} }}{{ $x }}`;
    if (k < 0.8) return `{{ if ${pipeline()} }}yes{{ else }}no{{ end }}`;
    if (k < 0.9) return `{{ range $i, $e := ${pick(PATHS)} }}{{ $i }}:{{ $e }};{{ else }}none{{ end }}`;
    return `{{ with ${pipeline()} }}[{{ . }}]{{ end }}`;
  };
  const out: GeneratedCase[] = [];
  for (let i = 0; i < count; i++) {
    const parts: string[] = [];
    const n = 1 + Math.floor(r() * 3);
    for (let j = 0; j < n; j++) {
      if (r() < 0.4) parts.push(pick(["a ", " ", "\n", "x=", ""]));
      parts.push(action());
    }
    let text = parts.join("");
    if (r() < 0.05) text = text.slice(0, Math.max(2, Math.floor(text.length * r())));
    out.push({ name: `gen/${seed}/${i}`, value: r() < 0.1 ? { $bubuTemplate: text, k: [text] } : text });
  }
  return out;
}

// printf formats: random flags, widths (including past Go's 1e6 bound), precisions, `*`,
// argument indexes and verbs, over arguments of every kind.
const FORMAT_PIECES = [
  "%",
  "%",
  "%",
  "-",
  "+",
  "#",
  " ",
  "0",
  "1",
  "2",
  "5",
  "9",
  "12",
  ".",
  ".",
  "*",
  "[1]",
  "[2]",
  "[3]",
  "[0]",
  "[",
  "]",
  "d",
  "s",
  "v",
  "f",
  "x",
  "X",
  "q",
  "e",
  "g",
  "t",
  "c",
  "T",
  "o",
  "b",
  "U",
  "E",
  "G",
  "a",
  "é",
  "100000000",
  "99999999",
];
const FORMAT_ARGS = [
  "1",
  "-3",
  "0",
  "2.5",
  "-0.125",
  "1e21",
  '"abc"',
  '"héllo"',
  "true",
  "nil",
  ".inputs.list",
  ".inputs.m",
  ".inputs.n",
  "'x'",
  "1000001",
  "-1000001",
  "1000000",
  "(list 1 2)",
  ".inputs.strs",
  "7",
  "1+2i",
];

/** `count` random `printf` calls from `seed`. */
export function generatePrintfCases(seed: number, count: number): GeneratedCase[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: GeneratedCase[] = [];
  for (let i = 0; i < count; i++) {
    let format = r() < 0.5 ? "%" : "";
    const n = 1 + Math.floor(r() * 8);
    for (let k = 0; k < n; k++) format += pick(FORMAT_PIECES);
    const args = Array.from({ length: Math.floor(r() * 4) }, () => pick(FORMAT_ARGS));
    out.push({ name: `printf/${seed}/${i}`, value: `x{{ printf ${JSON.stringify(format)} ${args.join(" ")} }}` });
  }
  return out;
}
