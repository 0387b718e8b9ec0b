// @ts-check
// The network view's page side: columns of buttons, one per input feature and hidden neuron,
// over one canvas that the drawing worker paints (network_painter.js: the weights as lines,
// each neuron's activation map under its button). Rebuilt only when the architecture
// changes; measured again when its size changes. Per frame it writes nothing to the DOM.
import { make } from "./dom.js";
import { networkKey } from "../shared/network_layout.js";
import { WeightLines } from "./weight_lines.js";

/** @typedef {import("../shared/network_layout.js").NetworkLayout} NetworkLayout */

export class NetworkView {
  /**
   * @param {HTMLElement} container
   * @param {(selected: {column: number, index: number, name: string} | null) => void} onSelect
   *   a thumbnail was chosen for the big picture (null: back to the output)
   * @param {(canvas: HTMLCanvasElement) => void} paintOn hands the canvas to the worker
   * @param {(layout: NetworkLayout) => void} onLayout where the worker paints each thumbnail
   */
  constructor(container, onSelect, paintOn, onLayout) {
    this.container = container;
    this.onSelect = onSelect;
    this.onLayout = onLayout;
    /** @type {{column: number, index: number, name: string} | null} */
    this.selected = null;
    this.shapeKey = "";
    /** @type {HTMLButtonElement[][]} */
    this.columns = [];
    this.canvas = make("canvas", { className: "network-canvas", "aria-hidden": "true" });
    paintOn(this.canvas);
    this.weightLines = new WeightLines(container);
    new ResizeObserver(() => this.measure()).observe(container);
  }

  /** @param {string[]} features @param {number[]} hidden */
  build(features, hidden) {
    const key = networkKey(features, hidden);
    if (key === this.shapeKey) return;
    this.shapeKey = key;
    this.container.replaceChildren(this.canvas);
    if (this.selected) {
      this.selected = null;
      this.onSelect(null);
    }
    const names = [features, ...hidden.map((width, layer) => Array.from({ length: width }, (_, j) => `layer ${layer + 1} neuron ${j + 1}`))];
    this.columns = names.map((column, index) => {
      const element = make("div", { className: "layer" }, make("div", { className: "layer-title", textContent: index === 0 ? "inputs" : `layer ${index}` }));
      this.container.append(element);
      return column.map((name, j) => {
        const label = name.replaceAll("_", " ");
        const thumb = make("button", { type: "button", className: "thumb", title: `${label}: click to show it large`, "aria-pressed": "false", "aria-label": `activation map of ${label}` });
        thumb.addEventListener("click", () => this.select(index, j, label, thumb));
        element.append(thumb);
        return thumb;
      });
    });
    this.measure();
  }

  /** Where each thumbnail is, for the worker's painting and the weights' hover lines. */
  measure() {
    if (!this.columns.length) return;
    const container = this.container;
    const box = container.getBoundingClientRect();
    const width = container.scrollWidth;
    const height = container.scrollHeight;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const columns = this.columns.map((column) =>
      column.map((thumb) => {
        const rect = thumb.getBoundingClientRect();
        // The content box: the button's border stays the page's.
        const border = thumb.clientLeft;
        return [rect.left - box.left + container.scrollLeft + border, rect.top - box.top + container.scrollTop + border, thumb.clientWidth, thumb.clientHeight];
      }),
    );
    const layout = { key: this.shapeKey, width, height, ratio: window.devicePixelRatio || 1, columns };
    this.weightLines.build(layout);
    this.onLayout(layout);
  }

  /**
   * Choosing the selected thumbnail again goes back to the output.
   * @param {number} column @param {number} index @param {string} name @param {HTMLButtonElement} thumb
   */
  select(column, index, name, thumb) {
    const again = this.selected?.column === column && this.selected.index === index;
    for (const each of this.container.querySelectorAll(".thumb")) each.setAttribute("aria-pressed", "false");
    this.selected = again ? null : { column, index, name };
    if (!again) thumb.setAttribute("aria-pressed", "true");
    this.onSelect(this.selected);
  }

  /** @param {import("../shared/protocol.js").ModelFrame} model the latest shown (weights only) */
  show(model) {
    this.build(model.features, model.hidden);
    this.weightLines.update(model);
  }
}
