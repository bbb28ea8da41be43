// Builds corpus.json: the template cases both engines evaluate (node build-corpus.ts).
// Each case: name, op (resolve|sdk|expression|condition|template), value, vars, limits.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

type Case = {
  name: string;
  op?: string;
  value: unknown;
  vars?: Record<string, unknown>;
  timeoutMs?: number;
  maxOutputBytes?: number;
  maxInputBytes?: number;
  deterministic?: boolean;
};

const V = {
  inputs: {
    name: "Ada Lovelace",
    n: 3,
    f: 2.5,
    big: 123456789,
    neg: -7,
    zero: 0,
    t: true,
    fl: false,
    nil: null,
    empty: "",
    s: "Hello, World",
    num: "42",
    list: [1, "two", null, { k: "v" }, [5, 6]],
    strs: ["pear", "apple", "fig"],
    nums: [3, 1, 2],
    m: { b: 2, a: 1, "key-with-dash": "dash", nested: { deep: { x: "y" } } },
    html: "<a href='x'>&</a>",
    unicode: "héllo wörld ✓",
    ver: "1.4.2",
    date: "2024-03-05",
    ts: 1700000000,
    json: '{"a":[1,2,{"b":null}],"c":"d"}',
    path: "/usr/local/../lib/file.tar.gz",
    emptyList: [],
    emptyMap: {},
  },
  steps: {
    fetch: { output: { items: [{ title: "first" }, { title: "second" }], count: 2 }, outputs: { items: [] } },
    "fetch-feed": { output: { body: "feed" } },
    fetch_feed: { output: { body: "feed" } },
    big: { output: { $bubuStorageRef: "outputs/ns/sr/output.json" } },
    nested: { output: { data: { $bubuStorageRef: "outputs/ns/sr/nested.json", $bubuStoragePath: "a.b" } } },
  },
  packet: { id: "p1", seq: 7 },
};

const cases: Case[] = [];
let counter = 0;
function add(group: string, value: unknown, extra: Partial<Case> = {}): void {
  counter++;
  cases.push({ name: `${group}/${String(counter).padStart(4, "0")}`, value, ...extra });
}
const t = (group: string, list: string[], extra: Partial<Case> = {}): void => {
  for (const s of list) add(group, s, extra);
};

// ---- text, actions, literals, formatting ----
t("format", [
  "plain text", "{{ \"str\" }}", "a{{ \"str\" }}b", "{{ 1 }}", "x{{ 1 }}", "x{{ -1 }}", "x{{ 1.0 }}", "x{{ 1.5 }}", "x{{ 1e6 }}",
  "x{{ 123456.0 }}", "x{{ 1234567.0 }}", "x{{ 0.0001 }}", "x{{ 0.00001 }}", "x{{ 1e21 }}", "x{{ 1e20 }}", "x{{ 0x1F }}",
  "x{{ 0o17 }}", "x{{ 0b101 }}", "x{{ 1_000 }}", "x{{ 'a' }}", "x{{ '\\n' }}", "x{{ true }}", "x{{ false }}",
  "x{{ .inputs.n }}", "x{{ .inputs.f }}", "x{{ .inputs.big }}", "x{{ .inputs.neg }}", "x{{ .inputs.nil }}", "x{{ .inputs.list }}",
  "x{{ .inputs.m }}", "x{{ .inputs.strs }}", "x{{ .inputs.emptyList }}", "x{{ .inputs.emptyMap }}", "x{{ .inputs.t }}",
  "x{{ .inputs.missing }}", "x{{ .missingRoot }}", "x{{ . }}", "x{{ .steps.fetch.output }}", "x{{ `raw\\n` }}",
  "x{{ \"esc\\t\\u00e9\" }}", "{{ 9223372036854775807 }}", "x{{ 9223372036854775808 }}", "x{{ 1e400 }}", "{{ \"{\\\"a\\\":1}\" }}",
  "{{ \"[1, 2]\" }}", "{{ \"true\" }}", "{{ \"null\" }}", "{{ \" 12 \" }}", "  {{ 7 }}  ", "{{ 1 }}{{ 2 }}", "{{/* c */}}{{ 3 }}",
  "{{ \"not json\" }}", "{{ .inputs.num }}", "x{{ .inputs.unicode }}", "{{ 3.0 }}", "{{ -0.0 }}x",
]);

// ---- whitespace trimming and comments ----
t("trim", [
  "a  {{- 1 -}}  b", "a \n {{- 1 }} \n b", "a {{ 1 -}} \n\n b", "{{- /* comment */ -}} x", "a {{/* comment */}} b",
  "a {{- /* c */}} b", "{{ 1 }} {{- 2 }}", "x{{-3}}", "x{{- 3}}", "a\n{{- \"b\" -}}\nc", "{{/* unclosed comment }}",
  "{{ /* not at start */ }}", "{{/* a */ 1 }}",
]);

// ---- variables, pipelines, parens, chains ----
t("pipeline", [
  "{{ $x := 1 }}{{ $x }}", "{{ $x := .inputs.name }}{{ $x | upper }}", "{{ $x := 1 }}{{ $x = 2 }}{{ $x }}",
  "{{ .inputs.name | printf \"%s!\" }}", "{{ .inputs.name | printf \"%s-%s\" \"a\" }}", "{{ (.inputs.m).b }}x",
  "{{ (index .inputs.list 3).k }}x", "{{ $.inputs.n }}x", "{{ $ := 1 }}", "{{ $y }}", "{{ $x := .inputs.m }}{{ $x.nested.deep.x }}",
  "{{ .inputs.name | len }}", "{{ \"abc\" | len | printf \"%d\" }}", "{{ 1 | 2 }}", "{{ .inputs.name | .inputs.s }}",
  "{{ (1) }}x", "{{ ((.inputs.n)) }}x", "{{ .inputs.m.nested.deep }}x", "{{ .inputs.m.missing.deeper }}", "x{{ .inputs.m.missing.deeper }}",
  "x{{ .inputs.nil.field }}", "x{{ .inputs.name.field }}", "x{{ .inputs.n.field }}", "x{{ $x := .inputs.missing }}{{ $x.foo }}",
  "{{ .inputs.name 1 }}", "{{ nil }}", "{{ \"s\".x }}", "{{ (print \"a\").x }}x", "{{ $x, $y := 1 }}", "{{ .inputs.list.x }}",
]);

// ---- control structures ----
t("control", [
  "{{ if .inputs.t }}yes{{ end }}", "{{ if .inputs.fl }}yes{{ else }}no{{ end }}", "{{ if .inputs.zero }}a{{ else if .inputs.n }}b{{ else }}c{{ end }}",
  "{{ if .inputs.missing }}a{{ else }}b{{ end }}", "{{ if .inputs.empty }}a{{ else }}b{{ end }}", "{{ if .inputs.emptyList }}a{{ else }}b{{ end }}",
  "{{ if .inputs.emptyMap }}a{{ else }}b{{ end }}", "{{ if .inputs.list }}a{{ end }}", "{{ if .inputs.nil }}a{{ else }}b{{ end }}",
  "{{ if and .inputs.t .inputs.n }}a{{ end }}", "{{ if or .inputs.fl .inputs.zero }}a{{ else }}b{{ end }}", "{{ if not .inputs.t }}a{{ else }}b{{ end }}",
  "{{ with .inputs.m }}{{ .a }}{{ end }}", "{{ with .inputs.missing }}a{{ else }}b{{ end }}", "{{ with .inputs.zero }}a{{ else with .inputs.n }}{{ . }}{{ end }}",
  "{{ with $x := .inputs.name }}{{ $x }}{{ end }}", "{{ range .inputs.strs }}[{{ . }}]{{ end }}", "{{ range $i, $s := .inputs.strs }}{{ $i }}:{{ $s }} {{ end }}",
  "{{ range $k, $v := .inputs.m }}{{ $k }}={{ $v }};{{ end }}", "{{ range .inputs.emptyList }}x{{ else }}empty{{ end }}", "{{ range .inputs.missing }}x{{ else }}none{{ end }}",
  "{{ range 3 }}{{ . }}{{ end }}", "{{ range $i := 3 }}{{ $i }}{{ end }}", "{{ range $i, $j := 3 }}{{ end }}", "{{ range 0 }}x{{ else }}zero{{ end }}",
  "{{ range .inputs.strs }}{{ if eq . \"apple\" }}{{ break }}{{ end }}{{ . }}{{ end }}", "{{ range .inputs.strs }}{{ if eq . \"apple\" }}{{ continue }}{{ end }}{{ . }}{{ end }}",
  "{{ range .inputs.list }}{{ . }}|{{ end }}", "{{ range .inputs.name }}x{{ end }}", "{{ range .inputs.n }}x{{ end }}", "{{ range .inputs.t }}x{{ end }}",
  "{{ range $i, $e := .inputs.list }}{{ $e.k }}{{ end }}", "{{ $x := 0 }}{{ range .inputs.nums }}{{ $x = . }}{{ end }}{{ $x }}",
  "{{ range $i, $e := .inputs.nums }}{{ if $i }},{{ end }}{{ $e }}{{ end }}", "{{ break }}", "{{ continue }}", "{{ if }}x{{ end }}",
  "{{ if .inputs.t }}x", "{{ end }}", "{{ else }}", "{{ if .inputs.t }}a{{ else }}b{{ else }}c{{ end }}", "{{ range .inputs.m }}{{ . }}{{ end }}",
  "{{ define \"t\" }}[{{ . }}]{{ end }}{{ template \"t\" .inputs.n }}", "{{ template \"nope\" }}", "{{ block \"b\" .inputs.name }}<{{ . }}>{{ end }}",
  "{{ define \"r\" }}{{ template \"r\" }}{{ end }}{{ template \"r\" }}x", "{{ with .inputs.m }}{{ $.inputs.n }}{{ end }}",
  "{{ range .inputs.nums }}{{ range $.inputs.strs }}{{ . }}{{ end }}{{ end }}", "{{ if .inputs.t }}{{ $v := 1 }}{{ end }}{{ $v }}",
]);

// ---- comparisons and logic builtins ----
t("builtins", [
  "{{ eq 1 1 }}", "{{ eq 1 2 }}", "{{ eq .inputs.n 3.0 }}", "{{ eq .inputs.n 3 }}", "{{ eq .inputs.name \"Ada Lovelace\" }}", "{{ eq \"a\" \"b\" \"a\" }}",
  "{{ eq 1 }}", "{{ eq .inputs.missing .inputs.nil }}", "{{ eq .inputs.list .inputs.list }}", "{{ eq .inputs.m .inputs.m }}", "{{ eq .inputs.t true }}",
  "{{ ne 1 2 }}", "{{ ne \"a\" \"a\" }}", "{{ lt 1 2 }}", "{{ lt 2.5 .inputs.f }}", "{{ lt \"a\" \"b\" }}", "{{ lt true false }}", "{{ lt 1 1.5 }}",
  "{{ le 2 2 }}", "{{ gt .inputs.f 1.0 }}", "{{ ge .inputs.n 3.0 }}", "{{ gt .inputs.missing 1 }}", "{{ lt .inputs.list 1 }}",
  "{{ and 1 0 2 }}", "{{ and 1 2 }}", "{{ or 0 \"\" \"x\" }}", "{{ or 0 \"\" }}", "{{ and }}", "{{ not 0 }}", "{{ not \"a\" }}", "{{ not }}",
  "{{ .inputs.n | and 1 }}", "{{ len .inputs.list }}", "{{ len .inputs.m }}", "{{ len .inputs.unicode }}", "{{ len .inputs.n }}", "{{ len .inputs.missing }}",
  "{{ index .inputs.list 1 }}", "{{ index .inputs.m \"a\" }}", "{{ index .inputs.m \"zz\" }}x", "{{ index .inputs.list 5 }}", "{{ index .inputs.list -1 }}",
  "{{ index .inputs.list 1.5 }}", "{{ index .inputs.name 0 }}", "{{ index .inputs.m 1 }}", "{{ index .inputs.missing 1 }}", "{{ index .inputs.list 4 1 }}",
  "{{ index .inputs.m.nested \"deep\" \"x\" }}", "{{ index .inputs.n 0 }}", "{{ index .inputs.list }}x", "{{ print 1 2 \"a\" \"b\" 3 }}", "{{ print }}",
  "{{ print .inputs.nil }}", "{{ println 1 \"a\" }}", "{{ printf \"%d %s %v %q\" 1 \"s\" .inputs.list \"q\" }}", "{{ printf \"%5.2f|%-5d|%05d|%x|%X|%o|%b\" 3.14159 42 42 255 255 8 5 }}",
  "{{ printf \"%e %E %g %G\" 123456.789 0.000012 1e-7 1e21 }}", "{{ printf \"%t %v\" true false }}", "{{ printf \"%d\" \"s\" }}", "{{ printf \"%s\" 1 }}",
  "{{ printf \"%d %d\" 1 }}", "{{ printf \"%d\" 1 2 }}", "{{ printf \"%\" }}", "{{ printf \"%T %T %T %T\" 1 1.5 \"s\" .inputs.list }}", "{{ printf \"%c %U %q\" 65 9731 'x' }}",
  "{{ printf \"%.3s|%10s|%-10s|\" \"abcdef\" \"r\" \"l\" }}", "{{ printf \"%x\" \"hi\" }}", "{{ printf \"%v\" .inputs.m }}", "{{ printf \"%d\" .inputs.n }}",
  "{{ printf \"%.0f %.1f %.2f %.3f\" 0.5 0.25 0.125 1.0005 }}", "{{ printf \"%+d % d\" 5 5 }}", "{{ printf \"%08.3f\" -3.5 }}", "{{ printf \"%%\" }}",
  "{{ html .inputs.html }}", "{{ html 1 \"<\" }}", "{{ js .inputs.html }}", "{{ js \"é\\u2028\" }}", "{{ urlquery \"a b&c=d/é\" }}", "{{ urlquery .inputs.nil }}",
  "{{ call .inputs.name }}", "{{ call .inputs.missing }}", "{{ slice .inputs.strs 1 }}", "{{ slice .inputs.strs 1 2 }}", "{{ slice .inputs.name 1 }}",
]);

// ---- sprig: strings ----
t("strings", [
  "{{ abbrev 5 \"hello world\" }}", "{{ abbrev 3 \"hello\" }}", "{{ abbrevboth 5 10 \"1234 5678 9123\" }}", "{{ trunc 5 \"hello world\" }}",
  "{{ trunc -5 \"hello world\" }}", "{{ trunc 50 \"hi\" }}", "{{ trim \"  hi \\n\" }}", "{{ upper .inputs.unicode }}", "{{ lower \"HeLLo\" }}",
  "{{ title \"hello wide world\" }}", "{{ untitle \"Hello World\" }}", "{{ substr 0 5 \"hello world\" }}", "{{ substr 6 -1 \"hello world\" }}",
  "{{ substr -1 3 \"hello\" }}", "{{ substr 3 1 \"hello\" }}", "{{ trimall \"$\" \"$5.00$\" }}", "{{ trimAll \"ab\" \"abcba\" }}", "{{ trimSuffix \"-\" \"hello-\" }}",
  "{{ trimPrefix \"-\" \"-hello\" }}", "{{ nospace \"hello w o r l d\" }}", "{{ initials \"First Try\" }}", "{{ snakecase \"FirstName\" }}",
  "{{ snakecase \"HTTPServerID\" }}", "{{ snakecase \"version2Beta\" }}", "{{ camelcase \"http_server\" }}", "{{ camelcase \"_hello__world\" }}",
  "{{ kebabcase \"FirstName\" }}", "{{ kebabcase \"some value-here\" }}", "{{ wrap 5 \"Hello World Foo\" }}", "{{ wrapWith 5 \"\\t\" \"Hello World\" }}",
  "{{ wrapWith 3 \"|\" \"abcdefgh\" }}", "{{ contains \"cat\" \"catch\" }}", "{{ hasPrefix \"cat\" \"catch\" }}", "{{ hasSuffix \"ch\" \"catch\" }}",
  "{{ quote \"a\" 1 .inputs.nil \"b\\\"c\" }}", "{{ squote \"a\" 1 }}", "{{ cat \"a\" 1 .inputs.nil \"b\" }}", "{{ indent 2 \"a\\nb\" }}", "{{ nindent 2 \"a\\nb\" }}",
  "{{ replace \" \" \"-\" \"I Am Henry\" }}", "{{ replace \"\" \"-\" \"abc\" }}", "{{ plural \"one\" \"many\" 1 }}", "{{ plural \"one\" \"many\" 2 }}",
  "{{ plural \"one\" \"many\" .inputs.n }}", "{{ split \"$\" \"foo$bar$baz\" }}", "{{ (split \"$\" \"foo$bar$baz\")._1 }}", "{{ splitList \",\" \"a,b,c\" }}",
  "{{ splitList \"\" \"abc\" }}", "{{ splitn \"$\" 2 \"foo$bar$baz\" }}", "{{ toStrings .inputs.list }}", "{{ join \"-\" .inputs.strs }}", "{{ join \",\" .inputs.list }}",
  "{{ join \",\" \"solo\" }}", "{{ sortAlpha .inputs.strs }}", "{{ sortAlpha .inputs.nums }}", "{{ sortAlpha \"x\" }}", "{{ upper .inputs.n }}", "{{ trunc \"5\" \"x\" }}",
  "{{ trunc .inputs.n \"hello\" }}", "{{ upper }}", "{{ upper \"a\" \"b\" }}", "{{ .inputs.missing | upper }}", "{{ upper .inputs.missing }}", "{{ indent -1 \"x\" }}",
  "{{ \"abc\" | upper | lower | title }}", "{{ title .inputs.unicode }}", "{{ trunc 2 \"héllo\" }}", "{{ substr 1 3 \"héllo\" }}", "{{ nospace \"a\\tb\\nc\" }}",
]);

// ---- sprig: hashes, encoding, paths ----
t("encoding", [
  "{{ sha1sum \"abc\" }}", "{{ sha256sum \"\" }}", "{{ sha256sum .inputs.unicode }}", "{{ adler32sum \"Wikipedia\" }}", "{{ toString 1 }}",
  "{{ toString .inputs.list }}", "{{ toString .inputs.nil }}", "{{ toString .inputs.f }}", "{{ b64enc \"Hello, 世界\" }}", "{{ b64dec \"SGVsbG8=\" }}",
  "{{ b64dec \"!!!\" }}", "{{ b64dec \"SGVsbG8\" }}", "{{ b32enc \"hello\" }}", "{{ b32dec \"NBSWY3DP\" }}", "{{ b32dec \"xyz\" }}",
  "{{ base .inputs.path }}", "{{ dir .inputs.path }}", "{{ clean .inputs.path }}", "{{ ext .inputs.path }}", "{{ isAbs .inputs.path }}", "{{ isAbs \"a/b\" }}",
  "{{ base \"\" }}", "{{ dir \"file\" }}", "{{ clean \"a//b/./../c/\" }}", "{{ osBase \"/a/b/\" }}", "{{ osDir \"/a/b/c\" }}", "{{ osClean \"../x/..\" }}",
  "{{ osExt \"a.b/c\" }}", "{{ osIsAbs \"/\" }}",
]);

// ---- sprig: numbers ----
t("math", [
  "{{ atoi \"42\" }}", "{{ atoi \"x\" }}", "{{ atoi \" 1\" }}", "{{ int64 \"12\" }}", "{{ int64 .inputs.f }}", "{{ int \"0x10\" }}", "{{ int \"3.9\" }}",
  "{{ int .inputs.t }}", "{{ int .inputs.nil }}", "{{ int .inputs.list }}", "{{ float64 \"1.5\" }}", "{{ float64 3 }}", "{{ float64 \"x\" }}", "{{ toDecimal \"0777\" }}",
  "{{ toDecimal 777 }}", "{{ toDecimal \"9\" }}", "{{ add1 5 }}", "{{ add 1 2 3 }}", "{{ add }}", "{{ add 1.9 \"2\" }}", "{{ sub 5 7 }}", "{{ div 7 2 }}",
  "{{ div -7 2 }}", "{{ div 1 0 }}", "{{ mod 7 3 }}", "{{ mod -7 3 }}", "{{ mod 1 0 }}", "{{ mul 2 3 4 }}", "{{ mul 9223372036854775807 2 }}",
  "{{ add1f 1.5 }}", "{{ addf 1.1 2.2 }}", "{{ subf 10 1.1 2.2 }}", "{{ divf 10 4 }}", "{{ divf 1 3 }}", "{{ divf 2 3 }}", "{{ divf 1 0 }}", "{{ mulf 1.1 1.1 }}",
  "{{ mulf 0.1 3 }}", "{{ biggest 1 5 3 }}", "{{ max 1 5 3 }}", "{{ min 4 2 9 }}", "{{ maxf 1.5 2.5 }}", "{{ minf 1.5 -2.5 }}", "{{ ceil 1.2 }}", "{{ floor 1.8 }}",
  "{{ ceil \"x\" }}", "{{ round 3.14159 2 }}", "{{ round 2.5 0 }}", "{{ round 2.4 0 }}", "{{ round 1.23456 3 0.4 }}", "{{ add 1 2 | printf \"%d\" }}",
  "{{ typeOf (add 1 2) }}", "{{ typeOf (add1f 1) }}", "{{ add .inputs.n .inputs.f }}", "{{ div .inputs.big 1000 }}", "{{ float64 .inputs.num | printf \"%.2f\" }}",
]);

// ---- sprig: defaults, json, types ----
t("defaults", [
  "{{ default \"d\" .inputs.missing }}", "{{ default \"d\" .inputs.name }}", "{{ default \"d\" .inputs.zero }}", "{{ default \"d\" .inputs.emptyList }}",
  "{{ .inputs.missing | default \"piped\" }}", "{{ default \"d\" }}", "{{ empty .inputs.zero }}", "{{ empty .inputs.n }}", "{{ empty .inputs.missing }}",
  "{{ empty .inputs.emptyMap }}", "{{ coalesce .inputs.zero .inputs.empty \"c\" }}", "{{ coalesce .inputs.zero }}", "{{ all 1 \"a\" true }}", "{{ all 1 0 }}",
  "{{ any 0 \"\" \"x\" }}", "{{ any }}", "{{ compact .inputs.list }}", "{{ compact (list 0 1 \"\" \"a\" .inputs.nil) }}", "{{ compact .inputs.name }}",
  "{{ mustCompact .inputs.name }}", "{{ compact .inputs.missing }}",
  "{{ fromJson .inputs.json }}", "{{ (fromJson .inputs.json).c }}", "{{ fromJson \"bad\" }}", "{{ mustFromJson \"bad\" }}", "{{ mustFromJson \"{\\\"a\\\":\" }}",
  "{{ mustFromJson \"[1,]\" }}", "{{ mustFromJson \"{\\\"a\\\" 1}\" }}", "{{ mustFromJson \"tru\" }}", "{{ mustFromJson \"1 2\" }}", "{{ toJson .inputs.m }}",
  "{{ toJson .inputs.html }}", "{{ toRawJson .inputs.html }}", "{{ toPrettyJson .inputs.m }}", "{{ toJson .inputs.nil }}", "{{ toJson (list 1 \"a\" 2.5) }}",
  "{{ toJson (add 1 2) }}", "{{ mustToJson .inputs.list }}", "{{ mustToRawJson .inputs.list }}", "{{ mustToPrettyJson .inputs.emptyMap }}",
  "{{ toJson (toDate \"2006-01-02\" \"2024-03-05\") }}", "{{ toJson (semver \"1.2.3-beta+m\") }}", "{{ toJson (split \",\" \"a,b\") }}", "{{ toJson (rest (list)) }}",
  "{{ ternary \"y\" \"n\" true }}", "{{ ternary \"y\" \"n\" .inputs.fl }}", "{{ ternary \"y\" \"n\" 1 }}", "{{ typeOf .inputs.n }}", "{{ typeOf .inputs.name }}",
  "{{ typeOf .inputs.list }}", "{{ typeOf .inputs.m }}", "{{ typeOf .inputs.nil }}", "{{ typeOf 1 }}", "{{ typeOf (splitList \",\" \"a\") }}",
  "{{ typeOf (semver \"1.0.0\") }}", "{{ typeOf (toDate \"2006\" \"2020\") }}", "{{ typeIs \"string\" .inputs.name }}", "{{ typeIsLike \"semver.Version\" (semver \"1.0.0\") }}",
  "{{ kindOf .inputs.list }}", "{{ kindOf .inputs.m }}", "{{ kindOf .inputs.nil }}", "{{ kindOf 1 }}", "{{ kindIs \"float64\" .inputs.n }}",
  "{{ deepEqual .inputs.list .inputs.list }}", "{{ deepEqual (list 1 2) (list 1 2) }}", "{{ deepEqual 1 1.0 }}", "{{ deepEqual .inputs.m .inputs.m }}",
]);

// ---- sprig: collections ----
t("collections", [
  "{{ list 1 \"a\" .inputs.nil }}", "{{ tuple 1 2 }}", "{{ list }}", "{{ dict \"a\" 1 \"b\" \"x\" }}", "{{ dict \"a\" }}", "{{ dict 1 2 }}", "{{ (dict \"a\" 1).a }}",
  "{{ get .inputs.m \"a\" }}", "{{ get .inputs.m \"zz\" }}", "{{ get .inputs.name \"a\" }}", "{{ get .inputs.missing \"a\" }}", "{{ hasKey .inputs.m \"a\" }}",
  "{{ hasKey .inputs.m \"zz\" }}", "{{ pluck \"a\" .inputs.m (dict \"a\" 9) (dict \"b\" 1) }}", "{{ keys .inputs.m.nested }}", "{{ keys .inputs.m | sortAlpha }}",
  "{{ pick .inputs.m \"a\" \"b\" \"zz\" }}", "{{ omit .inputs.m \"a\" \"nested\" \"key-with-dash\" }}", "{{ values (dict \"a\" 1) }}", "{{ append .inputs.strs \"kiwi\" }}",
  "{{ push .inputs.nums 4 }}", "{{ append .inputs.name \"x\" }}", "{{ mustAppend .inputs.name \"x\" }}", "{{ append .inputs.missing 1 }}", "{{ prepend .inputs.nums 0 }}",
  "{{ mustPrepend .inputs.m 0 }}", "{{ first .inputs.strs }}", "{{ first .inputs.emptyList }}x", "{{ mustFirst .inputs.n }}", "{{ last .inputs.strs }}",
  "{{ mustLast .inputs.emptyList }}x", "{{ rest .inputs.strs }}", "{{ rest .inputs.emptyList }}", "{{ initial .inputs.strs }}", "{{ mustInitial \"x\" }}",
  "{{ reverse .inputs.strs }}", "{{ mustReverse .inputs.nil }}", "{{ uniq (list 1 1 2 \"a\" \"a\" 1.0) }}", "{{ uniq .inputs.list }}", "{{ without .inputs.nums 1 3.0 }}",
  "{{ without (list 1 2 3) 2 }}", "{{ has 2 (list 1 2) }}", "{{ has 2.0 .inputs.nums }}", "{{ has 1 .inputs.missing }}", "{{ mustHas 1 \"x\" }}", "{{ slice .inputs.nums 1 2 }}",
  "{{ slice .inputs.emptyList }}x", "{{ mustSlice .inputs.name 1 }}", "{{ slice .inputs.nums 2 1 }}", "{{ slice (splitList \",\" \"a,b,c\") 1 }}", "{{ concat .inputs.nums .inputs.strs }}",
  "{{ concat .inputs.nums 1 }}", "{{ concat }}", "{{ dig \"nested\" \"deep\" \"x\" \"def\" .inputs.m }}", "{{ dig \"nested\" \"zz\" \"def\" .inputs.m }}", "{{ dig \"a\" \"b\" \"def\" .inputs.m }}",
  "{{ dig \"a\" .inputs.m }}", "{{ dig 1 \"d\" .inputs.m }}", "{{ dig \"a\" \"d\" .inputs.list }}", "{{ len (list 1 2 3) }}", "{{ range (list \"x\" \"y\") }}{{ . }}{{ end }}",
  "{{ range $k, $v := dict \"b\" 1 \"a\" 2 }}{{ $k }}{{ $v }}{{ end }}", "{{ range split \",\" \"a,b\" }}{{ . }}{{ end }}", "{{ index (list 1 2) 0 }}", "{{ (list 1 2).x }}",
]);

// ---- sprig: dates, semver, control ----
t("dates", [
  "{{ date \"2006-01-02 15:04:05\" 0 }}", "{{ date \"Jan 2, 2006\" (int64 1700000000) }}", "{{ date \"Mon Jan _2 15:04:05 MST 2006\" .inputs.missing | len }}",
  "{{ dateInZone \"2006-01-02 15:04 MST\" (toDate \"2006-01-02\" \"2024-03-05\") \"UTC\" }}", "{{ date_in_zone \"15:04\" (toDate \"2006-01-02 15:04\" \"2024-03-05 10:30\") \"Nowhere/Zone\" }}",
  "{{ dateModify \"1h30m\" (toDate \"2006-01-02\" \"2024-03-05\") }}", "{{ date_modify \"bad\" (toDate \"2006-01-02\" \"2024-03-05\") }}",
  "{{ mustDateModify \"bad\" (toDate \"2006-01-02\" \"2024-03-05\") }}", "{{ must_date_modify \"-24h\" (toDate \"2006-01-02\" \"2024-03-05\") }}", "{{ dateModify \"1h\" \"x\" }}",
  "{{ duration 95 }}", "{{ duration \"95\" }}", "{{ duration (int64 3700) }}", "{{ duration \"x\" }}", "{{ durationRound \"2h10m\" }}", "{{ durationRound (int64 90000000000) }}",
  "{{ durationRound \"400h\" }}", "{{ durationRound \"-3d\" }}", "{{ durationRound 5 }}", "{{ htmlDate (toDate \"2006-01-02\" \"2024-03-05\") }}", "{{ htmlDate 0 }}",
  "{{ htmlDateInZone (int64 86400) \"UTC\" }}", "{{ toDate \"2006-01-02\" \"2024-03-05\" }}", "{{ toDate \"2006-01-02\" \"bad\" }}", "{{ mustToDate \"2006-01-02\" \"bad\" }}",
  "{{ mustToDate \"2006-01-02\" \"2024-13-05\" }}", "{{ mustToDate \"2006-01-02\" \"2024-03-05x\" }}", "{{ toDate \"2006-01-02T15:04:05Z07:00\" \"2024-03-05T10:11:12+02:00\" }}",
  "{{ toDate \"2006-01-02 15:04:05.000\" \"2024-03-05 10:11:12.345\" }}", "{{ toDate \"02/01/2006 3:04PM\" \"05/03/2024 1:07PM\" }}", "{{ toDate \"Jan 2 2006\" \"Mar 5 2024\" }}",
  "{{ unixEpoch (toDate \"2006-01-02\" \"2024-03-05\") }}", "{{ (toDate \"2006-01-02\" \"2024-03-05\").Year }}", "{{ (toDate \"2006-01-02\" \"2024-03-05\").Unix }}",
  "{{ (toDate \"2006-01-02\" \"2024-03-05\").Format \"Monday 02 Jan\" }}", "{{ date \"2006-01-02T15:04:05.000Z07:00\" (toDate \"2006-01-02 15:04:05.999\" \"2024-03-05 10:11:12.5\") }}",
  "{{ date \"3:04:05 pm, 06 __2 002\" (toDate \"2006-01-02 15:04:05\" \"2024-12-31 23:59:58\") }}", "{{ unixEpoch 5 }}",
  "{{ semver \"1.2.3\" }}", "{{ semver \"v1.2\" }}", "{{ semver \"1.2.3-beta.1+build.5\" }}", "{{ (semver \"1.2.3-rc.1\").Major }}", "{{ (semver \"1.2.3-rc.1\").Prerelease }}",
  "{{ (semver \"v2.0\").Original }}", "{{ semver \"bad\" }}", "{{ semver \"1.2.3-01\" }}", "{{ semverCompare \">=1.2.0\" \"1.3.0\" }}", "{{ semverCompare \"^1.2\" \"2.0.0\" }}",
  "{{ semverCompare \"~1.2.3\" \"1.2.9\" }}", "{{ semverCompare \"~1.2.3\" \"1.3.0\" }}", "{{ semverCompare \"1.2.x\" \"1.2.7\" }}", "{{ semverCompare \">1.0 <2.0\" \"1.5.0\" }}",
  "{{ semverCompare \"1.0 - 2.0\" \"2.0.0\" }}", "{{ semverCompare \"<1.0 || >=3.0\" \"3.1.0\" }}", "{{ semverCompare \">=1.0.0\" \"1.1.0-beta\" }}", "{{ semverCompare \">=1.0.0-0\" \"1.1.0-beta\" }}",
  "{{ semverCompare \"!=1.2.3\" \"1.2.3\" }}", "{{ semverCompare \"bad!\" \"1.0.0\" }}", "{{ semverCompare \"^0.2.3\" \"0.2.9\" }}", "{{ semverCompare \"^0.0.3\" \"0.0.4\" }}",
  "{{ semverCompare \"*\" \"4.5.6\" }}", "{{ semverCompare \">= 1.2, < 1.4\" \"1.3.1\" }}", "{{ semverCompare \"=1.2.3\" \"v1.2.3\" }}", "{{ semverCompare \">1.x\" \"2.0.0\" }}",
  "{{ fail \"boom\" }}", "{{ if false }}{{ fail \"never\" }}{{ end }}ok", "{{ fail 1 }}",
]);

// ---- non-deterministic helpers (shape only) ----
t("random", [
  "{{ len (randAlpha 8) }}", "{{ len (randAlphaNum 5) }}", "{{ len (randAscii 3) }}", "{{ len (randNumeric 4) }}", "{{ lt (randInt 1 5) 5 }}",
  "{{ len uuidv4 }}", "{{ typeOf now }}", "{{ randAlpha 0 }}x", "{{ randInt 5 5 }}", "{{ gt (now).Unix 1700000000 }}", "{{ regexMatch \"a\" \"a\" }}",
  "{{ env \"HOME\" }}", "{{ expandenv \"$HOME\" }}", "{{ getHostByName \"x\" }}", "{{ repeat 3 \"a\" }}", "{{ merge .inputs.m .inputs.m }}",
]);
t("deterministic", ["{{ now }}", "{{ randAlpha 3 }}", "{{ uuidv4 }}", "{{ upper \"ok\" }}"], { deterministic: true });

// ---- BubuStack custom functions ----
t("bubu", [
  "{{ len .steps.big.output }}", "{{ hash_of \"abc\" }}", "{{ hash_of .inputs.nil }}", "{{ hash_of .inputs.n }}", "{{ type_of .inputs.name }}", "{{ type_of .inputs.n }}",
  "{{ type_of .inputs.list }}", "{{ type_of .inputs.m }}", "{{ type_of .inputs.nil }}", "{{ type_of .inputs.t }}", "{{ type_of 1 }}", "{{ type_of (dict \"$bubuStorageRef\" \"r\" \"$bubuStoragePath\" \"x.y\") }}",
  "{{ type_of (dict \"$bubuStorageRef\" \"r\") }}", "{{ exists .inputs.missing }}", "{{ exists .inputs.zero }}", "{{ sample .inputs.name }}", "{{ sample .inputs.missing }}x",
  "{{ sample (dict \"$bubuStorageRef\" \"r\" \"$bubuStoragePath\" \"[0]\") }}", "{{ hash_of (dict \"$bubuStorageRef\" \"ref\") }}", "{{ len (dict \"$bubuStorageRef\" \" \") }}",
  "{{ len 5 }}", "{{ len (toDate \"2006\" \"2020\") }}", "{{ type_of (semver \"1.0.0\") }}",
]);

// ---- normalisation ----
t("normalize", [
  "{{ inputs.name }}", "{{ inputs.m.a }}", "x{{ inputs.n }}", "{{ steps.fetch.output.count }}", "{{ packet.id }}", "{{ upper inputs.name }}",
  "{{ inputs.name | upper }}", "{{ $inputs := 1 }}{{ $inputs }}", "{{ \"inputs.name\" }}", "{{ 'x' }}", "{{ `inputs` }}", "{{ .inputs.name }}",
  "{{ inputs_x }}", "{{ myinputs }}", "{{ steps['fetch-feed'].output.body }}", "{{ steps[\"fetch-feed\"].output.body }}", "{{ inputs['m']['a'] }}",
  "{{ inputs[\"m\"][\"nested\"][\"deep\"].x }}", "{{ inputs['name'] }}", "{{ inputs['n'] }}", "x{{ inputs[\"m\"].b }}", "{{ (index .inputs \"m\").a }}",
  "{{ index .inputs \"name\" }}", "{{ index .steps \"fetch-feed\" }}", "{{ (index .steps \"fetch-feed\").output.body }}", "{{ (index .steps \"fetch\").output.items[1].title }}",
  "{{ .inputs.list[1] }}", "{{ .inputs.list[3][\"k\"] }}", "{{ .inputs.list[3]['k'] }}", "{{ .inputs.list[9] }}", "{{ .inputs.list[-1] }}", "{{ .inputs.m[\"key-with-dash\"] }}",
  "{{- inputs.name -}}", "  {{ inputs.name }}  ", "{{ inputs.name }} {{ inputs.n }}", "{{ /* inputs.name */ }}", "{{/* inputs.name */}}x", "{{ inputs.list | len }}",
  "{{ if inputs.t }}{{ inputs.name }}{{ end }}", "{{ range inputs.strs }}{{ . }}{{ end }}", "{{ with inputs.m }}{{ .a }}{{ end }}", "{{ inputs }}", "{{ steps }}",
  "{{ inputs.name", "{{ print \"}}\" inputs.n }}", "{{ print \"{{\" }}", "{{ index inputs \"name\" }}",
]);

// ---- fast path, missing keys, blocked, selector refs, offloaded ----
t("fastpath", [
  "{{ .inputs.m }}", "{{ .inputs.list }}", "{{ .inputs.nil }}", "{{ .inputs.t }}", "{{ .inputs.missing }}", "{{ .inputs.m.zz }}", "{{ .nothing }}",
  "{{ .inputs.name.first }}", "{{ .inputs.list.x }}", "{{ .inputs.m[0] }}", "{{ .steps.missing }}", "{{ .steps.fetch.missing }}", "{{ .steps.fetch.output.items[5] }}",
  "{{ (index .steps \"nope\").output }}", "{{ .steps.big.output }}", "{{ .steps.big.output.items[0].title }}", "{{ .steps.big.output[2] }}",
  "{{ (index .steps \"big\").output.x }}", "{{ .steps.big.outputs.y }}", "{{ .steps.nested.output.data }}", "{{ .steps.nested.output.data.z }}",
  "{{ .steps.big.output | toJson }}", "x{{ .steps.big.output.items }}", "{{ toJson .steps.fetch.output }}", "{{ len .steps.big.output.items }}",
  "{{ if .steps.big }}a{{ end }}", "{{ .packet.seq }}", "{{ .packet.missing }}", "{{ .inputs.m.nested.deep.x }}", "{{ .inputs.list[4][1] }}",
  "{{ .inputs.list[4][\"x\"] }}", "{{ .steps.fetch_feed.output.body }}", "{{ .steps.fetch.outputs }}",
]);

// ---- $bubuTemplate objects and the walk ----
add("walk", { a: "{{ inputs.n }}", b: ["{{ inputs.name }}", 1, true, null, { c: "x{{ inputs.n }}" }], d: "plain" });
add("walk", { $bubuTemplate: "{{ inputs.m }}" });
add("walk", { $bubuTemplate: "{{ .greeting }} {{ inputs.name }}", $bubuTemplateVars: { greeting: "hi" } });
add("walk", { $bubuTemplate: "{{ .inputs }}", $bubuTemplateVars: { inputs: { replaced: true } } });
add("walk", { $bubuTemplate: "inputs.name" });
add("walk", { $bubuTemplate: 5 });
add("walk", { $bubuTemplate: "{{ .x }}", $bubuTemplateVars: "notobject" });
add("walk", { $bubuTemplate: "{{ .x }}", $bubuTemplateVars: null });
add("walk", { $bubuTemplate: "{{ .x }}", $bubuTemplateVars: { x: "{{ inputs.n }}" } });
add("walk", { $bubuTemplate: "{{ .x }}", $bubuTemplateVars: { x: "{{ .inputs.missing }}" } });
add("walk", { $bubuTemplate: "{{ .x }}", $bubuTemplateVars: { x: "{{ .steps.missing }}" } });
add("walk", { $bubuTemplate: "{{ .x }}", $bubuTemplateVars: {} });
add("walk", { $bubuTemplateVars: { x: "{{ .inputs.missing }}" }, y: 1 });
add("walk", { $bubuTemplateVars: { x: "{{ inputs.n }}" } });
add("walk", { list: ["ok", "{{ .inputs.missing }}"] });
add("walk", { list: [["{{ .steps.gone }}"]] });
add("walk", { a: { b: { c: "{{ fail \"deep\" }}" } } });
add("walk", ["{{ inputs.n }}", "{{ inputs.f }}"]);
add("walk", "no braces at all");
add("walk", 42);
add("walk", null);
add("walk", true);
add("walk", { $bubuTemplate: "{{ inputs.n }}", other: "ignored {{ fail \"x\" }}" });
add("walk", { k: { $bubuTemplate: "{{ .steps.big.output.x }}" } });
add("walk", { $bubuTemplate: "{{ .v | upper }}", $bubuTemplateVars: { v: "{{ inputs.name }}" } });
add("walk", { $bubuTemplate: "{{ inputs.name }}", $bubuTemplateVars: { inputs: { name: "shadow" } } });
{
  let deep: unknown = "{{ inputs.n }}";
  for (let i = 0; i < 128; i++) deep = [deep];
  add("walk", deep);
  let deeper: unknown = "{{ inputs.n }}";
  for (let i = 0; i < 129; i++) deeper = [deeper];
  add("walk", deeper);
  let deepMap: unknown = 1;
  for (let i = 0; i < 129; i++) deepMap = { k: deepMap };
  add("walk", deepMap);
  let okMap: unknown = 1;
  for (let i = 0; i < 128; i++) okMap = { k: okMap };
  add("walk", okMap);
}

// ---- limits ----
add("limits", "{{ range .inputs.strs }}{{ . }}{{ end }}", { maxOutputBytes: 8 });
add("limits", "abcdefghij", { maxOutputBytes: 4 });
add("limits", "{{ \"abcdefghij\" }}x", { maxOutputBytes: 4 });
add("limits", "ab{{ \"cd\" }}", { maxOutputBytes: 4 });
add("limits", "ab{{ \"cde\" }}", { maxOutputBytes: 4 });
add("limits", "{{ \"é\" }}{{ \"é\" }}x", { maxOutputBytes: 4 });
add("limits", "x{{ .inputs.m }}", { maxOutputBytes: 0 });
add("limits", "{{ range .inputs.list }}{{ range $.inputs.list }}{{ range $.inputs.list }}{{ range $.inputs.list }}{{ range $.inputs.list }}{{ range $.inputs.list }}{{ range $.inputs.list }}{{ range $.inputs.list }}x{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}{{ end }}", { timeoutMs: 50 });
add("limits", "{{ \"big\" }}", { op: "sdk", maxInputBytes: 64 });
add("limits", { a: "{{ inputs.n }}" }, { op: "sdk", maxInputBytes: 2048 });
add("limits", { a: "x".repeat(100) }, { op: "sdk", maxInputBytes: 64 });
add("limits", { a: "<<<>>>" }, { op: "sdk", maxInputBytes: 20 });

// ---- sdk glue (normalizeCELVars) ----
add("sdk", { a: "{{ inputs }}", b: "{{ steps }}" }, { op: "sdk", vars: {} });
add("sdk", { a: "{{ inputs }}" }, { op: "sdk", vars: { inputs: null, steps: null } });
add("sdk", { a: "{{ steps.x }}" }, { op: "sdk", vars: { steps: {} } });
add("sdk", { a: "{{ inputs.x }}" }, { op: "sdk", vars: { inputs: { x: 1 }, extra: 2 } });
add("sdk", null, { op: "sdk" });

// ---- parse and exec error texts ----
t("errors", [
  "{{", "{{ }}", "{{ .inputs.name }", "{{ ( }}", "{{ ) }}", "{{ 1 2 }}", "{{ \"unterminated }}", "{{ `raw }}", "{{ 'ab' }}", "{{ 1x }}", "{{ 0x }}",
  "{{ .inputs.name | }}", "{{ | upper }}", "{{ $x := }}", "{{ $x = 1 }}", "{{ if }}", "{{ range $a, $b, $c := .inputs.list }}{{ end }}",
  "{{ range 1 $a }}{{ end }}", "{{ with }}{{ end }}", "{{ end", "{{ .inputs.\u00e9 }}", "{{ # }}", "{{ \"a\" \"b\" | upper }}", "{{ template 1 }}",
  "{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}", "{{ upper 1 2 3 }}", "{{ trunc }}", "{{ replace \"a\" }}", "{{ printf }}", "{{ index }}",
  "{{ 1 | printf \"%d\" }}", "{{ .inputs.n | printf }}", "{{ hasKey \"x\" \"y\" }}", "{{ hasKey .inputs.list \"y\" }}", "{{ pick .inputs.m 1 }}", "{{ dateModify \"1h\" .inputs.n }}",
  "{{ unixEpoch .inputs.missing }}", "{{ trunc 1.5 \"x\" }}", "{{ trunc nil \"x\" }}", "{{ ternary 1 2 nil }}", "{{ upper nil }}", "{{ default nil nil }}",
  "line1\n{{ fail \"on line 2\" }}", "a\nb\n{{ .inputs.name.x.y }}", "{{ if true }}\n{{ else }}\n{{ end }}\n{{ bad }}", "{{ 18446744073709551616 }}",
  "x{{ 18446744073709551615 }}", "{{ 1.5 | upper }}", "{{ 3 | len }}", "{{ \"x\" | not }}", "{{ .inputs.f | add 1 }}", "{{ 1i }}", "{{ 1+2i }}",
  "{{ .Method }}", "{{ (semver \"1.0.0\").Nope }}", "{{ (semver \"1.0.0\").Major 1 }}", "{{ nil | print }}", "{{ . | len }}",
]);

// ---- public cel helper ----
for (const e of ["inputs.name", "{{ inputs.n }}", "  ", "inputs.num", "printf \"%d\" 5", "toJson inputs.m", "inputs.missing", "upper inputs.name | quote", "(list 1 2)"]) {
  add("cel-expression", e, { op: "expression" });
}
for (const e of ["", "{{ true }}", "{{ .inputs.t }}", "{{ eq .inputs.name \"x\" }}", "{{ \"yes\" }}", "{{ \"No\" }}", "{{ \"maybe\" }}", "{{ .inputs.n }}", "{{ .inputs.zero }}", "{{ .inputs.m }}", "inputs.t", "{{ 1 }}", "{{ \" Y \" }}", "{{ .inputs.nil }}"]) {
  add("cel-condition", e, { op: "condition" });
}
for (const e of ["{{ inputs.name }}", { a: "{{ inputs.n }}" }, 5, "plain", { $bubuTemplate: "{{ inputs.m }}" }]) {
  add("cel-template", e, { op: "template" });
}

// ---- printf/fmt: Go's width and precision bounds (1e6), argument indexes, flags ----
// Appended last so that earlier case names keep their numbers.
t("fmt-bounds", [
  "x{{ printf \"%.500000000f\" 1.0 }}", "x{{ printf \"%.500000000f|%d\" 1.0 2 }}", "x{{ printf \"%100000000d|\" 5 }}",
  "x{{ printf \"%.10000010f|\" 5.0 }}", "x{{ printf \"%*d|\" 1000001 5 }}", "x{{ printf \"%*d|\" -1000001 5 }}",
  "x{{ printf \"%.*f|\" 1000001 5.0 }}", "x{{ printf \"%.*f|\" -1000001 5.0 }}", "x{{ printf \"%.*d|\" -1 5 }}",
  "x{{ printf \"%*d|\" 1000000 5 | len }}", "x{{ printf \"%-*d|\" 1000000 5 | len }}", "x{{ printf \"%.*f\" 1000000 1.0 | len }}",
  "x{{ printf \"%1000000.1000000f\" 1.0 | len }}", "x{{ printf \"%.9999999f\" 1.0 | len }}", "x{{ printf \"%.9999999f\" 1.0 }}",
  "x{{ printf \"%9999999999999999999999d\" 1 }}", "x{{ printf \"%.\" 1 }}", "x{{ printf \"%5.\" 1 }}", "x{{ printf \"%*\" 5 }}",
  "x{{ printf \"%[2]d %[1]d\" 1 2 }}", "x{{ printf \"%[3]d\" 1 2 }}", "x{{ printf \"%[0]d\" 1 }}", "x{{ printf \"%[1]*d|\" 4 7 }}",
  "x{{ printf \"%[2]*[1]d|\" 7 4 }}", "x{{ printf \"%.[2]*[1]f|\" 1.5 2 }}", "x{{ printf \"%[1]d %d\" 1 2 }}", "x{{ printf \"%d %d %[1]d %d\" 1 2 }}",
  "x{{ printf \"%[x]d\" 1 }}", "x{{ printf \"%[1\" 1 }}", "x{{ printf \"%05s|%05q|%05t|%05v|%05T|%-05s|\" \"ab\" \"q\" true (list 1 \"a\") 1 \"l\" }}",
  "x{{ printf \"%5d|%-5d|%05d|%+d|% d|%+05d|%.3d|%08.3d|%x|%#x|%#o|%#b|%O|%X|%#X\" 1 2 3 4 5 -6 7 8 255 255 8 5 8 255 255 }}",
  "x{{ printf \"%.0d|%5.0d|%+.0d\" 0 0 0 }}", "x{{ printf \"%c|%5c|%-5c|%c|%U|%#U|%.6U|%U\" 65 66 67 -1 65 65 65 -3 }}",
  "x{{ printf \"%b|%x|%X|%.2x|%#x|%#X|%#g|%#.3g|%#e|%#f|%#v|%+v\" 2.5 2.5 -0.125 3.14159 1.0 3.0 2.5 2.5 2.5 2.5 2.5 2.5 }}",
  "x{{ printf \"%08.3f|%-8.2f|%+.1e|% .2f|%8.2f|%08v|%.2v|%5.1v\" -3.5 2.25 12345.678 1.5 -1.5 -2.5 3.14159 2.5 }}",
  "x{{ printf \"%x|%X|% x|%#x|%# X|%.2x|%8x|%08x\" \"hi\" \"hi\" \"hi\" \"hi\" \"hi\" \"hello\" \"hi\" \"hi\" }}",
  "x{{ printf \"%5t|%d|%12e|%9o|%+t|%.g|%.T|%05T\" true \"s\" -3 -0.125 2.5 .inputs.strs 0 nil }}",
  "x{{ printf \"%29o\" .inputs.list }}", "x{{ printf \"%5v|%-5v|%05d\" .inputs.list .inputs.nums .inputs.nums }}",
  "x{{ printf \"%v|%.2f|%8.1f|%+v|%e\" 1.5i 1+2i 1-2i 2i 0i }}",
  "x{{ printf \"%#v|%#v|%#v|%#v|%#v|%#v|%#v\" .inputs.list .inputs.m \"a\\\"b\" .inputs.n true nil .inputs.emptyList }}",
  "x{{ printf \"%#v|%#v|%#8v|%#v|%#v\" (splitList \",\" \"a,b\") (split \",\" \"a,b\") \"ab\" 1+2i (rest (list)) }}",
]);

const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, "corpus.json"), `${JSON.stringify({ defaultVars: V, cases }, null, 1)}\n`);
console.log(`${cases.length} cases`);
