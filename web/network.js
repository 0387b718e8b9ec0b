// @ts-check
// The network as columns of activation-map thumbnails: input features, then each hidden
// layer's neurons, with the weights between them. Rebuilt only when the architecture
// changes; repainted every frame.
import { paintNeuron } from "./colors.js";
import { WeightLines } from "./weight_lines.js";

const THUMB = 32; // limits.neuron_grid

export class NetworkView {
  /**
   * @param {HTMLElement} container
   * @param {(selected: {column: number, index: number, name: string} | null) => void} onSelect
   *   a thumbnail was chosen for the big picture (null: back to the output)
   */
  constructor(container, onSelect) {
    this.container = container;
    this.onSelect = onSelect;
    /** @type {{column: number, index: number, name: string} | null} */
    this.selected = null;
    this.shapeKey = "";
    /** @type {{canvas: HTMLCanvasElement, context: CanvasRenderingContext2D, image: ImageData}[][]} */
    this.columns = [];
    this.weightLines = new WeightLines(container);
  }

  /** @param {string[]} features @param {number[]} hidden */
  build(features, hidden) {
    const key = JSON.stringify([features, hidden]);
    if (key === this.shapeKey) return;
    this.shapeKey = key;
    this.container.replaceChildren();
    if (this.selected) {
      this.selected = null;
      this.onSelect(null);
    }
    const names = [features, ...hidden.map((width, layer) => Array.from({ length: width }, (_, j) => `layer ${layer + 1} neuron ${j + 1}`))];
    this.columns = names.map((column, index) => {
      const element = document.createElement("div");
      element.className = "layer";
      const title = document.createElement("div");
      title.className = "layer-title";
      title.textContent = index === 0 ? "inputs" : `layer ${index}`;
      element.append(title);
      this.container.append(element);
      return column.map((name, j) => {
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = THUMB;
        canvas.className = "thumb";
        canvas.title = `${name.replaceAll("_", " ")}: click to show it large`;
        canvas.tabIndex = 0;
        canvas.setAttribute("role", "button");
        canvas.setAttribute("aria-pressed", "false");
        canvas.setAttribute("aria-label", `activation map of ${name.replaceAll("_", " ")}`);
        const choose = () => this.select(index, j, name.replaceAll("_", " "), canvas);
        canvas.addEventListener("click", choose);
        canvas.addEventListener("keydown", (event) => {
          if (event.key !== "Enter" && event.key !== " ") return;
          event.preventDefault();
          event.stopPropagation(); // space here is not the page's play key
          choose();
        });
        element.append(canvas);
        const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
        return { canvas, context, image: context.createImageData(THUMB, THUMB) };
      });
    });
    this.weightLines.build(this.columns.map((column) => column.map((thumb) => thumb.canvas)));
  }

  /**
   * Choosing the selected thumbnail again goes back to the output.
   * @param {number} column @param {number} index @param {string} name @param {HTMLCanvasElement} canvas
   */
  select(column, index, name, canvas) {
    const again = this.selected?.column === column && this.selected.index === index;
    for (const thumb of this.container.querySelectorAll(".thumb")) thumb.setAttribute("aria-pressed", "false");
    this.selected = again ? null : { column, index, name };
    if (!again) canvas.setAttribute("aria-pressed", "true");
    this.onSelect(this.selected);
  }

  /** @param {import("./protocol.js").ModelFrame} model */
  draw(model) {
    this.build(model.features, model.hidden);
    this.weightLines.update(model);
    const cells = THUMB * THUMB;
    const features = /** @type {Uint8Array} */ (model.arrays.features.data);
    const neurons = model.arrays.neurons;
    const widest = neurons.shape[1] ?? 0;
    this.columns.forEach((column, index) => {
      column.forEach((thumb, j) => {
        const start = index === 0 ? j * cells : ((index - 1) * widest + j) * cells;
        const source = index === 0 ? features : /** @type {Uint8Array} */ (neurons.data);
        paintNeuron(thumb.image.data, source.subarray(start, start + cells));
        thumb.context.putImageData(thumb.image, 0, 0);
      });
    });
  }
}
