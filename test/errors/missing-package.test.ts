// An optional package that is not installed: the runtime's own module-not-found error (Bun, Deno
// and Node word it differently) becomes one that names the packages to install.

import assert from "node:assert/strict";
import { test } from "node:test";
import { rethrowMissing } from "../../src/errors/missing-package.ts";

test("a missing package named in the list: the error says what to install, the original is the cause", async () => {
  const name = ["@bubustack", "no-such-package-for-this-test"].join("/");
  const err = await import(name).catch(rethrowMissing([name, "other-pkg"], "this feature")).then(
    () => assert.fail("the import resolved"),
    (e: unknown) => e as Error,
  );
  assert.equal(
    err.message,
    `this feature needs the packages ${name}, other-pkg; install them (npm install ${name} other-pkg)`,
  );
  assert.ok(err.cause instanceof Error);
});

test("any other failure is rethrown as it is", async () => {
  const name = ["@bubustack", "no-such-package-for-this-test"].join("/");
  const original = await import(name).catch((e: unknown) => e);
  assert.throws(
    () => rethrowMissing(["@connectrpc/connect"], "x")(original),
    (e) => e === original,
  );
  const other = new Error("Cannot find package '@connectrpc/connect-web'");
  assert.throws(
    () => rethrowMissing(["@connectrpc/connect"], "x")(other),
    (e) => e === other,
  );
  const boom = new TypeError("boom");
  assert.throws(
    () => rethrowMissing(["@connectrpc/connect"], "x")(boom),
    (e) => e === boom,
  );
});
