// @ts-check
// Unit tests of web/shared/dataset_preview.js (a dataset sample's thumbnail dots and the grouping by
// problem). Run: node --test tests/web/ — node builtins and the modules only.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { PALETTE, multilabelColor, sequentialColor, usePalette } from "../../web/shared/colors.js";
import { groupByProblem, previewDots } from "../../web/shared/dataset_preview.js";
import { CONFIG } from "./config_fixture.mjs";

usePalette(CONFIG.palette); // the server's, as the page and the drawing worker set it

/** @typedef {import("../../web/shared/dataset_preview.js").DatasetSample} DatasetSample */

/** @param {Partial<DatasetSample>} fields @returns {DatasetSample} */
const sample = (fields) => ({ name: "xor", problem: "binary", n_outputs: 1, points: [], ...fields });

describe("previewDots places points as the boundary does", () => {
  test("corners and centre of the domain", () => {
    const points = [
      [-6, 6, 0], // top left
      [6, -6, 1], // bottom right
      [0, 0, 1], // centre
      [3, 0, 0],
    ];
    const dots = previewDots(sample({ points }), 56, 6);
    assert.deepEqual(
      dots.map(({ x, y }) => [x, y]),
      [
        [0, 0],
        [56, 56],
        [28, 28],
        [42, 28],
      ],
    );
  });

  test("y points up: a larger y is higher on the canvas", () => {
    const [low, high] = previewDots(sample({ points: [[0, -1, 0], [0, 1, 0]] }), 100, 6);
    assert.ok(high.y < low.y);
  });

  test("the side scales the positions (a devicePixelRatio of 2 doubles them)", () => {
    const points = [[1.5, -2, 0]];
    const [one] = previewDots(sample({ points }), 56, 6);
    const [two] = previewDots(sample({ points }), 112, 6);
    assert.equal(two.x, 2 * one.x);
    assert.equal(two.y, 2 * one.y);
  });
});

describe("previewDots colours points as the boundary does", () => {
  test("classes take their palette colour", () => {
    const points = [[0, 0, 0], [0, 0, 1], [0, 0, 2]];
    const colors = previewDots(sample({ problem: "multiclass", n_outputs: 3, points }), 56, 6).map((dot) => dot.color);
    assert.deepEqual(colors, [PALETTE[0], PALETTE[1], PALETTE[2]]);
  });

  test("binary labels 0 and 1 are orange and blue", () => {
    const colors = previewDots(sample({ points: [[0, 0, 0], [0, 0, 1]] }), 56, 6).map((dot) => dot.color);
    assert.deepEqual(colors, [PALETTE[0], PALETTE[1]]);
  });

  test("multilabel bitmasks mix the colours of the labels that are on", () => {
    const points = [[0, 0, 0b000], [0, 0, 0b001], [0, 0, 0b101]];
    const colors = previewDots(sample({ problem: "multilabel", n_outputs: 3, points }), 56, 6).map((dot) => dot.color);
    assert.deepEqual(colors, [multilabelColor([], 1), multilabelColor([0], 1), multilabelColor([0, 2], 1)]);
    assert.deepEqual(colors[1], PALETTE[0]);
  });

  test("regression values span the value scale from the lowest to the highest", () => {
    const points = [[0, 0, -2], [0, 0, 0], [0, 0, 2]];
    const colors = previewDots(sample({ problem: "regression", points }), 56, 6).map((dot) => dot.color);
    assert.deepEqual(colors, [sequentialColor(0), sequentialColor(0.5), sequentialColor(1)]);
  });

  test("a flat regression sample still gets a colour (no division by zero)", () => {
    const [dot] = previewDots(sample({ problem: "regression", points: [[0, 0, 3], [1, 1, 3]] }), 56, 6);
    assert.deepEqual(dot.color, sequentialColor(0));
  });
});

describe("groupByProblem", () => {
  test("problems in the issue's order, datasets in the order given", () => {
    const samples = [
      sample({ name: "sine", problem: "regression" }),
      sample({ name: "blobs", problem: "multiclass" }),
      sample({ name: "circle", problem: "binary" }),
      sample({ name: "plane", problem: "regression" }),
      sample({ name: "xor", problem: "binary" }),
    ];
    const groups = groupByProblem(samples).map(({ problem, samples: group }) => [problem, group.map((s) => s.name)]);
    assert.deepEqual(groups, [
      ["binary", ["circle", "xor"]],
      ["multiclass", ["blobs"]],
      ["regression", ["sine", "plane"]],
    ]);
  });

  test("a problem the page does not know yet comes last rather than vanishing", () => {
    const samples = [sample({ name: "new", problem: /** @type {any} */ ("ranking") }), sample({ name: "xor" })];
    assert.deepEqual(
      groupByProblem(samples).map((group) => group.problem),
      ["binary", "ranking"],
    );
  });
});
