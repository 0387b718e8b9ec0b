// @ts-check
// Bilinear upsampling of the boundary's output grids before they are coloured. The server
// sends 100 x 100 cells (limits.output_grid); colouring cells and letting the canvas stretch
// the picture leaves a class boundary (discretized output, the class of a multiclass model)
// as a staircase of whole cells. Interpolating the outputs first and colouring the finer grid
// puts the boundary where the interpolated probability crosses over, between cell centres.
// Pure functions on typed arrays: no DOM, so node tests and the drawing worker share them.

/** @type {Map<string, {low: Int32Array, high: Int32Array, weight: Float32Array}>} */
const AXES = new Map();

/**
 * For each fine pixel along one axis, the two coarse cells around its centre and the second
 * one's weight. Pixel i's centre lies (i + 0.5) / factor cells from the edge, that is at
 * (i + 0.5) / factor - 0.5 counted from the first cell's centre; positions beyond the outer
 * cell centres are clamped, so the border keeps its cells' values.
 * @param {number} side coarse cells @param {number} factor
 */
function axis(side, factor) {
  const key = `${side}x${factor}`;
  let found = AXES.get(key);
  if (found === undefined) {
    const fine = side * factor;
    const low = new Int32Array(fine);
    const high = new Int32Array(fine);
    const weight = new Float32Array(fine);
    for (let i = 0; i < fine; i++) {
      const at = Math.min(Math.max((i + 0.5) / factor - 0.5, 0), side - 1);
      low[i] = Math.floor(at);
      high[i] = Math.min(low[i] + 1, side - 1);
      weight[i] = at - low[i];
    }
    found = { low, high, weight };
    AXES.set(key, found);
  }
  return found;
}

/**
 * `count` row-major side x side byte grids, back to back, to `count` grids of
 * (side * factor)^2 bytes, each value interpolated bilinearly between the four nearest cell
 * centres and rounded.
 * @param {Uint8Array} grids @param {number} count @param {number} side @param {number} factor
 * @param {Uint8Array} [target] reused when given (its length must fit)
 * @returns {Uint8Array}
 */
export function upsample(grids, count, side, factor, target) {
  if (!(Number.isInteger(factor) && factor >= 1)) throw new RangeError(`factor ${factor} is not a whole number >= 1`);
  if (grids.length < count * side * side) {
    throw new RangeError(`grids hold ${grids.length} bytes, need ${count * side * side}`);
  }
  const fine = side * factor;
  const out = target ?? new Uint8Array(count * fine * fine);
  if (out.length < count * fine * fine) throw new RangeError(`target holds ${out.length} bytes, need ${count * fine * fine}`);
  const { low, high, weight } = axis(side, factor);
  for (let g = 0; g < count; g++) {
    const source = g * side * side;
    let at = g * fine * fine;
    for (let y = 0; y < fine; y++) {
      const top = source + low[y] * side;
      const bottom = source + high[y] * side;
      const wy = weight[y];
      for (let x = 0; x < fine; x++) {
        const x0 = low[x];
        const x1 = high[x];
        const wx = weight[x];
        const upper = grids[top + x0] + (grids[top + x1] - grids[top + x0]) * wx;
        const lower = grids[bottom + x0] + (grids[bottom + x1] - grids[bottom + x0]) * wx;
        out[at++] = Math.round(upper + (lower - upper) * wy);
      }
    }
  }
  return out;
}
