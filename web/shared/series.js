// @ts-check
// Chart data without the DOM: bounded per-run point buffers, aligning them for uPlot, labels,
// and batching redraws into one callback. Must not import uPlot or touch document/window.

/** Most points one buffer shows (its committed points plus the latest one). */
export const DEFAULT_CAPACITY = 2000;

/** @typedef {(number | null)[]} Column */

/**
 * A finite number, or null for anything else (null, undefined, NaN, infinities). On a log
 * scale non-positive numbers are null too: they have no place on the axis.
 * @param {unknown} value @param {boolean} [log]
 * @returns {number | null}
 */
export function cleanValue(value, log = false) {
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  return log && value <= 0 ? null : value;
}

/**
 * A log axis's tick label: 0.001 as "0.001" (never rounded to "0"), and tiny or huge values
 * as "1e-5".
 * @param {number} value
 */
export function formatTick(value) {
  const magnitude = Math.abs(value);
  if (value === 0 || (magnitude >= 1e-3 && magnitude < 1e4)) return String(Number(value.toPrecision(2)));
  return value.toExponential(0);
}

/**
 * Points of one run: an x (the epoch) and `width` values per point, at most `capacity` points.
 * When full it drops every other point and from then on keeps only every `stride`-th point
 * received, so the kept points stay evenly spaced however long the run; the latest point is
 * always shown (as a "tail" until the stride reaches it). An x equal to the latest one replaces
 * that point; an x below it means the run restarted, so the buffer starts again.
 */
export class SeriesBuffer {
  /** @param {number} width values per point @param {number} [capacity] */
  constructor(width, capacity = DEFAULT_CAPACITY) {
    if (!Number.isInteger(width) || width < 1) throw new RangeError(`bad width ${width}`);
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`bad capacity ${capacity}`);
    this.width = width;
    this.capacity = capacity;
    this.clear();
  }

  clear() {
    /** @type {number[]} */
    this.xs = [];
    /** @type {Column[]} */
    this.ys = Array.from({ length: this.width }, () => []);
    /** @type {{x: number, values: Column} | null} the latest point when the stride skipped it */
    this.tail = null;
    this.received = 0; // points pushed since the start: the next one's sequence number
    this.stride = 1; // only sequence numbers divisible by it are kept
  }

  /** Points shown: committed plus the tail. */
  get length() {
    return this.xs.length + (this.tail ? 1 : 0);
  }

  /** @returns {number | undefined} */
  get lastX() {
    return this.tail ? this.tail.x : this.xs[this.xs.length - 1];
  }

  /**
   * @param {number} x @param {ArrayLike<unknown>} values `width` values; non-finite ones kept as null
   * @returns {"added" | "replaced" | "restarted" | "ignored"}
   */
  push(x, values) {
    if (!Number.isFinite(x)) return "ignored";
    /** @type {Column} */
    const row = Array.from({ length: this.width }, (_, i) => cleanValue(values[i]));
    const last = this.lastX;
    let outcome = /** @type {"added" | "restarted"} */ ("added");
    if (last !== undefined && x === last) {
      if (this.tail) this.tail.values = row;
      else row.forEach((v, i) => (this.ys[i][this.xs.length - 1] = v));
      return "replaced";
    }
    if (last !== undefined && x < last) {
      this.clear();
      outcome = "restarted";
    }
    const seq = this.received++;
    this.tail = null;
    if (seq % this.stride === 0 && this.xs.length >= this.capacity - 1) this.#halve();
    if (seq % this.stride !== 0) {
      this.tail = { x, values: row };
      return outcome;
    }
    this.xs.push(x);
    row.forEach((v, i) => this.ys[i].push(v));
    return outcome;
  }

  /** Keeps committed points 0, 2, 4, ... (received multiples of the doubled stride). */
  #halve() {
    for (const column of [this.xs, ...this.ys]) {
      const kept = Math.ceil(column.length / 2);
      for (let k = 0; k < kept; k++) column[k] = column[2 * k];
      column.length = kept;
    }
    this.stride *= 2;
  }

  /** @returns {{xs: number[], ys: Column[]}} copies, the tail included */
  points() {
    const xs = this.xs.slice();
    const ys = this.ys.map((column) => column.slice());
    if (this.tail) {
      xs.push(this.tail.x);
      this.tail.values.forEach((v, i) => ys[i].push(v));
    }
    return { xs, ys };
  }
}

/**
 * uPlot's aligned data from several buffers: the sorted union of their x values, then every
 * buffer's columns in order, null where a buffer has no point at that x (or, on a log scale, a
 * non-positive value).
 * @param {SeriesBuffer[]} buffers @param {boolean} [log]
 * @returns {[number[], ...Column[]]}
 */
export function alignSeries(buffers, log = false) {
  const parts = buffers.map((buffer) => buffer.points());
  const xs = [...new Set(parts.flatMap((part) => part.xs))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  /** @type {Column[]} */
  const columns = [];
  for (const part of parts) {
    const slots = part.xs.map((x) => /** @type {number} */ (index.get(x)));
    for (const column of part.ys) {
      /** @type {Column} */
      const aligned = new Array(xs.length).fill(null);
      slots.forEach((slot, k) => (aligned[slot] = cleanValue(column[k], log)));
      columns.push(aligned);
    }
  }
  return [xs, ...columns];
}

/**
 * Legend labels of a gradient chart: "layer 1" .. "layer n-1", then "output".
 * @param {number} count @returns {string[]}
 */
export function layerLabels(count) {
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? "output" : `layer ${i + 1}`));
}

/**
 * Legend labels of a loss chart, train then test per model: "train", "test" for one unnamed
 * model, otherwise "A train", "A test", "B train", ...
 * @param {string[]} names @returns {string[]}
 */
export function lossLabels(names) {
  return names.flatMap((name) => (name ? [`${name} train`, `${name} test`] : ["train", "test"]));
}

/**
 * Batches redraw requests: however often `request()` is called, `draw` runs once per
 * `schedule` callback (requestAnimationFrame in the page, a fake in tests).
 * @param {() => void} draw @param {(run: () => void) => unknown} schedule
 * @returns {{request: () => void, pending: () => boolean, cancel: () => void}}
 */
export function createRedrawScheduler(draw, schedule) {
  let pending = false;
  return {
    request() {
      if (pending) return;
      pending = true;
      schedule(() => {
        if (!pending) return; // cancelled since
        pending = false;
        draw();
      });
    },
    pending: () => pending,
    cancel() {
      pending = false;
    },
  };
}
