// @ts-check
// Tests for the digits page's pure modules (web/digits/images.js, results.js, presets.js) and
// the digits messages in web/shared/protocol.js; run with `node --test tests/web/`. No DOM.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { usePalette } from "../../web/shared/colors.js";
import { DIGITS_SERVER_FIELDS, parseMessage, send, sessionUrl } from "../../web/shared/protocol.js";
import { settingSpecs } from "../../web/shared/schema.js";
import { downsample, paintGrey, paintWeight, weightGroups } from "../../web/digits/images.js";
import { comparePresets, modelName } from "../../web/digits/presets.js";
import { confusionSummary, formatNumber, topClass, verdicts } from "../../web/digits/results.js";

/** @type {Record<string, any>} GET /api/digits/config (tests/test_digits_web_contract.py keeps it the server's) */
const CONFIG = JSON.parse(readFileSync(new URL("./fixtures/digits_config.json", import.meta.url), "utf8"));
usePalette(CONFIG.palette);

describe("images", () => {
  test("grey levels paint white ink on black, clamped", () => {
    const target = new Uint8ClampedArray(4 * 3);
    paintGrey(target, [0, 8, 20], 16);
    assert.deepEqual([...target], [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]);
    assert.throws(() => paintGrey(new Uint8ClampedArray(4), [0, 1], 16), RangeError);
  });

  test("a weight image is painted from its own slice, 128 the neutral middle", () => {
    const weights = { data: new Uint8Array([0, 0, 0, 0, 128, 128, 128, 128]), shape: [2, 2, 2] };
    const first = new Uint8ClampedArray(16);
    const second = new Uint8ClampedArray(16);
    paintWeight(first, weights, 0);
    paintWeight(second, weights, 1);
    assert.notDeepEqual([...first.slice(0, 3)], [...second.slice(0, 3)]);
    assert.ok(second[0] > 200 && second[1] > 200 && second[2] > 200, "zero weight is near white");
  });

  test("weight groups: dense units and conv filters one group, local one per filter", () => {
    assert.deepEqual(weightGroups([25, 8, 8], "dense", 4).map((g) => g.images.length), [25]);
    const conv = weightGroups([4, 3, 3], "conv", 4);
    assert.equal(conv.length, 1);
    assert.equal(conv[0].side, 3);
    const local = weightGroups([4 * 36, 3, 3], "local", 4);
    assert.deepEqual(local.map((g) => g.images.length), [36, 36, 36, 36]);
    assert.equal(local[1].images[0], 36, "filter-major");
    assert.equal(local[0].columns, 6);
  });

  test("downsample averages the red channel over each block", () => {
    const width = 4;
    const rgba = new Uint8Array(4 * 4 * 4);
    for (const [x, y] of [[0, 0], [1, 0], [0, 1], [1, 1], [3, 3]]) rgba[4 * (y * width + x)] = 255;
    assert.deepEqual(downsample(rgba, 4, 4, 2), [255, 0, 0, 64]);
    assert.equal(downsample(new Uint8Array(256 * 256 * 4), 256, 256, 64).length, 64 * 64);
  });
});

describe("results", () => {
  test("confusion summary: diagonal, total, accuracy, largest", () => {
    const summary = confusionSummary(new Float32Array([5, 1, 2, 4]), 2);
    assert.deepEqual(summary.rows, [[5, 1], [2, 4]]);
    assert.equal(summary.diagonal, 9);
    assert.equal(summary.total, 12);
    assert.equal(summary.accuracy, 0.75);
    assert.equal(summary.largest, 5);
    assert.equal(confusionSummary(new Float32Array(4), 2).accuracy, null);
  });

  test("verdicts read the classes as the task's digits, misclassified first on request", () => {
    const probabilities = new Uint8Array([250, 5, 10, 245, 200, 55]); // 3 images, 2 classes
    const labels = [3, 7, 7];
    const plain = verdicts(probabilities, 2, labels, [3, 7], false);
    assert.deepEqual(plain.map((v) => [v.index, v.predicted, v.correct]), [[0, 3, true], [1, 7, true], [2, 3, false]]);
    assert.ok(Math.abs(plain[0].probabilities[0] - 250 / 255) < 1e-9);
    assert.deepEqual(verdicts(probabilities, 2, labels, [3, 7], true).map((v) => v.index), [2, 0, 1]);
  });

  test("topClass takes the first of ties; numbers show diverged values as a dash", () => {
    assert.equal(topClass([0.1, 0.7, 0.7]), 1);
    assert.equal(formatNumber(null), "–");
    assert.equal(formatNumber(NaN), "–");
    assert.equal(formatNumber(0.123456), "0.123");
    assert.equal(formatNumber(0.0000863), "8.63e-5");
    assert.equal(formatNumber(0), "0");
    assert.equal(formatNumber(0.9123, true), "91.2%");
  });
});

describe("presets", () => {
  test("the three comparisons the lab teaches are offered with the server's choices", () => {
    const presets = comparePresets(settingSpecs(CONFIG.settings_schema));
    const ids = presets.map((p) => p.id);
    for (const id of ["dense-conv", "softmax-naive", "adam-sgd"]) assert.ok(ids.includes(id), id);
  });

  test("a preset whose value the server does not offer is left out", () => {
    const specs = settingSpecs(CONFIG.settings_schema);
    specs.first_layer = { ...specs.first_layer, choices: ["dense"] };
    const ids = comparePresets(specs).map((p) => p.id);
    assert.ok(!ids.includes("dense-conv") && ids.includes("adam-sgd"));
  });

  test("a compared model is named by its letter and change", () => {
    assert.equal(modelName({ first_layer: "conv" }, 1), "B: first layer conv");
    assert.equal(modelName({}, 0), "A: as set");
  });
});

describe("digits messages", () => {
  test("a digits session's messages parse with their own fields, the 2-D ones do not fit", () => {
    const ready = { type: "ready", lab: "digits", version: "1", limits: {}, settings: {}, epochs_per_frame: 1, effects: {}, models: [] };
    assert.equal(parseMessage(JSON.stringify(ready), DIGITS_SERVER_FIELDS).type, "ready");
    assert.throws(() => parseMessage(JSON.stringify(ready)), /unknown \[lab\]/);
    const prediction = { type: "prediction", image: [], digits: [0, 1], probabilities: [[0.5, 0.5]] };
    assert.equal(parseMessage(JSON.stringify(prediction), DIGITS_SERVER_FIELDS).type, "prediction");
  });

  test("predict and the digits session's address", () => {
    assert.deepEqual(send.predict(8, [1, 2]), { type: "predict", side: 8, pixels: [1, 2] });
    const location = /** @type {Location} */ (/** @type {unknown} */ ({ protocol: "https:", host: "h:1", pathname: "/class/digits.html" }));
    assert.equal(sessionUrl(location, "digits"), "wss://h:1/class/ws?lab=digits");
    assert.equal(sessionUrl(location), "wss://h:1/class/ws");
  });
});
