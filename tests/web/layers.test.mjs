import assert from "node:assert/strict";
import { test } from "node:test";
import { addLayer, layersChange, perLayer, removeLayer, resizeLayer, setLayerValue } from "../../web/layers.js";

test("perLayer repeats the last entry and cuts long lists", () => {
  assert.deepEqual(perLayer(["relu"], 3, "tanh"), ["relu", "relu", "relu"]);
  assert.deepEqual(perLayer(["relu", "elu", "selu"], 2, "tanh"), ["relu", "elu"]);
  assert.deepEqual(perLayer([], 2, 0), [0, 0]);
});

test("layersChange makes every per-layer list as long as the layers", () => {
  const change = layersChange({ activations: ["relu", "elu"], dropout: [0.1] }, [4, 4, 2]);
  assert.deepEqual(change, { hidden: [4, 4, 2], activations: ["relu", "elu", "elu"], dropout: [0.1, 0.1, 0.1] });
  // No hidden layer still sends one entry: the server needs at least one.
  assert.deepEqual(layersChange({ activations: ["relu"], dropout: [0] }, []).activations, ["relu"]);
});

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

test("setLayerValue sets one layer and keeps the others", () => {
  assert.deepEqual(setLayerValue(["tanh"], 3, 1, "relu"), ["tanh", "relu", "tanh"]);
});
