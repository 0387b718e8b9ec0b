// @ts-check
// Hovering a weight names it and its value. The lines themselves are painted by the drawing
// worker (network_painter.js); here each weight has an invisible SVG line over its painted
// one, placed when the layout changes and never written per frame.
import { modelWeights } from "../shared/network_layout.js";

const SVG = "http://www.w3.org/2000/svg";

export class WeightLines {
  /** @param {HTMLElement} container the network view (positioned) */
  constructor(container) {
    this.container = container;
    this.svg = document.createElementNS(SVG, "svg");
    this.svg.classList.add("weights");
    this.svg.setAttribute("aria-hidden", "true");
    /** @type {Float32Array[]} the latest weights per layer, (fan_in, fan_out) row-major */
    this.weights = [];
    /** @type {((layer: number, from: number, to: number) => void) | null} a click on a line (the explain view's) */
    this.onPick = null;
  }

  /**
   * One line from every thumbnail of a column to every thumbnail of the next.
   * @param {import("../shared/network_layout.js").NetworkLayout} layout
   */
  build({ width, height, columns }) {
    this.svg.replaceChildren();
    this.container.prepend(this.svg);
    this.svg.setAttribute("width", String(width));
    this.svg.setAttribute("height", String(height));
    for (let layer = 0; layer + 1 < columns.length; layer += 1) {
      const fanOut = columns[layer + 1].length;
      columns[layer].forEach(([x, y, boxWidth, boxHeight], from) => {
        columns[layer + 1].forEach(([x2, y2, , boxHeight2], to) => {
          const line = /** @type {SVGLineElement} */ (document.createElementNS(SVG, "line"));
          const ends = { x1: x + boxWidth, y1: y + boxHeight / 2, x2, y2: y2 + boxHeight2 / 2 };
          for (const [name, value] of Object.entries(ends)) line.setAttribute(name, String(value));
          const title = /** @type {SVGTitleElement} */ (document.createElementNS(SVG, "title"));
          line.append(title);
          line.addEventListener("pointerenter", () => {
            const value = this.weights[layer]?.[from * fanOut + to];
            title.textContent = `weight from ${from + 1} to ${to + 1} of layer ${layer + 1}: ${value?.toPrecision(3)}`;
          });
          line.addEventListener("click", () => this.onPick?.(layer, from, to));
          this.svg.append(line);
        });
      });
    }
  }

  /** @param {import("../shared/protocol.js").ModelFrame} model */
  update(model) {
    this.weights = modelWeights(model);
  }
}
