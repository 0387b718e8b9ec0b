// @ts-check
// Unit tests of web/shared/csv_points.js (reading a user's CSV of points, the `points` message, and
// guessing the problem). Run: node --test tests/web/ — node builtins and the module only.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { PROBLEMS, inferProblem, parsePointsCsv, pointsMessage } from "../../web/shared/csv_points.js";
import { LIMITS } from "./config_fixture.mjs";

/** @param {string[]} lines */
const csv = (lines) => lines.join("\n");

/** @param {ReturnType<typeof parsePointsCsv>} result */
function clean(result) {
  assert.deepEqual(result.errors, []);
  return result.points;
}

describe("good files", () => {
  test("binary with header", () => {
    const points = clean(parsePointsCsv(csv(["x,y,label", "1,2,0", "-3.5,4,1", "0,0,1"]), LIMITS, { problem: "binary" }));
    assert.deepEqual(points, [
      { x: 1, y: 2, label: 0 },
      { x: -3.5, y: 4, label: 1 },
      { x: 0, y: 0, label: 1 },
    ]);
  });

  test("binary accepts 1.0 as a label (the server takes integral floats)", () => {
    const points = clean(parsePointsCsv("1,1,1.0\n2,2,0.0", LIMITS, { problem: "binary" }));
    assert.deepEqual(points.map((p) => p.label), [1, 0]);
  });

  test("multiclass, classes 0 to nOutputs - 1", () => {
    const text = csv(["x1,x2,label", "0,0,0", "1,1,1", "2,2,2", "3,3,3", "4,4,4"]);
    const points = clean(parsePointsCsv(text, LIMITS, { problem: "multiclass", nOutputs: 5 }));
    assert.deepEqual(points.map((p) => p.label), [0, 1, 2, 3, 4]);
  });

  test("multilabel bitmasks up to 2^nOutputs - 1", () => {
    const text = csv(["0,0,0", "1,0,1", "0,1,2", "1,1,3", "2,2,7", "3,3,5"]);
    const points = clean(parsePointsCsv(text, LIMITS, { problem: "multilabel", nOutputs: 3 }));
    assert.deepEqual(points.map((p) => p.label), [0, 1, 2, 3, 7, 5]);
  });

  test("regression values, including the bounds", () => {
    const text = csv(["x,y,value", "0.25,-0.5,3.14159", "1,1,-1000", "2,2,1000", "3,3,1e2", "4,4,-.5"]);
    const points = clean(parsePointsCsv(text, LIMITS, { problem: "regression" }));
    assert.deepEqual(points.map((p) => p.label), [3.14159, -1000, 1000, 100, -0.5]);
    assert.deepEqual(points[0], { x: 0.25, y: -0.5, label: 3.14159 });
  });

  test("coordinates on the domain's edges are in", () => {
    const points = clean(parsePointsCsv("-6,6,0\n6,-6,1", LIMITS, { problem: "binary" }));
    assert.equal(points.length, 2);
    const wider = clean(parsePointsCsv("-8,8,0\n8,-8,1", { ...LIMITS, domain: 8 }, LIMITS, { problem: "binary" }));
    assert.equal(wider.length, 2);
  });
});

describe("headers, separators, skipped lines", () => {
  const expected = [
    { x: 1, y: 2, label: 0 },
    { x: 3, y: 4, label: 1 },
  ];

  for (const header of ["x,y,label", "x1,x2,label", "x,y,value", "X, Y, Label", '"x","y","label"', "x1,x2,value"]) {
    test(`header ${header}`, () => {
      assert.deepEqual(clean(parsePointsCsv(`${header}\n1,2,0\n3,4,1`, LIMITS, { problem: "binary" })), expected);
    });
  }

  test("no header", () => {
    assert.deepEqual(clean(parsePointsCsv("1,2,0\n3,4,1", LIMITS, { problem: "binary" })), expected);
  });

  for (const [name, separator] of [["comma", ","], ["semicolon", ";"], ["tab", "\t"]]) {
    test(`${name} separated, with and without a header`, () => {
      const rows = ["1 2 0", "3 4 1"].map((row) => row.replaceAll(" ", separator));
      assert.deepEqual(clean(parsePointsCsv(rows.join("\n"), LIMITS, { problem: "binary" })), expected);
      const header = ["x", "y", "label"].join(separator);
      assert.deepEqual(clean(parsePointsCsv([header, ...rows].join("\n"), LIMITS, { problem: "binary" })), expected);
    });
  }

  test("a decimal comma is read when the separator is ; or tab", () => {
    const semicolon = clean(parsePointsCsv("x;y;value\n1,5;-2,25;0,5\n0;0;3", LIMITS, { problem: "regression" }));
    assert.deepEqual(semicolon[0], { x: 1.5, y: -2.25, label: 0.5 });
    const tab = clean(parsePointsCsv("1,5\t2\t0\n0\t0\t1", LIMITS, { problem: "binary" }));
    assert.deepEqual(tab[0], { x: 1.5, y: 2, label: 0 });
  });

  test("blank lines, comments, CRLF, a BOM, spaces, quotes and a trailing separator", () => {
    const text = "\uFEFF# my points\r\n\r\nx,y,label\r\n  1 , 2 , 0 \r\n# the other class\r\n\"3\",\"4\",\"1\",\r\n\r\n";
    assert.deepEqual(clean(parsePointsCsv(text, LIMITS, { problem: "binary" })), expected);
  });

  test("old Mac line ends (CR only)", () => {
    assert.deepEqual(clean(parsePointsCsv("1,2,0\r3,4,1", LIMITS, { problem: "binary" })), expected);
  });
});

describe("errors name the line, the column, what was expected and what was received", () => {
  test("the brief's example: a binary label of 2 on line 7", () => {
    const text = csv(["# comment", "x,y,label", "", "1,1,0", "2,2,1", "3,3,0", "4,4,2", "5,5,1"]);
    const { points, errors } = parsePointsCsv(text, LIMITS, { problem: "binary" });
    assert.deepEqual(errors, [{ line: 7, message: 'line 7: label must be 0 or 1 for binary data, received "2"' }]);
    assert.equal(points.length, 4); // the good rows only
  });

  test("x and y out of the domain, or not numbers", () => {
    const text = csv(["x,y,label", "7,0,0", "0,-6.5,1", "abc,0,0", "0,,1", "1e400,0,0", "Infinity,0,1", "0x10,0,0", "0,0,0"]);
    const { errors } = parsePointsCsv(text, LIMITS, { problem: "binary" });
    assert.deepEqual(errors, [
      { line: 2, message: 'line 2: x must be a number from -6 to 6, received "7"' },
      { line: 3, message: 'line 3: y must be a number from -6 to 6, received "-6.5"' },
      { line: 4, message: 'line 4: x must be a number from -6 to 6, received "abc"' },
      { line: 5, message: 'line 5: y must be a number from -6 to 6, received ""' },
      { line: 6, message: 'line 6: x must be a number from -6 to 6, received "1e400"' },
      { line: 7, message: 'line 7: x must be a number from -6 to 6, received "Infinity"' },
      { line: 8, message: 'line 8: x must be a number from -6 to 6, received "0x10"' },
    ]);
  });

  test("one error per bad field, so a row can have several", () => {
    const { errors } = parsePointsCsv("9,9,5\n0,0,0\n1,1,1", LIMITS, { problem: "binary" });
    assert.deepEqual(errors.map((e) => e.message), [
      'line 1: x must be a number from -6 to 6, received "9"',
      'line 1: y must be a number from -6 to 6, received "9"',
      'line 1: label must be 0 or 1 for binary data, received "5"',
    ]);
  });

  test("the domain option sets the bound", () => {
    const { errors } = parsePointsCsv("0,0,0\n3,0,1", { ...LIMITS, domain: 2 }, LIMITS, { problem: "binary" });
    assert.deepEqual(errors, [{ line: 2, message: 'line 2: x must be a number from -2 to 2, received "3"' }]);
  });

  test("binary labels", () => {
    const { errors } = parsePointsCsv("0,0,0\n0,0,-1\n0,0,0.5\n0,0,yes\n0,0,", LIMITS, { problem: "binary" });
    assert.deepEqual(errors.map((e) => e.message), [
      'line 2: label must be 0 or 1 for binary data, received "-1"',
      'line 3: label must be 0 or 1 for binary data, received "0.5"',
      'line 4: label must be 0 or 1 for binary data, received "yes"',
      'line 5: label must be 0 or 1 for binary data, received ""',
    ]);
  });

  test("multiclass labels", () => {
    const { errors } = parsePointsCsv("0,0,0\n0,0,3\n0,0,1.5\n0,0,2\n0,0,-1", LIMITS, { problem: "multiclass", nOutputs: 3 });
    assert.deepEqual(errors, [
      { line: 2, message: 'line 2: label must be a class index from 0 to 2 for multiclass data, received "3"' },
      { line: 3, message: 'line 3: label must be a class index from 0 to 2 for multiclass data, received "1.5"' },
      { line: 5, message: 'line 5: label must be a class index from 0 to 2 for multiclass data, received "-1"' },
    ]);
  });

  test("multilabel labels", () => {
    const { errors } = parsePointsCsv("0,0,3\n0,0,4\n0,0,2.5", LIMITS, { problem: "multilabel", nOutputs: 2 });
    assert.deepEqual(errors, [
      { line: 2, message: 'line 2: label must be a label bitmask from 0 to 3 for multilabel data, received "4"' },
      { line: 3, message: 'line 3: label must be a label bitmask from 0 to 3 for multilabel data, received "2.5"' },
    ]);
  });

  test("regression targets", () => {
    const { errors } = parsePointsCsv("0,0,1000.5\n0,0,-2000\n0,0,NaN\n0,0,12", LIMITS, { problem: "regression" });
    assert.deepEqual(errors.map((e) => e.message), [
      'line 1: label must be a number from -1000 to 1000 for regression data, received "1000.5"',
      'line 2: label must be a number from -1000 to 1000 for regression data, received "-2000"',
      'line 3: label must be a number from -1000 to 1000 for regression data, received "NaN"',
    ]);
  });

  test("without a problem, labels are only checked as numbers", () => {
    const { points, errors } = parsePointsCsv("0,0,2.5\n0,0,-7\n0,0,oops", LIMITS);
    assert.deepEqual(errors, [{ line: 3, message: 'line 3: label must be a number from -1000 to 1000, received "oops"' }]);
    assert.deepEqual(points.map((p) => p.label), [2.5, -7]);
  });

  test("wrong column counts", () => {
    const { errors } = parsePointsCsv("x,y,label\n1,2\n1,2,0,4\n0,0,0\n1,1,1", LIMITS, { problem: "binary" });
    assert.deepEqual(errors, [
      { line: 2, message: 'line 2: expected 3 columns (x, y, label) separated by ",", received 2: "1,2"' },
      { line: 3, message: 'line 3: expected 3 columns (x, y, label) separated by ",", received 4: "1,2,0,4"' },
    ]);
  });

  test("a row using another separator than the file's", () => {
    const { errors } = parsePointsCsv("x\ty\tlabel\n0\t0\t0\n1,1,1\n2\t2\t1", LIMITS, { problem: "binary" });
    assert.deepEqual(errors, [
      { line: 3, message: 'line 3: expected 3 columns (x, y, label) separated by tabs, received 1: "1,1,1"' },
    ]);
  });

  test("an unknown header", () => {
    const { errors, points } = parsePointsCsv("# hi\nlat,lon,label\n0,0,0\n1,1,1", LIMITS, { problem: "binary" });
    assert.deepEqual(errors, [
      { line: 2, message: 'line 2: header must be "x,y,label" (or "x1,x2,label" or "x,y,value"), received "lat,lon,label"' },
    ]);
    assert.equal(points.length, 2);
  });

  test("a header anywhere but the first row is a bad row", () => {
    const { errors } = parsePointsCsv("0,0,0\nx,y,label\n1,1,1", LIMITS, { problem: "binary" });
    assert.deepEqual(errors.map((e) => e.line), [2, 2, 2]);
  });

  test("long received values are cut", () => {
    const { errors } = parsePointsCsv(`0,0,${"9".repeat(60)}\n1,1,1`, LIMITS, { problem: "binary" });
    assert.equal(errors[0].message, `line 1: label must be 0 or 1 for binary data, received "${"9".repeat(40)}…"`);
  });
});

describe("point count", () => {
  /** @param {number} n */
  const rows = (n) => Array.from({ length: n }, (_, i) => `${(i % 12) - 6},0,${i % 2}`);

  test("at least 2 points", () => {
    for (const [text, n] of [["", 0], ["x,y,label\n", 0], ["# only a comment", 0], ["1,1,1", 1]]) {
      const { errors } = parsePointsCsv(String(text), LIMITS, { problem: "binary" });
      assert.deepEqual(errors, [{ line: null, message: `expected 2 to 1000 points, received ${n}` }]);
    }
  });

  test("2 and maxPoints are in", () => {
    assert.equal(clean(parsePointsCsv(csv(rows(2)), LIMITS, { problem: "binary" })).length, 2);
    assert.equal(clean(parsePointsCsv(csv(rows(1000)), LIMITS, { problem: "binary" })).length, 1000);
    assert.equal(clean(parsePointsCsv(csv(rows(50)), { ...LIMITS, max_points: 50 }, { problem: "binary" })).length, 50);
  });

  test("more than maxPoints is an error without a line, listed first", () => {
    const { errors } = parsePointsCsv(csv(["x,y,label", ...rows(1001)]), LIMITS, { problem: "binary" });
    assert.deepEqual(errors, [{ line: null, message: "expected 2 to 1000 points, received 1001" }]);
    const small = parsePointsCsv(csv([...rows(50), "9,0,0"]), { ...LIMITS, max_points: 50 }, { problem: "binary" });
    assert.deepEqual(small.errors, [
      { line: null, message: "expected 2 to 50 points, received 51" },
      { line: 51, message: 'line 51: x must be a number from -6 to 6, received "9"' },
    ]);
  });

  test("bad rows count as rows", () => {
    const { errors } = parsePointsCsv("0,0,0\n0,0,7", LIMITS, { problem: "binary" });
    assert.equal(errors.length, 1);
    assert.equal(errors[0].line, 2);
  });
});

describe("bad options throw", () => {
  test("unknown problem or n_outputs out of range", () => {
    assert.throws(() => parsePointsCsv("", LIMITS, { problem: /** @type {any} */ ("ranking") }), RangeError);
    assert.throws(() => parsePointsCsv("", LIMITS, { problem: "multiclass", nOutputs: 2 }), RangeError);
    assert.throws(() => parsePointsCsv("", LIMITS, { problem: "multiclass", nOutputs: 6 }), RangeError);
    assert.throws(() => parsePointsCsv("", LIMITS, { problem: "multilabel", nOutputs: 4 }), RangeError);
    assert.throws(() => parsePointsCsv("", LIMITS, { problem: "multilabel" }), RangeError); // nOutputs defaults to 1
    assert.deepEqual(PROBLEMS, ["binary", "multiclass", "multilabel", "regression"]);
  });
});

describe("pointsMessage", () => {
  test("builds the protocol's points message, coordinates to 4 decimals", () => {
    const points = [
      { x: 1.23456789, y: -2.00004999, label: 0 },
      { x: -0.00004, y: 5.99996, label: 2 },
      { x: 0.12345, y: 3, label: 1 },
    ];
    assert.deepEqual(pointsMessage(points, "multiclass", 3), {
      type: "points",
      problem: "multiclass",
      n_outputs: 3,
      points: [
        { x: 1.2346, y: -2, label: 0 },
        { x: 0, y: 6, label: 2 },
        { x: 0.1235, y: 3, label: 1 },
      ],
    });
    assert.ok(!Object.is(pointsMessage(points, "binary").points[1].x, -0), "-0 is written as 0");
  });

  test("n_outputs defaults to 1; regression targets keep their digits", () => {
    const message = pointsMessage([{ x: 0.5, y: 0.5, label: 3.14159265 }], "regression");
    assert.equal(message.n_outputs, 1);
    assert.equal(message.points[0].label, 3.14159265);
  });

  test("a parsed file round-trips into the documented example", () => {
    const text = csv(["x,y,label", "-3,-3,0", "-2.5,-3.5,0", "3,-3,1", "3.5,-2.5,1", "0,3,2", "0.5,3.5,2"]);
    const points = clean(parsePointsCsv(text, LIMITS, { problem: "multiclass", nOutputs: 3 }));
    const expected = JSON.parse(
      '{"type": "points", "problem": "multiclass", "n_outputs": 3, "points": [{"x": -3.0, "y": -3.0, "label": 0}, {"x": -2.5, "y": -3.5, "label": 0}, {"x": 3.0, "y": -3.0, "label": 1}, {"x": 3.5, "y": -2.5, "label": 1}, {"x": 0.0, "y": 3.0, "label": 2}, {"x": 0.5, "y": 3.5, "label": 2}]}',
    );
    assert.deepEqual(pointsMessage(points, "multiclass", 3), expected);
  });
});

describe("inferProblem", () => {
  /** @param {number[]} labels */
  const points = (labels) => labels.map((label) => ({ x: 0, y: 0, label }));

  test("labels all 0 or 1 are binary", () => {
    assert.deepEqual(inferProblem(points([0, 1, 1, 0]), LIMITS), { problem: "binary", nOutputs: 1 });
    assert.deepEqual(inferProblem(points([1, 1]), LIMITS), { problem: "binary", nOutputs: 1 });
    assert.deepEqual(inferProblem([], LIMITS), { problem: "binary", nOutputs: 1 });
  });

  test("integers 0 to 4 reaching 2 are multiclass, n_outputs = largest + 1", () => {
    assert.deepEqual(inferProblem(points([0, 1, 2]), LIMITS), { problem: "multiclass", nOutputs: 3 });
    assert.deepEqual(inferProblem(points([0, 2]), LIMITS), { problem: "multiclass", nOutputs: 3 });
    assert.deepEqual(inferProblem(points([4, 0, 1, 3]), LIMITS), { problem: "multiclass", nOutputs: 5 });
  });

  test("fractions, negatives and integers above 4 are regression", () => {
    assert.deepEqual(inferProblem(points([0, 1, 0.5]), LIMITS), { problem: "regression", nOutputs: 1 });
    assert.deepEqual(inferProblem(points([0, 1, -1]), LIMITS), { problem: "regression", nOutputs: 1 });
    assert.deepEqual(inferProblem(points([0, 1, 2, 5]), LIMITS), { problem: "regression", nOutputs: 1 });
    assert.deepEqual(inferProblem(points([12.5, 3, 800]), LIMITS), { problem: "regression", nOutputs: 1 });
  });

  test("works on a file parsed without a problem", () => {
    const { points: parsed } = parsePointsCsv("0,0,0\n1,1,2\n2,2,1", LIMITS);
    assert.deepEqual(inferProblem(parsed, LIMITS), { problem: "multiclass", nOutputs: 3 });
  });
});
