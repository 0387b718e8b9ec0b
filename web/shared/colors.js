// @ts-check
// Colour maps, legend stops and grid painters that fill RGBA typed arrays from frame bytes.
// Pure: imports nothing and must not touch the DOM, window or canvas (tested under node).

/** @typedef {[number, number, number]} RGB 0..255 integer channels */
/** @typedef {"binary" | "multiclass" | "multilabel" | "regression"} Problem */
/**
 * One model's output grids as they come off the wire; each byte decodes as byte / 255.
 * @typedef {{
 *   problem: Problem,
 *   nOutputs: number,
 *   outputs: Uint8Array,
 * }} BoundaryFrame
 * `outputs` is output-major: output o's side*side grid starts at o*side*side. Nothing else
 * comes with them: the predicted class and its confidence are read from these bytes.
 */
/** @typedef {{discretize: boolean, output: number | null}} PaintOptions */
/** @typedef {{color: string, label: string}} LegendStop */

/**
 * @type {ReadonlyArray<RGB>} The server's palette (GET /api/config `palette`): class k, label
 * k and chart line k take colour k. Empty until usePalette; nothing is painted before.
 */
export let PALETTE = Object.freeze(/** @type {RGB[]} */ ([]));

/** @type {RGB} Midpoint of the diverging map (probability one half, activation zero). */
export const NEUTRAL = [0xf5, 0xf5, 0xf5];
/** @type {RGB} Multilabel pixels with no label on. */
export const NO_LABEL = [0xdd, 0xdd, 0xdd];
/** Share of white mixed into the least confident class colour. */
export const MAX_WHITE = 0.85;
/** Number of bands a discretized regression output is cut into. */
export const REGRESSION_BANDS = 8;

/** @type {ReadonlyArray<RGB>} Viridis at 9 evenly spaced stops (matplotlib). */
const VIRIDIS = [
  [0x44, 0x01, 0x54],
  [0x47, 0x2d, 0x7b],
  [0x3b, 0x52, 0x8b],
  [0x2c, 0x72, 0x8e],
  [0x21, 0x91, 0x8c],
  [0x28, 0xae, 0x80],
  [0x5e, 0xc9, 0x62],
  [0xad, 0xdc, 0x30],
  [0xfd, 0xe7, 0x25],
];

/** @param {number} x @returns {number} x clamped to [0, 1]; NaN becomes 0. */
function unit(x) {
  return x > 0 ? (x < 1 ? x : 1) : 0;
}

/** @param {RGB} a @param {RGB} b @param {number} t @returns {RGB} rounded a + (b - a) t */
function lerp(a, b, t) {
  return [
    Math.round(a[0] + (b[0] - a[0]) * t),
    Math.round(a[1] + (b[1] - a[1]) * t),
    Math.round(a[2] + (b[2] - a[2]) * t),
  ];
}

/** @param {RGB} color @param {number} white share of white, 0..1 @returns {RGB} */
function towardWhite(color, white) {
  return lerp(color, [255, 255, 255], white);
}

/**
 * Diverging map for the probability of class 1: orange at 0, NEUTRAL at 0.5, blue at 1.
 * @param {number} p @returns {RGB}
 */
export function binaryColor(p) {
  const t = unit(p);
  return t < 0.5 ? lerp(PALETTE[0], NEUTRAL, t * 2) : lerp(NEUTRAL, PALETTE[1], t * 2 - 1);
}

/**
 * Share of white for a confidence in [1/nClasses, 1]: MAX_WHITE at the floor, 0 at 1.
 * @param {number} confidence @param {number} nClasses
 */
function whiteShare(confidence, nClasses) {
  const floor = 1 / Math.max(2, nClasses);
  return MAX_WHITE * (1 - unit((confidence - floor) / (1 - floor)));
}

/**
 * Class k's palette colour (wrapping past the palette), lighter when less confident.
 * @param {number} k class index
 * @param {number} confidence probability of that class, in [1/nClasses, 1]
 * @param {number} [nClasses] sets the least confidence possible (1/nClasses); default 2
 * @returns {RGB}
 */
export function classColor(k, confidence, nClasses = 2) {
  return towardWhite(PALETTE[k % PALETTE.length], whiteShare(confidence, nClasses));
}

/**
 * Multilabel colour: the mean of the palette colours of the labels that are on, lighter as
 * their mean probability falls from 1 towards 0.5. No label on gives NO_LABEL.
 * @param {ReadonlyArray<number>} labels indices of the labels that are on
 * @param {number} meanProbability mean probability of those labels, in [0.5, 1]
 * @returns {RGB}
 */
export function multilabelColor(labels, meanProbability) {
  if (labels.length === 0) return [...NO_LABEL];
  /** @type {RGB} */
  const mean = [0, 0, 0];
  for (const k of labels) {
    const c = PALETTE[k % PALETTE.length];
    for (let ch = 0; ch < 3; ch++) mean[ch] += c[ch] / labels.length;
  }
  return towardWhite(mean, whiteShare(meanProbability, 2));
}

/**
 * Perceptually ordered map for regression outputs: viridis, dark purple at 0, yellow at 1.
 * @param {number} t @returns {RGB}
 */
export function sequentialColor(t) {
  const x = unit(t) * (VIRIDIS.length - 1);
  const i = Math.min(Math.floor(x), VIRIDIS.length - 2);
  return lerp(VIRIDIS[i], VIRIDIS[i + 1], x - i);
}

/**
 * Regression output cut into REGRESSION_BANDS bands, each drawn with the scale's colour at
 * band / (bands - 1), so the first and last bands keep the scale's ends.
 * @param {number} t @returns {RGB}
 */
export function bandedColor(t) {
  const band = Math.min(Math.floor(unit(t) * REGRESSION_BANDS), REGRESSION_BANDS - 1);
  return sequentialColor(band / (REGRESSION_BANDS - 1));
}

/**
 * Diverging colour of a neuron-activation byte: 0 is -scale (orange), 128 zero (near
 * NEUTRAL), 255 +scale (blue). The same map as binaryColor.
 * @param {number} byte @returns {RGB}
 */
export function neuronColor(byte) {
  return binaryColor(byte / 255);
}

/**
 * A 256-entry lookup table: entry b holds map(b / 255) as three bytes at 3b.
 * @param {(t: number) => RGB} map
 * @returns {Uint8Array} length 768
 */
export function colorTable(map) {
  const table = new Uint8Array(256 * 3);
  for (let b = 0; b < 256; b++) table.set(map(b / 255), b * 3);
  return table;
}

const SEQUENTIAL_TABLE = colorTable(sequentialColor);
const BANDED_TABLE = colorTable(bandedColor);
// The tables of palette colours, made by usePalette.
let BINARY_TABLE = new Uint8Array(0);
let BINARY_ROUNDED_TABLE = new Uint8Array(0);

/** @type {Map<number, Uint8Array>} */
const classTables = new Map();
/** @type {Map<number, Uint8Array>} */
const labelTables = new Map();

/** @param {string} hex "#rrggbb" @returns {RGB} */
export function fromHex(hex) {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new RangeError(`colour: expected "#rrggbb", received ${JSON.stringify(hex)}`);
  return [parseInt(match[1], 16), parseInt(match[2], 16), parseInt(match[3], 16)];
}

/**
 * Paints with `palette` from now on: the server's (GET /api/config), set once at start-up by
 * the page and by the drawing worker, before anything is painted.
 * @param {ReadonlyArray<string>} palette "#rrggbb" colours, at least two
 */
export function usePalette(palette) {
  if (palette.length < 2) throw new RangeError(`palette: expected at least 2 colours, received ${palette.length}`);
  PALETTE = Object.freeze(palette.map(fromHex));
  BINARY_TABLE = colorTable(binaryColor);
  BINARY_ROUNDED_TABLE = colorTable((p) => binaryColor(p >= 0.5 ? 1 : 0));
  classTables.clear();
  labelTables.clear();
}

/**
 * Per-class confidence tables: entry (k * 256 + byte) holds classColor(k, byte / 255,
 * nClasses) at 3 * (k * 256 + byte), for every palette class k. Cached per nClasses.
 * @param {number} nClasses @returns {Uint8Array} length PALETTE.length * 768
 */
export function classTable(nClasses) {
  let table = classTables.get(nClasses);
  if (!table) {
    table = new Uint8Array(PALETTE.length * 256 * 3);
    for (let k = 0; k < PALETTE.length; k++) {
      table.set(colorTable((c) => classColor(k, c, nClasses)), k * 768);
    }
    classTables.set(nClasses, table);
  }
  return table;
}

/**
 * Multilabel tables: entry (mask * 256 + byte) holds multilabelColor(labels of mask,
 * byte / 255), where bit k of mask is label k. Cached per label count.
 * @param {number} nLabels @returns {Uint8Array} length 2**nLabels * 768
 */
export function labelTable(nLabels) {
  let table = labelTables.get(nLabels);
  if (!table) {
    table = new Uint8Array((1 << nLabels) * 256 * 3);
    for (let mask = 0; mask < 1 << nLabels; mask++) {
      const labels = [];
      for (let k = 0; k < nLabels; k++) if (mask & (1 << k)) labels.push(k);
      table.set(colorTable((p) => multilabelColor(labels, p)), mask * 768);
    }
    labelTables.set(nLabels, table);
  }
  return table;
}

/**
 * Side of a square RGBA target, checked.
 * @param {Uint8ClampedArray} target @returns {number}
 */
function sideOf(target) {
  const side = Math.round(Math.sqrt(target.length / 4));
  if (side * side * 4 !== target.length) {
    throw new RangeError(`target length ${target.length} is not side*side*4`);
  }
  return side;
}

/**
 * Fills target with table[3 * bytes[offset + i]] for every pixel i, alpha 255.
 * @param {Uint8ClampedArray} target @param {Uint8Array} bytes @param {number} offset
 * @param {Uint8Array} table 256-entry RGB table
 */
function paintThrough(target, bytes, offset, table) {
  if (table.length < 768) throw new Error("colors: no palette yet (usePalette(config.palette) first)");
  const n = target.length >> 2;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const t = bytes[offset + i] * 3;
    target[j] = table[t];
    target[j + 1] = table[t + 1];
    target[j + 2] = table[t + 2];
    target[j + 3] = 255;
  }
}

/**
 * Paints one model's decision boundary into target (side*side RGBA, alpha 255).
 * - binary: binaryColor of output 0; discretize rounds it to class 0 or 1.
 * - multiclass: classColor of the most probable class (the first of equal bytes) and its
 *   probability, nOutputs; discretize: full colour.
 * - multilabel: mean palette colour of the labels with probability >= 0.5, shaded by their
 *   mean probability (rounded to a byte); none on: NO_LABEL; discretize: no shading.
 * - regression: sequentialColor of output 0; discretize: bandedColor (8 bands).
 * - options.output set: that output's grid alone, binaryColor (classification) or
 *   sequentialColor (regression), rounded / banded as above when discretize.
 * @param {Uint8ClampedArray} target
 * @param {BoundaryFrame} frame
 * @param {PaintOptions} options
 * @throws {RangeError} on a non-square target, short grids or an output out of range
 */
export function paintBoundary(target, frame, options) {
  const side = sideOf(target);
  const n = side * side;
  const { problem, nOutputs, outputs } = frame;
  const { discretize, output } = options;
  if (outputs.length < nOutputs * n) {
    throw new RangeError(`outputs hold ${outputs.length} bytes, need ${nOutputs * n}`);
  }
  const single = output !== null && output !== undefined;
  if (single && !(output >= 0 && output < nOutputs && Number.isInteger(output))) {
    throw new RangeError(`output ${output} is not in 0..${nOutputs - 1}`);
  }
  if (single || problem === "binary" || problem === "regression") {
    const table = problem === "regression"
      ? discretize ? BANDED_TABLE : SEQUENTIAL_TABLE
      : discretize ? BINARY_ROUNDED_TABLE : BINARY_TABLE;
    paintThrough(target, outputs, single ? output * n : 0, table);
  } else if (problem === "multiclass") {
    const table = classTable(nOutputs);
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      let best = 0;
      let top = outputs[i];
      for (let o = 1, at = i + n; o < nOutputs; o++, at += n) {
        if (outputs[at] > top) {
          top = outputs[at];
          best = o;
        }
      }
      const level = discretize ? 255 : top;
      const t = ((best % PALETTE.length) * 256 + level) * 3;
      target[j] = table[t];
      target[j + 1] = table[t + 1];
      target[j + 2] = table[t + 2];
      target[j + 3] = 255;
    }
  } else if (problem === "multilabel") {
    const table = labelTable(nOutputs);
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      let mask = 0;
      let count = 0;
      let sum = 0;
      for (let o = 0, at = i; o < nOutputs; o++, at += n) {
        const b = outputs[at];
        if (b >= 128) {
          mask |= 1 << o;
          count++;
          sum += b;
        }
      }
      const level = discretize || count === 0 ? 255 : Math.round(sum / count);
      const t = (mask * 256 + level) * 3;
      target[j] = table[t];
      target[j + 1] = table[t + 1];
      target[j + 2] = table[t + 2];
      target[j + 3] = 255;
    }
  } else {
    throw new RangeError(`unknown problem ${String(problem)}`);
  }
}

/**
 * Paints a neuron map (activation bytes, 128 = zero) into target, RGBA with alpha 255.
 * Any square size works; the page's maps are 32x32 (1024 bytes).
 * @param {Uint8ClampedArray} target length bytes.length * 4
 * @param {Uint8Array} bytes
 */
export function paintNeuron(target, bytes) {
  if (target.length !== bytes.length * 4) {
    throw new RangeError(`target length ${target.length} is not 4 * ${bytes.length}`);
  }
  paintThrough(target, bytes, 0, BINARY_TABLE);
}

/** @param {RGB} rgb @returns {string} "#rrggbb" */
export function toHex(rgb) {
  return `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

/** @param {number} value @returns {string} value to 3 significant digits, no padding zeros */
function formatValue(value) {
  const rounded = Number(value.toPrecision(3));
  return String(rounded === 0 ? 0 : rounded);
}

/**
 * Legend entries for a problem: binary "class 0"/"class 1"; multiclass "class k" and
 * multilabel "label k" for each output; regression 5 evenly spaced values from targetLow
 * to targetHigh with their sequentialColor.
 * @param {Problem} problem
 * @param {number} nOutputs
 * @param {number} [targetLow] regression only
 * @param {number} [targetHigh] regression only
 * @returns {LegendStop[]}
 */
export function legendStops(problem, nOutputs, targetLow = 0, targetHigh = 1) {
  if (problem === "binary") {
    return [
      { color: toHex(PALETTE[0]), label: "class 0" },
      { color: toHex(PALETTE[1]), label: "class 1" },
    ];
  }
  if (problem === "regression") {
    return [0, 0.25, 0.5, 0.75, 1].map((t) => ({
      color: toHex(sequentialColor(t)),
      label: formatValue(targetLow + (targetHigh - targetLow) * t),
    }));
  }
  const word = problem === "multilabel" ? "label" : "class";
  return Array.from({ length: nOutputs }, (_, k) => ({
    color: toHex(PALETTE[k % PALETTE.length]),
    label: `${word} ${k}`,
  }));
}
