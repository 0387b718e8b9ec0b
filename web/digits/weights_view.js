// @ts-check
// The first layer's weights as images (diverging map, 0 in the middle): a dense layer's units
// as 8 x 8 pictures, a conv layer's k x k filters, a local layer's filters at every window.
// The canvases are remade when the layout changes, repainted each frame. Its count and size
// are on the container (data-images, data-side). DOM only.
import { make } from "../page/dom.js";
import { paintWeight, weightGroups } from "./images.js";

export class WeightsView {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    this.layout = "";
    /** @type {HTMLCanvasElement[]} */
    this.canvases = [];
  }

  /**
   * @param {{data: Uint8Array | Float32Array, shape: number[]} | undefined} weights a frame's buffer
   * @param {Record<string, any>} settings the model's settings (first_layer, filters)
   */
  show(weights, settings) {
    if (!weights) return;
    const [n, h, w] = weights.shape;
    const layout = `${settings.first_layer} ${settings.filters} ${weights.shape.join("x")}`;
    if (layout !== this.layout) {
      this.layout = layout;
      this.canvases = Array.from({ length: n }, (_, i) => make("canvas", { className: "weight-image", width: w, height: h, title: `image ${i + 1}` }));
      const groups = weightGroups(weights.shape, settings.first_layer, settings.filters).map((group) => {
        const grid = make("div", { className: "weight-group" }, ...group.images.map((i) => this.canvases[i]));
        grid.style.gridTemplateColumns = `repeat(${group.columns}, minmax(0, ${settings.first_layer === "local" ? 22 : 44}px))`;
        return make("div", {}, make("div", { className: "weight-title", textContent: group.title }), grid);
      });
      this.root.replaceChildren(...groups);
      this.root.dataset.images = String(n);
      this.root.dataset.side = String(h);
      this.root.dataset.layer = settings.first_layer;
    }
    this.canvases.forEach((canvas, i) => {
      const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
      const pixels = context.createImageData(w, h);
      paintWeight(pixels.data, weights, i);
      context.putImageData(pixels, 0, 0);
    });
  }
}
