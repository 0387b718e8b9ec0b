// @ts-check
// Tests for web/shared/upsample.js (bilinear upsampling of output grids); run with
// `node --test tests/web/`. Imports only node builtins and the module under test.

import assert from "node:assert/strict";
import { test } from "node:test";

import { upsample } from "../../web/shared/upsample.js";

/** @param {number} side @param {(row: number, column: number) => number} value */
function grid(side, value) {
  const out = new Uint8Array(side * side);
  for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) out[r * side + c] = value(r, c);
  return out;
}

test("a factor of 1 returns the grid unchanged", () => {
  const source = grid(5, (r, c) => (r * 37 + c * 11) % 256);
  assert.deepEqual(upsample(source, 1, 5, 1), source);
});

test("a constant grid stays constant, every output grid on its own", () => {
  const two = new Uint8Array([...grid(4, () => 7), ...grid(4, () => 200)]);
  const fine = upsample(two, 2, 4, 3);
  assert.equal(fine.length, 2 * 12 * 12);
  assert.ok(fine.subarray(0, 144).every((v) => v === 7));
  assert.ok(fine.subarray(144).every((v) => v === 200));
});

test("a ramp between cell centres is interpolated; the border keeps its cells' values", () => {
  // Columns 0, 40, 80, 120: each fine pixel lies a quarter cell either side of a centre.
  const ramp = grid(4, (_, c) => 40 * c);
  const fine = upsample(ramp, 1, 4, 2);
  const row = Array.from(fine.subarray(0, 8));
  assert.deepEqual(row, [0, 10, 30, 50, 70, 90, 110, 120]);
  // Rows are identical: the ramp does not change along x2.
  for (let r = 1; r < 8; r++) assert.deepEqual(Array.from(fine.subarray(r * 8, r * 8 + 8)), row);
});

test("a boundary between two cells falls between their centres, not on a cell edge", () => {
  // Class 1 (255) from column 2 on: the probability crosses one half midway between the
  // centres of columns 1 and 2, which is the edge between fine pixels 3 and 4 at factor 2.
  const step = grid(4, (_, c) => (c >= 2 ? 255 : 0));
  const fine = upsample(step, 1, 4, 2);
  const row = Array.from(fine.subarray(0, 8));
  assert.deepEqual(
    row.map((v) => (v >= 128 ? 1 : 0)),
    [0, 0, 0, 0, 1, 1, 1, 1],
  );
  assert.ok(row[3] > 0 && row[3] < 128 && row[4] >= 128 && row[4] < 255, String(row));
});

test("a given target is filled and returned; bad arguments are refused", () => {
  const target = new Uint8Array(16);
  assert.equal(upsample(grid(2, () => 9), 1, 2, 2, target), target);
  assert.ok(target.every((v) => v === 9));
  assert.throws(() => upsample(grid(2, () => 0), 1, 2, 1.5), RangeError);
  assert.throws(() => upsample(new Uint8Array(3), 1, 2, 2), RangeError);
  assert.throws(() => upsample(grid(2, () => 0), 1, 2, 2, new Uint8Array(8)), RangeError);
});
