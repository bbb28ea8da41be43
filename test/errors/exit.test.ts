import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { classifyExitCode, ExitCode, exitClassFor, exitClassOverride, parseExitClass } from "../../src/errors/exit.ts";

describe("ExitCode", () => {
  test("documented process exit codes", () => {
    assert.deepEqual({ ...ExitCode }, { Success: 0, Failure: 1, Timeout: 124, Sigterm: 143 });
  });
});

describe("parseExitClass (rateLimited fixed)", () => {
  test("canonical values", () => {
    assert.equal(parseExitClass("success"), "success");
    assert.equal(parseExitClass("retry"), "retry");
    assert.equal(parseExitClass("terminal"), "terminal");
    assert.equal(parseExitClass("rateLimited"), "rateLimited");
  });
  test("case-insensitive and trimmed, canonical spelling returned", () => {
    assert.equal(parseExitClass("  RateLimited \n"), "rateLimited");
    assert.equal(parseExitClass("RATELIMITED"), "rateLimited");
    assert.equal(parseExitClass(" Retry"), "retry");
    assert.equal(parseExitClass("TERMINAL"), "terminal");
  });
  test("unknown and junk are rejected", () => {
    assert.equal(parseExitClass("unknown"), undefined);
    assert.equal(parseExitClass("rate-limited"), undefined);
    assert.equal(parseExitClass(""), undefined);
    assert.equal(parseExitClass("retryx"), undefined);
  });
});

describe("classifyExitCode (operator table)", () => {
  const table: Array<[number, string]> = [
    [-1, "unknown"],
    [0, "success"],
    [1, "terminal"],
    [2, "terminal"],
    [123, "terminal"],
    [124, "retry"],
    [125, "terminal"],
    [126, "terminal"],
    [127, "terminal"],
    [128, "retry"],
    [137, "retry"],
    [143, "retry"],
    [255, "retry"],
    [256, "terminal"],
    [429, "rateLimited"],
    [-2, "terminal"],
  ];
  for (const [code, cls] of table) {
    test(`${code} -> ${cls}`, () => assert.equal(classifyExitCode(code), cls));
  }
});

describe("exitClassFor / exitClassOverride", () => {
  test("no error is success; a plain error is terminal", () => {
    assert.equal(exitClassFor(undefined), "success");
    assert.equal(exitClassFor(null), "success");
    assert.equal(exitClassFor(new Error("x")), "terminal");
    assert.equal(exitClassOverride(new Error("x")), undefined);
  });
  test("provider exitClass wins; rateLimited works", () => {
    assert.equal(
      exitClassFor(new BubuError("execution_error", "slow down", { exitClass: "rateLimited" })),
      "rateLimited",
    );
    assert.equal(
      exitClassFor(new BubuError("execution_error", "x", { exitClass: "terminal", retryable: true })),
      "terminal",
    );
  });
  test("retryable decides when exitClass is empty or unmatched", () => {
    assert.equal(exitClassFor(new BubuError("execution_error", "x", { retryable: true })), "retry");
    assert.equal(exitClassFor(new BubuError("execution_error", "x", { retryable: false })), "terminal");
    const foreign = { structuredError: () => ({ exitClass: "bogus", retryable: true }) };
    assert.equal(exitClassFor(new Error("wrapped", { cause: foreign })), "retry");
  });
  test("a provider with neither gives no override", () => {
    assert.equal(exitClassOverride(new BubuError("execution_error", "x")), undefined);
    assert.equal(exitClassFor(new BubuError("execution_error", "x")), "terminal");
  });
  test("the override is found through cause chains", () => {
    const err = new Error("outer", { cause: new BubuError("execution_error", "inner", { retryable: true }) });
    assert.equal(exitClassFor(err), "retry");
  });
});
