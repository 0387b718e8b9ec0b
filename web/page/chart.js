// @ts-check
// Loss and gradient-norm charts: a thin wrapper over the vendored uPlot (data logic in series.js).
// Imports colors.js (its palette) only: not main.js or other page modules; knows nothing of
// the websocket protocol.
import { PALETTE, toHex } from "../shared/colors.js";
import uPlot from "../vendor/uplot/uPlot.esm.js";
import { SeriesBuffer, alignSeries, createRedrawScheduler, formatTick, layerLabels, lossLabels } from "../shared/series.js";

/** Line k's colour: palette colour k (the server's, see colors.usePalette). @param {number} k */
const lineColor = (k) => toHex(PALETTE[k % PALETTE.length]);
const DASH = [6, 4];

/** @typedef {{height?: number}} ChartOptions height of the plot in CSS pixels (default 160) */
/** @typedef {{label: string, stroke: string, dash?: number[]}} Line */
/** @typedef {[number[], ...(number | null)[][]]} AlignedData uPlot's data: x, then one column per line */
/**
 * The part of uPlot used, typed here so this file checks with or without uPlot's .d.ts.
 * @typedef {{width: number, setData(data: AlignedData): void, destroy(): void,
 *   setSize(size: {width: number, height: number}): void}} Plot
 * @typedef {new (options: object, data: AlignedData, target: HTMLElement) => Plot} PlotClass
 */
const UPlot = /** @type {PlotClass} */ (/** @type {unknown} */ (uPlot));
/**
 * @typedef {object} LossChart
 * @property {(epoch: number, trainLoss: number | null, testLoss: number | null, model?: number) => void} add
 * @property {() => void} clear
 * @property {(on: boolean) => void} setLogScale
 * @property {(names: string[]) => void} setSeries
 * @property {() => void} destroy
 */
/**
 * @typedef {object} GradientChart
 * @property {(epoch: number, gradNorms: ArrayLike<number | null>) => void} add
 * @property {() => void} clear
 * @property {() => void} destroy
 */

/** Links uPlot's stylesheet once, unless the page already does. */
function ensureStylesheet() {
  const href = new URL("../vendor/uplot/uPlot.min.css", import.meta.url).href;
  const links = /** @type {NodeListOf<HTMLLinkElement>} */ (document.querySelectorAll("link[rel=stylesheet]"));
  if ([...links].some((link) => link.href === href)) return;
  document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href }));
}

/** Legend values: 4 significant digits. @param {unknown} _plot @param {number | null} v */
const formatValue = (_plot, v) => (v == null ? "–" : Number(v.toPrecision(4)).toString());
/**
 * Tick labels of a log axis: uPlot's default rounds 0.001 to "0", which reads as a loss of
 * zero. @param {unknown} _plot @param {number[]} splits
 */
const logTicks = (_plot, splits) => splits.map((v) => (v == null ? "" : formatTick(v)));
/** @param {unknown} _plot @param {number | null} v */
const formatEpoch = (_plot, v) => (v == null ? "–" : String(v));

/**
 * One uPlot in `container`, rebuilt on demand (new lines or scale), sized to the container's
 * width, redrawn at most once per animation frame from whatever `data()` returns then.
 * @param {HTMLElement} container @param {ChartOptions} options @param {string} yLabel
 * @param {() => {lines: Line[], log: boolean}} layout @param {() => AlignedData} data
 */
function createPlot(container, options, yLabel, layout, data) {
  ensureStylesheet();
  const height = options.height ?? 160;
  /** @type {Plot | null} */
  let plot = null;
  let stale = true; // lines or scale changed: rebuild instead of setData
  let destroyed = false;
  const width = () => Math.max(container.clientWidth, 100);

  function draw() {
    if (plot && !stale) {
      plot.setData(data());
      return;
    }
    plot?.destroy();
    stale = false;
    const { lines, log } = layout();
    const series = lines.map((line) => ({
      label: line.label,
      stroke: line.stroke,
      dash: line.dash,
      // One pixel: Skia draws it as a hairline. At 1.5 px each redraw stroked every line as
      // a path, and rasterising them in the commit was most of the page's main-thread time.
      width: 1,
      spanGaps: true, // a skipped (null) point joins its neighbours rather than drawing garbage
      value: formatValue,
    }));
    plot = new UPlot(
      {
        width: width(),
        height,
        scales: { x: { time: false }, y: log ? { distr: 3, log: 10 } : {} },
        axes: [{ label: "epoch" }, { label: yLabel + (log ? " (log)" : ""), values: log ? logTicks : undefined }],
        series: [{ label: "epoch", value: formatEpoch }, ...series],
        legend: { show: true },
      },
      data(),
      container,
    );
  }

  // Redrawn on the next animation frame, once for however many points came: the page adds
  // points in batches at most every 200 ms (see frame_worker.js), so the three charts and
  // the text change in the same frame and cost one commit, not one each.
  const scheduler = createRedrawScheduler(draw, requestAnimationFrame);
  const resize = new ResizeObserver(() => {
    if (plot && plot.width !== width()) plot.setSize({ width: width(), height });
  });
  resize.observe(container);
  scheduler.request();
  return {
    /** @param {boolean} [rebuild] new lines or scale */
    redraw(rebuild = false) {
      stale ||= rebuild;
      if (!destroyed) scheduler.request();
    },
    destroy() {
      destroyed = true;
      scheduler.cancel();
      resize.disconnect();
      plot?.destroy();
      plot = null;
    },
  };
}

/**
 * A train value and a test value per model against epoch: the loss, or the accuracy
 * (classification only: a model without accuracy adds nulls, which draw nothing). One model:
 * train and test in two colours; several (compare mode): one colour per model, train solid,
 * test dashed.
 * @param {HTMLElement} container @param {"loss" | "accuracy"} yLabel @param {ChartOptions} [options]
 * @returns {LossChart}
 */
export function createTrainTestChart(container, yLabel, options = {}) {
  /** @type {string[]} */
  let names = [""];
  /** @type {SeriesBuffer[]} one per model, columns [train, test] */
  let buffers = [new SeriesBuffer(2)];
  let log = false;

  const layout = () => {
    const labels = lossLabels(names);
    /** @type {Line[]} */
    const lines = labels.map((label, i) => ({
      label,
      stroke: lineColor(names.length === 1 ? i : Math.floor(i / 2)),
      dash: i % 2 === 1 ? DASH : undefined, // test dashed
    }));
    return { lines, log };
  };
  const plot = createPlot(container, options, yLabel, layout, () => alignSeries(buffers, log));

  /** @param {string[]} next */
  function setSeries(next) {
    const same = next.length === names.length && next.every((name, i) => name === names[i]);
    if (same || next.length === 0) return;
    names = next.slice();
    buffers = names.map((_, i) => buffers[i] ?? new SeriesBuffer(2));
    plot.redraw(true);
  }

  return {
    add(epoch, trainLoss, testLoss, model = 0) {
      if (!Number.isInteger(model) || model < 0) return;
      if (model >= names.length) {
        // An unannounced model: name it by its letter ("B" for model 1) rather than drop it.
        const letter = (/** @type {number} */ i) => names[i] || String.fromCharCode(65 + i);
        setSeries(Array.from({ length: model + 1 }, (_, i) => letter(i)));
      }
      buffers[model].push(epoch, [trainLoss, testLoss]);
      plot.redraw();
    },
    clear() {
      buffers.forEach((buffer) => buffer.clear());
      plot.redraw();
    },
    setLogScale(on) {
      if (on === log) return;
      log = on;
      plot.redraw(true);
    },
    setSeries,
    destroy: () => plot.destroy(),
  };
}

/**
 * Gradient norm per layer against epoch on a log scale: shows vanishing (or exploding)
 * gradients. The number of layers is set by the first `add` after `clear()` (a different count
 * without `clear()` starts the chart again).
 * @param {HTMLElement} container @param {ChartOptions} [options] @returns {GradientChart}
 */
export function createGradientChart(container, options = {}) {
  /** @type {SeriesBuffer | null} */
  let buffer = null;

  const layout = () => {
    const labels = layerLabels(buffer ? buffer.width : 0);
    /** @type {Line[]} */
    const lines = labels.map((label, i) => ({
      label,
      stroke: lineColor(i),
      dash: i >= PALETTE.length ? DASH : undefined,
    }));
    return { lines, log: true };
  };
  const plot = createPlot(container, options, "norm", layout, () => alignSeries(buffer ? [buffer] : [], true));

  return {
    add(epoch, gradNorms) {
      if (gradNorms.length === 0) return;
      if (!buffer || buffer.width !== gradNorms.length) {
        buffer = new SeriesBuffer(gradNorms.length);
        plot.redraw(true);
      }
      buffer.push(epoch, gradNorms);
      plot.redraw();
    },
    clear() {
      buffer = null;
      plot.redraw(true);
    },
    destroy: () => plot.destroy(),
  };
}
