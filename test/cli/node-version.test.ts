// bubu refuses a Node older than the package supports, with a message, instead of doing nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MIN_NODE, unsupportedNode } from "../../src/cli/node-version.ts";

test("supported and unsupported Node versions", () => {
  for (const v of ["22.19.0", "22.23.5", "23.0.0", "24.11.1", "30.1.0"]) assert.equal(unsupportedNode(v), undefined, v);
  for (const v of ["20.19.5", "22.18.0", "22.0.0", "18.20.8"]) {
    assert.match(
      unsupportedNode(v) ?? "",
      new RegExp(`needs Node ${MIN_NODE} or newer \\(this is Node ${v.replaceAll(".", "\\.")}\\)`),
      v,
    );
  }
});
