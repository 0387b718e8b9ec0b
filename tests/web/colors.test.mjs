// @ts-check
// Tests for web/shared/colors.js (colour maps, painters, legend); run with `node --test tests/web/`.
// Imports only node builtins and the module under test: no DOM.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  PALETTE,
  NEUTRAL,
  NO_LABEL,
  MAX_WHITE,
  bandedColor,
  binaryColor,
  classColor,
  classTable,
  colorTable,
  labelTable,
  legendStops,
  multilabelColor,
  neuronColor,
  paintBoundary,
  paintNeuron,
  sequentialColor,
  toHex,
  fromHex,
  usePalette,
} from "../../web/shared/colors.js";
import { CONFIG } from "./config_fixture.mjs";

usePalette(CONFIG.palette); // the server's, as the page and the drawing worker set it

const ORANGE = [0xe6, 0x9f, 0x00];
const BLUE = [0x00, 0x72, 0xb2];
const GREEN = [0x00, 0x9e, 0x73];

/** @param {number[]} rgb relative luminance (sRGB, WCAG) */
function luminance(rgb) {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** @param {number[]} a @param {number[]} b */
function distance(a, b) {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** @param {Uint8ClampedArray} target @returns {number[][]} RGB per pixel, alpha checked */
function pixels(target) {
  const out = [];
  for (let j = 0; j < target.length; j += 4) {
    assert.equal(target[j + 3], 255, `alpha of pixel ${j / 4}`);
    out.push([target[j], target[j + 1], target[j + 2]]);
  }
  return out;
}

/**
 * @param {"binary" | "multiclass" | "multilabel" | "regression"} problem
 * @param {number} nOutputs
 * @param {number[]} outputs
 */
function frame(problem, nOutputs, outputs) {
  return { problem, nOutputs, outputs: Uint8Array.from(outputs) };
}

/**
 * @param {number} side @param {ReturnType<typeof frame>} f
 * @param {{discretize?: boolean, output?: number | null}} [options]
 */
function paint(side, f, { discretize = false, output = null } = {}) {
  // Garbage in the target first, so every byte must be written.
  const target = new Uint8ClampedArray(side * side * 4).fill(7);
  paintBoundary(target, f, { discretize, output });
  return pixels(target);
}

describe("palette", () => {
  test("is the server's, class 0 orange and class 1 blue (Okabe-Ito)", () => {
    assert.deepEqual(PALETTE.map(toHex), CONFIG.palette.map((/** @type {string} */ hex) => hex.toLowerCase()));
    assert.deepEqual(PALETTE.slice(0, 2).map(toHex), ["#e69f00", "#0072b2"]);
  });

  test("refuses colours that are not #rrggbb, and a palette of one", () => {
    assert.deepEqual(fromHex("#0072B2"), [0x00, 0x72, 0xb2]);
    assert.throws(() => fromHex("blue"), /expected "#rrggbb", received "blue"/);
    assert.throws(() => usePalette(["#000000"]), /at least 2 colours, received 1/);
  });

  test("colours are pairwise distinct and far apart", () => {
    for (let i = 0; i < PALETTE.length; i++) {
      for (let j = i + 1; j < PALETTE.length; j++) {
        assert.ok(distance(PALETTE[i], PALETTE[j]) > 60, `classes ${i} and ${j} too close`);
      }
    }
  });

  test("toHex pads channels", () => {
    assert.equal(toHex([0, 10, 255]), "#000aff");
  });
});

describe("binaryColor", () => {
  test("orange at 0, light neutral at 0.5, blue at 1", () => {
    assert.deepEqual(binaryColor(0), ORANGE);
    assert.deepEqual(binaryColor(1), BLUE);
    assert.deepEqual(binaryColor(0.5), [245, 245, 245]);
    assert.deepEqual(binaryColor(0.5), [...NEUTRAL]);
  });

  test("clamps outside [0, 1] and treats NaN as 0", () => {
    assert.deepEqual(binaryColor(-3), ORANGE);
    assert.deepEqual(binaryColor(7), BLUE);
    assert.deepEqual(binaryColor(NaN), ORANGE);
  });

  test("is smooth: one byte step moves no channel by more than 2", () => {
    for (let b = 1; b < 256; b++) {
      const a = binaryColor((b - 1) / 255);
      const c = binaryColor(b / 255);
      for (let ch = 0; ch < 3; ch++) assert.ok(Math.abs(a[ch] - c[ch]) <= 2, `byte ${b}`);
    }
  });

  test("is lightest at the midpoint", () => {
    const mid = luminance(binaryColor(0.5));
    assert.ok(luminance(binaryColor(0.25)) < mid);
    assert.ok(luminance(binaryColor(0.75)) < mid);
  });
});

describe("classColor", () => {
  test("full confidence is the palette colour", () => {
    PALETTE.forEach((color, k) => assert.deepEqual(classColor(k, 1, 5), [...color]));
    assert.deepEqual(classColor(1, 1), BLUE);
  });

  test("least confidence is about 85% white", () => {
    assert.equal(MAX_WHITE, 0.85);
    // blue mixed 85% toward white: 0 + 255*.85, 114 + 141*.85, 178 + 77*.85
    assert.deepEqual(classColor(1, 1 / 3, 3), [217, 234, 243]);
    assert.deepEqual(classColor(1, 0.5), [217, 234, 243]);
    assert.deepEqual(classColor(1, 0.2, 5), [217, 234, 243]);
  });

  test("gets lighter as confidence falls", () => {
    for (let k = 0; k < PALETTE.length; k++) {
      let previous = -1;
      for (let c = 1; c >= 0.2; c -= 0.05) {
        const l = luminance(classColor(k, c, 5));
        assert.ok(l >= previous, `class ${k} confidence ${c}`);
        previous = l;
      }
      assert.ok(luminance(classColor(k, 0.2, 5)) > luminance(classColor(k, 1, 5)) + 0.2);
    }
  });

  test("wraps past the palette", () => {
    assert.deepEqual(classColor(PALETTE.length, 1), [...PALETTE[0]]);
  });
});

describe("sequentialColor", () => {
  test("ends are viridis purple and yellow", () => {
    assert.equal(toHex(sequentialColor(0)), "#440154");
    assert.equal(toHex(sequentialColor(1)), "#fde725");
    assert.equal(toHex(sequentialColor(0.5)), "#21918c");
  });

  test("luminance rises monotonically", () => {
    let previous = -1;
    for (let b = 0; b < 256; b++) {
      const l = luminance(sequentialColor(b / 255));
      assert.ok(l >= previous, `byte ${b}`);
      previous = l;
    }
    for (let i = 1; i <= 32; i++) {
      assert.ok(luminance(sequentialColor(i / 32)) > luminance(sequentialColor((i - 1) / 32)));
    }
  });

  test("bandedColor has 8 bands with the scale's ends", () => {
    const colors = new Set();
    for (let b = 0; b < 256; b++) colors.add(toHex(bandedColor(b / 255)));
    assert.equal(colors.size, 8);
    assert.deepEqual(bandedColor(0), sequentialColor(0));
    assert.deepEqual(bandedColor(1), sequentialColor(1));
    assert.deepEqual(bandedColor(0.3), sequentialColor(2 / 7));
  });
});

describe("neurons", () => {
  test("neuronColor is near white at 128 and diverges to orange and blue", () => {
    const zero = neuronColor(128);
    for (const c of zero) assert.ok(c >= 240, `channel ${c}`);
    assert.deepEqual(neuronColor(0), ORANGE);
    assert.deepEqual(neuronColor(255), BLUE);
    assert.deepEqual(neuronColor(64), binaryColor(64 / 255));
  });

  test("paintNeuron fills a 32x32 map", () => {
    const bytes = new Uint8Array(1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 256;
    const target = new Uint8ClampedArray(1024 * 4);
    paintNeuron(target, bytes);
    const out = pixels(target);
    assert.deepEqual(out[0], ORANGE);
    assert.deepEqual(out[255], BLUE);
    assert.deepEqual(out[128 + 256], neuronColor(128));
    assert.deepEqual(out[1000], neuronColor(1000 % 256));
  });

  test("paintNeuron refuses a target of the wrong size", () => {
    assert.throws(() => paintNeuron(new Uint8ClampedArray(4), new Uint8Array(2)), RangeError);
  });
});

describe("paintBoundary binary", () => {
  const f = frame("binary", 1, [0, 255, 128, 64], [0, 1, 1, 0], [255, 255, 128, 191]);

  test("shades by probability", () => {
    assert.deepEqual(paint(2, f), [ORANGE, BLUE, [244, 244, 245], [238, 202, 123]]);
  });

  test("discretize rounds to class colours at one half", () => {
    const g = frame("binary", 1, [0, 255, 128, 127]);
    assert.deepEqual(paint(2, g, { discretize: true }), [ORANGE, BLUE, BLUE, ORANGE]);
  });
});

describe("paintBoundary multiclass", () => {
  // 3 classes, side 2: class 0's grid, then class 1's, then class 2's. The pixels' most
  // probable classes are 0, 1, 2, 1, with probabilities 255, 85, 170 and 128 (bytes).
  const outputs = [255, 84, 40, 60, 0, 85, 45, 128, 0, 84, 170, 67];
  const f = frame("multiclass", 3, outputs);

  test("class colour lightened by low confidence", () => {
    const out = paint(2, f);
    assert.deepEqual(out[0], ORANGE);
    assert.deepEqual(out[1], [217, 234, 243]);
    assert.deepEqual(out[2], classColor(2, 170 / 255, 3));
    assert.deepEqual(out[3], classColor(1, 128 / 255, 3));
    assert.ok(luminance(out[3]) > luminance(BLUE));
    assert.ok(luminance(out[1]) > luminance(out[3]));
  });

  test("discretize gives full class colours", () => {
    assert.deepEqual(paint(2, f, { discretize: true }), [ORANGE, BLUE, GREEN, BLUE]);
  });

  test("options.output shows one output's grid with the binary map", () => {
    const out = paint(2, f, { output: 2 });
    const expected = [ORANGE, binaryColor(84 / 255), binaryColor(170 / 255), binaryColor(67 / 255)];
    assert.deepEqual(out, expected);
    assert.deepEqual(paint(2, f, { output: 0 })[0], BLUE);
    assert.deepEqual(paint(2, f, { output: 2, discretize: true }), [ORANGE, ORANGE, BLUE, ORANGE]);
  });

  test("equal probabilities go to the first of those classes", () => {
    const tied = frame("multiclass", 3, [10, 85, 0, 0, 10, 85, 0, 0, 10, 85, 0, 0]);
    const out = paint(2, tied, { discretize: true });
    assert.deepEqual(out.slice(0, 2), [ORANGE, ORANGE]);
    assert.deepEqual(paint(2, tied)[1], classColor(0, 85 / 255, 3));
  });

  test("options.output out of range throws", () => {
    assert.throws(() => paint(2, f, { output: 3 }), RangeError);
    assert.throws(() => paint(2, f, { output: -1 }), RangeError);
  });

  test("matches classColor for every class and confidence byte", () => {
    const n = 16;
    // Pixel i: class i % 5 at byte i, the other classes at 0.
    const outputs = new Array(5 * n * n).fill(0);
    for (let i = 0; i < n * n; i++) outputs[(i % 5) * n * n + i] = i;
    const out = paint(n, frame("multiclass", 5, outputs));
    out.forEach((rgb, i) => assert.deepEqual(rgb, classColor(i % 5, i / 255, 5), `pixel ${i}`));
  });
});

describe("paintBoundary multilabel", () => {
  // 3 labels, side 2: label 0's grid, then label 1's, then label 2's.
  const f = frame("multilabel", 3, [
    ...[0, 255, 255, 0],
    ...[127, 0, 255, 10],
    ...[100, 0, 0, 128],
  ]);

  test("averages the on labels' colours, grey when none", () => {
    const out = paint(2, f);
    assert.deepEqual(out[0], [221, 221, 221]);
    assert.deepEqual(out[0], [...NO_LABEL]);
    assert.deepEqual(out[1], ORANGE);
    assert.deepEqual(out[2], [115, 137, 89]);
    assert.deepEqual(out[3], multilabelColor([2], 128 / 255));
    for (const c of out[3]) assert.ok(c >= 200, "a barely-on label is light");
  });

  test("shades by the mean probability of the on labels", () => {
    const out = paint(1, frame("multilabel", 2, [200, 255]));
    // mean of 200 and 255 is 227.5, rounded to byte 228
    assert.deepEqual(out[0], multilabelColor([0, 1], 228 / 255));
    assert.ok(luminance(out[0]) > luminance(multilabelColor([0, 1], 1)));
  });

  test("discretize drops the shading", () => {
    const out = paint(2, f, { discretize: true });
    assert.deepEqual(out, [[...NO_LABEL], ORANGE, [115, 137, 89], GREEN]);
  });

  test("options.output shows one label's probability", () => {
    const out = paint(2, f, { output: 1 });
    assert.deepEqual(out, [binaryColor(127 / 255), ORANGE, BLUE, binaryColor(10 / 255)]);
  });
});

describe("paintBoundary regression", () => {
  const f = frame("regression", 1, [0, 255, 128, 37]);

  test("viridis of output 0", () => {
    const expected = [[68, 1, 84], [253, 231, 37], [33, 145, 140], sequentialColor(37 / 255)];
    assert.deepEqual(paint(2, f), expected);
  });

  test("discretize quantises to 8 bands", () => {
    const out = paint(2, f, { discretize: true });
    assert.deepEqual(out, [
      [68, 1, 84],
      [253, 231, 37],
      sequentialColor(4 / 7),
      sequentialColor(1 / 7),
    ]);
    const gradient = Array.from({ length: 256 }, (_, i) => i);
    const banded = paint(16, frame("regression", 1, gradient), { discretize: true });
    assert.equal(new Set(banded.map(toHex)).size, 8);
  });

  test("options.output uses the sequential map", () => {
    assert.deepEqual(paint(2, f, { output: 0 }), paint(2, f));
  });
});

describe("paintBoundary checks", () => {
  test("alpha is 255 for every problem and option", () => {
    const side = 4;
    const n = side * side;
    const bytes = Array.from({ length: 3 * n }, (_, i) => (i * 37) % 256);
    /** @type {("binary" | "multiclass" | "multilabel" | "regression")[]} */
    const problems = ["binary", "multiclass", "multilabel", "regression"];
    for (const problem of problems) {
      for (const discretize of [false, true]) {
        for (const output of [null, 0]) {
          const target = new Uint8ClampedArray(n * 4);
          paintBoundary(target, frame(problem, 3, bytes), { discretize, output });
          for (let j = 3; j < target.length; j += 4) {
            assert.equal(target[j], 255, `${problem} ${discretize} ${output} ${j}`);
          }
        }
      }
    }
  });

  test("refuses a non-square target and short grids", () => {
    const f = frame("binary", 1, [0, 0, 0, 0]);
    const options = { discretize: false, output: null };
    assert.throws(() => paintBoundary(new Uint8ClampedArray(12), f, options), RangeError);
    assert.throws(() => paintBoundary(new Uint8ClampedArray(64), f, options), RangeError);
    const m = frame("multiclass", 2, [0, 0, 0, 0]);
    assert.throws(() => paintBoundary(new Uint8ClampedArray(16), m, options), RangeError);
  });

  test("lookup tables agree with the colour functions", () => {
    const binary = colorTable(binaryColor);
    assert.equal(binary.length, 768);
    /** @param {Uint8Array} table @param {number} entry */
    const at = (table, entry) => [...table.subarray(3 * entry, 3 * entry + 3)];
    assert.deepEqual(at(binary, 64), binaryColor(64 / 255));
    const classes = classTable(3);
    assert.equal(classes.length, PALETTE.length * 768);
    assert.deepEqual(at(classes, 2 * 256 + 100), classColor(2, 100 / 255, 3));
    const labels = labelTable(3);
    assert.equal(labels.length, 8 * 768);
    // mask 5 = labels 0 and 2
    assert.deepEqual(at(labels, 5 * 256 + 200), multilabelColor([0, 2], 200 / 255));
  });
});

describe("legendStops", () => {
  test("binary: class 0 orange, class 1 blue", () => {
    assert.deepEqual(legendStops("binary", 1, 0, 1), [
      { color: "#e69f00", label: "class 0" },
      { color: "#0072b2", label: "class 1" },
    ]);
  });

  test("multiclass and multilabel: one stop per output", () => {
    assert.deepEqual(legendStops("multiclass", 3, 0, 1), [
      { color: "#e69f00", label: "class 0" },
      { color: "#0072b2", label: "class 1" },
      { color: "#009e73", label: "class 2" },
    ]);
    assert.deepEqual(legendStops("multilabel", 2, 0, 1), [
      { color: "#e69f00", label: "label 0" },
      { color: "#0072b2", label: "label 1" },
    ]);
  });

  test("regression: 5 values from low to high, 3 significant digits", () => {
    const stops = legendStops("regression", 1, -1, 1);
    assert.deepEqual(stops.map((s) => s.label), ["-1", "-0.5", "0", "0.5", "1"]);
    const colors = [0, 0.25, 0.5, 0.75, 1].map((t) => toHex(sequentialColor(t)));
    assert.deepEqual(stops.map((s) => s.color), colors);
    /** @param {number} low @param {number} high */
    const labels = (low, high) => legendStops("regression", 1, low, high).map((s) => s.label);
    assert.deepEqual(labels(0, 1000 / 3), ["0", "83.3", "167", "250", "333"]);
    assert.equal(labels(0.001234, 0.005)[0], "0.00123");
    assert.equal(labels(-2, 1000)[1], "249");
  });
});
