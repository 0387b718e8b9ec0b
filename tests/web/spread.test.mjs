import assert from "node:assert/strict";
import { test } from "node:test";
import { spread, spreadSentence } from "../../web/shared/spread.js";

test("spread finds the lowest, median and highest finite value", () => {
  assert.deepEqual(spread([0.3, 0.1, null, 0.5, Number.NaN]), { low: 0.1, median: 0.3, high: 0.5, lowIndex: 1, highIndex: 3, count: 3 });
  assert.equal(spread([0.2, 0.4]).median, 0.30000000000000004);
  assert.equal(spread([null, undefined]), null);
});

test("the sentence names the best and the worst run", () => {
  const text = spreadSentence("Test loss", [0.45, 0.2, 0.0812, 0.3, 0.25], ["seed = 0", "seed = 1", "seed = 2", "seed = 3", "seed = 4"]);
  assert.equal(text, "Test loss over 5 runs: best 0.0812 (seed = 2), median 0.25, worst 0.45 (seed = 0).");
  assert.equal(spreadSentence("Test loss", [null], ["a"]), "Test loss: not measured yet.");
});
