// bubu init and bubu template: the files of every kind and runtime, the manifests' scripts and
// dependencies, the template of each kind, and that the written component (imported with the SDK
// mapped to this tree) has exactly the template init wrote.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { parseArgs } from "../../src/cli/args.ts";
import { INIT_FLAGS, initCommand } from "../../src/cli/init-command.ts";
import { findComponent } from "../../src/cli/load-component.ts";
import { DENO_LONG_RUNNING_V8_FLAGS } from "../../src/cli/scaffold-commands.ts";
import { scaffoldComponent } from "../../src/cli/scaffold-schemas.ts";
import { SUPPORTED_MODES, templateYamlFor } from "../../src/cli/template-command.ts";
import { parseTemplateSchemas } from "../../src/schema/template-yaml.ts";
import { parseYamlDocuments } from "../../src/schema/yaml-text.ts";
import { repoRoot } from "../support/spawn.ts";

type Kind = "batch" | "streaming" | "impulse" | "dual";
const KINDS: Kind[] = ["batch", "streaming", "impulse", "dual"];

function scratch(): string {
  // Inside the repository, so that `valibot` resolves from its node_modules.
  mkdirSync(join(repoRoot, ".cache"), { recursive: true });
  return mkdtempSync(join(repoRoot, ".cache/cli-test-"));
}

function init(cwd: string, ...argv: string[]) {
  return initCommand(parseArgs(argv, INIT_FLAGS), cwd);
}

describe("bubu template", () => {
  test("each kind: its template kind, supportedModes and schemas", () => {
    for (const kind of KINDS) {
      const yaml = templateYamlFor(scaffoldComponent(kind, "x"), { name: "x", version: "1.0.0", image: "img:1" });
      const t = parseTemplateSchemas(yaml);
      const spec = (parseYamlDocuments(yaml)[0] as { spec: Record<string, unknown> }).spec;
      assert.equal(t.kind, kind === "impulse" ? "ImpulseTemplate" : "EngramTemplate", kind);
      assert.deepEqual(spec.supportedModes, [...SUPPORTED_MODES[kind]], kind);
      assert.equal(spec.image, "img:1");
      assert.equal(t.version, "1.0.0");
      assert.equal(t.inputSchema !== undefined, kind === "batch" || kind === "dual", `${kind} inputSchema`);
      assert.equal(t.outputSchema !== undefined, kind === "batch" || kind === "dual", `${kind} outputSchema`);
      assert.equal(t.configSchema !== undefined, kind !== "dual", `${kind} configSchema`);
    }
    assert.deepEqual(SUPPORTED_MODES, {
      batch: ["job"],
      streaming: ["deployment", "statefulset"],
      dual: ["job", "deployment", "statefulset"],
      impulse: ["deployment"],
    });
  });

  test("secretSchema comes from the secrets declarations, every field kept", () => {
    const component = {
      ...scaffoldComponent("impulse", "x"),
      secrets: {
        TOKEN: { required: true, description: "d", mountType: "file", mountPath: "/s", expectedKeys: ["a", "b"] },
      },
    };
    const t = parseTemplateSchemas(templateYamlFor(component as never, { name: "x", version: "1" }));
    assert.deepEqual(t.secretSchema, {
      TOKEN: { required: true, description: "d", mountType: "file", mountPath: "/s", expectedKeys: ["a", "b"] },
    });
    const none = parseTemplateSchemas(
      templateYamlFor(scaffoldComponent("streaming", "x"), { name: "x", version: "1" }),
    );
    assert.equal(none.secretSchema, undefined);
  });

  test("findComponent: the only component, a named one, or an error naming the choices", () => {
    const a = scaffoldComponent("batch", "a");
    const b = scaffoldComponent("impulse", "b");
    assert.equal(findComponent({ a, other: 1 }).component, a);
    assert.equal(findComponent({ a, default: a }).exportName, "a");
    assert.equal(findComponent({ a, b }, "b").component, b);
    assert.throws(() => findComponent({ a, b }), /exports 2 components \(a, b\); pick one with --export/);
    assert.throws(() => findComponent({ x: {} }), /exports no component/);
    assert.throws(() => findComponent({ a }, "x"), /export "x" is not a component/);
  });
});

describe("bubu init", () => {
  test("every kind and runtime: the files, and manifests with the scripts and dependencies", () => {
    const dir = scratch();
    try {
      for (const runtime of ["node", "bun", "deno"] as const) {
        for (const kind of KINDS) {
          const target = join(dir, `${kind}-${runtime}`);
          const r = init(dir, target, "--kind", kind, "--runtime", runtime);
          const main =
            kind === "impulse"
              ? ["impulse.test.ts", "impulse.ts", "Impulse.yaml"]
              : ["Engram.yaml", "engram.test.ts", "engram.ts"];
          const manifests = runtime === "deno" ? ["deno.json"] : ["package.json", "tsconfig.json"];
          const expected = [".dockerignore", ".gitignore", "Dockerfile", "README.md", ...main, ...manifests].sort();
          assert.deepEqual(readdirSync(target).sort(), expected, `${kind}/${runtime}`);
          assert.deepEqual(r.files, expected);
          assert.match(readFileSync(join(target, ".gitignore"), "utf8"), /^\.bubu\/$/m);
          const docker = readFileSync(join(target, "Dockerfile"), "utf8");
          assert.match(docker, / AS build\n/);
          assert.match(docker, /^USER nonroot$/m);
          assert.match(docker, runtime === "deno" ? /deno compile/ : /bun run build/);
          if (runtime !== "deno") assert.match(docker, /then bun install --frozen-lockfile; else bun install; fi$/m);
          else {
            assert.match(docker, /^RUN if \[ -e deno\.lock \]; then deno install --frozen; else deno install; fi$/m);
            // Long-running kinds get Deno a small young generation (it ignores the pod's memory limit).
            assert.equal(
              docker.includes(`deno compile -A --v8-flags=${DENO_LONG_RUNNING_V8_FLAGS} --output`),
              kind !== "batch",
              `${kind} --v8-flags`,
            );
          }
          assert.equal(/^EXPOSE 8080$/m.test(docker), kind === "impulse", `${kind}/${runtime} EXPOSE`);
          assert.equal(/Bun-compiled executable/.test(docker), runtime === "node", `${kind}/${runtime} Bun note`);
          const streams = kind === "streaming" || kind === "dual";
          if (runtime === "deno") {
            const deno = JSON.parse(readFileSync(join(target, "deno.json"), "utf8"));
            assert.deepEqual(Object.keys(deno.tasks), ["start", "test", "typecheck", "template", "build"]);
            assert.equal(deno.imports["@bubustack/sdk"], "npm:@bubustack/sdk@^0.1.0");
            assert.equal(deno.imports["@bubustack/sdk/"], "npm:/@bubustack/sdk@^0.1.0/");
            assert.equal("@connectrpc/connect" in deno.imports, streams);
          } else {
            const pkg = JSON.parse(readFileSync(join(target, "package.json"), "utf8"));
            assert.equal(pkg.type, "module");
            assert.deepEqual(Object.keys(pkg.scripts), ["start", "test", "typecheck", "template", "build"]);
            assert.equal(pkg.dependencies["@bubustack/sdk"], "^0.1.0");
            assert.equal(pkg.dependencies.valibot, "^1.5.0");
            assert.equal("@connectrpc/connect" in pkg.dependencies, streams, `${kind}/${runtime} gRPC`);
            assert.equal("undici" in pkg.dependencies, false, "Node's TLS client is node:https");
            assert.equal("bun" in pkg.devDependencies, runtime === "node");
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("--sdk: a tarball is copied into the project's vendor/ (Node, Bun; the Dockerfile copies it before installing); jsr: is for deno; a non-empty folder is refused", () => {
    const dir = scratch();
    try {
      writeFileSync(join(dir, "sdk.tgz"), "not really a tarball");
      init(dir, "app", "--kind", "batch", "--sdk", "./sdk.tgz");
      assert.equal(
        JSON.parse(readFileSync(join(dir, "app/package.json"), "utf8")).dependencies["@bubustack/sdk"],
        "file:./vendor/sdk.tgz",
      );
      assert.equal(readFileSync(join(dir, "app/vendor/sdk.tgz"), "utf8"), "not really a tarball");
      const docker = readFileSync(join(dir, "app/Dockerfile"), "utf8");
      assert.ok(docker.indexOf("COPY vendor ./vendor") < docker.indexOf("bun install"), docker);
      assert.ok(docker.includes("COPY vendor ./vendor"), docker);
      init(dir, "j", "--kind", "batch", "--runtime", "deno", "--sdk", "jsr:@bubustack/sdk@^0.1.0");
      assert.equal(
        JSON.parse(readFileSync(join(dir, "j/deno.json"), "utf8")).imports["@bubustack/sdk/"],
        "jsr:/@bubustack/sdk@^0.1.0/",
      );
      assert.throws(() => init(dir, "n", "--kind", "batch", "--sdk", "jsr:@bubustack/sdk"), /for --runtime deno/);
      assert.throws(() => init(dir, "m", "--kind", "batch", "--sdk", "./missing.tgz"), /no such file/);
      assert.throws(() => init(dir, "app", "--kind", "batch"), /exists and is not empty/);
      assert.throws(() => init(dir, "q", "--kind", "batch", "--name", "!!!"), /cannot make a name/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the written component has exactly the template init wrote", async () => {
    const dir = scratch();
    try {
      const map: Record<string, string> = {
        "@bubustack/sdk": "src/mod.ts",
        "@bubustack/sdk/testkit": "src/testkit/mod.ts",
        "@bubustack/sdk/streaming": "src/streaming/mod.ts",
      };
      for (const kind of KINDS) {
        const target = join(dir, kind);
        init(dir, target, "--kind", kind, "--name", `my-${kind}`);
        const file = kind === "impulse" ? "impulse.ts" : "engram.ts";
        const source = readFileSync(join(target, file), "utf8").replace(
          /from "(@bubustack\/sdk[^"]*)"/g,
          (_m, spec: string) => {
            assert.ok(map[spec], spec);
            return `from ${JSON.stringify(pathToFileURL(resolve(repoRoot, map[spec]!)).href)}`;
          },
        );
        writeFileSync(join(target, file), source);
        const mod = (await import(pathToFileURL(join(target, file)).href)) as Record<string, unknown>;
        const { component } = findComponent(mod);
        assert.equal(component.kind, kind);
        assert.equal(component.name, `my-${kind}`);
        const written = readFileSync(join(target, kind === "impulse" ? "Impulse.yaml" : "Engram.yaml"), "utf8");
        // What the project's `template` script writes (its --image is the README's docker tag).
        const image = `my-${kind}:0.1.0`;
        assert.equal(templateYamlFor(component, { name: `my-${kind}`, version: "0.1.0", image }), written, kind);
        assert.ok(written.includes(`image: "${image}"`), written);
        const scripts = (
          JSON.parse(readFileSync(join(target, "package.json"), "utf8")) as { scripts: Record<string, string> }
        ).scripts;
        assert.match(scripts.template!, new RegExp(`--image ${image} >`));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
