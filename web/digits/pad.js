// @ts-check
// The drawing pad: the learner draws white on black with mouse, pen or finger (pointer
// events, `touch-action: none`); while drawing (at most every 150 ms) and when the stroke
// ends, the pad goes to `predict` reduced to `side` x `side` grey levels. Shows the answer:
// the 8 x 8 image the network read and each model's probabilities, its top digit large
// (data-top on each model's row). DOM only.
import { make } from "../page/dom.js";
import { downsample, paintGrey } from "./images.js";
import { topClass } from "./results.js";

const THROTTLE_MS = 150;

export class DrawingPad {
  /**
   * @param {HTMLCanvasElement} pad @param {(side: number, pixels: number[]) => void} predict
   * @param {{sendSide: number, side: number, levels: number}} sizes the side sent, the network's image side and grey levels
   */
  constructor(pad, predict, sizes) {
    this.pad = pad;
    this.predict = predict;
    this.sizes = sizes;
    this.context = /** @type {CanvasRenderingContext2D} */ (pad.getContext("2d", { willReadFrequently: true }));
    this.drawn = false;
    this.lastSent = 0;
    /** @type {{x: number, y: number} | null} */
    this.last = null;
    this.clear();
    pad.addEventListener("pointerdown", (event) => {
      pad.setPointerCapture(event.pointerId);
      this.last = this.point(event);
      this.stroke(this.last, this.last);
    });
    pad.addEventListener("pointermove", (event) => {
      if (!this.last) return;
      const next = this.point(event);
      this.stroke(this.last, next);
      this.last = next;
      if (performance.now() - this.lastSent >= THROTTLE_MS) this.send();
    });
    const end = () => {
      if (!this.last) return;
      this.last = null;
      this.send();
    };
    pad.addEventListener("pointerup", end);
    pad.addEventListener("pointercancel", end);
  }

  /** @param {PointerEvent} event the pad's pixel under the pointer */
  point(event) {
    const box = this.pad.getBoundingClientRect();
    return { x: ((event.clientX - box.left) / box.width) * this.pad.width, y: ((event.clientY - box.top) / box.height) * this.pad.height };
  }

  /** @param {{x: number, y: number}} from @param {{x: number, y: number}} to */
  stroke(from, to) {
    const c = this.context;
    c.strokeStyle = "white";
    c.lineCap = "round";
    c.lineJoin = "round";
    c.lineWidth = this.pad.width / 14; // about as thick, for its size, as the dataset's pen
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x + 0.01, to.y);
    c.stroke();
    this.drawn = true;
  }

  clear() {
    this.context.fillStyle = "black";
    this.context.fillRect(0, 0, this.pad.width, this.pad.height);
    this.drawn = false;
  }

  /** Sends the drawing again (a new model answers differently); nothing when the pad is empty. */
  send() {
    if (!this.drawn) return;
    this.lastSent = performance.now();
    const { width, height } = this.pad;
    this.predict(this.sizes.sendSide, downsample(this.context.getImageData(0, 0, width, height).data, width, height, this.sizes.sendSide));
  }
}

/**
 * Shows a `prediction`: the image read into `image`, each model's bars into `root`.
 * @param {HTMLCanvasElement} image @param {HTMLElement} root
 * @param {{image: number[], digits: number[], probabilities: number[][]}} prediction
 * @param {string[]} names each model's name ("" when one) @param {{side: number, levels: number}} sizes
 */
export function showPrediction(image, root, prediction, names, sizes) {
  const context = /** @type {CanvasRenderingContext2D} */ (image.getContext("2d"));
  const pixels = context.createImageData(sizes.side, sizes.side);
  paintGrey(pixels.data, prediction.image, sizes.levels);
  context.putImageData(pixels, 0, 0);
  root.replaceChildren(...prediction.probabilities.map((probabilities, m) => {
    const top = prediction.digits[topClass(probabilities)];
    const bars = make("canvas", { width: 150, height: 48, "aria-label": `probability of each digit: ${probabilities.map((p, i) => `${prediction.digits[i]} ${(100 * p).toFixed(0)}%`).join(", ")}` });
    drawLabelledBars(bars, probabilities, prediction.digits);
    const row = make("div", { className: "prediction" }, make("span", { className: "top", textContent: String(top) }), make("div", {}, names[m] ? make("div", { textContent: names[m] }) : "", bars));
    row.dataset.top = String(top);
    row.dataset.probability = probabilities[topClass(probabilities)].toFixed(3);
    return row;
  }));
}

/** @param {HTMLCanvasElement} canvas @param {number[]} probabilities @param {number[]} digits */
function drawLabelledBars(canvas, probabilities, digits) {
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  const { width, height } = canvas;
  const step = width / probabilities.length;
  const best = topClass(probabilities);
  context.clearRect(0, 0, width, height);
  context.font = "10px system-ui, 'DejaVu Sans', sans-serif";
  context.textAlign = "center";
  probabilities.forEach((p, i) => {
    const h = Math.max(0, Math.min(1, p)) * (height - 12);
    context.fillStyle = i === best ? "#0072b2" : "#8c959f";
    context.fillRect(i * step + 1, height - 12 - h, step - 2, h);
    context.fillStyle = "#1f2328";
    context.fillText(String(digits[i]), i * step + step / 2, height - 2);
  });
}
