import { test } from "node:test";
import fc from "fast-check";
test("fc", () => { fc.assert(fc.property(fc.integer(), (n) => n + 0 === n), { seed: 1, numRuns: 10 }); });
