import assert from "node:assert/strict";
import { test } from "node:test";
import { isRelevant } from "../../web/page/controls.js";

test("a parameter shows only under the choices it belongs to", () => {
  assert.equal(isRelevant("optimizer=adam,rmsprop", { optimizer: "adam" }), true);
  assert.equal(isRelevant("optimizer=adam,rmsprop", { optimizer: "sgd" }), false);
  assert.equal(isRelevant("early_stopping=true", { early_stopping: true }), true);
  assert.equal(isRelevant("early_stopping=true", { early_stopping: false }), false);
});
