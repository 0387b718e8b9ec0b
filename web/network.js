// @ts-check
// The network as columns of activation-map thumbnails: input features, then each hidden
// layer's neurons. Rebuilt only when the architecture changes; repainted every frame.
import { paintNeuron } from "./colors.js";

const THUMB = 32; // limits.neuron_grid

export class NetworkView {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.container = container;
    this.shapeKey = "";
    /** @type {{canvas: HTMLCanvasElement, context: CanvasRenderingContext2D, image: ImageData}[][]} */
    this.columns = [];
  }

  /** @param {string[]} features @param {number[]} hidden */
  build(features, hidden) {
    const key = JSON.stringify([features, hidden]);
    if (key === this.shapeKey) return;
    this.shapeKey = key;
    this.container.replaceChildren();
    const names = [features, ...hidden.map((width, layer) => Array.from({ length: width }, (_, j) => `layer ${layer + 1} neuron ${j + 1}`))];
    this.columns = names.map((column, index) => {
      const element = document.createElement("div");
      element.className = "layer";
      const title = document.createElement("div");
      title.className = "layer-title";
      title.textContent = index === 0 ? "inputs" : `layer ${index}`;
      element.append(title);
      this.container.append(element);
      return column.map((name) => {
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = THUMB;
        canvas.className = "thumb";
        canvas.title = name.replaceAll("_", " ");
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", `activation map of ${canvas.title}`);
        element.append(canvas);
        const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
        return { canvas, context, image: context.createImageData(THUMB, THUMB) };
      });
    });
  }

  /** @param {import("./protocol.js").ModelFrame} model */
  draw(model) {
    this.build(model.features, model.hidden);
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
