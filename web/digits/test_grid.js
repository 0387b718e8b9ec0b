// @ts-check
// The 64 shown test digits: each image upscaled and pixelated, the digit the network
// predicts (marked when wrong) and a small bar chart of its probabilities; optionally the
// misclassified ones first. Images come with `digits` messages, verdicts with frames. DOM only.
import { make } from "../page/dom.js";
import { paintGrey } from "./images.js";
import { verdicts } from "./results.js";

export class TestGrid {
  /** @param {HTMLElement} root @param {HTMLInputElement} misclassifiedFirst @param {number} side @param {number} levels */
  constructor(root, misclassifiedFirst, side, levels) {
    this.root = root;
    this.side = side;
    this.levels = levels;
    this.toggle = misclassifiedFirst;
    /** @type {{digits: number[], labels: number[], images: number[][]}} */
    this.data = { digits: [], labels: [], images: [] };
    /** @type {{data: ArrayLike<number>, shape: number[]} | null} */
    this.last = null;
    /** @type {{tile: HTMLElement, predicted: HTMLElement, bars: HTMLCanvasElement}[]} */
    this.tiles = [];
    this.toggle.addEventListener("change", () => this.last && this.show(this.last));
  }

  /** A `digits` message: the shown images and their labels. @param {{digits: number[], labels: number[], images: number[][]}} message */
  setImages(message) {
    this.data = message;
    this.last = null;
    this.tiles = message.images.map((levels, i) => {
      const image = make("canvas", { className: "digit-image", width: this.side, height: this.side, "aria-label": `test digit ${message.labels[i]}` });
      const context = /** @type {CanvasRenderingContext2D} */ (image.getContext("2d"));
      const pixels = context.createImageData(this.side, this.side);
      paintGrey(pixels.data, levels, this.levels);
      context.putImageData(pixels, 0, 0);
      const predicted = make("span", { className: "predicted", textContent: "?" });
      const bars = make("canvas", { className: "bars", width: 40, height: 12 });
      return { tile: make("div", { className: "test-tile", title: `a ${message.labels[i]}` }, image, predicted, bars), predicted, bars };
    });
    this.root.replaceChildren(...this.tiles.map((t) => t.tile));
  }

  /** A frame's `probabilities` buffer (shown, k), 255 = 1. @param {{data: ArrayLike<number>, shape: number[]}} probabilities */
  show(probabilities) {
    this.last = probabilities;
    const [shown, k] = probabilities.shape;
    if (shown !== this.tiles.length || k !== this.data.digits.length) return;
    const ordered = verdicts(probabilities.data, k, this.data.labels, this.data.digits, this.toggle.checked);
    let wrong = 0;
    for (const verdict of ordered) {
      const { tile, predicted, bars } = this.tiles[verdict.index];
      predicted.textContent = String(verdict.predicted);
      tile.classList.toggle("wrong", !verdict.correct);
      tile.title = `a ${verdict.label}, read as ${verdict.predicted}`;
      drawBars(bars, verdict.probabilities, this.data.digits.indexOf(verdict.label));
      if (!verdict.correct) wrong += 1;
    }
    // Reordering moves the tiles only when the order changed: appending the same order costs a layout each frame.
    const order = ordered.map((v) => v.index).join(",");
    if (this.root.dataset.order !== order) {
      this.root.append(...ordered.map((v) => this.tiles[v.index].tile));
      this.root.dataset.order = order;
    }
    this.root.dataset.wrong = String(wrong);
  }
}

/**
 * Bars of probabilities, the true class's in blue, the others grey.
 * @param {HTMLCanvasElement} canvas @param {number[]} probabilities 0..1 @param {number} truth its index (-1: none)
 */
export function drawBars(canvas, probabilities, truth) {
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const step = width / probabilities.length;
  probabilities.forEach((p, i) => {
    context.fillStyle = i === truth ? "#0072b2" : "#8c959f";
    const h = Math.max(0, Math.min(1, p)) * height;
    context.fillRect(i * step + 0.5, height - h, Math.max(1, step - 1), h);
  });
}
