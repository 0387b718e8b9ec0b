// @ts-check
// The digits lab's pictures as RGBA bytes: grey digit images (ink bright on black, as the
// learner draws them), first-layer weights on the diverging map (0 in the middle), and the
// drawing pad's pixels reduced to the grey levels `predict` sends. Pure: no DOM, no canvas.
import { paintNeuron } from "../shared/colors.js";

/**
 * Paints grey levels 0..maxLevel (0 paper, maxLevel ink) into `target` as white on black.
 * @param {Uint8ClampedArray} target RGBA, 4 * levels.length
 * @param {ArrayLike<number>} levels @param {number} maxLevel
 */
export function paintGrey(target, levels, maxLevel) {
  if (target.length !== levels.length * 4) throw new RangeError(`target length ${target.length} is not 4 * ${levels.length}`);
  for (let i = 0; i < levels.length; i++) {
    const grey = Math.round((255 * Math.min(Math.max(levels[i], 0), maxLevel)) / maxLevel);
    target[4 * i] = target[4 * i + 1] = target[4 * i + 2] = grey;
    target[4 * i + 3] = 255;
  }
}

/**
 * Paints weight image `index` of a frame's `weights` buffer (n, h, w) uint8, 128 = 0, into
 * `target` on the diverging map (colors.js's, so usePalette must have run).
 * @param {Uint8ClampedArray} target RGBA, 4 * h * w
 * @param {{data: Uint8Array | Float32Array, shape: number[]}} weights @param {number} index
 */
export function paintWeight(target, weights, index) {
  const [, h, w] = weights.shape;
  const size = h * w;
  paintNeuron(target, /** @type {Uint8Array} */ (weights.data.subarray(index * size, (index + 1) * size)));
}

/**
 * How a frame's first-layer weight images are grouped for the page: a dense layer's units
 * one group ("unit" images of the whole 8 x 8 input), a conv layer's filters one group, a
 * local layer's images one group per filter (each filter at every window, filter-major).
 * @param {number[]} shape the weights buffer's (n, h, w)
 * @param {string} firstLayer "dense" | "conv" | "local" @param {number} filters
 * @returns {{title: string, side: number, columns: number, images: number[]}[]}
 */
export function weightGroups(shape, firstLayer, filters) {
  const [n, h] = shape;
  const all = Array.from({ length: n }, (_, i) => i);
  if (firstLayer === "dense") return [{ title: `${n} units, each an ${h}x${h} picture of its input weights`, side: h, columns: Math.min(n, 8), images: all }];
  if (firstLayer === "conv") return [{ title: `${n} filters, ${h}x${h}, shared by every window`, side: h, columns: n, images: all }];
  const perFilter = Math.max(1, Math.floor(n / Math.max(1, filters)));
  const columns = Math.round(Math.sqrt(perFilter));
  return Array.from({ length: Math.ceil(n / perFilter) }, (_, f) => ({
    title: `filter ${f + 1} at each of ${perFilter} windows (${h}x${h})`,
    side: h,
    columns,
    images: all.slice(f * perFilter, (f + 1) * perFilter),
  }));
}

/**
 * The drawing pad reduced to `side` x `side` grey levels 0..255 (the mean of the red channel
 * over each block), row by row, as `predict` takes them.
 * @param {ArrayLike<number>} rgba the pad's pixels, width * height * 4
 * @param {number} width @param {number} height @param {number} side
 * @returns {number[]}
 */
export function downsample(rgba, width, height, side) {
  const sums = new Float64Array(side * side);
  const counts = new Float64Array(side * side);
  for (let y = 0; y < height; y++) {
    const row = Math.min(side - 1, Math.floor((y * side) / height));
    for (let x = 0; x < width; x++) {
      const cell = row * side + Math.min(side - 1, Math.floor((x * side) / width));
      sums[cell] += rgba[4 * (y * width + x)];
      counts[cell] += 1;
    }
  }
  return Array.from(sums, (sum, i) => (counts[i] ? Math.round(sum / counts[i]) : 0));
}
