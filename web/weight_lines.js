// @ts-check
// The weights drawn between the network's thumbnail columns: one SVG line per weight, its
// width the magnitude and its colour the sign (blue positive, orange negative, as the maps);
// hovering a line names the weight and its value. Only the DOM of the network view.

const SVG = "http://www.w3.org/2000/svg";
const POSITIVE = "#0072B2";
const NEGATIVE = "#E69F00";

/**
 * Stroke of a weight: width 0.5 to 4 px by |w| relative to the largest in the network.
 * @param {number} weight @param {number} largest
 */
export function weightStroke(weight, largest) {
  const share = largest > 0 ? Math.min(1, Math.abs(weight) / largest) : 0;
  return { width: 0.5 + 3.5 * share, color: weight >= 0 ? POSITIVE : NEGATIVE, opacity: 0.25 + 0.65 * share };
}

export class WeightLines {
  /** @param {HTMLElement} container the network view (positioned) */
  constructor(container) {
    this.container = container;
    this.svg = document.createElementNS(SVG, "svg");
    this.svg.classList.add("weights");
    this.svg.setAttribute("aria-hidden", "true");
    /** @type {{line: SVGLineElement, layer: number, from: number, to: number, title: SVGTitleElement,
     *   color?: string, width?: string, opacity?: string}[]} each line and the stroke it shows */
    this.lines = [];
    /** @type {Float32Array[]} the latest weights per layer, (fan_in, fan_out) row-major */
    this.weights = [];
  }

  /**
   * One line from every thumbnail of a column to every thumbnail of the next.
   * @param {HTMLElement[][]} columns thumbnails, inputs first
   */
  build(columns) {
    this.svg.replaceChildren();
    this.lines = [];
    this.container.prepend(this.svg);
    const box = this.container.getBoundingClientRect();
    this.svg.setAttribute("width", String(this.container.scrollWidth));
    this.svg.setAttribute("height", String(this.container.scrollHeight));
    /** @param {HTMLElement} thumb @param {number} side 0 left edge, 1 right edge */
    const anchor = (thumb, side) => {
      const rect = thumb.getBoundingClientRect();
      return [rect.left - box.left + this.container.scrollLeft + side * rect.width, rect.top - box.top + rect.height / 2];
    };
    for (let layer = 0; layer + 1 < columns.length; layer += 1) {
      columns[layer].forEach((source, from) => {
        columns[layer + 1].forEach((target, to) => {
          const [x1, y1] = anchor(source, 1);
          const [x2, y2] = anchor(target, 0);
          const line = /** @type {SVGLineElement} */ (document.createElementNS(SVG, "line"));
          for (const [name, value] of Object.entries({ x1, y1, x2, y2 })) line.setAttribute(name, String(value));
          const title = /** @type {SVGTitleElement} */ (document.createElementNS(SVG, "title"));
          line.append(title);
          line.addEventListener("pointerenter", () => {
            const value = this.weights[layer]?.[from * columns[layer + 1].length + to];
            title.textContent = `weight from ${from + 1} to ${to + 1} of layer ${layer + 1}: ${value?.toPrecision(3)}`;
          });
          this.svg.append(line);
          this.lines.push({ line, layer, from, to, title });
        });
      });
    }
  }

  /** @param {import("./protocol.js").ModelFrame} model */
  update(model) {
    this.weights = [];
    let largest = 0;
    for (let layer = 0; `weights.${layer + 1}` in model.arrays; layer += 1) {
      const data = /** @type {Float32Array} */ (model.arrays[`weights.${layer}`].data);
      this.weights.push(data);
      for (const value of data) largest = Math.max(largest, Math.abs(value));
    }
    for (const entry of this.lines) {
      const { line, layer, from, to } = entry;
      const fanOut = model.hidden[layer];
      const stroke = weightStroke(this.weights[layer]?.[from * fanOut + to] ?? 0, largest);
      // Written only when it shows: every attribute write restyles the SVG, and the styling
      // of a few hundred lines per frame was most of the page's script time.
      const width = (Math.round(stroke.width * 4) / 4).toFixed(2);
      const opacity = (Math.round(stroke.opacity * 20) / 20).toFixed(2);
      if (entry.color !== stroke.color) line.setAttribute("stroke", (entry.color = stroke.color));
      if (entry.width !== width) line.setAttribute("stroke-width", (entry.width = width));
      if (entry.opacity !== opacity) line.setAttribute("stroke-opacity", (entry.opacity = opacity));
    }
  }
}
