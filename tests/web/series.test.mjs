// @ts-check
// Unit tests of web/shared/series.js (the charts' DOM-free data logic). Run: node --test tests/web/
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  DEFAULT_CAPACITY,
  SeriesBuffer,
  alignSeries,
  cleanValue,
  createRedrawScheduler,
  layerLabels,
  lossLabels,
} from "../../web/shared/series.js";

/** @param {SeriesBuffer} buffer @param {number[]} xs pushes y = 10 * x for every x */
function pushAll(buffer, xs) {
  for (const x of xs) buffer.push(x, [10 * x]);
}

describe("cleanValue", () => {
  test("keeps finite numbers", () => {
    assert.equal(cleanValue(0.25), 0.25);
    assert.equal(cleanValue(-3), -3);
    assert.equal(cleanValue(0), 0);
  });
  test("turns everything else into null", () => {
    for (const bad of [null, undefined, NaN, Infinity, -Infinity, "1", {}]) assert.equal(cleanValue(bad), null);
  });
  test("on a log scale drops non-positive numbers", () => {
    assert.equal(cleanValue(0, true), null);
    assert.equal(cleanValue(-1e-9, true), null);
    assert.equal(cleanValue(1e-12, true), 1e-12);
  });
});

describe("SeriesBuffer", () => {
  test("rejects a bad width or capacity", () => {
    assert.throws(() => new SeriesBuffer(0), RangeError);
    assert.throws(() => new SeriesBuffer(2, 1), RangeError);
    assert.throws(() => new SeriesBuffer(1.5), RangeError);
  });

  test("stores points with non-finite values as null", () => {
    const buffer = new SeriesBuffer(2);
    buffer.push(0, [1, NaN]);
    buffer.push(1, [null, 0.5]);
    buffer.push(2, [Infinity, undefined]);
    assert.deepEqual(buffer.points(), { xs: [0, 1, 2], ys: [[1, null, null], [null, 0.5, null]] });
  });

  test("ignores a non-finite x", () => {
    const buffer = new SeriesBuffer(1);
    assert.equal(buffer.push(NaN, [1]), "ignored");
    assert.equal(buffer.length, 0);
  });

  test("drops every other point when full and keeps the latest as a tail", () => {
    const buffer = new SeriesBuffer(1, 5);
    pushAll(buffer, [0, 1, 2, 3]);
    assert.deepEqual(buffer.points().xs, [0, 1, 2, 3]);
    pushAll(buffer, [4]); // full: halve to 0, 2 (stride 2), then 4
    assert.deepEqual(buffer.points().xs, [0, 2, 4]);
    pushAll(buffer, [5]); // off the stride: shown as the tail
    assert.deepEqual(buffer.points().xs, [0, 2, 4, 5]);
    pushAll(buffer, [6]); // on the stride: replaces the tail
    assert.deepEqual(buffer.points().xs, [0, 2, 4, 6]);
    pushAll(buffer, [7]);
    assert.deepEqual(buffer.points().xs, [0, 2, 4, 6, 7]);
    pushAll(buffer, [8]); // full again: stride 4
    assert.deepEqual(buffer.points(), { xs: [0, 4, 8], ys: [[0, 40, 80]] });
  });

  test("a long run stays within capacity, evenly spaced, with the latest point last", () => {
    const buffer = new SeriesBuffer(1);
    let most = 0;
    for (let x = 0; x < 50_000; x++) {
      buffer.push(x, [10 * x]);
      most = Math.max(most, buffer.length);
    }
    assert.equal(most, DEFAULT_CAPACITY);
    const { xs, ys } = buffer.points();
    assert.ok(xs.length >= DEFAULT_CAPACITY / 2, `only ${xs.length} points kept`);
    assert.equal(xs[0], 0);
    assert.equal(xs[xs.length - 1], 49_999);
    const committed = xs.slice(0, -1);
    const gaps = new Set(committed.slice(1).map((x, i) => x - committed[i]));
    assert.deepEqual([...gaps], [buffer.stride]);
    assert.equal(Math.log2(buffer.stride) % 1, 0, "the stride is a power of two");
    assert.deepEqual(ys[0], xs.map((x) => 10 * x), "values stay with their x");
  });

  test("the same x again replaces the latest point", () => {
    const buffer = new SeriesBuffer(1, 4);
    pushAll(buffer, [0, 1, 2]);
    assert.equal(buffer.push(2, [7]), "replaced");
    assert.deepEqual(buffer.points(), { xs: [0, 1, 2], ys: [[0, 10, 7]] });
    pushAll(buffer, [3, 4, 5]); // capacity 4: 5 is a tail
    assert.deepEqual(buffer.points().xs, [0, 2, 4, 5]);
    assert.equal(buffer.push(5, [null]), "replaced");
    assert.deepEqual(buffer.points(), { xs: [0, 2, 4, 5], ys: [[0, 7, 40, null]] });
  });

  test("a smaller x restarts the run", () => {
    const buffer = new SeriesBuffer(1, 4);
    pushAll(buffer, [0, 1, 2, 3, 4, 5]);
    assert.equal(buffer.push(0, [1]), "restarted");
    assert.deepEqual(buffer.points(), { xs: [0], ys: [[1]] });
    assert.equal(buffer.stride, 1);
  });

  test("clear empties it", () => {
    const buffer = new SeriesBuffer(2);
    buffer.push(1, [1, 2]);
    buffer.clear();
    assert.equal(buffer.length, 0);
    assert.deepEqual(buffer.points(), { xs: [], ys: [[], []] });
  });
});

describe("alignSeries", () => {
  test("joins buffers on the union of their x values", () => {
    const a = new SeriesBuffer(2);
    const b = new SeriesBuffer(2);
    a.push(0, [1, 2]);
    a.push(2, [3, 4]);
    b.push(1, [5, 6]);
    b.push(2, [7, null]);
    assert.deepEqual(alignSeries([a, b]), [
      [0, 1, 2],
      [1, null, 3],
      [2, null, 4],
      [null, 5, 7],
      [null, 6, null],
    ]);
  });

  test("on a log scale drops non-positive values", () => {
    const a = new SeriesBuffer(2);
    a.push(0, [0, 1]);
    a.push(1, [-2, 0.5]);
    assert.deepEqual(alignSeries([a], true), [[0, 1], [null, null], [1, 0.5]]);
    assert.deepEqual(alignSeries([a], false), [[0, 1], [0, -2], [1, 0.5]]);
  });

  test("gives just an empty x column for no buffers", () => {
    assert.deepEqual(alignSeries([]), [[]]);
  });
});

describe("labels", () => {
  test("layers: hidden layers numbered, the last one is the output", () => {
    assert.deepEqual(layerLabels(3), ["layer 1", "layer 2", "output"]);
    assert.deepEqual(layerLabels(1), ["output"]);
    assert.deepEqual(layerLabels(0), []);
  });
  test("losses: train then test per model, prefixed by its name", () => {
    assert.deepEqual(lossLabels([""]), ["train", "test"]);
    assert.deepEqual(lossLabels(["A", "B"]), ["A train", "A test", "B train", "B test"]);
  });
});

describe("createRedrawScheduler", () => {
  function fakeFrames() {
    /** @type {(() => void)[]} */
    const queue = [];
    return {
      queue,
      schedule: (/** @type {() => void} */ run) => queue.push(run),
      runFrame: () => queue.splice(0).forEach((run) => run()),
    };
  }

  test("batches requests into one draw per frame", () => {
    const frames = fakeFrames();
    let draws = 0;
    const scheduler = createRedrawScheduler(() => draws++, frames.schedule);
    scheduler.request();
    scheduler.request();
    scheduler.request();
    assert.equal(frames.queue.length, 1);
    assert.equal(draws, 0);
    frames.runFrame();
    assert.equal(draws, 1);
    assert.equal(scheduler.pending(), false);
    scheduler.request();
    frames.runFrame();
    assert.equal(draws, 2);
  });

  test("cancel stops a pending draw", () => {
    const frames = fakeFrames();
    let draws = 0;
    const scheduler = createRedrawScheduler(() => draws++, frames.schedule);
    scheduler.request();
    scheduler.cancel();
    frames.runFrame();
    assert.equal(draws, 0);
  });
});

test("log ticks never read as zero", async () => {
  const { formatTick } = await import("../../web/shared/series.js");
  assert.equal(formatTick(0.001), "0.001");
  assert.equal(formatTick(0.01), "0.01");
  assert.equal(formatTick(1), "1");
  assert.equal(formatTick(1e-5), "1e-5");
  assert.equal(formatTick(2e-7), "2e-7");
  assert.equal(formatTick(1e5), "1e+5");
});
