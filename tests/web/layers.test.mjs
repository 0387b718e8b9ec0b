import assert from "node:assert/strict";
import { test } from "node:test";
import { addLayer, removeLayer, resizeLayer } from "../../web/shared/layers.js";

test("addLayer copies the last layer and stops at the limit", () => {
  assert.deepEqual(addLayer([4, 2], 6, 4), [4, 2, 2]);
  assert.deepEqual(addLayer([], 6, 4), [4]);
  assert.equal(addLayer([1, 1, 1, 1, 1, 1], 6, 4), null);
});

test("removeLayer drops the last layer, none when empty", () => {
  assert.deepEqual(removeLayer([4, 2]), [4]);
  assert.equal(removeLayer([]), null);
});

test("resizeLayer stays within the bounds", () => {
  assert.deepEqual(resizeLayer([4, 2], 1, 1, 1, 16), [4, 3]);
  assert.equal(resizeLayer([4, 1], 1, -1, 1, 16), null);
  assert.equal(resizeLayer([16], 0, 1, 1, 16), null);
  assert.equal(resizeLayer([4], 3, 1, 1, 16), null);
});
